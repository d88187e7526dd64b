// Binds the host interface to the sequencer's HostPort. The host interface already offers every
// call the port declares; this adapter only forwards them, so that the controller depends on its
// own small interface and not on the host interface's header (which includes the sequencer's).
// If HostInterface itself implements HostPort (and its RegisterFile implements RegisterAccess),
// the top binds it directly and this file goes away.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../controller/host_port.hpp"
#include "../controller/register_access.hpp"
#include "../host_interface/host_interface.hpp"

namespace opusim::model {

class RegisterFileAccess final : public RegisterAccess {
  public:
    explicit RegisterFileAccess(RegisterFile& file) : file_(file) {}
    std::uint32_t get(std::uint32_t offset) const override { return file_.get(offset); }
    void set(std::uint32_t offset, std::uint32_t value) override { file_.set(offset, value); }

  private:
    RegisterFile& file_;
};

class HostInterfacePort final : public HostPort {
  public:
    explicit HostInterfacePort(HostInterface& host) : host_(host), registers_(host.registers()) {}

    RegisterAccess& registers() override { return registers_; }
    void reset_registers() override { host_.reset_registers(); }
    void raise(std::uint32_t irq_bits) override { host_.raise(irq_bits); }
    void report_error(contract::DeviceError error, std::uint32_t detail,
                      std::uint64_t address) override {
        host_.report_error(error, detail, address);
    }
    bool dma_read(std::uint64_t address, void* data, std::size_t bytes,
                  sc_core::sc_time delay) override {
        return host_.dma_read(address, data, bytes, delay);
    }
    bool dma_write(std::uint64_t address, const void* data, std::size_t bytes,
                   sc_core::sc_time delay) override {
        return host_.dma_write(address, data, bytes, delay);
    }

  private:
    HostInterface& host_;
    RegisterFileAccess registers_;
};

}  // namespace opusim::model
