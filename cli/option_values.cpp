#include "option_values.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "command.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/model/profile_limits.hpp"
#include "opusim/physics/device_geometry.hpp"

namespace opusim::cli {

std::uint64_t parse_whole(const std::string& option, const std::string& text, std::uint64_t min,
                          std::uint64_t max) {
    std::string expected = "a whole number >= " + std::to_string(min);
    if (max != std::numeric_limits<std::uint64_t>::max()) {
        expected += " and <= " + std::to_string(max);
    }
    const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    if (!digits)
        throw UsageError("--" + option + ": expected " + expected + ", got '" + text + "'");
    errno = 0;
    const unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
    if (errno == ERANGE || value < min || value > max) {
        throw UsageError("--" + option + ": expected " + expected + ", got '" + text + "'");
    }
    return value;
}

double parse_real(const std::string& option, const std::string& text, double min) {
    std::ostringstream bound;
    bound << min;
    const std::string expected = "a finite number >= " + bound.str();
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE ||
        !std::isfinite(value) || value < min) {
        throw UsageError("--" + option + ": expected " + expected + ", got '" + text + "'");
    }
    return value;
}

physics::DeviceProfile load_profile_option(const std::string& text) {
    try {
        return model::load_device_profile(text);
    } catch (const physics::ProfileError& error) {
        throw UsageError(std::string("--profile: ") + error.what());
    }
}

std::uint64_t parse_components_option(const std::string& text,
                                      const physics::DeviceProfile& profile) {
    const auto roi_strategy =
        contract::parse_output_roi_strategy(profile.camera.roi_strategy, "camera.roi_strategy");
    return parse_whole("n-components", text, 1,
                       contract::max_output_components(
                           opusim::physics::sensor_geometry(profile.camera), roi_strategy));
}

contract::InputRoiStrategy parse_input_roi_option(const std::string& text) {
    try {
        return contract::parse_input_roi_strategy(text, "--input-roi");
    } catch (const std::invalid_argument& error) {
        throw UsageError(error.what());
    }
}

bool parse_noise_option(const std::string& text) {
    if (text != "on" && text != "off") {
        throw UsageError("--noise: expected on or off (or ideal), got '" + text + "'");
    }
    return text == "on";
}

double parse_frametime(const std::string& text) {
    const double frametime = parse_real("frametime-us", text, 0);
    if (frametime > 4e6) {
        throw UsageError("--frametime-us: expected at most 4000000 (4 s), got " + text);
    }
    return frametime;
}

double parse_exposure(const std::string& text, const physics::CameraParams& camera) {
    const double exposure = parse_real("exposure-us", text, 0);
    if (exposure < camera.min_exposure_us || exposure > camera.max_exposure_us) {
        std::ostringstream expected;
        expected << "--exposure-us: expected a value within the camera's ["
                 << camera.min_exposure_us << ", " << camera.max_exposure_us << "] us, got '"
                 << text << "'";
        throw UsageError(expected.str());
    }
    return exposure;
}

void check_output_values(const std::string& option, std::uint64_t rows, std::uint64_t columns) {
    if (columns != 0 && rows > kMaxOutputValues / columns) {
        throw UsageError(option + ": " + std::to_string(rows) + " rows x " +
                         std::to_string(columns) + " outputs is more than " +
                         std::to_string(kMaxOutputValues) +
                         " values in one output array; split the input into smaller files");
    }
}

}  // namespace opusim::cli
