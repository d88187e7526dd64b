#include "drift_comparison.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace opusim::cli {
namespace {

double median(std::vector<double> values) {
    const std::size_t middle = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(middle), values.end());
    const double upper = values[middle];
    if (values.size() % 2 == 1) return upper;
    const double lower = *std::max_element(values.begin(), values.begin() + std::ptrdiff_t(middle));
    return (lower + upper) / 2;
}

}  // namespace

double error_by_camera_pixel(const Result<float>& measured, const Result<float>& reference,
                             std::size_t* shared) {
    const auto& pixels = measured.context.output_pixels;
    const auto& reference_pixels = reference.context.output_pixels;
    std::vector<std::pair<std::size_t, std::size_t>> pairs;  // (measured column, reference column)
    for (std::size_t c = 0; c < pixels.size(); ++c) {
        const auto found = std::find(reference_pixels.begin(), reference_pixels.end(), pixels[c]);
        if (found != reference_pixels.end()) {
            pairs.emplace_back(c, static_cast<std::size_t>(found - reference_pixels.begin()));
        }
    }
    *shared = pairs.size();
    if (pixels.empty() || pairs.size() != pixels.size()) {
        throw std::runtime_error(
            "drift report: the reference calibration reads " + std::to_string(pairs.size()) +
            " of the " + std::to_string(pixels.size()) +
            " camera pixels the measured linear outputs come from; their error cannot be "
            "measured against it");
    }
    const std::size_t width = pixels.size();
    const std::size_t reference_width = reference_pixels.size();
    const std::size_t rows = measured.output.values.size() / width;
    // Per output: its relative rms error over the rows (the derived limit's measure, one output).
    std::vector<double> errors;
    bool any_reference = false;
    for (const auto& [c, rc] : pairs) {
        double diff = 0, norm = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const double y = measured.output.values[r * width + c];
            const double f = reference.output.values[r * reference_width + rc];
            diff += (y - f) * (y - f);
            norm += f * f;
        }
        any_reference = any_reference || norm > 0;
        errors.push_back(norm > 0 ? std::sqrt(diff / norm)
                                  : (diff > 0 ? std::numeric_limits<double>::infinity() : 0.0));
    }
    if (!any_reference) {
        throw std::runtime_error("drift report: the reference's outputs are all zero");
    }
    return median(errors);
}

}  // namespace opusim::cli
