// What the sequencer needs from the host interface, as a SystemC interface: the sequencer reaches
// it through a port (sc_port<HostPort>) bound by the device top, so the controller includes nothing
// of the host interface and the host interface is the only side that knows the sequencer.
#pragma once

#include <cstddef>
#include <cstdint>

#include <systemc>

#include "opusim/contract/errors.hpp"
#include "register_access.hpp"

namespace opusim::model {

class HostPort : public virtual sc_core::sc_interface {
  public:
    virtual RegisterAccess& registers() = 0;
    // Every register back to its reset value (CONTROL.RESET).
    virtual void reset_registers() = 0;
    // Sets IRQ_BITS in IRQ_STATUS (the interrupt line follows IRQ_STATUS & IRQ_ENABLE).
    virtual void raise(std::uint32_t irq_bits) = 0;
    // ERROR_CODE, ERROR_DETAIL and ERROR_ADDRESS.
    virtual void report_error(contract::DeviceError error, std::uint32_t detail,
                              std::uint64_t address) = 0;
    // DMA of BYTES at ADDRESS in host memory, issued at the current time plus DELAY. False on an
    // address error.
    virtual bool dma_read(std::uint64_t address, void* data, std::size_t bytes,
                          sc_core::sc_time delay) = 0;
    virtual bool dma_write(std::uint64_t address, const void* data, std::size_t bytes,
                           sc_core::sc_time delay) = 0;
};

// The delay to annotate on a DMA that starts at ISSUE_PS (at once if that time has passed): the
// loosely timed sequencer issues transfers ahead of the kernel's time.
inline sc_core::sc_time dma_issue_delay(std::uint64_t issue_ps) {
    const std::uint64_t now_ps = sc_core::sc_time_stamp().value();
    return sc_core::sc_time::from_value(issue_ps > now_ps ? issue_ps - now_ps : 0);
}

}  // namespace opusim::model
