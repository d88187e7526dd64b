// What a client says to opusimd, the daemon that shares simulated devices between processes
// (sim/daemon, docs/daemon.md). A connection to the daemon's socket starts with one message:
//   DaemonOpen (an OpenRequest, encoded below) -> Ready, then the device link exactly as with a
//       device process of one's own (wire_protocol.hpp); or Failed (the device cannot start: a
//       bad profile) or Refused (busy: another client holds the device exclusively);
//   DaemonStatus -> StatusText (JSON: devices, clients, queue depths, utilisation), then the end.
// The daemon trusts nothing a client sends: every request is checked here before it is used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "opusim/contract/wire_protocol.hpp"

namespace opusim::contract::daemon {

inline constexpr std::uint32_t kOpenVersion = 1;
// No client request is larger (ReadRegisters of the whole register window is 4 KiB).
inline constexpr std::uint64_t kMaxRequestBytes = 64 * 1024;
inline constexpr std::size_t kMaxOpenFields = 64;
inline constexpr std::size_t kMaxFieldBytes = 4096;

// The device a client asks for: the profile (a built-in name or an absolute path) and the device
// server's options that make it another device (faults, fault_seed, set overrides as KEY=VALUE,
// in order); clients asking for the same ones share one device. Configuration registers (seeds,
// noise) are each client's own and travel as register writes, not here.
struct OpenRequest {
    std::string profile;
    std::vector<std::pair<std::string, std::string>> options;  // key: faults, fault_seed or set
    // Seconds to wait for the device to be free of other clients and hold it alone; absent: share.
    std::optional<double> exclusive_s;

    // The device's key in the daemon: profile and options, canonical text.
    std::string device_key() const;
    // The device server's command-line arguments after the program name.
    std::vector<std::string> server_arguments() const;
};

std::vector<std::uint8_t> encode_open(const OpenRequest& request);
// Throws wire::LinkError naming what is malformed.
OpenRequest decode_open(const std::uint8_t* data, std::size_t size);

// Whether a message a client sends after Ready is well formed (known type, the size its type
// needs, an offset inside the register window, a region below kMaxClientAddress); else the problem.
std::optional<std::string> check_request(wire::MessageType type, const std::uint8_t* payload,
                                         std::size_t size);

// Device addresses a client may use: the daemon places each client's regions in a window of its
// own at (client number << kClientWindowBits).
inline constexpr unsigned kClientWindowBits = 44;
inline constexpr std::uint64_t kMaxClientAddress = std::uint64_t{1} << kClientWindowBits;

}  // namespace opusim::contract::daemon
