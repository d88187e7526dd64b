// The host link (PCIe): the cost of a DMA transfer in controller cycles. A transfer is split at
// max_transfer_bytes; each piece pays the hardware latency, and the payload streams at the
// sustained bandwidth. Input and output directions are independent (PCIe is full duplex); each
// is its own pipeline stage.
#pragma once

#include <cstdint>

#include <systemc>

#include "../controller/clock.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

class HostLink : public sc_core::sc_module {
  public:
    explicit HostLink(sc_core::sc_module_name name);
    void configure(const physics::LinkParams& params, const ControllerClock& clock);

    std::uint64_t transfer_cycles(std::uint64_t bytes) const;
    // Host software cost of one job submission (doorbell, descriptor, interrupt handling).
    std::uint64_t software_overhead_cycles() const;

  private:
    physics::LinkParams params_;
    ControllerClock clock_;
};

}  // namespace opusim::model
