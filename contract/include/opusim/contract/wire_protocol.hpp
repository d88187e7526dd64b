// The device link carried over a local stream socket: what a driver transport and a device
// server (today the simulator process, sim/server) say to each other. It carries exactly what a
// PCIe link carries between a host and an OPU: 32-bit register accesses, the interrupt line,
// and DMA into host memory; the register map and formats above it are the rest of the contract.
//
// Messages: a MessageHeader, then payload_bytes of payload, in the machine's byte order (both
// ends run on one machine). The host sends requests and waits for one reply each; while it waits
// the device may send DmaRead/DmaWrite requests for host memory it cannot reach directly, which
// the host serves first. Every reply carries the device's time.
//
// Host memory the device reaches directly: the driver allocates DMA buffers in shared memory and
// announces each with MapRegion (the memory's file descriptor passed along, SCM_RIGHTS), their
// ownership changes with SetOwnership and their end with UnmapRegion (no replies: the stream's
// order puts them before the next request). Memory an application registers from its own
// address space is announced without a descriptor and reached through DmaRead/DmaWrite.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace opusim::contract::wire {

// 2: ReadRegisters; 3: Refused; 4: the opusimd messages (DaemonOpen, DaemonStatus, StatusText;
// daemon_protocol.hpp), additions only.
inline constexpr std::uint32_t kProtocolVersion = 4;

// No message is larger: the largest is one frame's DMA (a DMD pattern, a camera frame).
inline constexpr std::uint64_t kMaxPayloadBytes = std::uint64_t{256} << 20;

enum class MessageType : std::uint32_t {
    // host -> device
    ReadRegister = 1,   // RegisterAccess{offset}          -> RegisterValue
    WriteRegister = 2,  // RegisterAccess{offset, value}   -> Done
    WaitInterrupt = 3,  // WaitRequest                     -> InterruptState
    MapRegion = 4,      // RegionMessage (+ fd when shared), no reply
    UnmapRegion = 5,    // RegionMessage{address}, no reply
    SetOwnership = 6,   // RegionMessage{address, flags}, no reply
    Shutdown = 7,       // no reply; the device process ends
    ReadRegisters = 8,  // u32 offsets, in order        -> RegisterValues
    // device -> host: replies
    Ready = 16,           // ReadyMessage: the first message, once the device is powered on
    Failed = 17,          // UTF-8 text: the device failed (at start, or in any later request)
    RegisterValue = 18,   // Reply
    Done = 19,            // Reply
    InterruptState = 20,  // Reply (value = line level)
    RegisterValues = 21,  // Reply (value = count) + u32 values
    Refused = 22,         // UTF-8 text: this request is invalid; the device is unchanged
    // device -> host: DMA the host serves while it waits for a reply
    DmaRead = 32,   // DmaRequest                   -> DmaData: Reply{value = ok} + bytes
    DmaWrite = 33,  // DmaRequest + bytes           -> DmaDone: Reply{value = ok}
    DmaData = 34,
    DmaDone = 35,
    // client -> opusimd (daemon_protocol.hpp): the first message of a connection to the daemon
    DaemonOpen = 48,    // an encoded OpenRequest -> Ready, Failed (bad device) or Refused (busy)
    DaemonStatus = 49,  // no payload -> StatusText
    StatusText = 50,    // opusimd -> client: UTF-8 JSON, the daemon's devices and clients
};

struct MessageHeader {
    MessageType type;
    std::uint32_t reserved;
    std::uint64_t payload_bytes;
};

struct RegisterAccess {
    std::uint32_t offset;
    std::uint32_t value;
};

struct WaitRequest {
    double timeout_s;  // of device time
};

namespace region_flags {
inline constexpr std::uint32_t kCoherent = 1u << 0;     // always accessible to the device
inline constexpr std::uint32_t kDeviceOwned = 1u << 1;  // synced to the device
inline constexpr std::uint32_t kShared = 1u << 2;       // its memory comes with the message
}  // namespace region_flags

struct RegionMessage {
    std::uint64_t address;  // device address of the region's first byte
    std::uint64_t bytes;
    std::uint32_t flags;
    std::uint32_t reserved;
};

struct Reply {
    double device_time_s;
    std::uint32_t value;
    std::uint32_t reserved;
};

struct ReadyMessage {
    std::uint32_t protocol_version;
    std::uint32_t reserved;
    double device_time_s;
};

struct DmaRequest {
    std::uint64_t address;
    std::uint64_t bytes;
};

// The link broke: the other end closed it, died, or sent something malformed.
class LinkError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Message {
    MessageType type{};
    std::vector<std::uint8_t> payload;
    int fd = -1;  // a file descriptor that came with the message (the receiver owns it), or -1

    template <class T>
    T as() const;  // the payload as T; LinkError when its size is not sizeof(T)
};

// One end of the link: a connected stream socket, owned (closed by the destructor).
// Not thread-safe: one sender and receiver at a time.
class Channel {
  public:
    explicit Channel(int socket_fd);
    ~Channel();
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

    // Sends a message whose payload is HEAD followed by TAIL (either may be empty); PASS_FD, when
    // not -1, travels with it. Throws LinkError when the other end is gone.
    void send(MessageType type, const void* head, std::size_t head_bytes,
              const void* tail = nullptr, std::size_t tail_bytes = 0, int pass_fd = -1);
    template <class T>
    void send_value(MessageType type, const T& payload, int pass_fd = -1) {
        send(type, &payload, sizeof payload, nullptr, 0, pass_fd);
    }
    // Blocks for the next message. Throws LinkError at the end of the stream or on a bad header.
    Message receive();

  private:
    static constexpr std::chrono::microseconds kActiveWait{50};
    void await_readable() const;
    void read_exactly(void* out, std::size_t bytes, int* received_fd);
    int fd_;
};

template <class T>
T Message::as() const {
    if (payload.size() != sizeof(T)) {
        throw LinkError("device link: message " + std::to_string(static_cast<unsigned>(type)) +
                        " has " + std::to_string(payload.size()) + " payload bytes, expected " +
                        std::to_string(sizeof(T)));
    }
    T value;
    std::memcpy(&value, payload.data(), sizeof(T));
    return value;
}

}  // namespace opusim::contract::wire
