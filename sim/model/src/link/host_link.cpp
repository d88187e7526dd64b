#include "host_link.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace opusim::model {

void HostLink::configure(const physics::LinkParams& params, const ControllerClock& clock) {
    if (!(params.bandwidth_gb_per_s > 0)) {
        throw std::invalid_argument("link.bandwidth_gb_per_s: expected > 0");
    }
    if (params.max_transfer_bytes == 0) {
        throw std::invalid_argument("link.max_transfer_bytes: expected > 0");
    }
    params_ = params;
    clock_ = clock;
}

std::uint64_t HostLink::transfer_cycles(std::uint64_t bytes) const {
    if (bytes == 0) return 0;
    const std::uint64_t pieces =
        (bytes + params_.max_transfer_bytes - 1) / params_.max_transfer_bytes;
    const double payload_us = static_cast<double>(bytes) / (params_.bandwidth_gb_per_s * 1e3);
    // Saturating, like the clock: a profile that reaches the saturated value is refused.
    const std::uint64_t latency = clock_.cycles_for_us(params_.latency_us);
    const std::uint64_t payload = clock_.cycles_for_us(payload_us);
    if (latency != 0 && pieces > ControllerClock::kSaturatedCycles / latency) {
        return ControllerClock::kSaturatedCycles;
    }
    return std::min(pieces * latency + payload, ControllerClock::kSaturatedCycles);
}

std::uint64_t HostLink::software_overhead_cycles() const {
    return clock_.cycles_for_us(params_.software_overhead_us);
}

}  // namespace opusim::model
