// The controller's view of the register file: read and write one 32-bit register by its ABI
// offset (opusim/contract/registers.hpp). The controller latches the configuration and updates the
// ring, counter and time registers through this, so it does not depend on how the host interface
// stores registers or decodes MMIO accesses.
#pragma once

#include <cstdint>

namespace opusim::model {

class RegisterAccess {
  public:
    virtual ~RegisterAccess() = default;
    virtual std::uint32_t get(std::uint32_t offset) const = 0;
    virtual void set(std::uint32_t offset, std::uint32_t value) = 0;

    // 64-bit values are two registers, _LO at LO_OFFSET then _HI (docs/device-abi.md).
    std::uint64_t get64(std::uint32_t lo_offset) const {
        return (std::uint64_t{get(lo_offset + 4)} << 32) | get(lo_offset);
    }
    void set64(std::uint32_t lo_offset, std::uint64_t value) {
        set(lo_offset, static_cast<std::uint32_t>(value));
        set(lo_offset + 4, static_cast<std::uint32_t>(value >> 32));
    }
};

}  // namespace opusim::model
