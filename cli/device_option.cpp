#include "device_option.hpp"

#include <cstdlib>
#include <limits>
#include <optional>
#include <sstream>

#include "command.hpp"
#include "option_values.hpp"
#include "opusim/driver/device_uri.hpp"
#include "opusim/driver/errors.hpp"
#include "opusim/model/profile_limits.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

constexpr std::uint64_t kNoLimit = std::numeric_limits<std::uint64_t>::max();

driver::DeviceUri parse_uri(const std::string& text, const std::string& option) {
    try {
        return driver::DeviceUri::parse(text);
    } catch (const driver::UriError& error) {
        throw UsageError(option + ": " + error.what());
    }
}

std::string canonical_uri(const ChosenDevice& device) {
    return "sim:" + device.profile_argument + "?seed=" + std::to_string(device.medium_seed) +
           "&noise_seed=" + std::to_string(device.noise_seed) +
           "&noise=" + (device.noise ? "on" : "off");
}

// The device of URI with the profile's seeds wherever the URI sets none (as the driver does).
ChosenDevice from_uri(const driver::DeviceUri& uri, const std::string& option) {
    ChosenDevice device;
    device.profile_argument = uri.target;
    try {
        device.profile = model::load_device_profile(uri.target);
    } catch (const physics::ProfileError& error) {
        throw UsageError(option + ": " + error.what());
    }
    device.medium_seed = uri.medium_seed.value_or(device.profile.medium.seed);
    device.noise_seed = uri.noise_seed.value_or(device.profile.camera.noise_seed);
    device.noise = uri.noise.value_or(true);
    device.lock_wait_s = uri.lock_wait_s;
    device.transport_options = uri.transport_options;
    device.uri = canonical_uri(device);
    return device;
}

// FLAG (e.g. --seed) may not repeat the URI option KEY that --device set: which would win?
void require_not_in_uri(bool in_uri, const std::string& flag, const std::string& key) {
    if (in_uri) {
        throw UsageError(flag + " and --device's " + key +
                         "= option: give the value once, in one of them");
    }
}

}  // namespace

std::string uri_for_opening(const ChosenDevice& device) {
    std::ostringstream uri;
    uri << device.uri;
    if (device.lock_wait_s) uri << "&lock_wait=" << *device.lock_wait_s;
    for (const auto& [key, value] : device.transport_options) uri << "&" << key << "=" << value;
    return uri.str();
}

ChosenDevice resolve_device_uri(const std::string& text, const std::string& option) {
    return from_uri(parse_uri(text, option), option);
}

void add_device_options(po::options_description& options, bool seed_flags) {
    options.add_options()("device", po::value<std::string>(),
                          "device URI, e.g. sim:gen2?seed=7&noise_seed=3&noise=off (default: "
                          "$OPUSIM_DEVICE, else sim:gen2)")(
        "profile", po::value<std::string>(),
        "device profile NAME or PATH: the same as --device sim:NAME|PATH");
    if (!seed_flags) return;
    options.add_options()("seed", po::value<std::string>(),
                          "device seed S: medium and PRNU/DSNU (default: the URI's seed, else "
                          "the profile's medium.seed)")(
        "noise-seed", po::value<std::string>(),
        "temporal noise seed (default: the URI's noise_seed, else the profile's "
        "camera.noise_seed)")("noise", po::value<std::string>(),
                              "on (default), or off for the noiseless camera");
}

bool device_given(const po::variables_map& vm) {
    return vm.count("device") > 0 || vm.count("profile") > 0;
}

bool device_environment_set() {
    const char* environment = std::getenv("OPUSIM_DEVICE");
    return environment != nullptr && *environment != '\0';
}

ChosenDevice choose_device(const po::variables_map& vm) {
    if (vm.count("device") && vm.count("profile")) {
        throw UsageError(
            "--device and --profile both name the device: give one of them (--profile P --seed S "
            "is --device 'sim:P?seed=S')");
    }
    driver::DeviceUri uri;
    if (vm.count("profile")) {
        // Not parsed as a URI: a profile path may hold '?' or '&'; load exactly what was given.
        uri.transport = "sim";
        uri.target = vm["profile"].as<std::string>();
    } else {
        uri = parse_uri(vm.count("device") ? vm["device"].as<std::string>() : "", "--device");
    }
    const bool explicit_uri = vm.count("device") > 0;
    ChosenDevice device = from_uri(uri, vm.count("profile") ? "--profile" : "--device");
    if (vm.count("seed")) {
        require_not_in_uri(explicit_uri && uri.medium_seed.has_value(), "--seed", "seed");
        device.medium_seed = parse_whole("seed", vm["seed"].as<std::string>(), 0, kNoLimit);
    }
    if (vm.count("noise-seed")) {
        require_not_in_uri(explicit_uri && uri.noise_seed.has_value(), "--noise-seed",
                           "noise_seed");
        device.noise_seed =
            parse_whole("noise-seed", vm["noise-seed"].as<std::string>(), 0, kNoLimit);
    }
    if (vm.count("noise")) {
        require_not_in_uri(explicit_uri && uri.noise.has_value(), "--noise", "noise");
        device.noise = parse_noise_option(vm["noise"].as<std::string>());
    }
    device.uri = canonical_uri(device);
    return device;
}

}  // namespace opusim::cli
