// One simulated device the daemon owns: its device server (an opusim-device child, as the
// driver's `sim:` transport starts it) and the link to it. The daemon is the device's only host:
// it runs one client job at a time through a ring of its own (RunRequest -> JobOutcome), and
// passes each client's DMA buffers on to the device in that client's address window, so the
// device reads and writes the clients' shared memory directly.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/wire_protocol.hpp"

namespace opusim::daemon {

// The configuration registers a job latches (contract/registers.hpp 0x080..0x0B8).
inline constexpr std::uint32_t kConfigFirst = 0x080;
inline constexpr std::uint32_t kConfigLast = 0x0B8;
inline constexpr std::size_t kConfigCount = (kConfigLast - kConfigFirst) / 4 + 1;
using ConfigRegisters = std::array<std::uint32_t, kConfigCount>;

// The device server failed or its link broke: every client of the device loses it.
class DeviceLost : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct JobOutcome {
    bool ended = false;  // false: no interrupt within the bound (the device hung), it was reset
    contract::JobDescriptor written_back{};  // the descriptor with the device's write-back
    std::uint64_t last_job_id = 0;
    std::uint64_t start_ns = 0;
    std::uint64_t end_ns = 0;
    bool failed = false;
    std::uint32_t error_code = 0;
    std::uint32_t error_detail = 0;
    std::uint64_t error_address = 0;
    bool job_done_interrupt = false;
};

class SharedDevice {
  public:
    // Starts SERVER with ARGUMENTS; throws std::runtime_error with the device's own message when
    // it refuses to start.
    SharedDevice(const std::string& server, std::vector<std::string> arguments);
    ~SharedDevice();
    SharedDevice(const SharedDevice&) = delete;
    SharedDevice& operator=(const SharedDevice&) = delete;

    pid_t server_pid() const { return pid_; }
    double now_s() const { return now_s_; }
    const ConfigRegisters& reset_config() const { return reset_config_; }

    // Register accesses: DeviceLost when the device fails, std::invalid_argument or
    // std::out_of_range when it refuses the request (the device is unchanged).
    std::uint32_t read_register(std::uint32_t offset);
    void write_register(std::uint32_t offset, std::uint32_t value);
    void read_registers(const std::uint32_t* offsets, std::uint32_t* values, std::size_t count);
    // Lets device time pass (an idle wait); returns whether the device's line rose.
    bool idle(double seconds);

    // The map of a client's memory, at device addresses already moved into its window.
    void map(const contract::wire::RegionMessage& region, int fd);  // takes FD
    void unmap(std::uint64_t address);
    void set_ownership(std::uint64_t address, std::uint32_t flags);

    // Runs DESCRIPTOR (addresses in the client's window) with CONFIG latched, FAULT armed;
    // waits at most BOUND_S of device time.
    JobOutcome run(const contract::JobDescriptor& descriptor, const ConfigRegisters& config,
                   std::uint32_t fault, double bound_s);

  private:
    void send(contract::wire::MessageType type, const contract::wire::RegionMessage& region,
              int fd = -1);
    contract::wire::Reply call(contract::wire::MessageType type, const void* payload,
                               std::size_t bytes, contract::wire::MessageType expected,
                               std::vector<std::uint8_t>* tail = nullptr);
    void program_ring();  // after a reset: interrupts, the daemon's ring, reset configuration
    void reset();
    void spawn(const std::string& server, std::vector<std::string> arguments);
    // After spawn: the server's Ready, the daemon's ring mapped on it, the reset configuration.
    void start();
    // Shuts the server down and collects it, and frees the ring; safe on a half-started device.
    void release() noexcept;

    std::unique_ptr<contract::wire::Channel> link_;
    pid_t pid_ = -1;
    double now_s_ = 0;
    ConfigRegisters reset_config_{};
    ConfigRegisters loaded_config_{};  // what the device's configuration registers hold
    // The daemon's ring: shared memory at device address kRingAddress (window 0).
    int ring_fd_ = -1;
    contract::JobDescriptor* ring_ = nullptr;
    std::uint32_t head_ = 0;
};

}  // namespace opusim::daemon
