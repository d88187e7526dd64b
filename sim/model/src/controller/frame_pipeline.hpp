// The timing of frames through the device's stages, as the sequencer schedules them.
//
// Each frame passes seven operations, each occupying one stage resource for a duration the stages'
// timing classes compute in controller cycles (stage_durations.hpp):
//   In      input DMA over the host link        (link_in)
//   Load    pattern load into the DMD memory    (dmd)
//   Settle  global reset + mirror settle        (dmd)
//   Expose  camera exposure                     (exposure)
//   Fot     sensor frame overhead time          (frame_overhead)
//   Readout ROI rows x row time                 (readout)
//   Out     output DMA over the host link       (link_out)
// An operation starts when all of its predecessors allow it (docs/timing.md lists them):
// the same frame's previous operation, the stage finishing the previous frame, a free slot in
// the input FIFO (input_fifo frames, held from DMA start until the DMD has loaded the frame) or
// the output FIFO (held from readout start until the output DMA ends), the minimum trigger period
// (FRAMETIME) and the mirrors showing the previous pattern until its exposure ends. The frame
// period therefore emerges from the stage durations and buffer sizes; nothing sets it directly.
//
// All times are picoseconds of simulated time (integers: schedules are bit-identical run to run).
// Plain C++ so it can be reasoned about and tested on its own; the sequencer (a SystemC process)
// drives it and synchronises the kernel with it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace opusim::model {

enum class Op : std::uint8_t { In, Load, Settle, Expose, Fot, Readout, Out };
inline constexpr std::size_t kOpCount = 7;

// Stages reported in statistics, in pipeline order; Frametime is the trigger-period constraint
// (not a resource: it has no busy time but can be the bottleneck).
enum class StageId : std::uint8_t {
    LinkIn,
    Dmd,
    Exposure,
    FrameOverhead,
    Readout,
    LinkOut,
    Frametime
};
inline constexpr std::size_t kResourceStageCount = 6;
inline constexpr std::size_t kStageCount = 7;
const char* stage_name(StageId stage);

struct StageDurations {  // picoseconds, per frame
    std::uint64_t link_in = 0;
    std::uint64_t dmd_load = 0;
    std::uint64_t dmd_settle = 0;
    std::uint64_t dmd_min_display = 0;  // a pattern is shown at least this long
    std::uint64_t exposure = 0;
    std::uint64_t frame_overhead = 0;
    std::uint64_t readout = 0;
    std::uint64_t link_out = 0;
    std::uint64_t frametime = 0;  // minimum trigger-to-trigger period (0: none)
};

struct FrameSchedule {
    std::array<std::uint64_t, kOpCount> start{};
    std::array<std::uint64_t, kOpCount> end{};
    std::uint64_t begin() const { return start[0]; }
    std::uint64_t done() const { return end[kOpCount - 1]; }
};

// What a pipeline run measured (one job).
struct PipelineMeasure {
    std::uint64_t frames = 0;
    std::uint64_t first_start = 0;                          // input DMA start of frame 0
    std::uint64_t last_done = 0;                            // output DMA end of the last frame
    std::array<std::uint64_t, kResourceStageCount> busy{};  // union of busy intervals per stage
    // Time on the steady-state critical path (the second half of the frames, at most the
    // history window) attributed to each stage; the largest is the bottleneck.
    std::array<std::uint64_t, kStageCount> critical{};
    double steady_period_ps = 0;  // mean output spacing over the second half of the frames
    StageId bottleneck() const;
};

class FramePipeline {
  public:
    // FIFO depths in frames (>= 1). Frames of the history window (for the FIFO constraints and
    // the critical-path analysis) live in a ring; nothing grows with the number of frames.
    FramePipeline(const StageDurations& durations, std::uint32_t input_fifo_frames,
                  std::uint32_t output_fifo_frames);

    // New durations and FIFO depths for the next job, keeping the history's memory (a job only
    // reads the frames it scheduled, so what an earlier job left there is never seen).
    void reconfigure(const StageDurations& durations, std::uint32_t input_fifo_frames,
                     std::uint32_t output_fifo_frames);
    // A job starts: input DMA may begin at READY, the first exposure at TRIGGER_READY.
    void start_job(std::uint64_t ready, std::uint64_t trigger_ready);
    // Schedules the next frame (frames are scheduled in order).
    const FrameSchedule& schedule_next();
    // When the next frame's input DMA will start (what schedule_next() will give it): the DMA
    // engine issues its read then, before the rest of the frame is scheduled.
    std::uint64_t next_input_start() const;
    std::uint64_t frames_scheduled() const { return frames_; }
    const FrameSchedule& frame(std::uint64_t index) const;  // within the history window

    // Measures of the job so far (critical path walked back from the last frame).
    PipelineMeasure measure() const;

    static constexpr std::uint64_t kHistory = 4096;  // frames kept; FIFO depths must be below
    // The deepest FIFO the history window can follow (the profile check refuses deeper ones).
    static constexpr std::uint32_t kMaxFifoFrames = kHistory / 2 - 1;

  private:
    // Which predecessor bound an operation's start (for the critical-path walk).
    enum class Bound : std::uint8_t {
        JobReady,
        SameFrame,
        PreviousFrame,
        Fifo,
        Mirrors,
        MinDisplay,
        Frametime
    };
    struct Entry {
        FrameSchedule times;
        std::array<Bound, kOpCount> bound{};
    };
    Entry& slot(std::uint64_t index) { return history_[index % kHistory]; }
    const Entry& slot(std::uint64_t index) const { return history_[index % kHistory]; }
    std::uint64_t duration(Op op) const;
    void account_busy(const FrameSchedule& times);

    StageDurations durations_;
    std::uint32_t input_fifo_ = 1;
    std::uint32_t output_fifo_ = 1;
    std::vector<Entry> history_;
    std::uint64_t frames_ = 0;
    std::uint64_t ready_ = 0;
    std::uint64_t trigger_ready_ = 0;
    std::array<std::uint64_t, kResourceStageCount> busy_{};
    std::array<std::uint64_t, kResourceStageCount> busy_until_{};
};

}  // namespace opusim::model
