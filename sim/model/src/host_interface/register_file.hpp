// The host interface's registers: one word per register of the contract's map, with the access
// rights of the contract's table (RO ignores writes, WO reads 0, RW1C clears the bits written)
// applied here for every register alike, and each register's own reset value and behaviour bound
// to it in one place (HostInterface::bind_registers, register_bindings.cpp), in the manner of
// VCML's register objects.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include <systemc>

#include "opusim/contract/registers.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

// What one register does beyond storing what is written. Every member is optional.
struct RegisterBehaviour {
    // The reset value, when it comes from the profile (else the contract table's constant).
    std::function<std::uint32_t(const physics::DeviceProfile&)> reset;
    // A live value read instead of the stored word (counters, status, time) at time AT_PS.
    std::function<std::uint32_t(std::uint64_t at_ps)> read;
    // Called after a write took effect (stored, cleared, or for WO registers only acted on).
    std::function<void(std::uint32_t value, const sc_core::sc_time& delay)> written;
};

class RegisterFile {
  public:
    static constexpr std::uint32_t kWords = contract::kMmioWindowBytes / 4;

    // Binds OFFSET's behaviour; one binding per register.
    void bind(std::uint32_t offset, RegisterBehaviour behaviour);

    // Every register to its reset value (the contract table's constants, the bound profile
    // resets). Registers whose table entry says NotReset keep their value.
    void reset(const physics::DeviceProfile& profile);

    // A host access through the MMIO target: access rights, then the bound behaviour. Offsets
    // outside the map read 0 and ignore writes.
    std::uint32_t read(std::uint32_t offset, std::uint64_t at_ps) const;
    void write(std::uint32_t offset, std::uint32_t value, const sc_core::sc_time& delay);

    static bool mapped(std::uint32_t offset);
    static contract::Access access(std::uint32_t offset);

    // The stored words, for the device's own use (no access rights, no behaviour).
    std::uint32_t get(std::uint32_t offset) const { return words_[offset / 4]; }
    void set(std::uint32_t offset, std::uint32_t value) { words_[offset / 4] = value; }
    std::uint64_t get64(std::uint32_t lo_offset) const {
        return (std::uint64_t{get(lo_offset + 4)} << 32) | get(lo_offset);
    }
    void set64(std::uint32_t lo_offset, std::uint64_t value) {
        set(lo_offset, static_cast<std::uint32_t>(value));
        set(lo_offset + 4, static_cast<std::uint32_t>(value >> 32));
    }

  private:
    std::array<std::uint32_t, kWords> words_{};
    std::array<RegisterBehaviour, kWords> behaviour_{};
};

// Binds every register whose reset value comes from the profile (register_bindings.cpp). Their
// reset throws physics::ProfileError for a profile value the register's field cannot hold.
void bind_profile_registers(RegisterFile& registers);

}  // namespace opusim::model
