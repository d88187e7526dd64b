// Strict parsing of numeric option values for the physics subcommands (profile, flatfield,
// capture): whole text must be a number in range, and errors name the option, e.g.
// "--frames: expected a whole number >= 1, got '0'".
#pragma once

#include <cstdint>
#include <string>

#include "opusim/contract/input_layout.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::cli {

// A whole number in [min, max] (decimal digits only: no sign, no exponent).
std::uint64_t parse_whole(const std::string& option, const std::string& text, std::uint64_t min,
                          std::uint64_t max);
// A finite real number >= min (strtod syntax, whole text).
double parse_real(const std::string& option, const std::string& text, double min);

// --profile NAME|PATH, loaded and validated; a bad profile is a UsageError naming --profile and
// the bad key.
physics::DeviceProfile load_profile_option(const std::string& text);
// --input-roi full|small|auto.
contract::InputRoiStrategy parse_input_roi_option(const std::string& text);
// --n-components: at least 1 and at most what PROFILE's camera holds under its ROI strategy.
std::uint64_t parse_components_option(const std::string& text,
                                      const physics::DeviceProfile& profile);
// --noise on|off: true for on.
bool parse_noise_option(const std::string& text);
// --frametime-us: finite, >= 0 and at most 4e6 us (4 s; the device's frametime register holds
// nanoseconds in 32 bits, 4.29 s).
double parse_frametime(const std::string& text);
// --exposure-us within the camera's [min_exposure_us, max_exposure_us].
double parse_exposure(const std::string& text, const physics::CameraParams& camera);

// The most values (rows x columns) one output array may hold: 2^30, 2-4 GiB in memory. A larger
// request is a UsageError naming OPTION before anything is allocated.
inline constexpr std::uint64_t kMaxOutputValues = std::uint64_t{1} << 30;
void check_output_values(const std::string& option, std::uint64_t rows, std::uint64_t columns);

}  // namespace opusim::cli
