#include "daemon.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "opusim/contract/registers.hpp"

namespace opusim::daemon {

using contract::wire::Message;
using contract::wire::MessageType;

namespace {

// A client that stops half-way through a message, or stops reading its replies, is dropped
// after this long rather than stalling every other client.
constexpr int kClientIoTimeoutS = 5;
// Device time a job may take when its client is not waiting for it (a hung job is reset).
constexpr double kJobBoundS = 600.0;
// The longest wait the device accepts (a longer one is refused, as the device itself does).
constexpr double kMaxWaitS = 1e6;
// Client windows are 2^(bits+1) apart: a descriptor's span checked below 2^bits never reaches the
// next client's window.
constexpr unsigned kWindowShift = contract::daemon::kClientWindowBits + 1;

std::string user_name(uid_t uid) {
    passwd entry{};
    passwd* found = nullptr;
    char buffer[1024];
    if (::getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
        return found->pw_name;
    }
    return "uid " + std::to_string(uid);
}

bool in_group(uid_t uid, gid_t primary, gid_t group) {
    if (primary == group) return true;
    passwd entry{};
    passwd* found = nullptr;
    char buffer[1024];
    if (::getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) != 0 || found == nullptr) {
        return false;
    }
    int count = 64;
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    if (::getgrouplist(found->pw_name, found->pw_gid, groups.data(), &count) < 0) return false;
    return std::find(groups.begin(), groups.begin() + count, group) != groups.begin() + count;
}

void set_io_timeout(int fd) {
    const timeval limit{kClientIoTimeoutS, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
}

}  // namespace

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)), started_(Clock::now()) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (options_.socket_path.empty() || options_.socket_path.size() >= sizeof address.sun_path) {
        throw std::invalid_argument("--socket: a path of 1 to " +
                                    std::to_string(sizeof address.sun_path - 1) + " bytes");
    }
    std::memcpy(address.sun_path, options_.socket_path.c_str(), options_.socket_path.size());
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    struct stat existing {};
    if (::lstat(options_.socket_path.c_str(), &existing) == 0) {
        if (!S_ISSOCK(existing.st_mode)) {
            throw std::runtime_error(options_.socket_path + " exists and is not a socket");
        }
        const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const bool answered =
            ::connect(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
        ::close(probe);
        if (answered) throw std::runtime_error("another opusimd serves " + options_.socket_path);
        ::unlink(options_.socket_path.c_str());  // left by a daemon that died
    }
    // Nobody may connect before the permissions are right: bind under a restrictive umask.
    const mode_t old_mask = ::umask(options_.group ? 0117 : 0177);
    const int bound = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::umask(old_mask);
    if (bound != 0) {
        throw std::runtime_error("bind " + options_.socket_path + ": " + std::strerror(errno));
    }
    if (options_.group &&
        ::chown(options_.socket_path.c_str(), static_cast<uid_t>(-1), *options_.group) != 0) {
        throw std::runtime_error("chown " + options_.socket_path +
                                 " to the group: " + std::strerror(errno));
    }
    if (::listen(listen_fd_, 64) != 0) {
        throw std::runtime_error(std::string("listen: ") + std::strerror(errno));
    }
}

Daemon::~Daemon() {
    std::vector<std::uint64_t> ids;
    for (const auto& [id, client] : clients_) ids.push_back(id);
    for (const auto id : ids) drop(id);  // the clients hear the end of their links
    devices_.clear();                    // each device server is shut down and collected
    if (listen_fd_ >= 0) {
        ::close(listen_fd_);
        ::unlink(options_.socket_path.c_str());
    }
}

bool Daemon::permitted(uid_t uid, gid_t gid) const {
    if (uid == ::geteuid()) return true;
    return options_.group && in_group(uid, gid, *options_.group);
}

void Daemon::accept_client() {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    ucred peer{};
    socklen_t length = sizeof peer;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 ||
        !permitted(peer.uid, peer.gid)) {
        contract::wire::Channel refused(fd);
        const std::string text = "opusimd: user " + user_name(peer.uid) +
                                 " may not use this daemon (its user or group only)";
        set_io_timeout(fd);
        try {
            refused.send(MessageType::Failed, text.data(), text.size());
        } catch (const contract::wire::LinkError&) {
        }
        return;
    }
    set_io_timeout(fd);
    Client client;
    client.id = next_client_id_++;
    client.fd = fd;
    client.link = std::make_unique<contract::wire::Channel>(fd);
    client.pid = peer.pid;
    client.uid = peer.uid;
    client.user = user_name(peer.uid);
    clients_.emplace(client.id, std::move(client));
}

void Daemon::serve(int stop_fd) {
    for (;;) {
        std::vector<pollfd> watched{{stop_fd, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
        std::vector<std::uint64_t> ids;
        for (const auto& [id, client] : clients_) {
            watched.push_back({client.fd, POLLIN, 0});
            ids.push_back(id);
        }
        const int ready = ::poll(watched.data(), watched.size(), poll_timeout_ms());
        if (ready < 0 && errno != EINTR) throw std::runtime_error("poll failed");
        if (watched[0].revents != 0) return;
        if (watched[1].revents & POLLIN) accept_client();
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (watched[i + 2].revents == 0) continue;
            const auto it = clients_.find(ids[i]);
            if (it != clients_.end()) serve_client(it->second);
        }
        run_one_job();
        settle_waits();
        settle_pending_opens();
    }
}

int Daemon::poll_timeout_ms() const {
    for (const auto& [id, client] : clients_) {
        if (client.own && client.own->runnable()) return 0;
    }
    bool pending = false;
    for (const auto& [id, client] : clients_) pending = pending || client.pending_open.has_value();
    return pending ? 50 : -1;
}

void Daemon::serve_client(Client& client) {
    const std::uint64_t id = client.id;
    try {
        contract::wire::MessageHeader header{};
        const ssize_t peeked = ::recv(client.fd, &header, sizeof header, MSG_PEEK | MSG_DONTWAIT);
        if (peeked == 0) return drop(id);
        if (peeked == static_cast<ssize_t>(sizeof header) &&
            header.payload_bytes > contract::daemon::kMaxRequestBytes) {
            return drop(id);  // no client request is this large: refuse before allocating it
        }
        Message message = client.link->receive();
        if (client.pending_open) return drop(id);  // nothing may come before the answer
        if (client.device == nullptr) {
            first_message(client, message);
        } else {
            request(client, message);
        }
    } catch (const contract::wire::LinkError&) {
        drop(id);
    }
    const auto it = clients_.find(id);
    if (it != clients_.end() && it->second.closing) drop(id);
}

void Daemon::first_message(Client& client, const Message& message) {
    if (message.type == MessageType::DaemonStatus && message.payload.empty()) {
        const std::string text = status_json();
        client.link->send(MessageType::StatusText, text.data(), text.size());
        client.closing = true;
        return;
    }
    if (message.type != MessageType::DaemonOpen) {
        const std::string text = "opusimd: a connection starts with DaemonOpen or DaemonStatus";
        client.link->send(MessageType::Refused, text.data(), text.size());
        client.closing = true;
        return;
    }
    contract::daemon::OpenRequest request;
    try {
        request = contract::daemon::decode_open(message.payload.data(), message.payload.size());
    } catch (const contract::wire::LinkError& error) {
        const std::string text = std::string("opusimd: ") + error.what();
        client.link->send(MessageType::Refused, text.data(), text.size());
        client.closing = true;
        return;
    }
    try_open(client, request);
}

std::string Daemon::holders_text(const Device& device) const {
    std::string text;
    for (const auto id : device.clients) {
        const auto it = clients_.find(id);
        if (it == clients_.end()) continue;
        text += (text.empty() ? "" : ", ") + std::string("pid ") + std::to_string(it->second.pid) +
                " (user " + it->second.user + ")";
    }
    return text;
}

void Daemon::try_open(Client& client, const contract::daemon::OpenRequest& request) {
    const auto existing = devices_.find(request.device_key());
    Device* device = existing == devices_.end() ? nullptr : existing->second.get();
    const bool exclusive = request.exclusive_s.has_value();
    if (!exclusive && device != nullptr && device->exclusive_holder != 0) {
        const std::string text = "device " + device->key + " is held exclusively by " +
                                 holders_text(*device) + " (opusimd)";
        client.link->send(MessageType::Refused, text.data(), text.size());
        client.closing = true;
        return;
    }
    if (exclusive && device != nullptr && !device->clients.empty()) {
        if (!client.pending_open) {
            client.pending_open = request;
            client.open_deadline =
                Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(*request.exclusive_s));
        }
        return;  // settle_pending_opens answers when the others leave or the time is up
    }
    client.pending_open.reset();
    try {
        attach(client, device_for(request), exclusive);
    } catch (const std::exception& error) {
        client.link->send(MessageType::Failed, error.what(), std::strlen(error.what()));
        client.closing = true;
    }
}

Daemon::Device& Daemon::device_for(const contract::daemon::OpenRequest& request) {
    const std::string key = request.device_key();
    auto& slot = devices_[key];
    if (!slot) {
        auto device = std::make_unique<Device>();
        device->key = key;
        try {
            device->shared =
                std::make_unique<SharedDevice>(options_.device_server, request.server_arguments());
        } catch (...) {
            devices_.erase(key);
            throw;
        }
        device->first_s = device->shared->now_s();
        slot = std::move(device);
    }
    return *slot;
}

void Daemon::attach(Client& client, Device& device, bool exclusive) {
    client.device = &device;
    // The lowest window no other client of the device holds (1 up: window 0 is the daemon's
    // ring); a client's regions leave the device with it, so a window is reused clean.
    std::uint64_t slot = 1;
    for (bool taken = true; taken; slot += taken ? 1 : 0) {
        taken = false;
        for (const auto id : device.clients) {
            taken = taken || clients_.at(id).own->window() == slot << kWindowShift;
        }
    }
    client.own =
        std::make_unique<VirtualDevice>(slot << kWindowShift, device.shared->reset_config());
    client.exclusive = exclusive;
    device.clients.push_back(client.id);
    if (exclusive) device.exclusive_holder = client.id;
    const contract::wire::ReadyMessage ready{contract::wire::kProtocolVersion, 0,
                                             device.shared->now_s()};
    client.link->send_value(MessageType::Ready, ready);
}

void Daemon::reply(Client& client, MessageType type, std::uint32_t value) {
    const contract::wire::Reply message{client.device->shared->now_s(), value, 0};
    client.link->send_value(type, message);
}

void Daemon::request(Client& client, Message& message) {
    if (auto problem = contract::daemon::check_request(message.type, message.payload.data(),
                                                       message.payload.size())) {
        const std::string text = "opusimd refused a malformed request: " + *problem;
        client.link->send(MessageType::Failed, text.data(), text.size());
        client.closing = true;
        if (message.fd >= 0) ::close(message.fd);
        return;
    }
    if (message.type != MessageType::MapRegion && message.fd >= 0) {
        ::close(message.fd);
        message.fd = -1;
    }
    Device& device = *client.device;
    try {
        switch (message.type) {
            case MessageType::ReadRegister: {
                const auto access = message.as<contract::wire::RegisterAccess>();
                const std::uint32_t value = VirtualDevice::is_own(access.offset)
                                                ? client.own->read(access.offset)
                                                : device.shared->read_register(access.offset);
                return reply(client, MessageType::RegisterValue, value);
            }
            case MessageType::WriteRegister: {
                const auto access = message.as<contract::wire::RegisterAccess>();
                if (VirtualDevice::is_own(access.offset)) {
                    if (client.own->write(access.offset, access.value).snapshot) {
                        device.shared->write_register(contract::reg::kControl,
                                                      contract::control::kSnapshot);
                    }
                } else {
                    device.shared->write_register(access.offset, access.value);
                }
                return reply(client, MessageType::Done);
            }
            case MessageType::ReadRegisters:
                return read_registers(client, message);
            case MessageType::WaitInterrupt:
                return wait_interrupt(client, message.as<contract::wire::WaitRequest>().timeout_s);
            case MessageType::MapRegion:
                return map_region(client, message.as<contract::wire::RegionMessage>(), message.fd);
            case MessageType::UnmapRegion: {
                const auto region = message.as<contract::wire::RegionMessage>();
                if (client.own->has_region(region.address)) {
                    device.shared->unmap(client.own->unmap(region.address));
                }
                return;
            }
            case MessageType::SetOwnership: {
                const auto region = message.as<contract::wire::RegionMessage>();
                if (client.own->has_region(region.address)) {
                    device.shared->set_ownership(client.own->window() + region.address,
                                                 region.flags);
                }
                return;
            }
            default:  // Shutdown: the client closes its device
                client.closing = true;
                return;
        }
    } catch (const std::invalid_argument& error) {
        client.link->send(MessageType::Refused, error.what(), std::strlen(error.what()));
    } catch (const std::out_of_range& error) {
        client.link->send(MessageType::Refused, error.what(), std::strlen(error.what()));
    } catch (const DeviceLost& error) {
        device_lost(device, error.what());
    }
    // A contract::wire::LinkError is the client's own link: serve_client drops the client.
}

void Daemon::read_registers(Client& client, const Message& message) {
    const std::size_t count = message.payload.size() / sizeof(std::uint32_t);
    std::vector<std::uint32_t> offsets(count), values(count);
    std::memcpy(offsets.data(), message.payload.data(), message.payload.size());
    std::vector<std::uint32_t> forwarded;
    for (const auto offset : offsets) {
        if (!VirtualDevice::is_own(offset)) forwarded.push_back(offset);
    }
    std::vector<std::uint32_t> device_values(forwarded.size());
    client.device->shared->read_registers(forwarded.data(), device_values.data(), forwarded.size());
    std::size_t next = 0;
    for (std::size_t i = 0; i < count; ++i) {
        values[i] = VirtualDevice::is_own(offsets[i]) ? client.own->read(offsets[i])
                                                      : device_values[next++];
    }
    const contract::wire::Reply head{client.device->shared->now_s(),
                                     static_cast<std::uint32_t>(count), 0};
    client.link->send(MessageType::RegisterValues, &head, sizeof head, values.data(),
                      values.size() * sizeof(std::uint32_t));
}

void Daemon::wait_interrupt(Client& client, double timeout_s) {
    if (timeout_s > kMaxWaitS) {
        throw std::invalid_argument("timeout_s: expected 0 to 1e6 seconds of simulated time, got " +
                                    std::to_string(timeout_s));
    }
    if (client.own->line()) return reply(client, MessageType::InterruptState, 1);
    if (timeout_s <= 0) return reply(client, MessageType::InterruptState, 0);
    client.wait_deadline_s = client.device->shared->now_s() + timeout_s;  // settle_waits answers
}

void Daemon::map_region(Client& client, const contract::wire::RegionMessage& region, int fd) {
    namespace flags = contract::wire::region_flags;
    if ((region.flags & flags::kShared) != 0) {
        // The device maps it: it must be memory of at least the announced size, or the device
        // (every client's) would fault on it.
        struct stat memory {};
        // Sealed against shrinking (the driver's memfds are), or a client could take pages away
        // from under the device and make it fault (SIGBUS), ending the device for every client.
        const int seals = fd < 0 ? -1 : ::fcntl(fd, F_GET_SEALS);
        if (fd < 0 || ::fstat(fd, &memory) != 0 || !S_ISREG(memory.st_mode) ||
            static_cast<std::uint64_t>(memory.st_size) < region.bytes || seals < 0 ||
            (seals & F_SEAL_SHRINK) == 0) {
            if (fd >= 0) ::close(fd);
            const std::string text = "opusimd refused a shared region that is not memory of " +
                                     std::to_string(region.bytes) +
                                     " bytes sealed against shrinking (F_SEAL_SHRINK)";
            client.link->send(MessageType::Failed, text.data(), text.size());
            client.closing = true;
            return;
        }
    }
    contract::wire::RegionMessage moved = region;
    moved.address = client.own->map(region, fd);
    client.device->shared->map(moved, fd);
}

bool Daemon::run_one_job() {
    bool ran = false;
    std::vector<Device*> devices;
    for (auto& [key, device] : devices_) devices.push_back(device.get());
    for (Device* device : devices) {
        const std::size_t count = device->clients.size();
        for (std::size_t step = 0; step < count; ++step) {
            const std::size_t turn = (device->next_turn + step) % count;
            Client& client = clients_.at(device->clients[turn]);
            if (!client.own->runnable()) continue;
            device->next_turn = turn + 1;
            ran = true;
            if (!run_job_of(*device, client)) break;  // the device was lost
            break;
        }
    }
    return ran;
}

bool Daemon::run_job_of(Device& device, Client& client) {
    const NextJob next = client.own->next_job();
    if (!next.descriptor) {
        client.own->ring_fault(next.ring_fault_register);
        return true;
    }
    const double before = device.shared->now_s();
    const double bound =
        client.wait_deadline_s ? std::max(0.0, *client.wait_deadline_s - before) : kJobBoundS;
    JobOutcome outcome;
    try {
        outcome = device.shared->run(*next.descriptor, client.own->config(),
                                     client.own->armed_fault(), bound);
    } catch (const DeviceLost& error) {
        device_lost(device, error.what());
        return false;
    } catch (const std::exception&) {
        // The device refused a request of the job (a register value): the job cannot run.
        client.own->job_hung();
        return true;
    }
    const double spent = device.shared->now_s() - before;
    device.busy_s += spent;
    ++device.jobs;
    if (outcome.ended) {
        client.own->job_ended(outcome);
    } else {
        client.own->job_hung();
    }
    // A client's wait counts the device time of its own jobs, not the time the device gave to
    // the others (each has a watchdog of its own, as a time-sliced device keeps per context).
    for (const auto id : device.clients) {
        Client& other = clients_.at(id);
        if (id != client.id && other.wait_deadline_s) *other.wait_deadline_s += spent;
    }
    return true;
}

void Daemon::settle_waits() {
    std::vector<Device*> devices;
    for (auto& [key, device] : devices_) devices.push_back(device.get());
    for (Device* device : devices) {
        for (int round = 0; round < 4; ++round) {
            const double now = device->shared->now_s();
            bool any_runnable = false;
            std::optional<double> earliest;
            std::vector<std::uint64_t> ids = device->clients;
            for (const auto id : ids) {
                auto it = clients_.find(id);
                if (it == clients_.end()) continue;
                Client& client = it->second;
                any_runnable = any_runnable || client.own->runnable();
                if (!client.wait_deadline_s) continue;
                const bool high = client.own->line();
                if (high || now >= *client.wait_deadline_s) {
                    client.wait_deadline_s.reset();
                    try {
                        reply(client, MessageType::InterruptState, high ? 1 : 0);
                    } catch (const contract::wire::LinkError&) {
                        drop(id);
                    }
                    continue;
                }
                earliest =
                    std::min(earliest.value_or(*client.wait_deadline_s), *client.wait_deadline_s);
            }
            if (any_runnable || !earliest) break;
            // Nobody has a job to run: the device idles until the first waiter's timeout.
            try {
                device->shared->idle(*earliest - now);
                const std::uint32_t raised =
                    device->shared->read_register(contract::reg::kIrqStatus);
                if (raised != 0) device->shared->write_register(contract::reg::kIrqStatus, raised);
            } catch (const DeviceLost& error) {
                device_lost(*device, error.what());
                break;
            } catch (const std::exception&) {
                break;  // a wait the device refused: the waiters' deadlines settle it next time
            }
        }
    }
}

void Daemon::settle_pending_opens() {
    std::vector<std::uint64_t> ids;
    for (const auto& [id, client] : clients_) {
        if (client.pending_open) ids.push_back(id);
    }
    for (const auto id : ids) {
        Client& client = clients_.at(id);
        const auto request = *client.pending_open;
        const auto existing = devices_.find(request.device_key());
        const bool free = existing == devices_.end() || existing->second->clients.empty();
        try {
            if (free) {
                try_open(client, request);
            } else if (Clock::now() >= client.open_deadline) {
                const std::string text = "device " + existing->second->key + " is in use by " +
                                         holders_text(*existing->second) + "; waited " +
                                         std::to_string(*request.exclusive_s) +
                                         " s for it to be free (exclusive, opusimd)";
                client.pending_open.reset();
                client.link->send(MessageType::Refused, text.data(), text.size());
                client.closing = true;
            }
        } catch (const contract::wire::LinkError&) {
            client.closing = true;
        }
        if (client.closing) drop(id);
    }
}

void Daemon::drop(std::uint64_t client_id) {
    const auto it = clients_.find(client_id);
    if (it == clients_.end()) return;
    Client& client = it->second;
    Device* device = client.device;
    if (device != nullptr) {
        std::vector<std::uint64_t> addresses;
        client.own->for_each_region([&](std::uint64_t address) { addresses.push_back(address); });
        try {
            for (const auto address : addresses) device->shared->unmap(address);
        } catch (const DeviceLost&) {
            // The device is gone too; its next request reports it to the others.
        }
        auto& list = device->clients;
        list.erase(std::remove(list.begin(), list.end(), client_id), list.end());
        if (device->exclusive_holder == client_id) device->exclusive_holder = 0;
    }
    clients_.erase(it);  // closes the socket: a client blocked on it hears the end
}

void Daemon::device_lost(Device& device, const std::string& why) {
    const std::string text = "opusimd: device " + device.key + " failed: " + why;
    const std::vector<std::uint64_t> ids = device.clients;
    for (const auto id : ids) {
        auto it = clients_.find(id);
        if (it == clients_.end()) continue;
        try {
            it->second.link->send(MessageType::Failed, text.data(), text.size());
        } catch (const contract::wire::LinkError&) {
        }
        it->second.device = nullptr;
        it->second.own.reset();
        clients_.erase(it);
    }
    devices_.erase(device.key);
}

}  // namespace opusim::daemon
