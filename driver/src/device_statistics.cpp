// Device::statistics(): the STAT_* registers decoded. Utilisation, shares and the bottleneck are
// derived here from the raw picosecond counters, as the device's own model derives them.
#include <algorithm>
#include <array>

#include "opusim/contract/registers.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/driver/transport.hpp"

namespace opusim::driver {
namespace {

double seconds(std::uint64_t picoseconds) {
    return static_cast<double>(picoseconds) * 1e-12;
}

}  // namespace

DeviceStatistics Device::statistics() {
    namespace reg = contract::reg;
    namespace stage = contract::stage;
    const std::lock_guard<std::mutex> guard(mutex_);
    transport_->write_register(reg::kControl, contract::control::kSnapshot);
    DeviceStatistics stats;
    std::array<std::uint64_t, stage::kStages> critical{};
    std::uint64_t critical_total = 0;
    for (std::uint32_t s = 0; s < stage::kStages; ++s) {
        critical[s] = read64(reg::kStatCriticalPsLo + 8 * s);
        critical_total += critical[s];
    }
    const std::uint64_t active_ps = read64(reg::kStatActivePsLo);
    for (std::uint32_t s = 0; s < stage::kResourceStages; ++s) {
        const std::uint64_t busy_ps = read64(reg::kStatBusyPsLo + 8 * s);
        StageStatistics entry;
        entry.name = stage::kNames[s];
        entry.busy_s = seconds(busy_ps);
        entry.utilisation =
            active_ps > 0 ? static_cast<double>(busy_ps) / static_cast<double>(active_ps) : 0;
        entry.critical_share = critical_total > 0 ? static_cast<double>(critical[s]) /
                                                        static_cast<double>(critical_total)
                                                  : 0;
        stats.stages.push_back(entry);
    }
    if (critical_total > 0) {
        const auto largest = std::max_element(critical.begin(), critical.end());
        stats.bottleneck = stage::kNames[static_cast<std::size_t>(largest - critical.begin())];
    }
    const std::uint64_t period_fs = read64(reg::kStatFramePeriodFsLo);
    stats.frame_period_s = static_cast<double>(period_fs) * 1e-15;
    stats.frame_rate_hz = period_fs > 0 ? 1e15 / static_cast<double>(period_fs) : 0;
    stats.latency_p50_s = seconds(read64(reg::kStatLatencyP50PsLo));
    stats.latency_p99_s = seconds(read64(reg::kStatLatencyP99PsLo));
    stats.latency_max_s = seconds(read64(reg::kStatLatencyMaxPsLo));
    stats.frames_in = read64(reg::kStatFramesInLo);
    stats.frames_out = read64(reg::kStatFramesOutLo);
    stats.frames_dropped = read64(reg::kStatFramesDroppedLo);
    stats.jobs = read64(reg::kStatJobsLo);
    stats.active_time_s = seconds(active_ps);
    stats.simulated_time_s = seconds(read64(reg::kStatJobTimePsLo));
    return stats;
}

}  // namespace opusim::driver
