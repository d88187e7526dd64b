// One way to choose the device on every command that uses one: --device URI (sim:gen2,
// sim:path/profile.json, with ?seed=S&noise_seed=N&noise=on|off), parsed by the driver's URI
// parser. The physics commands (capture, flatfield, medium, timing) also keep their older
// --profile P with separate --seed/--noise-seed/--noise flags, which mean the same; --device and
// --profile together are a usage error. Neither: $OPUSIM_DEVICE, else sim:gen2.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "opusim/driver/device_uri.hpp"
#include "opusim/physics/profile.hpp"
#include "opusim/physics/profile_overrides.hpp"

namespace opusim::cli {

struct ChosenDevice {
    std::string uri;               // canonical: sim:PROFILE?seed=S&noise_seed=N&noise=on|off
    std::string profile_argument;  // the PROFILE part: a built-in name or a path
    physics::DeviceProfile profile;
    std::uint64_t medium_seed = 0;  // the URI's, else the profile's medium.seed
    std::uint64_t noise_seed = 0;   // the URI's, else the profile's camera.noise_seed
    bool noise = true;
    bool ideal = false;                 // noise=ideal: float intensities (MODE.IDEAL)
    std::optional<double> lock_wait_s;  // the URI's lock_wait: how to open, not what to compute
    std::map<std::string, std::string> transport_options;  // the same: the transport's (sim: vcd)
    // Profile overrides (the URI's set= option, then --set), already applied to PROFILE; part of
    // what the device computes, so URI keeps them (as set=).
    std::vector<physics::ProfileOverride> overrides;
};

// URI with the lock_wait and transport options kept, for opening the device through the SDK.
std::string uri_for_opening(const ChosenDevice& device);

// The device URI TEXT ("" = $OPUSIM_DEVICE, else sim:gen2) with its profile loaded and the
// seeds it stands for. A malformed URI or bad profile is a UsageError naming OPTION.
ChosenDevice resolve_device_uri(const std::string& text, const std::string& option = "--device");

// Adds --device URI and --profile P (and, if SEED_FLAGS, --seed, --noise-seed, --noise) to
// OPTIONS.
void add_device_options(boost::program_options::options_description& options, bool seed_flags);

// The device chosen by --device or --profile (with the seed flags, where the command has them,
// which may not repeat an option the URI sets), else $OPUSIM_DEVICE, else sim:gen2.
ChosenDevice choose_device(const boost::program_options::variables_map& vm);

// Adds --set KEY=VALUE (repeatable): profile overrides. add_device_options adds it too.
void add_set_option(boost::program_options::options_description& options);

// The --set values of VM as overrides (a malformed one is a UsageError naming it).
std::vector<physics::ProfileOverride> set_options(const boost::program_options::variables_map& vm);

// For the commands that hand a device URI TEXT to the SDK (run, attention, transform, info):
// TEXT unchanged without --set; with --set, the URI (resolved as resolve_device_uri does) with the
// overrides added as its set= option, validated (a bad override is a UsageError naming --set).
std::string device_uri_with_set(const std::string& text,
                                const boost::program_options::variables_map& vm);

// The profile an opened device's URI describes: its profile with the URI's set= overrides, read
// as the device server reads it (for oracle tools: info, the report).
physics::DeviceProfile profile_of(const driver::DeviceUri& uri);

// Whether --device, --profile or --set was given (medium has a profile-free mode without them).
bool device_given(const boost::program_options::variables_map& vm);
// Whether $OPUSIM_DEVICE names a device (set and non-empty).
bool device_environment_set();

}  // namespace opusim::cli
