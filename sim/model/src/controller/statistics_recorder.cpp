#include "statistics_recorder.hpp"

#include <algorithm>

namespace opusim::model {
namespace {

double seconds(std::uint64_t ps) {
    return static_cast<double>(ps) * 1e-12;
}

}  // namespace

void StatisticsRecorder::clear() {
    busy_ps_.fill(0);
    last_critical_.fill(0);
    last_period_ps_ = 0;
    active_ps_ = 0;
    job_time_ps_ = 0;
    jobs_ = 0;
    latencies_.clear();
}

void StatisticsRecorder::frames_measured(const PipelineMeasure& measure) {
    for (std::size_t s = 0; s < kResourceStageCount; ++s) busy_ps_[s] += measure.busy[s];
    last_critical_ = measure.critical;
    last_period_ps_ = measure.steady_period_ps;
    active_ps_ += measure.last_done - measure.first_start;
}

void StatisticsRecorder::job_ended(std::uint64_t duration_ps) {
    job_time_ps_ += duration_ps;
    ++jobs_;
}

DeviceStatistics StatisticsRecorder::snapshot(const FrameLedger& ledger,
                                              std::uint64_t now_ps) const {
    DeviceStatistics stats;
    std::uint64_t critical_total = 0;
    for (auto value : last_critical_) critical_total += value;
    for (std::size_t s = 0; s < kResourceStageCount; ++s) {
        StageStatistics stage;
        stage.name = stage_name(static_cast<StageId>(s));
        stage.busy_s = seconds(busy_ps_[s]);
        stage.utilisation =
            active_ps_ > 0 ? static_cast<double>(busy_ps_[s]) / static_cast<double>(active_ps_) : 0;
        stage.critical_share = critical_total > 0 ? static_cast<double>(last_critical_[s]) /
                                                        static_cast<double>(critical_total)
                                                  : 0;
        stage.busy_ps = busy_ps_[s];
        stage.critical_ps = last_critical_[s];
        stats.stages.push_back(stage);
    }
    stats.frametime_critical_ps = last_critical_[static_cast<std::size_t>(StageId::Frametime)];
    if (critical_total > 0) {
        const auto largest = std::max_element(last_critical_.begin(), last_critical_.end());
        stats.bottleneck = stage_name(static_cast<StageId>(largest - last_critical_.begin()));
    }
    stats.frame_period_s = last_period_ps_ * 1e-12;
    stats.frame_rate_hz = last_period_ps_ > 0 ? 1e12 / last_period_ps_ : 0;
    stats.latency_p50_s = latencies_.p50_ps() * 1e-12;
    stats.latency_p99_s = latencies_.p99_ps() * 1e-12;
    stats.latency_max_s = latencies_.max_ps() * 1e-12;
    stats.frames_in = ledger.frames_in(now_ps);
    stats.frames_out = ledger.frames_out(now_ps);
    stats.frames_dropped = ledger.frames_dropped(now_ps);
    stats.jobs = jobs_;
    stats.active_time_s = seconds(active_ps_);
    stats.simulated_time_s = seconds(job_time_ps_);
    return stats;
}

}  // namespace opusim::model
