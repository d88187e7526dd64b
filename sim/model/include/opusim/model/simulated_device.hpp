// The simulated OPU as a device server sees it (sim/server): a register file behind a TLM-2.0
// target, DMA into host memory that the server provides, and an interrupt line.
//
// Not thread-safe: SystemC is single-threaded. The server serialises every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "opusim/contract/random_faults.hpp"
#include "opusim/model/device_statistics.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

// Host memory the device reaches by DMA. Returns false for an address range the host never
// registered: the device then raises a DMA error (see docs/device-abi.md).
class HostMemory {
  public:
    virtual ~HostMemory() = default;
    virtual bool read(std::uint64_t device_address, void* out, std::size_t bytes) = 0;
    virtual bool write(std::uint64_t device_address, const void* data, std::size_t bytes) = 0;
};

// Faults a test can inject to see them surface through the driver as typed errors.
enum class InjectedFault {
    None,
    DmaReadError,
    DmaWriteError,
    DropFrame,
    HangNoInterrupt,
    OutOfMemory
};

struct SimulatedDeviceOptions {
    std::string vcd_path;  // when not empty: a VCD trace (stage occupancy, counters, irq) here
    // Faults at random jobs (the sim transport's faults= and fault_seed= URI options): each job
    // that runs frames meets fault i with probability fault_rates.per_job[i], drawn from
    // fault_seed and the job's number since power-on (reproducible; RESET does not restart it).
    contract::FaultRates fault_rates;
    std::uint64_t fault_seed = 0;
};

class SimulatedDevice {
  public:
    // Elaborates the model and powers it on with PROFILE (capabilities and reset values come from
    // it; everything else is configured through registers, as on real hardware). SystemC
    // elaborates one model per process and cannot restart a simulation that failed, so a process
    // holds at most one SimulatedDevice in its lifetime: a second throws std::logic_error. The
    // driver therefore runs each simulated device in a process of its own (sim/server).
    // Throws std::invalid_argument naming a bad profile key.
    explicit SimulatedDevice(const physics::DeviceProfile& profile,
                             const SimulatedDeviceOptions& options = {});
    ~SimulatedDevice();
    SimulatedDevice(const SimulatedDevice&) = delete;
    SimulatedDevice& operator=(const SimulatedDevice&) = delete;

    void attach_host_memory(HostMemory* memory);

    // One 32-bit MMIO access through the host interface's TLM target (advances simulated time by
    // the access cost). Offsets and fields: opusim/contract/registers.hpp. Statistics
    // (CONTROL.SNAPSHOT, STAT_*) and fault injection (DEBUG_FAULT_INJECT) are registers too.
    std::uint32_t read_register(std::uint32_t offset);
    void write_register(std::uint32_t offset, std::uint32_t value);

    // Runs the simulation until the interrupt line is asserted or TIMEOUT_S of simulated time has
    // passed; returns whether the interrupt is asserted.
    bool run_until_interrupt(double timeout_s);
    double now_s() const;  // simulated time since elaboration

  private:
    void advance(std::uint64_t picoseconds);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace opusim::model
