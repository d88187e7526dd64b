#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "opusim/contract/wire_protocol.hpp"

namespace opusim::contract::wire {
namespace {

std::string errno_text(const char* what) {
    return std::string("device link: ") + what + ": " + std::strerror(errno);
}

}  // namespace

Channel::Channel(int socket_fd) : fd_(socket_fd) {}

Channel::~Channel() {
    if (fd_ >= 0) ::close(fd_);
}

void Channel::send(MessageType type, const void* head, std::size_t head_bytes, const void* tail,
                   std::size_t tail_bytes, int pass_fd) {
    MessageHeader header{type, 0, head_bytes + tail_bytes};
    iovec parts[3] = {{&header, sizeof header},
                      {const_cast<void*>(head), head_bytes},
                      {const_cast<void*>(tail), tail_bytes}};
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = 3;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (pass_fd >= 0) {
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        cmsghdr* item = CMSG_FIRSTHDR(&message);
        item->cmsg_level = SOL_SOCKET;
        item->cmsg_type = SCM_RIGHTS;
        item->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(item), &pass_fd, sizeof(int));
    }
    std::size_t left = sizeof header + head_bytes + tail_bytes;
    while (left > 0) {
        const ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            throw LinkError(errno_text("send"));
        }
        left -= static_cast<std::size_t>(sent);
        message.msg_control = nullptr;  // the descriptor went with the first byte
        message.msg_controllen = 0;
        // Skip what was sent.
        auto done = static_cast<std::size_t>(sent);
        while (done > 0 && message.msg_iovlen > 0) {
            iovec& part = message.msg_iov[0];
            const std::size_t step = std::min(done, part.iov_len);
            part.iov_base = static_cast<char*>(part.iov_base) + step;
            part.iov_len -= step;
            done -= step;
            if (part.iov_len == 0) {
                ++message.msg_iov;
                --message.msg_iovlen;
            }
        }
    }
}

void Channel::read_exactly(void* out, std::size_t bytes, int* received_fd) {
    auto* cursor = static_cast<char*>(out);
    while (bytes > 0) {
        iovec part{cursor, bytes};
        msghdr message{};
        message.msg_iov = &part;
        message.msg_iovlen = 1;
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        const ssize_t got = ::recvmsg(fd_, &message, MSG_CMSG_CLOEXEC);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw LinkError(errno_text("receive"));
        }
        if (got == 0) throw LinkError("device link: the other end closed the connection");
        for (cmsghdr* item = CMSG_FIRSTHDR(&message); item != nullptr;
             item = CMSG_NXTHDR(&message, item)) {
            if (item->cmsg_level == SOL_SOCKET && item->cmsg_type == SCM_RIGHTS) {
                int fd = -1;
                std::memcpy(&fd, CMSG_DATA(item), sizeof fd);
                if (received_fd != nullptr && *received_fd < 0) {
                    *received_fd = fd;
                } else {
                    ::close(fd);
                }
            }
        }
        cursor += got;
        bytes -= static_cast<std::size_t>(got);
    }
}

// The other end usually answers within microseconds (a register access); sleeping at once would
// cost a wake-up each time, which on a virtual machine takes tens of microseconds. So wait
// actively for a short while, then block. Long waits (a job's frames) pay this once.
void Channel::await_readable() const {
    const auto start = std::chrono::steady_clock::now();
    pollfd readable{fd_, POLLIN, 0};
    while (std::chrono::steady_clock::now() - start < kActiveWait) {
        if (::poll(&readable, 1, 0) != 0) return;
    }
}

Message Channel::receive() {
    await_readable();
    MessageHeader header{};
    Message message;
    read_exactly(&header, sizeof header, &message.fd);
    if (header.payload_bytes > kMaxPayloadBytes) {
        if (message.fd >= 0) ::close(message.fd);
        throw LinkError("device link: a message announces " + std::to_string(header.payload_bytes) +
                        " payload bytes");
    }
    message.type = header.type;
    message.payload.resize(header.payload_bytes);
    if (header.payload_bytes > 0) {
        read_exactly(message.payload.data(), message.payload.size(), &message.fd);
    }
    return message;
}

}  // namespace opusim::contract::wire
