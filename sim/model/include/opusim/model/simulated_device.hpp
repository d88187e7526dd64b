// The simulated OPU as the in-process transport sees it: a register file behind a TLM-2.0 target,
// DMA into host memory that the driver provides, and an interrupt line. SystemC elaborates once
// per process, so there is one device per process, configured at run time (profile at power-on,
// everything else through registers), as real hardware is.
//
// Not thread-safe: SystemC is single-threaded. The transport serialises every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "opusim/model/device_statistics.hpp"
#include "opusim/physics/effective_medium.hpp"
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
enum class InjectedFault { None, DmaReadError, DmaWriteError, DropFrame, HangNoInterrupt };

class SimulatedDevice {
  public:
    // The device of this process; elaborates the SystemC model on first use.
    static SimulatedDevice& instance();

    // Power-on with PROFILE: capabilities and reset values come from it; the device is reset.
    void power_on(const physics::DeviceProfile& profile);
    void attach_host_memory(HostMemory* memory);

    // One 32-bit MMIO access through the host interface's TLM target (advances simulated time by
    // the access cost). Offsets and fields: opusim/contract/registers.hpp.
    std::uint32_t read_register(std::uint32_t offset);
    void write_register(std::uint32_t offset, std::uint32_t value);

    // Runs the simulation until the interrupt line is asserted or TIMEOUT_S of simulated time has
    // passed; returns whether the interrupt is asserted.
    bool run_until_interrupt(double timeout_s);
    double now_s() const;  // simulated time since elaboration

    void inject_fault(InjectedFault fault);  // cleared by reset; taken by the next job

    // -- beyond the transport's needs: tools and tests --
    // What the model measured since the last reset (CONTROL.RESET or power-on).
    DeviceStatistics statistics() const;
    // Writes a VCD trace (stage occupancy, frame counters, irq) to PATH. SystemC traces only
    // from the start of simulation: call before the first register access of the process.
    void enable_vcd(const std::string& path);
    bool powered() const;
    const physics::DeviceProfile& profile() const;
    // Oracle (tests and tools, never the SDK path): the effective medium of the configuration
    // the last functional job ran with, or null before any.
    const physics::EffectiveMedium* oracle_effective_medium() const;

    ~SimulatedDevice();
    SimulatedDevice(const SimulatedDevice&) = delete;
    SimulatedDevice& operator=(const SimulatedDevice&) = delete;

  private:
    SimulatedDevice();
    void advance(std::uint64_t picoseconds);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace opusim::model
