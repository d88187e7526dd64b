// The device top: instantiates the modules and the stages, and wires them. The host bus (an
// initiator the device server drives through SimulatedDevice) reaches the host interface's MMIO
// target; the host interface's DMA initiator reaches host memory; the sequencer's host port
// reaches the host interface. The stages (link, DMD, medium, camera) are plain timing and functional classes the
// sequencer runs (their headers say why); the modules with processes are the sequencer and the
// VCD tracer, and the modules with sockets the host interface and host memory.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include "../camera/camera_stage.hpp"
#include "../controller/sequencer.hpp"
#include "../dmd/dmd.hpp"
#include "../host_interface/host_interface.hpp"
#include "../host_interface/host_memory_target.hpp"
#include "../link/host_link.hpp"
#include "../medium/medium_stage.hpp"
#include "../trace/vcd_tracer.hpp"
#include "host_interface_port.hpp"

namespace opusim::model {

class OpuTop : public sc_core::sc_module {
  public:
    tlm_utils::simple_initiator_socket<OpuTop> host_bus;  // the host's side of the MMIO path

    explicit OpuTop(sc_core::sc_module_name name);
    void power_on(const physics::DeviceProfile& profile);

    HostMemoryTarget host_memory;
    HostInterface host_interface;
    HostLink link;
    Dmd dmd;
    MediumStage medium;
    CameraStage camera;
    VcdTracer tracer;
    Sequencer sequencer;

  private:
    HostInterfacePort host_port_{host_interface};  // what the sequencer's host port binds to
};

}  // namespace opusim::model
