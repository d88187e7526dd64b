// The in-process transport: calls the SystemC model's facade directly. SystemC is
// single-threaded; the Device's mutex serialises every call that reaches here.
#include <unistd.h>

#include <atomic>

#include "opusim/driver/dma_memory.hpp"
#include "opusim/driver/errors.hpp"
#include "opusim/driver/transport.hpp"
#include "opusim/model/simulated_device.hpp"

namespace opusim::driver {

namespace {

std::atomic<bool> g_simulator_open{false};

// The device's view of host memory: the driver's DMA map.
class DmaMemoryPort final : public model::HostMemory {
  public:
    explicit DmaMemoryPort(std::shared_ptr<DmaMemory> memory) : memory_(std::move(memory)) {}
    bool read(std::uint64_t device_address, void* out, std::size_t bytes) override {
        return memory_->device_read(device_address, out, bytes);
    }
    bool write(std::uint64_t device_address, const void* data, std::size_t bytes) override {
        return memory_->device_write(device_address, data, bytes);
    }

  private:
    std::shared_ptr<DmaMemory> memory_;
};

class SimulatorTransport final : public Transport {
  public:
    SimulatorTransport(const physics::DeviceProfile& profile, std::shared_ptr<DmaMemory> memory)
        : port_(std::move(memory)), profile_name_(profile.name) {
        bool expected = false;
        if (!g_simulator_open.compare_exchange_strong(expected, true)) {
            throw DeviceBusyError(
                "the in-process simulator is already open in this process (pid " +
                    std::to_string(::getpid()) +
                    "): SystemC runs one device per process; close the other device first",
                static_cast<long>(::getpid()));
        }
        try {
            auto& device = model::SimulatedDevice::instance();
            device.power_on(profile);
            device.attach_host_memory(&port_);
        } catch (...) {
            g_simulator_open = false;
            throw;
        }
    }
    ~SimulatorTransport() override {
        model::SimulatedDevice::instance().attach_host_memory(nullptr);
        g_simulator_open = false;
    }
    SimulatorTransport(const SimulatorTransport&) = delete;
    SimulatorTransport& operator=(const SimulatorTransport&) = delete;

    std::string description() const override {
        return "in-process SystemC simulator (profile " + profile_name_ + ")";
    }
    std::uint32_t read_register(std::uint32_t offset) override {
        return model::SimulatedDevice::instance().read_register(offset);
    }
    void write_register(std::uint32_t offset, std::uint32_t value) override {
        model::SimulatedDevice::instance().write_register(offset, value);
    }
    bool wait_for_interrupt(double timeout_s) override {
        return model::SimulatedDevice::instance().run_until_interrupt(timeout_s);
    }
    double device_time_s() const override { return model::SimulatedDevice::instance().now_s(); }

  private:
    DmaMemoryPort port_;
    std::string profile_name_;
};

}  // namespace

std::unique_ptr<Transport> make_simulator_transport(const physics::DeviceProfile& profile,
                                                    std::shared_ptr<DmaMemory> memory) {
    return std::make_unique<SimulatorTransport>(profile, std::move(memory));
}

}  // namespace opusim::driver
