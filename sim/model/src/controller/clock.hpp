// The controller clock: every stage delay is a whole number of its cycles.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace opusim::model {

class ControllerClock {
  public:
    ControllerClock() = default;
    explicit ControllerClock(double clock_mhz) {
        if (!(clock_mhz > 0) || clock_mhz > 1e6) {
            throw std::invalid_argument("controller.clock_mhz: expected > 0, got " +
                                        std::to_string(clock_mhz));
        }
        period_ps_ = static_cast<std::uint64_t>(std::llround(1e6 / clock_mhz));
    }
    std::uint64_t period_ps() const { return period_ps_; }
    // Cycles a duration of MICROSECONDS takes, rounded up (hardware waits whole cycles). A
    // duration beyond kSaturatedCycles gives kSaturatedCycles, never an undefined conversion:
    // the profile check (profile_limits.hpp) refuses any profile that reaches it.
    static constexpr std::uint64_t kSaturatedCycles = std::uint64_t{1} << 52;
    std::uint64_t cycles_for_us(double microseconds) const {
        if (!(microseconds > 0)) return 0;
        const double cycles =
            std::ceil(microseconds * 1e6 / static_cast<double>(period_ps_) - 1e-9);
        if (!(cycles < static_cast<double>(kSaturatedCycles))) return kSaturatedCycles;
        return static_cast<std::uint64_t>(cycles);
    }
    // Picoseconds of CYCLES, saturating at the largest value (refused by the profile check).
    std::uint64_t ps(std::uint64_t cycles) const {
        if (cycles > std::numeric_limits<std::uint64_t>::max() / period_ps_) {
            return std::numeric_limits<std::uint64_t>::max();
        }
        return cycles * period_ps_;
    }
    // The first clock edge at or after TIME_PS.
    std::uint64_t next_edge(std::uint64_t time_ps) const {
        return (time_ps + period_ps_ - 1) / period_ps_ * period_ps_;
    }

  private:
    std::uint64_t period_ps_ = 4000;
};

}  // namespace opusim::model
