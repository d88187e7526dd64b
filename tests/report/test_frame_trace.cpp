// The device's frame trace (TRACE_* registers) read through the driver: the schedule of the last
// frames, each operation as long as the stage durations of docs/timing.md make it, in pipeline
// order, and the same for the same job run twice.
#include <gtest/gtest.h>

#include <cmath>

#include "opusim/contract/data_format.hpp"
#include "opusim/contract/registers.hpp"
#include "opusim/driver/device.hpp"

namespace {

using opusim::driver::Device;
using opusim::driver::TracedFrame;

constexpr std::uint32_t kFrames = 40;

// Runs a timing-only job of kFrames frames with ROI height 100 rows on gen2 and returns the trace.
std::vector<TracedFrame> traced_job(Device& device) {
    auto config = device.config();
    config.n_features = 10000;
    config.replication = 1;
    config.first_mirror = 0;
    config.roi_x = 0;
    config.roi_y = 0;
    config.roi_width = device.info().camera_width;
    config.roi_height = 100;
    config.n_components = 1000;
    config.timing_only = true;
    device.configure(config);
    const std::uint32_t in = device.info().input_frame_bytes;
    auto input = device.allocate(in);
    auto output = device.allocate(4096);
    device.run({&input, 0, in, &output, 0, 1000, kFrames, 0}, 10.0);
    return device.frame_trace();
}

double op_us(const TracedFrame& frame, std::size_t op) {
    return (frame.operations[op].end_s - frame.operations[op].start_s) * 1e6;
}

TEST(FrameTrace, HoldsTheLastFramesWithTheirStageDurations) {
    auto device = Device::open("sim:gen2");
    EXPECT_TRUE(device->frame_trace().empty()) << "no frame has run yet";
    const auto trace = traced_job(*device);
    ASSERT_EQ(trace.size(), opusim::contract::trace::kDepth);
    for (std::size_t i = 0; i < trace.size(); ++i) {
        const TracedFrame& frame = trace[i];
        EXPECT_EQ(frame.index_in_job, kFrames - trace.size() + i);
        ASSERT_EQ(frame.operations.size(), opusim::contract::trace::kOps);
        for (std::size_t op = 0; op < frame.operations.size(); ++op) {
            EXPECT_EQ(frame.operations[op].name, opusim::contract::trace::kOpNames[op]);
            EXPECT_LE(frame.operations[op].start_s, frame.operations[op].end_s);
            // Each operation starts after the previous one of the same frame ended.
            if (op > 0) {
                EXPECT_GE(frame.operations[op].start_s, frame.operations[op - 1].end_s);
            }
        }
        // gen2's profile (docs/timing.md): exposure 400 us, settle 13 us, FOT 50 us, readout
        // 100 rows x 0.41 us; the trace holds the model's picosecond schedule, cycle-rounded
        // (4 ns cycles), so within 0.01 us.
        EXPECT_NEAR(op_us(frame, 3), 400.0, 0.01);
        EXPECT_NEAR(op_us(frame, 2), 13.0, 0.01);
        EXPECT_NEAR(op_us(frame, 4), 50.0, 0.01);
        EXPECT_NEAR(op_us(frame, 5), 41.0, 0.01);
        if (i > 0) {
            // Frametime-bound (500 us): exposures start one frame time apart.
            const double spacing =
                (frame.operations[3].start_s - trace[i - 1].operations[3].start_s) * 1e6;
            EXPECT_NEAR(spacing, 500.0, 0.01);
        }
    }
}

TEST(FrameTrace, IsTheSameForTheSameJobAfterReset) {
    auto device = Device::open("sim:gen2");
    const auto first = traced_job(*device);
    device->recover();
    const auto second = traced_job(*device);
    ASSERT_EQ(first.size(), second.size());
    // Times are absolute device time (not reset): compare each frame's offsets from its job's
    // first shown input DMA, to the picosecond (the registers' unit; doubles of a few ms carry
    // ~1e-18 s rounding).
    for (std::size_t i = 0; i < first.size(); ++i) {
        for (std::size_t op = 0; op < first[i].operations.size(); ++op) {
            EXPECT_NEAR(first[i].operations[op].start_s - first[0].operations[0].start_s,
                        second[i].operations[op].start_s - second[0].operations[0].start_s, 1e-12);
        }
    }
}

TEST(FrameTrace, WindowShowsZerosPastTheCount) {
    auto device = Device::open("sim:gen2");
    traced_job(*device);
    device->write_register(opusim::contract::reg::kControl, opusim::contract::control::kSnapshot);
    device->write_register(opusim::contract::reg::kTraceSelect, opusim::contract::trace::kDepth);
    EXPECT_EQ(device->read_register(opusim::contract::reg::kTraceStartPsLo), 0u);
    EXPECT_EQ(device->read_register(opusim::contract::reg::kTraceDepth),
              opusim::contract::trace::kDepth);
}

}  // namespace
