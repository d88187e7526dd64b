// The three steps a job's frames go through, as the sequencer runs them chunk by chunk:
//   fetch       per frame, when its input DMA is issued: read the packed frame, let the DMD check
//   it; compute     per chunk, on the frames fetched: medium intensities and camera grab; write
//   back  per frame, when its output DMA is issued: write the output frame.
// The sequencer owns the timing (FramePipeline, kernel synchronisation, abort); the steps own the
// data. Functional and timing-only jobs are two implementations, and an injected fault is a
// decorator around either (injected_faults.hpp), so no step tests for faults or modes.
#pragma once

#include <cstdint>
#include <optional>

#include "job_error.hpp"

namespace opusim::model {

class FrameSteps {
  public:
    virtual ~FrameSteps() = default;

    // Frames scheduled per kernel synchronisation, which is also the abort granularity.
    virtual std::uint64_t chunk_frames() const = 0;
    // Input DMA of FRAME into chunk slot SLOT, issued at ISSUE_PS, and the DMD's format check.
    // A failure ends the job at this frame: it and later frames never run.
    virtual JobError fetch(std::uint64_t frame, std::uint64_t slot, std::uint64_t issue_ps) = 0;
    // Optics and camera of chunk slots 0..COUNT-1, which hold frames FIRST_FRAME onwards.
    virtual void compute(std::uint64_t first_frame, std::uint64_t count) = 0;
    // Output DMA of FRAME from chunk slot SLOT, issued at ISSUE_PS. A failure ends the job.
    virtual JobError write_back(std::uint64_t frame, std::uint64_t slot,
                                std::uint64_t issue_ps) = 0;
    // Whether FRAME is lost between camera and output DMA: it is scheduled and counted as
    // dropped, and never written back.
    virtual bool loses(std::uint64_t /*frame*/) const { return false; }
    // The frame before which the sequencer stops making progress (a hang), if any.
    virtual std::optional<std::uint64_t> stall_frame() const { return std::nullopt; }
};

}  // namespace opusim::model
