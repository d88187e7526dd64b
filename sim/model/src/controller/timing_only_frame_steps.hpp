// The frame steps of a TIMING_ONLY job: no data moves and no optics run (docs/device-abi.md), so
// every step succeeds at once; the frames still take their full time in the pipeline. Smaller
// chunks than functional jobs: nothing is gained by batching, and aborts land sooner.
#pragma once

#include <cstdint>

#include "frame_steps.hpp"

namespace opusim::model {

class TimingOnlyFrameSteps final : public FrameSteps {
  public:
    static constexpr std::uint64_t kChunkFrames = 64;

    std::uint64_t chunk_frames() const override { return kChunkFrames; }
    JobError fetch(std::uint64_t, std::uint64_t, std::uint64_t) override { return {}; }
    void compute(std::uint64_t, std::uint64_t) override {}
    JobError write_back(std::uint64_t, std::uint64_t, std::uint64_t) override { return {}; }
};

}  // namespace opusim::model
