// opusimd's service: the socket, its clients, the devices they share, and the scheduler.
// One thread: a poll loop reads each client's requests in turn, answers the ones about its own
// registers at once, and between requests runs one queued job at a time, round robin over the
// clients of a device (fair between clients, in order within one). A job is the unit of
// atomicity: its configuration, descriptor and completion go through the device together.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "opusim/contract/daemon_protocol.hpp"
#include "opusim/contract/wire_protocol.hpp"
#include "shared_device.hpp"
#include "virtual_device.hpp"

namespace opusim::daemon {

struct DaemonOptions {
    std::string socket_path;
    std::string device_server;   // the opusim-device program
    std::optional<gid_t> group;  // --group: members may connect too (the socket is 0660)
};

class Daemon {
  public:
    // Binds the socket (replacing a stale one; refusing when a daemon answers on it).
    explicit Daemon(DaemonOptions options);
    ~Daemon();
    // Serves until STOP_FD becomes readable (the SIGTERM handler writes to it).
    void serve(int stop_fd);

  private:
    using Clock = std::chrono::steady_clock;
    struct Device;
    struct Client {
        std::uint64_t id = 0;
        std::unique_ptr<contract::wire::Channel> link;
        int fd = -1;
        pid_t pid = 0;
        uid_t uid = 0;
        std::string user;
        Device* device = nullptr;
        std::unique_ptr<VirtualDevice> own;
        std::optional<double> wait_deadline_s;  // a WaitInterrupt waiting for its jobs
        bool exclusive = false;
        // An exclusive open waiting for the device's other clients to leave.
        std::optional<contract::daemon::OpenRequest> pending_open;
        Clock::time_point open_deadline;
        bool closing = false;
    };
    struct Device {
        std::string key;
        std::unique_ptr<SharedDevice> shared;
        std::vector<std::uint64_t> clients;  // attached, in arrival order
        std::size_t next_turn = 0;           // round robin cursor
        double busy_s = 0;                   // device time spent running jobs
        double first_s = 0;                  // device time at its start
        std::uint64_t jobs = 0;
        std::uint64_t exclusive_holder = 0;  // client id, or 0
    };

    void accept_client();
    bool permitted(uid_t uid, gid_t gid) const;
    void serve_client(Client& client);
    void first_message(Client& client, const contract::wire::Message& message);
    void try_open(Client& client, const contract::daemon::OpenRequest& request);
    Device& device_for(const contract::daemon::OpenRequest& request);
    void attach(Client& client, Device& device, bool exclusive);
    void request(Client& client, contract::wire::Message& message);
    void read_registers(Client& client, const contract::wire::Message& message);
    void wait_interrupt(Client& client, double timeout_s);
    void map_region(Client& client, const contract::wire::RegionMessage& region, int fd);
    void reply(Client& client, contract::wire::MessageType type, std::uint32_t value = 0);
    bool run_one_job();
    bool run_job_of(Device& device, Client& client);
    void settle_waits();
    void settle_pending_opens();
    void drop(std::uint64_t client_id);
    void device_lost(Device& device, const std::string& why);
    std::string status_json() const;
    std::string holders_text(const Device& device) const;
    int poll_timeout_ms() const;

    DaemonOptions options_;
    int listen_fd_ = -1;
    Clock::time_point started_;
    std::uint64_t next_client_id_ = 1;
    std::map<std::uint64_t, Client> clients_;
    std::map<std::string, std::unique_ptr<Device>> devices_;
};

}  // namespace opusim::daemon
