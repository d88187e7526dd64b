#include "daemon_transport.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "device_process_transport.hpp"
#include "opusim/driver/daemon_client.hpp"
#include "opusim/driver/errors.hpp"

namespace opusim::driver {

using contract::wire::Message;
using contract::wire::MessageType;

namespace {

std::unique_ptr<contract::wire::Channel> connect_to(const std::string& socket,
                                                    const std::string& context) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socket.empty() || socket.size() >= sizeof address.sun_path) {
        throw UriError(context + ": the daemon socket path must have 1 to " +
                       std::to_string(sizeof address.sun_path - 1) + " bytes, got '" + socket +
                       "'");
    }
    std::memcpy(address.sun_path, socket.c_str(), socket.size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw DriverError(context + ": socket: " + std::strerror(errno));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        const std::string reason = std::strerror(errno);
        ::close(fd);
        throw DriverError(context + ": no opusimd answers at " + socket + " (" + reason +
                          "); start it with `opusimd --socket " + socket + "`");
    }
    return std::make_unique<contract::wire::Channel>(fd);
}

std::string text_of(const Message& message) {
    return std::string(message.payload.begin(), message.payload.end());
}

}  // namespace

std::optional<std::string> daemon_socket_of(const DeviceUri& uri) {
    const auto via = uri.transport_options.find("via");
    if (via != uri.transport_options.end()) return via->second;
    const char* env = std::getenv("OPUSIM_DAEMON");
    if (env != nullptr && *env != '\0' && uri.transport == "sim") return std::string(env);
    return std::nullopt;
}

std::unique_ptr<Transport> open_through_daemon(const std::string& socket,
                                               const contract::daemon::OpenRequest& request,
                                               std::shared_ptr<DmaMemory> memory,
                                               const std::string& uri_text) {
    const std::string context = "device URI '" + uri_text + "'";
    auto link = connect_to(socket, context);
    Message answer;
    try {
        const auto open = contract::daemon::encode_open(request);
        link->send(MessageType::DaemonOpen, open.data(), open.size());
        answer = link->receive();
    } catch (const contract::wire::LinkError& error) {
        throw DriverError(context + ": opusimd at " + socket + " closed the connection (" +
                          error.what() + ")");
    }
    if (answer.type == MessageType::Failed) throw UriError(context + ": " + text_of(answer));
    if (answer.type == MessageType::Refused) {
        throw DeviceBusyError(context + ": " + text_of(answer), -1);
    }
    if (answer.type != MessageType::Ready ||
        answer.payload.size() != sizeof(contract::wire::ReadyMessage)) {
        throw DriverError(context + ": opusimd at " + socket + " did not answer with Ready");
    }
    const auto ready = answer.as<contract::wire::ReadyMessage>();
    if (ready.protocol_version != contract::wire::kProtocolVersion) {
        throw DriverError(context + ": opusimd speaks link protocol " +
                          std::to_string(ready.protocol_version) + ", this driver " +
                          std::to_string(contract::wire::kProtocolVersion));
    }
    return std::make_unique<DeviceProcessTransport>(
        std::move(link), ready.device_time_s, std::move(memory),
        "SystemC simulator (profile " + request.profile + ", shared by opusimd at " + socket + ")",
        uri_text);
}

std::string daemon_status_json(const std::string& socket) {
    auto link = connect_to(socket, "opusimd status");
    try {
        link->send(MessageType::DaemonStatus, nullptr, 0);
        const Message answer = link->receive();
        if (answer.type != MessageType::StatusText) {
            throw DriverError("opusimd status: the daemon at " + socket + " answered " +
                              std::to_string(static_cast<unsigned>(answer.type)) + ": " +
                              text_of(answer));
        }
        return text_of(answer);
    } catch (const contract::wire::LinkError& error) {
        throw DriverError("opusimd status: the daemon at " + socket + " closed the connection (" +
                          error.what() + ")");
    }
}

}  // namespace opusim::driver
