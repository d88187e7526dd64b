// Devices served by opusimd, the daemon that shares simulated devices between processes
// (docs/daemon.md): which daemon a device URI goes through, and what the daemon reports.
#pragma once

#include <optional>
#include <string>

#include "opusim/driver/device_uri.hpp"

namespace opusim::driver {

// The daemon socket URI goes through: its via= option, else $OPUSIM_DAEMON (when set and
// non-empty), else none (the device runs in a process of this application's own).
std::optional<std::string> daemon_socket_of(const DeviceUri& uri);

// The daemon's status as JSON text: its devices with their clients, queue depths and
// utilisation. Throws DriverError when no daemon answers at SOCKET.
std::string daemon_status_json(const std::string& socket);

}  // namespace opusim::driver
