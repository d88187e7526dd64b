// What `DaemonStatus` answers: the daemon's devices, their clients, queue depths and utilisation,
// as JSON text (docs/daemon.md, "Protocol"; shown by `opusim info`).
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "daemon.hpp"

namespace opusim::daemon {
namespace {

std::string json_text(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

}  // namespace

std::string Daemon::status_json() const {
    std::ostringstream out;
    const double uptime = std::chrono::duration<double>(Clock::now() - started_).count();
    out << "{\"socket\": " << json_text(options_.socket_path) << ", \"pid\": " << ::getpid()
        << ", \"uptime_s\": " << uptime << ", \"devices\": [";
    bool first_device = true;
    for (const auto& [key, device] : devices_) {
        const double elapsed = device->shared->now_s() - device->first_s;
        std::uint64_t queued = 0;
        std::ostringstream clients;
        bool first_client = true;
        for (const auto id : device->clients) {
            const Client& client = clients_.at(id);
            queued += client.own->queued_jobs();
            clients << (first_client ? "" : ", ") << "{\"id\": " << id
                    << ", \"pid\": " << client.pid << ", \"user\": " << json_text(client.user)
                    << ", \"exclusive\": " << (client.exclusive ? "true" : "false")
                    << ", \"queued_jobs\": " << client.own->queued_jobs()
                    << ", \"jobs_done\": " << client.own->jobs_done() << "}";
            first_client = false;
        }
        out << (first_device ? "" : ", ") << "{\"device\": " << json_text(key)
            << ", \"server_pid\": " << device->shared->server_pid()
            << ", \"device_time_s\": " << device->shared->now_s()
            << ", \"busy_s\": " << device->busy_s
            << ", \"utilisation\": " << (elapsed > 0 ? device->busy_s / elapsed : 0.0)
            << ", \"jobs\": " << device->jobs << ", \"queue_depth\": " << queued
            << ", \"clients\": [" << clients.str() << "]}";
        first_device = false;
    }
    out << "]}";
    return out.str();
}

}  // namespace opusim::daemon
