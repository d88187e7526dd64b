// The host memory as a TLM-2.0 target: the device's DMA initiator reaches the HostMemory the
// transport attached. An address the host never registered answers TLM_ADDRESS_ERROR_RESPONSE,
// which the sequencer reports as a DMA error.
#pragma once

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "opusim/model/simulated_device.hpp"

namespace opusim::model {

class HostMemoryTarget : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<HostMemoryTarget> socket;

    explicit HostMemoryTarget(sc_core::sc_module_name name);
    void attach(HostMemory* memory) { memory_ = memory; }

  private:
    void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
    HostMemory* memory_ = nullptr;
};

}  // namespace opusim::model
