// What the device model measured since the last reset (or power-on).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace opusim::model {

struct StageStatistics {
    std::string name;           // link_in, dmd, exposure, frame_overhead, readout, link_out
    double busy_s = 0;          // time the stage's resource was occupied
    double utilisation = 0;     // busy / active time, 0..1
    double critical_share = 0;  // share of the last job's steady-state critical path, 0..1
    std::uint64_t busy_ps = 0;      // busy_s, exactly
    std::uint64_t critical_ps = 0;  // this stage's time on the last job's critical path
};

struct DeviceStatistics {
    std::vector<StageStatistics> stages;
    // Stage holding the largest share of the last job's steady-state critical path: one of the
    // stage names, or "frametime" when the FRAMETIME register's minimum period bound the rate.
    std::string bottleneck;
    std::uint64_t frametime_critical_ps = 0;  // the FRAMETIME minimum's part of that path
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

}  // namespace opusim::model
