// End-to-end jobs through the ABI: timing-only and functional, determinism, the physics oracle.
#include <gtest/gtest.h>

#include <random>

#include "model_fixture.hpp"
#include "opusim/abi/job_descriptor.hpp"
#include "opusim/abi/registers.hpp"
#include "opusim/physics/capture.hpp"
#include "opusim/physics/dmd_format.hpp"
#include "opusim/physics/output_roi.hpp"

namespace opusim::model {
namespace {

using testing::host_for;

std::vector<std::uint8_t> random_features(std::size_t frames, std::size_t features, unsigned seed) {
    std::mt19937 generator(seed);
    std::bernoulli_distribution bit(0.5);
    std::vector<std::uint8_t> bits(frames * features);
    for (auto& b : bits) b = bit(generator) ? 1 : 0;
    return bits;
}

TEST(DeviceJobs, TimingOnlyJobCompletesWithEveryFrame) {
    TestHost& host = host_for("gen2");
    auto settings = JobSettings::for_sizes(host.device().profile(), 1000, 10000);
    settings.timing_only = true;
    host.configure(settings);
    const JobOutcome outcome = host.run(nullptr, 200);
    ASSERT_TRUE(outcome.interrupted);
    EXPECT_EQ(outcome.error, abi::DeviceError::None);
    EXPECT_EQ(outcome.status, abi::job_status::kCompleted);
    EXPECT_EQ(outcome.frames_done, 200u);
    EXPECT_EQ(host.device().read_register(abi::reg::kFramesIn), 200u);
    EXPECT_EQ(host.device().read_register(abi::reg::kFramesOut), 200u);
    const auto stats = host.device().statistics();
    EXPECT_NEAR(stats.frame_rate_hz, 2000.0, 2000.0 * 0.001);  // gen2 default frametime 500 us
    EXPECT_EQ(stats.bottleneck, "frametime");
}

TEST(DeviceJobs, FunctionalOutputEqualsThePhysicsCapture) {
    TestHost& host = host_for("gen2");
    const auto& profile = host.device().profile();
    const std::uint64_t n_features = 64, n_components = 300, frames = 150;
    const auto settings = JobSettings::for_sizes(profile, n_features, n_components);
    host.configure(settings);
    const auto layout = physics::make_input_layout(profile.dmd, n_features, physics::InputRoiStrategy::Auto);
    const auto features = random_features(frames, n_features, 7);
    const auto packed = physics::format_frames(layout, features.data(), frames);
    const std::uint64_t first_sequence = 1000;
    const JobOutcome outcome = host.run(packed.data(), frames, first_sequence);
    ASSERT_TRUE(outcome.interrupted);
    ASSERT_EQ(outcome.error, abi::DeviceError::None);
    ASSERT_EQ(outcome.frames_done, frames);

    physics::CaptureSettings capture_settings = physics::CaptureSettings::from_profile(profile);
    capture_settings.chunk_frames = 37;  // a chunking unlike the device's
    const auto roi = physics::make_output_roi(profile.camera, n_components);
    const physics::CaptureChain chain(profile, layout, roi.pixels, capture_settings);
    std::vector<std::uint8_t> expected(frames * n_components);
    chain.capture(features.data(), frames, first_sequence, profile.camera.exposure_us, expected.data());
    EXPECT_EQ(outcome.output, expected);
}

}  // namespace
}  // namespace opusim::model
