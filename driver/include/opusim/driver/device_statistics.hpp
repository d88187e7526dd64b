// What the device measured since its last reset, as its statistics registers report it
// (CONTROL.SNAPSHOT, STAT_*: docs/device-abi.md): per-stage occupancy and critical path, the
// bottleneck, frame rate, latency percentiles, frame and job counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace opusim::driver {

struct StageStatistics {
    std::string name;           // link_in, dmd, exposure, frame_overhead, readout, link_out
    double busy_s = 0;          // time the stage's resource was occupied
    double utilisation = 0;     // busy / active time, 0..1
    double critical_share = 0;  // share of the last job's steady-state critical path, 0..1
};

struct DeviceStatistics {
    std::vector<StageStatistics> stages;
    // Stage holding the largest share of the last job's steady-state critical path: one of the
    // stage names, or "frametime" when the FRAMETIME register's minimum period bound the rate;
    // empty before any job.
    std::string bottleneck;
    double frame_period_s = 0;  // steady-state output spacing of the last job
    double frame_rate_hz = 0;   // 1 / frame_period_s
    double latency_p50_s = 0;   // per frame: input DMA start to output DMA end
    double latency_p99_s = 0;
    double latency_max_s = 0;
    std::uint64_t frames_in = 0;
    std::uint64_t frames_out = 0;
    std::uint64_t frames_dropped = 0;
    std::uint64_t jobs = 0;
    double active_time_s = 0;     // sum over jobs of first input DMA start to last output end
    double simulated_time_s = 0;  // sum over jobs of START (descriptor fetch) to write-back end
};

}  // namespace opusim::driver
