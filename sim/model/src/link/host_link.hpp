// The host link (PCIe): the cost of a DMA transfer in controller cycles. A transfer is split at
// max_transfer_bytes; each piece pays the hardware latency, and the payload streams at the
// sustained bandwidth. Input and output directions are independent (PCIe is full duplex); each
// is its own pipeline stage.
//
// A plain timing class, not a SystemC module: the link has no behaviour of its own in time. The
// bytes cross it as TLM transactions of the host interface's DMA initiator, and when they cross is
// computed ahead by the frame pipeline from these durations (loosely timed), so a module with a
// process here would only wait for times already known.
#pragma once

#include <cstdint>

#include "../controller/clock.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

class HostLink {
  public:
    void configure(const physics::LinkParams& params, const ControllerClock& clock);

    std::uint64_t transfer_cycles(std::uint64_t bytes) const;
    // Host software cost of one job submission (doorbell, descriptor, interrupt handling).
    std::uint64_t software_overhead_cycles() const;

  private:
    physics::LinkParams params_;
    ControllerClock clock_;
};

}  // namespace opusim::model
