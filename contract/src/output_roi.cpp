#include "opusim/contract/output_roi.hpp"

#include <algorithm>
#include <stdexcept>

namespace opusim::contract {
namespace {

std::uint64_t round_up(std::uint64_t value, std::uint64_t increment) {
    return (value + increment - 1) / increment * increment;
}

// Smallest s with s * s >= value (exact integer square root, no floating-point edge cases).
std::uint64_t ceil_sqrt(std::uint64_t value) {
    std::uint64_t root = 0;
    std::uint64_t bit = std::uint64_t{1} << 31;
    for (; bit != 0; bit >>= 1) {
        const std::uint64_t trial = root | bit;
        if (trial * trial <= value) root = trial;
    }
    return root * root == value ? root : root + 1;
}

std::string sensor_text(const SensorGeometry& camera) {
    return std::to_string(camera.width) + " x " + std::to_string(camera.height);
}

}  // namespace

std::string to_string(OutputRoiStrategy strategy) {
    return strategy == OutputRoiStrategy::MidWidth ? "mid_width" : "mid_square";
}

OutputRoiStrategy parse_output_roi_strategy(const std::string& text, const std::string& argument) {
    if (text == "mid_width") return OutputRoiStrategy::MidWidth;
    if (text == "mid_square") return OutputRoiStrategy::MidSquare;
    throw std::invalid_argument(argument + ": expected one of mid_width, mid_square, got '" + text +
                                "'");
}

std::uint64_t max_output_components(const SensorGeometry& camera, OutputRoiStrategy strategy) {
    if (strategy == OutputRoiStrategy::MidWidth) {
        return std::uint64_t{camera.width} * camera.height;
    }
    // The largest square side that is a multiple of the increment and fits the sensor.
    const std::uint64_t side = std::min(camera.width, camera.height) /
                               std::max<std::uint32_t>(camera.roi_increment, 1) *
                               std::max<std::uint32_t>(camera.roi_increment, 1);
    return side * side;
}

OutputRoi make_output_roi(const SensorGeometry& camera, std::uint64_t n_components,
                          OutputRoiStrategy strategy) {
    const std::uint64_t limit = max_output_components(camera, strategy);
    if (n_components == 0 || n_components > limit) {
        throw std::invalid_argument("n_components: expected 1 to " + std::to_string(limit) +
                                    " for the " + to_string(strategy) + " ROI of a " +
                                    sensor_text(camera) + " camera, got " +
                                    std::to_string(n_components));
    }
    const std::uint64_t increment = std::max<std::uint32_t>(camera.roi_increment, 1);
    std::uint64_t w = 0;
    std::uint64_t h = 0;
    if (strategy == OutputRoiStrategy::MidWidth) {
        w = camera.width;
        h = std::min<std::uint64_t>(round_up((n_components + w - 1) / w, increment), camera.height);
    } else {
        w = h = round_up(ceil_sqrt(n_components), increment);
    }
    OutputRoi roi;
    roi.width = static_cast<std::uint32_t>(w);
    roi.height = static_cast<std::uint32_t>(h);
    roi.x = static_cast<std::uint32_t>((camera.width - w) / 2);
    roi.y = static_cast<std::uint32_t>((camera.height - h) / 2);
    roi.pixels.resize(n_components);
    for (std::uint64_t i = 0; i < n_components; ++i) {
        roi.pixels[i] = (roi.y + i / w) * std::uint64_t{camera.width} + (roi.x + i % w);
    }
    return roi;
}

OutputRoi make_output_roi(const SensorGeometry& camera, std::uint64_t n_components) {
    return make_output_roi(camera, n_components, camera.roi_strategy);
}

std::uint64_t max_output_components(const SensorGeometry& camera) {
    return max_output_components(camera, camera.roi_strategy);
}

}  // namespace opusim::contract
