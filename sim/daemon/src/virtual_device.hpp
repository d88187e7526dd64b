// What one client sees of a shared device: the registers that are a device's per-user state
// (configuration, interrupts, errors, the job ring, the last job) kept per client, as a
// mediated device (vfio-mdev, SR-IOV virtual functions) keeps them per user; everything else
// (identity, capabilities, time, counters, statistics, trace) is the one device's. The client's
// driver programs it exactly as a device of its own: its ring, its descriptors, its interrupt.
// The daemon runs the client's jobs one at a time on the device and writes each one's outcome
// back here (into the client's ring and registers), so the driver cannot tell the difference.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "opusim/contract/daemon_protocol.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/wire_protocol.hpp"
#include "shared_device.hpp"

namespace opusim::daemon {

// What a CONTROL write asks of the daemon beyond the client's own registers.
struct ControlEffects {
    bool snapshot = false;  // copy the device's measurements into its STAT_* registers
};

// The client's next job: its descriptor with device addresses moved into the client's window,
// or the ring fault the device would report (BAD_RING, with the offending register).
struct NextJob {
    std::optional<contract::JobDescriptor> descriptor;
    std::uint32_t ring_fault_register = 0;
};

class VirtualDevice {
  public:
    VirtualDevice(std::uint64_t window, const ConfigRegisters& reset_config);
    ~VirtualDevice();
    VirtualDevice(const VirtualDevice&) = delete;
    VirtualDevice& operator=(const VirtualDevice&) = delete;

    // Whether OFFSET is one of the client's own registers (else the device's).
    static bool is_own(std::uint32_t offset);
    std::uint32_t read(std::uint32_t offset) const;
    ControlEffects write(std::uint32_t offset, std::uint32_t value);

    bool line() const { return (irq_status_ & irq_enable_) != 0; }
    // A job is waiting to run (the ring started, not drained, not stalled).
    bool runnable() const;
    std::uint32_t queued_jobs() const;
    NextJob next_job() const;
    void job_ended(const JobOutcome& outcome);  // the device ran the head job
    void job_hung();                            // ... and it never ended
    void ring_fault(std::uint32_t register_offset);

    const ConfigRegisters& config() const { return config_; }
    std::uint32_t armed_fault() const { return fault_; }
    std::uint64_t window() const { return window_; }
    std::uint64_t jobs_done() const { return jobs_done_; }

    // The client's memory map (client addresses); MapRegion keeps a view of coherent shared
    // regions (the ring). Returns the address moved into the client's window.
    std::uint64_t map(const contract::wire::RegionMessage& region, int fd);
    std::uint64_t unmap(std::uint64_t address);
    bool has_region(std::uint64_t address) const { return regions_.count(address) != 0; }
    template <class Visit>
    void for_each_region(Visit visit) const {
        for (const auto& [address, region] : regions_) visit(address + window_);
    }

  private:
    struct Region {
        std::uint64_t bytes = 0;
        std::uint8_t* view = nullptr;  // the daemon's view of a coherent shared region, else null
    };
    void reset();
    void raise(std::uint32_t bits) { irq_status_ |= bits; }
    contract::JobDescriptor* ring_entry(std::uint32_t index) const;
    std::uint64_t ring_base() const { return (std::uint64_t{ring_base_hi_} << 32) | ring_base_lo_; }

    std::uint64_t window_;
    ConfigRegisters reset_config_;
    ConfigRegisters config_;
    std::uint32_t irq_status_ = 0;
    std::uint32_t irq_enable_ = 0;
    std::uint32_t error_code_ = 0;
    std::uint32_t error_detail_ = 0;
    std::uint64_t error_address_ = 0;
    std::uint32_t ring_base_lo_ = 0;
    std::uint32_t ring_base_hi_ = 0;
    std::uint32_t ring_size_ = 0;
    std::uint32_t ring_head_ = 0;
    std::uint32_t ring_tail_ = 0;
    std::uint64_t last_job_id_ = 0;
    std::uint64_t last_start_ns_ = 0;
    std::uint64_t last_end_ns_ = 0;
    std::uint32_t fault_ = 0;
    bool running_ = false;
    bool stalled_ = false;  // its job hung: nothing runs until the client resets
    std::uint64_t jobs_done_ = 0;
    std::map<std::uint64_t, Region> regions_;
};

}  // namespace opusim::daemon
