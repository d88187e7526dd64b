// One simulated OPU served over the device link (contract/wire_protocol.hpp): the driver's `sim:`
// transport starts this process, one per open device, because SystemC elaborates one model per
// process and cannot restart after an error. A device that fails (an exception out of the model)
// answers every later request with Failed; the driver then reports it, and the next open starts
// a fresh process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "linked_host_memory.hpp"
#include "opusim/contract/random_faults.hpp"
#include "opusim/contract/wire_protocol.hpp"
#include "opusim/model/simulated_device.hpp"

namespace opusim::server {

struct ServerOptions {
    std::string profile;               // built-in profile name or path to a JSON profile
    std::string vcd_path;              // empty: no trace
    contract::FaultRates fault_rates;  // --faults: faults at random jobs (none by default)
    std::uint64_t fault_seed = 0;      // --fault-seed
    // Profile overrides KEY=VALUE (the URI's set= option), applied when the profile is loaded.
    std::vector<std::string> overrides;
};

class DeviceServer {
  public:
    explicit DeviceServer(int link_fd);
    // Powers the device on and serves requests until Shutdown or the end of the link. Returns the
    // process exit status: 0 after a clean shutdown, 1 when the device could not start.
    int run(const ServerOptions& options);

  private:
    bool start(const ServerOptions& options);
    // Serves one request; false at Shutdown.
    bool serve(const contract::wire::Message& request);
    void reply(contract::wire::MessageType type, std::uint32_t value = 0);
    void read_registers(const contract::wire::Message& request);
    void fail(const std::string& what);    // the device failed: every later request hears it
    void refuse(const std::string& what);  // this request was invalid; the device goes on

    contract::wire::Channel link_;
    LinkedHostMemory memory_{link_};
    std::unique_ptr<model::SimulatedDevice> device_;
    std::string failure_;  // set once the device failed
};

}  // namespace opusim::server
