// The register storage of the host interface: one word per register of the ABI map, reset values
// from the ABI table and the device profile. Behaviour (actions, W1C, live counters) lives in
// HostInterface; this class only stores.
#pragma once

#include <array>
#include <cstdint>

#include "opusim/contract/registers.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

class RegisterFile {
  public:
    static constexpr std::uint32_t kWords = contract::kMmioWindowBytes / 4;

    // Every register to its reset value (ABI table constants, profile-derived values).
    void reset(const physics::DeviceProfile& profile);

    static bool mapped(std::uint32_t offset);
    static contract::Access access(std::uint32_t offset);

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
};

}  // namespace opusim::model
