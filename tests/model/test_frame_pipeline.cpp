// The stage pipeline on its own: periods emerge from the stages, FIFOs apply back-pressure, the
// critical path names the bottleneck.
#include <gtest/gtest.h>

#include "../../sim/model/src/controller/frame_pipeline.hpp"

namespace opusim::model {
namespace {

constexpr std::uint64_t kUs = 1000000;  // picoseconds

StageDurations durations() {
    StageDurations d;
    d.link_in = 10 * kUs;
    d.dmd_load = 20 * kUs;
    d.dmd_settle = 5 * kUs;
    d.exposure = 30 * kUs;
    d.frame_overhead = 4 * kUs;
    d.readout = 25 * kUs;
    d.link_out = 8 * kUs;
    return d;
}

PipelineMeasure run(const StageDurations& d, std::uint32_t in_fifo, std::uint32_t out_fifo,
                    std::uint64_t frames) {
    FramePipeline pipeline(d, in_fifo, out_fifo);
    pipeline.start_job(0, 0);
    for (std::uint64_t i = 0; i < frames; ++i) pipeline.schedule_next();
    return pipeline.measure();
}

TEST(FramePipeline, ExposureBoundPeriodIsExposurePlusTheLongerGap) {
    const auto m = run(durations(), 4, 4, 100);
    // exposure 30 + max(settle 5, FOT 4) = 35 us.
    EXPECT_DOUBLE_EQ(m.steady_period_ps, 35.0 * kUs);
    EXPECT_EQ(m.bottleneck(), StageId::Exposure);
}

TEST(FramePipeline, EachStageCanBeTheBottleneck) {
    struct Case {
        void (*tweak)(StageDurations&);
        double period_us;
        StageId bottleneck;
    };
    const Case cases[] = {
        {[](StageDurations& d) { d.link_in = 80 * kUs; }, 80, StageId::LinkIn},
        {[](StageDurations& d) { d.dmd_load = 70 * kUs; }, 75, StageId::Dmd},
        {[](StageDurations& d) { d.readout = 90 * kUs; }, 94, StageId::Readout},
        {[](StageDurations& d) { d.link_out = 60 * kUs; }, 60, StageId::LinkOut},
        {[](StageDurations& d) { d.frametime = 100 * kUs; }, 100, StageId::Frametime},
    };
    for (const auto& c : cases) {
        auto d = durations();
        c.tweak(d);
        const auto m = run(d, 4, 4, 200);
        EXPECT_NEAR(m.steady_period_ps, c.period_us * kUs, 1.0) << stage_name(c.bottleneck);
        EXPECT_EQ(m.bottleneck(), c.bottleneck) << stage_name(c.bottleneck);
    }
}

TEST(FramePipeline, OutputFifoBackPressureHoldsTheCamera) {
    auto d = durations();
    d.link_out = 60 * kUs;
    FramePipeline pipeline(d, 4, 2);
    pipeline.start_job(0, 0);
    for (int i = 0; i < 50; ++i) pipeline.schedule_next();
    for (std::uint64_t k = 2; k < 50; ++k) {
        // Readout of frame k waits for a free output slot: frame k-2's output DMA must be done.
        EXPECT_GE(pipeline.frame(k).start[static_cast<int>(Op::Readout)],
                  pipeline.frame(k - 2).end[static_cast<int>(Op::Out)]);
    }
}

TEST(FramePipeline, SingleFifoSlotsSerialiseNeighbouringStages) {
    auto d = durations();
    // With one input slot the input DMA of frame k waits for the DMD to load frame k-1:
    // the cycle (link_in + dmd_load) / 1 = 30 us no longer hides behind the 35 us exposure cycle
    // once loads get longer.
    d.dmd_load = 28 * kUs;
    d.link_in = 20 * kUs;
    const auto m = run(d, 1, 4, 200);
    EXPECT_NEAR(m.steady_period_ps, 48.0 * kUs, 1.0);
}

TEST(FramePipeline, NextInputStartIsWhenTheNextFramesInputDmaStarts) {
    // The sequencer issues each frame's input DMA at next_input_start(), before scheduling it.
    auto d = durations();
    d.dmd_load = 40 * kUs;  // the input FIFO fills, so later DMAs wait for a free slot
    FramePipeline pipeline(d, 2, 4);
    pipeline.start_job(3 * kUs, 0);
    for (int i = 0; i < 20; ++i) {
        const std::uint64_t expected = pipeline.next_input_start();
        EXPECT_EQ(pipeline.schedule_next().begin(), expected) << "frame " << i;
    }
    EXPECT_EQ(pipeline.frame(0).begin(), 3 * kUs);
}

TEST(FramePipeline, BusyTimeIsTheUnionOfEachStagesWork) {
    const auto m = run(durations(), 4, 4, 10);
    EXPECT_EQ(m.busy[static_cast<int>(StageId::LinkIn)], 10 * 10 * kUs);
    EXPECT_EQ(m.busy[static_cast<int>(StageId::Dmd)], 10 * 25 * kUs);
    EXPECT_EQ(m.busy[static_cast<int>(StageId::Readout)], 10 * 25 * kUs);
}

}  // namespace
}  // namespace opusim::model
