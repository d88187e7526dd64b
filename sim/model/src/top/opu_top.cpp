#include "opu_top.hpp"

namespace opusim::model {

OpuTop::OpuTop(sc_core::sc_module_name name)
    : sc_core::sc_module(name),
      host_bus("host_bus"),
      host_memory("host_memory"),
      host_interface("host_interface"),
      link("link"),
      dmd("dmd"),
      medium("medium"),
      camera("camera"),
      tracer("tracer"),
      sequencer("sequencer", host_interface, link, dmd, medium, camera, tracer) {
    host_bus.bind(host_interface.mmio);
    host_interface.dma.bind(host_memory.socket);
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
