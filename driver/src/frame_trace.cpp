// Device::frame_trace(): the TRACE_* window read frame by frame after a SNAPSHOT.
#include <array>

#include "opusim/contract/registers.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/driver/transport.hpp"

namespace opusim::driver {

std::vector<TracedFrame> Device::frame_trace() {
    namespace reg = contract::reg;
    namespace trace = contract::trace;
    const std::lock_guard<std::mutex> guard(mutex_);
    std::vector<TracedFrame> frames;
    // A device without the trace (an older minor version) reads 0 here: no frames.
    if (transport_->read_register(reg::kTraceDepth) == 0) return frames;
    transport_->write_register(reg::kControl, contract::control::kSnapshot);
    const std::uint32_t count = transport_->read_register(reg::kTraceCount);
    // One batch per frame: TRACE_FRAME, then each operation's start and end (LO, HI).
    constexpr std::uint32_t kWords = 1 + 4 * trace::kOps;
    std::array<std::uint32_t, kWords> offsets{};
    offsets[0] = reg::kTraceFrame;
    for (std::uint32_t op = 0; op < trace::kOps; ++op) {
        offsets[1 + 4 * op] = reg::kTraceStartPsLo + 8 * op;
        offsets[2 + 4 * op] = reg::kTraceStartPsLo + 8 * op + 4;
        offsets[3 + 4 * op] = reg::kTraceEndPsLo + 8 * op;
        offsets[4 + 4 * op] = reg::kTraceEndPsLo + 8 * op + 4;
    }
    std::array<std::uint32_t, kWords> words{};
    const auto picoseconds = [&words](std::uint32_t lo) {
        return static_cast<double>((std::uint64_t{words[lo + 1]} << 32) | words[lo]) * 1e-12;
    };
    for (std::uint32_t i = 0; i < count; ++i) {
        transport_->write_register(reg::kTraceSelect, i);
        transport_->read_registers(offsets.data(), words.data(), kWords);
        TracedFrame frame;
        frame.index_in_job = words[0];
        for (std::uint32_t op = 0; op < trace::kOps; ++op) {
            frame.operations.push_back(
                {trace::kOpNames[op], picoseconds(1 + 4 * op), picoseconds(3 + 4 * op)});
        }
        frames.push_back(std::move(frame));
    }
    return frames;
}

}  // namespace opusim::driver
