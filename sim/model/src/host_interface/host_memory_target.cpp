#include "host_memory_target.hpp"

namespace opusim::model {

HostMemoryTarget::HostMemoryTarget(sc_core::sc_module_name name)
    : sc_core::sc_module(name), socket("socket") {
    socket.register_b_transport(this, &HostMemoryTarget::b_transport);
}

void HostMemoryTarget::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& /*delay*/) {
    // The link's cost is annotated by the initiator (the sequencer knows the link model); host
    // memory itself answers at once.
    bool ok = false;
    if (memory_ != nullptr) {
        if (payload.is_read()) {
            ok = memory_->read(payload.get_address(), payload.get_data_ptr(),
                               payload.get_data_length());
        } else if (payload.is_write()) {
            ok = memory_->write(payload.get_address(), payload.get_data_ptr(),
                                payload.get_data_length());
        }
    }
    payload.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

}  // namespace opusim::model
