// `sim:` devices served by opusimd (URI option via=SOCKET or $OPUSIM_DAEMON): the connection to
// the daemon, then the device link as with a device process of one's own
// (device_process_transport.hpp). The daemon shares one simulated device between its clients.
#pragma once

#include <memory>
#include <string>

#include "opusim/contract/daemon_protocol.hpp"
#include "opusim/driver/dma_memory.hpp"
#include "opusim/driver/transport.hpp"

namespace opusim::driver {

// Throws DriverError when no daemon answers at SOCKET, UriError when the daemon cannot start
// the device (its message), DeviceBusyError when another client holds it exclusively.
std::unique_ptr<Transport> open_through_daemon(const std::string& socket,
                                               const contract::daemon::OpenRequest& request,
                                               std::shared_ptr<DmaMemory> memory,
                                               const std::string& uri_text);

}  // namespace opusim::driver
