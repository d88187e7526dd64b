// What the sequencer measures since the last reset, and the DeviceStatistics made from it: stage
// busy time and critical-path shares from each job's pipeline, per-frame latency percentiles,
// job time. Nothing here grows with the number of frames.
#pragma once

#include <array>
#include <cstdint>

#include "frame_ledger.hpp"
#include "frame_pipeline.hpp"
#include "latency_quantiles.hpp"
#include "opusim/model/device_statistics.hpp"

namespace opusim::model {

class StatisticsRecorder {
  public:
    void clear();
    // A frame was scheduled: from its input DMA start to its output DMA end.
    void frame_latency(std::uint64_t latency_ps) { latencies_.add(latency_ps); }
    // A job's frames ended (only jobs that scheduled frames have a pipeline to measure).
    void frames_measured(const PipelineMeasure& measure);
    // A job ended: from its descriptor fetch to its write-back.
    void job_ended(std::uint64_t duration_ps);

    // The statistics at NOW_PS; the frame counters come from LEDGER.
    DeviceStatistics snapshot(const FrameLedger& ledger, std::uint64_t now_ps) const;

  private:
    std::array<std::uint64_t, kResourceStageCount> busy_ps_{};
    std::array<std::uint64_t, kStageCount> last_critical_{};
    double last_period_ps_ = 0;
    std::uint64_t active_ps_ = 0;
    std::uint64_t job_time_ps_ = 0;
    std::uint64_t jobs_ = 0;
    LatencyQuantiles latencies_;  // memory independent of the number of frames
};

}  // namespace opusim::model
