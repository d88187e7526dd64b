// Device URIs: how an application names the device it opens, so switching device (a simulated
// gen2, a gen3, a custom profile, later a remote or real device) never needs a code change.
//
//   SCHEME:TARGET[?OPTION=VALUE&...]
//   sim:gen2                      a simulated device with the built-in gen2 profile
//   sim:gen3                      ... gen3
//   sim:PATH/profile.json         ... a profile file (any path containing '/' or ending in .json)
//   sim:gen2?seed=7&noise_seed=3&noise=off&lock_wait=5&vcd=trace.vcd
//
// The scheme chooses the transport from the registry (transport_registry.hpp); TARGET means what
// that transport says. Options (each at most once) the driver applies to every device: seed
// (medium seed, unsigned 64-bit), noise_seed (camera noise seed), noise (on|off), lock_wait
// (seconds to wait for a device another process holds, >= 0). Any other option belongs to the
// transport, which lists the ones it accepts (sim: vcd). An unknown transport, option or
// malformed value is a UriError naming it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace opusim::driver {

struct DeviceUri {
    std::string text;       // the URI as given (after defaulting)
    std::string transport;  // the scheme: "sim"
    std::string target;     // what the transport opens (sim: a built-in profile name or a path)
    std::optional<std::uint64_t> medium_seed;
    std::optional<std::uint64_t> noise_seed;
    std::optional<bool> noise;
    // noise=ideal: float intensities without noise or quantisation (MODE.IDEAL); set with noise.
    std::optional<bool> ideal;
    std::optional<double> lock_wait_s;
    std::map<std::string, std::string> transport_options;  // checked against the transport's list

    // Parses TEXT; an empty TEXT means default_device_uri().
    static DeviceUri parse(const std::string& text);
    // Canonical text of the device identity (transport:target, no options): the lock's key.
    std::string identity() const;
};

// $OPUSIM_DEVICE when set and non-empty, else "sim:gen2".
std::string default_device_uri();

}  // namespace opusim::driver
