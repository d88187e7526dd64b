// How a host starts a device server on a new device link, and collects it: the launch half of the
// device link (wire_protocol.hpp). The driver's sim transport and opusimd both start
// opusim-device this way, so the server sees one convention whoever its host is.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "opusim/contract/wire_protocol.hpp"

namespace opusim::contract::wire {

// The descriptor the server finds its end of the link at (its `--link-fd` argument).
inline constexpr int kServerLinkFd = 3;

struct ServerProcess {
    pid_t pid = -1;
    std::unique_ptr<Channel> link;  // the host's end
};

// Starts PROGRAM `--link-fd 3 ARGUMENTS...` with its end of a new socket link at descriptor 3,
// its stdout joined to stderr (the host's stdout carries its own results) and no other
// descriptor of this process. Its environment is this process's, with OpenMP's workers told to
// sleep between parallel regions unless the user chose a policy: the device's GEMMs run in many
// short regions, and spinning workers took the cores the host and the device's camera stage
// needed (docs/performance.md, issue 10); it changes who waits how, never a result.
// Throws std::system_error (naming PROGRAM) when the link or the process cannot be made.
ServerProcess start_device_server(const std::string& program, std::vector<std::string> arguments);

// Collects PID (its link already closed, so a healthy server ends at once), killing it once GRACE
// has passed; says how it ended ("exit status N", "killed by signal N").
std::string collect_device_server(pid_t pid, std::chrono::milliseconds grace);

}  // namespace opusim::contract::wire
