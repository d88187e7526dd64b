// The device's frame trace: the schedule (each operation's start and end) of the last
// contract::trace::kDepth frames the sequencer scheduled, so the host can draw where a frame
// waits (TRACE_* registers, docs/device-abi.md). A fixed ring: nothing grows with the frames.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "frame_pipeline.hpp"
#include "opusim/contract/registers.hpp"

namespace opusim::model {

struct TracedFrame {
    std::uint64_t index_in_job = 0;
    FrameSchedule schedule;
};

class FrameTrace {
  public:
    void record(std::uint64_t index_in_job, const FrameSchedule& schedule) {
        ring_[recorded_ % ring_.size()] = {index_in_job, schedule};
        ++recorded_;
    }
    void clear() { recorded_ = 0; }
    // The frames held, oldest first.
    std::vector<TracedFrame> frames() const {
        const std::uint64_t count = recorded_ < ring_.size() ? recorded_ : ring_.size();
        std::vector<TracedFrame> out;
        for (std::uint64_t i = recorded_ - count; i < recorded_; ++i) {
            out.push_back(ring_[i % ring_.size()]);
        }
        return out;
    }

  private:
    std::array<TracedFrame, contract::trace::kDepth> ring_{};
    std::uint64_t recorded_ = 0;
};

}  // namespace opusim::model
