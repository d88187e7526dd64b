// The host interface: the device's face to the host. A TLM-2.0 target for 32-bit MMIO register
// accesses (the ABI map of opusim/contract/registers.hpp), a TLM-2.0 initiator for DMA into host
// memory, and the level-sensitive interrupt line (IRQ_STATUS & IRQ_ENABLE).
#pragma once

#include <cstdint>
#include <functional>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "../controller/clock.hpp"
#include "../controller/frame_ledger.hpp"
#include "../controller/frame_trace.hpp"
#include "opusim/contract/errors.hpp"
#include "register_file.hpp"

namespace opusim::model {

class Sequencer;

class HostInterface : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<HostInterface> mmio;
    tlm_utils::simple_initiator_socket<HostInterface> dma;
    sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS>
        irq;  // written from register accesses and the sequencer

    explicit HostInterface(sc_core::sc_module_name name);
    void connect(Sequencer* sequencer, FrameLedger* ledger) {
        sequencer_ = sequencer;
        ledger_ = ledger;
    }
    void power_on(const physics::DeviceProfile& profile, const ControllerClock& clock);
    void reset_registers() {
        registers_.reset(profile_);
        update_irq();
    }

    RegisterFile& registers() { return registers_; }
    const RegisterFile& registers() const { return registers_; }
    bool irq_level() const;

    // -- for the sequencer --
    void raise(std::uint32_t irq_bits);
    void report_error(contract::DeviceError error, std::uint32_t detail, std::uint64_t address = 0);
    // DMA of BYTES at ADDRESS, issued at the current time plus DELAY. False on an address error.
    bool dma_read(std::uint64_t address, void* data, std::size_t bytes, sc_core::sc_time delay);
    bool dma_write(std::uint64_t address, const void* data, std::size_t bytes,
                   sc_core::sc_time delay);

    // Called (inside the simulation) whenever the interrupt line rises.
    std::function<void()> on_irq_rise;

  private:
    void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
    void bind_registers();  // register_bindings.cpp: each register's profile reset and behaviour
    void update_irq();
    void snapshot_statistics();  // CONTROL.SNAPSHOT: the sequencer's measurements into STAT_*
    void arm_fault(std::uint32_t code);  // DEBUG_FAULT_INJECT
    void snapshot_trace();               // CONTROL.SNAPSHOT: the sequencer's frame trace
    void show_trace_frame();             // TRACE_SELECT: the selected frame into the window
    bool transfer(tlm::tlm_command command, std::uint64_t address, void* data, std::size_t bytes,
                  sc_core::sc_time delay);

    physics::DeviceProfile profile_;
    ControllerClock clock_;
    RegisterFile registers_;
    Sequencer* sequencer_ = nullptr;
    FrameLedger* ledger_ = nullptr;
    std::uint32_t latched_time_hi_ = 0;
    std::vector<TracedFrame> trace_snapshot_;  // frozen by SNAPSHOT, shown through the window
    bool irq_level_ = false;
};

}  // namespace opusim::model
