#include "frame_pipeline.hpp"

#include <algorithm>
#include <stdexcept>

namespace opusim::model {
namespace {

StageId stage_of(Op op) {
    switch (op) {
        case Op::In:
            return StageId::LinkIn;
        case Op::Load:
        case Op::Settle:
            return StageId::Dmd;
        case Op::Expose:
            return StageId::Exposure;
        case Op::Fot:
            return StageId::FrameOverhead;
        case Op::Readout:
            return StageId::Readout;
        case Op::Out:
            return StageId::LinkOut;
    }
    return StageId::LinkIn;
}

std::size_t index_of(Op op) {
    return static_cast<std::size_t>(op);
}
std::size_t index_of(StageId stage) {
    return static_cast<std::size_t>(stage);
}

}  // namespace

const char* stage_name(StageId stage) {
    switch (stage) {
        case StageId::LinkIn:
            return "link_in";
        case StageId::Dmd:
            return "dmd";
        case StageId::Exposure:
            return "exposure";
        case StageId::FrameOverhead:
            return "frame_overhead";
        case StageId::Readout:
            return "readout";
        case StageId::LinkOut:
            return "link_out";
        case StageId::Frametime:
            return "frametime";
    }
    return "unknown";
}

StageId PipelineMeasure::bottleneck() const {
    const auto largest = std::max_element(critical.begin(), critical.end());
    return static_cast<StageId>(largest - critical.begin());
}

FramePipeline::FramePipeline(const StageDurations& durations, std::uint32_t input_fifo_frames,
                             std::uint32_t output_fifo_frames)
    : history_(kHistory) {
    reconfigure(durations, input_fifo_frames, output_fifo_frames);
}

void FramePipeline::reconfigure(const StageDurations& durations, std::uint32_t input_fifo_frames,
                                std::uint32_t output_fifo_frames) {
    if (input_fifo_frames < 1 || output_fifo_frames < 1 || input_fifo_frames > kMaxFifoFrames ||
        output_fifo_frames > kMaxFifoFrames) {
        throw std::invalid_argument(
            "controller.input_buffer_frames/output_buffer_frames: expected "
            "1.." +
            std::to_string(kMaxFifoFrames) + " frames");
    }
    durations_ = durations;
    input_fifo_ = input_fifo_frames;
    output_fifo_ = output_fifo_frames;
}

void FramePipeline::start_job(std::uint64_t ready, std::uint64_t trigger_ready) {
    frames_ = 0;
    ready_ = ready;
    trigger_ready_ = trigger_ready;
    busy_.fill(0);
    busy_until_.fill(0);
}

std::uint64_t FramePipeline::duration(Op op) const {
    switch (op) {
        case Op::In:
            return durations_.link_in;
        case Op::Load:
            return durations_.dmd_load;
        case Op::Settle:
            return durations_.dmd_settle;
        case Op::Expose:
            return durations_.exposure;
        case Op::Fot:
            return durations_.frame_overhead;
        case Op::Readout:
            return durations_.readout;
        case Op::Out:
            return durations_.link_out;
    }
    return 0;
}

const FrameSchedule& FramePipeline::frame(std::uint64_t index) const {
    if (index >= frames_ || frames_ - index > kHistory) {
        throw std::out_of_range("FramePipeline::frame: frame outside the history window");
    }
    return slot(index).times;
}

std::uint64_t FramePipeline::next_input_start() const {
    const std::uint64_t k = frames_;
    std::uint64_t t = ready_;
    if (k > 0) t = std::max(t, slot(k - 1).times.end[index_of(Op::In)]);
    if (k >= input_fifo_) t = std::max(t, slot(k - input_fifo_).times.end[index_of(Op::Load)]);
    return t;
}

const FrameSchedule& FramePipeline::schedule_next() {
    const std::uint64_t k = frames_;
    const Entry* previous = k > 0 ? &slot(k - 1) : nullptr;
    const Entry* input_slot_owner = k >= input_fifo_ ? &slot(k - input_fifo_) : nullptr;
    const Entry* output_slot_owner = k >= output_fifo_ ? &slot(k - output_fifo_) : nullptr;
    Entry& entry = slot(k);
    auto& start = entry.times.start;
    auto& end = entry.times.end;

    // The latest of an operation's constraints is its start; remember which one it was.
    std::uint64_t t = 0;
    Bound bound = Bound::JobReady;
    auto at_least = [&](std::uint64_t candidate, Bound why) {
        if (candidate > t) {
            t = candidate;
            bound = why;
        }
    };
    auto finish = [&](Op op) {
        start[index_of(op)] = t;
        end[index_of(op)] = t + duration(op);
        entry.bound[index_of(op)] = bound;
    };
    const auto P = [&](Op op) { return previous->times.end[index_of(op)]; };

    t = ready_, bound = Bound::JobReady;
    if (previous) at_least(P(Op::In), Bound::PreviousFrame);
    if (input_slot_owner) at_least(input_slot_owner->times.end[index_of(Op::Load)], Bound::Fifo);
    finish(Op::In);

    t = end[index_of(Op::In)], bound = Bound::SameFrame;
    if (previous) {
        at_least(P(Op::Load), Bound::PreviousFrame);
        at_least(P(Op::Settle), Bound::Mirrors);  // DMD memory is free once latched
    }
    finish(Op::Load);

    t = end[index_of(Op::Load)], bound = Bound::SameFrame;
    if (previous) {
        at_least(P(Op::Expose), Bound::Mirrors);  // the previous pattern is shown until exposed
        at_least(P(Op::Settle) + durations_.dmd_min_display, Bound::MinDisplay);
    }
    finish(Op::Settle);

    t = end[index_of(Op::Settle)], bound = Bound::SameFrame;
    at_least(trigger_ready_, Bound::JobReady);
    if (previous) {
        at_least(P(Op::Fot), Bound::PreviousFrame);  // sensor ready for the next integration
        if (durations_.frametime > 0) {
            at_least(previous->times.start[index_of(Op::Expose)] + durations_.frametime,
                     Bound::Frametime);
        }
    }
    finish(Op::Expose);

    t = end[index_of(Op::Expose)], bound = Bound::SameFrame;
    if (previous) at_least(P(Op::Readout), Bound::PreviousFrame);  // storage nodes read out
    finish(Op::Fot);

    t = end[index_of(Op::Fot)], bound = Bound::SameFrame;
    if (output_slot_owner) at_least(output_slot_owner->times.end[index_of(Op::Out)], Bound::Fifo);
    finish(Op::Readout);

    t = end[index_of(Op::Readout)], bound = Bound::SameFrame;
    if (previous) at_least(P(Op::Out), Bound::PreviousFrame);
    finish(Op::Out);

    account_busy(entry.times);
    ++frames_;
    return entry.times;
}

void FramePipeline::account_busy(const FrameSchedule& times) {
    for (std::size_t i = 0; i < kOpCount; ++i) {
        const auto stage = index_of(stage_of(static_cast<Op>(i)));
        const std::uint64_t from = std::max(times.start[i], busy_until_[stage]);
        if (times.end[i] > from) busy_[stage] += times.end[i] - from;
        busy_until_[stage] = std::max(busy_until_[stage], times.end[i]);
    }
}

PipelineMeasure FramePipeline::measure() const {
    PipelineMeasure result;
    result.frames = frames_;
    result.busy = busy_;
    if (frames_ == 0) return result;
    const std::uint64_t window_begin = frames_ > kHistory ? frames_ - kHistory : 0;
    result.first_start = frames_ <= kHistory ? slot(0).times.begin() : 0;
    result.last_done = slot(frames_ - 1).times.done();

    // Steady state: the second half of the frames (within the history window).
    const std::uint64_t half = std::max<std::uint64_t>(frames_ / 2, window_begin + 1);
    if (frames_ >= 2 && half < frames_ - 1) {
        result.steady_period_ps = static_cast<double>(result.last_done - slot(half).times.done()) /
                                  static_cast<double>(frames_ - 1 - half);
    } else if (frames_ >= 2) {
        result.steady_period_ps =
            static_cast<double>(result.last_done - slot(frames_ - 2).times.done());
    } else {
        result.steady_period_ps = static_cast<double>(result.last_done - result.first_start);
    }

    // Walk the critical path back from the last frame's output, attributing every operation's
    // duration (and every frametime/min-display gap) to its stage, while inside the steady half.
    const std::uint64_t stop = frames_ >= 2 ? half : 0;
    Op op = Op::Out;
    std::uint64_t k = frames_ - 1;
    bool at_end = true;
    for (;;) {
        if (k < stop) break;
        const Entry& entry = slot(k);
        if (at_end) {
            result.critical[index_of(stage_of(op))] += duration(op);
            at_end = false;
            continue;
        }
        const Bound why = entry.bound[index_of(op)];
        if (why == Bound::JobReady) break;
        if (why == Bound::SameFrame) {
            op = static_cast<Op>(index_of(op) - 1);
            at_end = true;
            continue;
        }
        if (k == 0) break;
        switch (why) {
            case Bound::PreviousFrame:
                if (op == Op::Expose)
                    op = Op::Fot;
                else if (op == Op::Fot)
                    op = Op::Readout;
                k -= 1;
                at_end = true;
                break;
            case Bound::Fifo:
                if (op == Op::In) {
                    k -= input_fifo_;
                    op = Op::Load;
                } else {
                    k -= output_fifo_;
                    op = Op::Out;
                }
                at_end = true;
                break;
            case Bound::Mirrors:
                op = op == Op::Load ? Op::Settle : Op::Expose;
                k -= 1;
                at_end = true;
                break;
            case Bound::MinDisplay:
                result.critical[index_of(StageId::Dmd)] += durations_.dmd_min_display;
                k -= 1;
                at_end = true;
                break;
            case Bound::Frametime:
                result.critical[index_of(StageId::Frametime)] += durations_.frametime;
                k -= 1;
                at_end = false;  // arrive at the previous exposure's start
                break;
            default:
                break;
        }
        if (k + kHistory < frames_) break;  // left the history window (k wrapped below is fine)
    }
    return result;
}

}  // namespace opusim::model
