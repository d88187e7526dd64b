// The stages' timing classes alone: each duration is a whole number of controller cycles computed
// from the profile, and stage_durations() composes them into the frame pipeline's input.
#include <gtest/gtest.h>

#include "../../sim/model/src/camera/camera_stage.hpp"
#include "../../sim/model/src/controller/clock.hpp"
#include "../../sim/model/src/controller/stage_durations.hpp"
#include "../../sim/model/src/dmd/dmd.hpp"
#include "../../sim/model/src/link/host_link.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {
namespace {

const ControllerClock kClock(250);  // 4 ns per cycle

contract::InputLayout layout(std::uint64_t first_mirror, std::uint64_t n_features,
                             std::uint64_t replication, std::uint64_t total_mirrors) {
    contract::InputLayout result;
    result.first_mirror = first_mirror;
    result.n_features = n_features;
    result.replication = replication;
    result.total_mirrors = total_mirrors;
    return result;
}

TEST(HostLinkTiming, EachPiecePaysTheLatencyAndThePayloadStreamsAtTheBandwidth) {
    physics::LinkParams params;
    params.bandwidth_gb_per_s = 1.6;  // 1600 bytes per microsecond
    params.latency_us = 3;            // 750 cycles
    params.software_overhead_us = 25;
    params.max_transfer_bytes = 1000;
    HostLink link;
    link.configure(params, kClock);
    EXPECT_EQ(link.transfer_cycles(0), 0u);
    EXPECT_EQ(link.transfer_cycles(800), 750u + 125u);  // one piece, 0.5 us of payload
    // 2500 bytes: three pieces, 1.5625 us of payload = 390.625 cycles, rounded up.
    EXPECT_EQ(link.transfer_cycles(2500), 3u * 750u + 391u);
    EXPECT_EQ(link.software_overhead_cycles(), 25u * 250u);
}

TEST(HostLinkTiming, RejectsALinkThatCannotTransfer) {
    physics::LinkParams params;
    params.bandwidth_gb_per_s = 0;
    HostLink link;
    EXPECT_THROW(link.configure(params, kClock), std::invalid_argument);
    params.bandwidth_gb_per_s = 1;
    params.max_transfer_bytes = 0;
    EXPECT_THROW(link.configure(params, kClock), std::invalid_argument);
}

TEST(DmdTiming, LoadsOnlyTheRowsTheFeatureWindowSpans) {
    physics::DmdParams params;
    params.columns = 100;
    params.rows = 50;
    params.load_clock_mhz = 400;
    params.load_clocks_per_row = 16;  // 0.04 us = 10 cycles per row
    params.settle_us = 13;
    params.min_display_us = 2;
    Dmd dmd;
    dmd.configure(params, kClock);
    const std::uint64_t mirrors = params.mirrors();
    EXPECT_EQ(dmd.rows_spanned(layout(0, 100, 1, mirrors)), 1u);
    EXPECT_EQ(dmd.rows_spanned(layout(50, 100, 1, mirrors)), 2u);  // mirrors 50..149
    EXPECT_EQ(dmd.rows_spanned(layout(0, 100, 3, mirrors)), 3u);   // mirrors 0..299
    EXPECT_EQ(dmd.load_cycles(layout(50, 100, 1, mirrors)), 20u);
    EXPECT_EQ(dmd.load_cycles(layout(0, 5000, 1, mirrors)), 500u);  // the whole DMD
    EXPECT_EQ(dmd.settle_cycles(), 13u * 250u);
    EXPECT_EQ(dmd.min_display_cycles(), 2u * 250u);
}

TEST(CameraTiming, ExposureOverheadAndReadoutOfTheRoiRows) {
    physics::CameraParams params;
    params.row_time_us = 0.41;
    params.frame_overhead_us = 50;
    params.trigger_latency_us = 20;
    params.bits = 10;
    CameraStage camera;
    camera.configure(params, kClock);
    EXPECT_EQ(camera.exposure_cycles(400000), 100000u);  // 400 us
    EXPECT_EQ(camera.exposure_cycles(1), 1u);            // a part of a cycle takes a whole one
    EXPECT_EQ(camera.frame_overhead_cycles(), 50u * 250u);
    EXPECT_EQ(camera.trigger_latency_cycles(), 20u * 250u);
    EXPECT_EQ(camera.readout_cycles(100), 10250u);  // 100 rows x 0.41 us
    EXPECT_EQ(camera.bytes_per_pixel(), 2u);
}

TEST(StageDurations, ComposeTheStagesCyclesForTheLatchedConfiguration) {
    const auto profile = physics::DeviceProfile::load("gen2");
    const ControllerClock clock(profile.controller.clock_mhz);
    HostLink link;
    Dmd dmd;
    CameraStage camera;
    link.configure(profile.link, clock);
    dmd.configure(profile.dmd, clock);
    camera.configure(profile.camera, clock);

    JobConfig config;
    config.layout = layout(0, 1000, 1, profile.dmd.mirrors());
    config.n_components = 3000;
    config.roi_height = 20;
    config.exposure_ns = 300000;
    config.frametime_ns = 2000000;
    const StageDurations d =
        stage_durations(StageTimings{link, dmd, camera}, clock, profile, config);

    const std::uint64_t input_bytes = (profile.dmd.mirrors() + 7) / 8;
    const std::uint64_t output_bytes = 3000u * camera.bytes_per_pixel();
    EXPECT_EQ(d.link_in, clock.ps(link.transfer_cycles(input_bytes)));
    EXPECT_EQ(d.link_out, clock.ps(link.transfer_cycles(output_bytes)));
    EXPECT_EQ(d.dmd_load, clock.ps(dmd.load_cycles(config.layout)));
    EXPECT_EQ(d.dmd_settle, clock.ps(dmd.settle_cycles()));
    EXPECT_EQ(d.dmd_min_display, clock.ps(dmd.min_display_cycles()));
    EXPECT_EQ(d.exposure, 300000000u);  // 300 us in ps, a whole number of cycles
    EXPECT_EQ(d.frame_overhead, clock.ps(camera.frame_overhead_cycles()));
    EXPECT_EQ(d.readout, clock.ps(camera.readout_cycles(20)));
    EXPECT_EQ(d.frametime, 2000000000u);
}

}  // namespace
}  // namespace opusim::model
