#include "vcd_tracer.hpp"

#include <fstream>
#include <stdexcept>
#include <string>

namespace opusim::model {
namespace {

StageId stage_of_op(std::size_t op) {
    static constexpr StageId kStages[kOpCount] = {
        StageId::LinkIn,        StageId::Dmd,     StageId::Dmd,    StageId::Exposure,
        StageId::FrameOverhead, StageId::Readout, StageId::LinkOut};
    return kStages[op];
}

}  // namespace

VcdTracer::VcdTracer(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    SC_THREAD(play);
}

VcdTracer::~VcdTracer() {
    if (file_ != nullptr) sc_core::sc_close_vcd_trace_file(file_);
}

void VcdTracer::open(const std::string& path, const sc_core::sc_signal_in_if<bool>& irq) {
    std::string base = path;
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0) {
        base.resize(base.size() - 4);
    }
    // SystemC opens the file only when the simulation starts and reports failure from inside
    // it (the process then dies); find an unwritable path here, with its name.
    if (!std::ofstream(base + ".vcd")) {
        throw std::invalid_argument("vcd: cannot open '" + base + ".vcd' for writing");
    }
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO,
                                            sc_core::SC_DO_NOTHING);  // no chatter
    file_ = sc_core::sc_create_vcd_trace_file(base.c_str());
    file_->set_time_unit(1, sc_core::SC_NS);
    for (std::size_t s = 0; s < kResourceStageCount; ++s) {
        sc_core::sc_trace(file_, busy_[s], stage_name(static_cast<StageId>(s)));
    }
    sc_core::sc_trace(file_, frames_in_, "frames_in");
    sc_core::sc_trace(file_, frames_out_, "frames_out");
    sc_core::sc_trace(file_, frames_dropped_, "frames_dropped");
    sc_core::sc_trace(file_, irq, "irq");
}

void VcdTracer::frame(const FrameSchedule& schedule, bool dropped) {
    if (file_ == nullptr) return;
    for (std::size_t op = 0; op < kOpCount; ++op) {
        const auto stage = static_cast<std::uint8_t>(stage_of_op(op));
        changes_.push({schedule.start[op], stage, +1});
        changes_.push({schedule.end[op], stage, -1});
    }
    changes_.push({schedule.end[0], kFramesIn, +1});
    changes_.push({schedule.done(), dropped ? kFramesDropped : kFramesOut, +1});
    pushed_.notify(sc_core::SC_ZERO_TIME);
}

void VcdTracer::apply(const Change& change) {
    switch (change.variable) {
        case kFramesIn:
            ++frames_in_;
            return;
        case kFramesOut:
            ++frames_out_;
            return;
        case kFramesDropped:
            ++frames_dropped_;
            return;
        default:
            occupancy_[change.variable] = static_cast<std::uint32_t>(
                static_cast<std::int64_t>(occupancy_[change.variable]) + change.delta);
            busy_[change.variable] = occupancy_[change.variable] > 0;
    }
}

void VcdTracer::play() {
    for (;;) {
        if (changes_.empty()) {
            sc_core::wait(pushed_);
            continue;
        }
        const std::uint64_t now = sc_core::sc_time_stamp().value();
        const std::uint64_t next = changes_.top().time;
        if (next > now) {
            sc_core::wait(sc_core::sc_time::from_value(next - now), pushed_);
            continue;
        }
        while (!changes_.empty() && changes_.top().time <= now) {
            apply(changes_.top());
            changes_.pop();
        }
    }
}

}  // namespace opusim::model
