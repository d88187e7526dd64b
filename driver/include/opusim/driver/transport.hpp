// How the driver reaches a device: register reads and writes, waiting for the interrupt line,
// and the device's clock. DMA goes the other way (the device reads and writes the driver's
// DmaMemory), so a transport is given the DmaMemory when it is made. Transports are chosen by the
// device URI's scheme from the registry (transport_registry.hpp): `sim:` runs the simulator in a
// process of its own; a remote or a real PCIe transport implements the same calls and nothing
// above the driver changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace opusim::driver {

class Transport {
  public:
    virtual ~Transport() = default;
    virtual std::string description() const = 0;
    virtual std::uint32_t read_register(std::uint32_t offset) = 0;
    virtual void write_register(std::uint32_t offset, std::uint32_t value) = 0;
    // Blocks until the interrupt line is high or TIMEOUT_S seconds of device time have passed;
    // returns whether the line is high.
    virtual bool wait_for_interrupt(double timeout_s) = 0;
    virtual double device_time_s() const = 0;
    // Whether a service shares the device between its users and arbitrates them itself (opusimd,
    // the URI option via=): the driver then takes no device lock of its own.
    virtual bool shared_by_service() const { return false; }
    // COUNT reads, in order, with the same effect as COUNT read_register calls (each costs the
    // device its access time); a transport with a round trip per request does them in one.
    virtual void read_registers(const std::uint32_t* offsets, std::uint32_t* values,
                                std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) values[i] = read_register(offsets[i]);
    }
};

}  // namespace opusim::driver
