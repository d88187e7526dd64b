#include "device_option.hpp"

#include <cstdlib>
#include <limits>
#include <optional>
#include <sstream>

#include "command.hpp"
#include "option_values.hpp"
#include "opusim/driver/device_uri.hpp"
#include "opusim/driver/errors.hpp"
#include "opusim/driver/profile_override_option.hpp"
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
    std::string uri = "sim:" + device.profile_argument +
                      "?seed=" + std::to_string(device.medium_seed) +
                      "&noise_seed=" + std::to_string(device.noise_seed) + "&noise=" +
                      (device.ideal   ? "ideal"
                       : device.noise ? "on"
                                      : "off");
    if (!device.overrides.empty()) {
        driver::ProfileOverrideList list;
        for (const auto& change : device.overrides) list.emplace_back(change.key, change.value);
        uri += "&set=" + driver::encode_profile_overrides(list);
    }
    return uri;
}

// The overrides of the URI's set= option (a malformed one is a UsageError naming OPTION).
std::vector<physics::ProfileOverride> uri_overrides(const driver::DeviceUri& uri,
                                                    const std::string& option) {
    std::vector<physics::ProfileOverride> overrides;
    const auto found = uri.transport_options.find("set");
    if (found == uri.transport_options.end()) return overrides;
    try {
        for (const auto& [key, value] : driver::decode_profile_overrides(found->second)) {
            overrides.push_back({key, value});
        }
    } catch (const driver::UriError& error) {
        throw UsageError(option + ": " + error.what());
    }
    return overrides;
}

// URI's profile with its set= overrides and then FLAG_OVERRIDES (--set) applied; an error names
// the option that carried the bad override.
physics::DeviceProfile overridden_profile(const driver::DeviceUri& uri, const std::string& option,
                                          std::vector<physics::ProfileOverride>& overrides,
                                          const std::vector<physics::ProfileOverride>& flags) {
    physics::DeviceProfile base;
    try {
        base = model::load_device_profile(uri.target);
    } catch (const physics::ProfileError& error) {
        throw UsageError(option + ": " + error.what());
    }
    overrides = uri_overrides(uri, option);
    const std::size_t from_uri = overrides.size();
    overrides.insert(overrides.end(), flags.begin(), flags.end());
    try {
        physics::DeviceProfile overridden = physics::with_overrides(base, overrides);
        // The overridden profile must also be one the device can represent, as the device
        // server checks it before powering on.
        model::check_profile_fits_device(overridden);
        return overridden;
    } catch (const physics::ProfileOverrideError& error) {
        bool in_uri = false;
        for (std::size_t i = 0; i < from_uri; ++i) {
            in_uri = in_uri || overrides[i].text() == error.override_text();
        }
        if (in_uri) throw UsageError(option + ": set=" + error.what());
        throw UsageError("--set " + error.override_text() + ": " + error.detail());
    } catch (const physics::ProfileError& error) {
        // Each override was valid alone; together they make a profile the device cannot hold.
        throw UsageError(option + " with its profile overrides: " + error.what());
    }
}

// The device of URI with the profile's seeds wherever the URI sets none (as the driver does),
// and the URI's and FLAGS' profile overrides.
ChosenDevice from_uri(const driver::DeviceUri& uri, const std::string& option,
                      const std::vector<physics::ProfileOverride>& flags = {}) {
    ChosenDevice device;
    device.profile_argument = uri.target;
    device.profile = overridden_profile(uri, option, device.overrides, flags);
    device.medium_seed = uri.medium_seed.value_or(device.profile.medium.seed);
    device.noise_seed = uri.noise_seed.value_or(device.profile.camera.noise_seed);
    device.noise = uri.noise.value_or(true);
    device.ideal = uri.ideal.value_or(false);
    device.lock_wait_s = uri.lock_wait_s;
    device.transport_options = uri.transport_options;
    device.transport_options.erase("set");  // the canonical URI carries the overrides
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

void add_set_option(po::options_description& options) {
    options.add_options()("set", po::value<std::vector<std::string>>()->composing(),
                          "KEY=VALUE: override a profile key, e.g. camera.bits=12 (repeatable; "
                          "validated as a profile)");
}

std::vector<physics::ProfileOverride> set_options(const po::variables_map& vm) {
    std::vector<physics::ProfileOverride> overrides;
    if (!vm.count("set")) return overrides;
    for (const auto& text : vm["set"].as<std::vector<std::string>>()) {
        try {
            overrides.push_back(physics::parse_profile_override(text));
        } catch (const physics::ProfileOverrideError& error) {
            throw UsageError("--set " + text + ": " + error.detail());
        }
    }
    return overrides;
}

std::string device_uri_with_set(const std::string& text, const po::variables_map& vm) {
    if (!vm.count("set")) return text;
    const ChosenDevice device = from_uri(parse_uri(text, "--device"), "--device", set_options(vm));
    return uri_for_opening(device);
}

physics::DeviceProfile profile_of(const driver::DeviceUri& uri) {
    std::vector<physics::ProfileOverride> overrides;
    return overridden_profile(uri, "--device", overrides, {});
}

void add_device_options(po::options_description& options, bool seed_flags) {
    add_set_option(options);
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
                              "on (default), off for the noiseless camera, or ideal for float "
                              "intensities without noise or quantisation (linear mode)");
}

bool device_given(const po::variables_map& vm) {
    return vm.count("device") > 0 || vm.count("profile") > 0 || vm.count("set") > 0;
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
    ChosenDevice device =
        from_uri(uri, vm.count("profile") ? "--profile" : "--device", set_options(vm));
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
        const std::string noise = vm["noise"].as<std::string>();
        device.ideal = noise == "ideal";
        device.noise = !device.ideal && parse_noise_option(noise);
    }
    device.uri = canonical_uri(device);
    return device;
}

}  // namespace opusim::cli
