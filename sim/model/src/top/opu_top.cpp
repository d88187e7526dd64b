#include "opu_top.hpp"

namespace opusim::model {

OpuTop::OpuTop(sc_core::sc_module_name name)
    : sc_core::sc_module(name),
      host_bus("host_bus"),
      host_memory("host_memory"),
      host_interface("host_interface"),
      tracer("tracer"),
      sequencer("sequencer", link, dmd, medium, camera, tracer) {
    host_bus.bind(host_interface.mmio);
    host_interface.dma.bind(host_memory.socket);
    sequencer.host.bind(host_port_);
    host_interface.connect(&sequencer, &sequencer.ledger());
}

void OpuTop::power_on(const physics::DeviceProfile& profile) {
    const ControllerClock clock(profile.controller.clock_mhz);
    link.configure(profile.link, clock);
    dmd.configure(profile.dmd, clock);
    medium.configure(profile);
    camera.configure(profile.camera, clock);
    host_interface.power_on(profile, clock);
    sequencer.power_on(profile, clock);
}

}  // namespace opusim::model
