// End-to-end jobs through the ABI: timing-only and functional, determinism, the physics oracle.
#include <gtest/gtest.h>

#include <random>

#include "model_fixture.hpp"
#include "opusim/physics/device_geometry.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/registers.hpp"
#include "opusim/physics/capture.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"

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
    EXPECT_EQ(outcome.error, contract::DeviceError::None);
    EXPECT_EQ(outcome.status, contract::job_status::kCompleted);
    EXPECT_EQ(outcome.frames_done, 200u);
    EXPECT_EQ(host.device().read_register(contract::reg::kFramesIn), 200u);
    EXPECT_EQ(host.device().read_register(contract::reg::kFramesOut), 200u);
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
    const auto layout =
        contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), n_features, contract::InputRoiStrategy::Auto);
    const auto features = random_features(frames, n_features, 7);
    const auto packed = contract::format_frames(layout, features.data(), frames);
    const std::uint64_t first_sequence = 1000;
    const JobOutcome outcome = host.run(packed.data(), frames, first_sequence);
    ASSERT_TRUE(outcome.interrupted);
    ASSERT_EQ(outcome.error, contract::DeviceError::None);
    ASSERT_EQ(outcome.frames_done, frames);

    physics::CaptureSettings capture_settings = physics::CaptureSettings::from_profile(profile);
    capture_settings.chunk_frames = 37;  // a chunking unlike the device's
    const auto roi = contract::make_output_roi(opusim::physics::sensor_geometry(profile.camera), n_components);
    const physics::CaptureChain chain(profile, layout, roi.pixels, capture_settings);
    std::vector<std::uint8_t> expected(frames * n_components);
    chain.capture(features.data(), frames, first_sequence, profile.camera.exposure_us,
                  expected.data());
    EXPECT_EQ(outcome.output, expected);
}

struct FunctionalRun {
    JobOutcome outcome;
    DeviceStatistics stats;
};

FunctionalRun run_functional(TestHost& host, const std::vector<std::uint8_t>& packed,
                             std::uint64_t frames, std::uint64_t first_sequence) {
    FunctionalRun run;
    run.outcome = host.run(packed.data(), frames, first_sequence);
    run.stats = host.device().statistics();
    return run;
}

TEST(DeviceJobs, SameJobGivesIdenticalTimestampsAndOutputsTwiceAndAfterReset) {
    TestHost& host = host_for("gen3");
    const auto& profile = host.device().profile();
    const std::uint64_t n_features = 200, n_components = 500, frames = 100;
    const auto settings = JobSettings::for_sizes(profile, n_features, n_components);
    host.configure(settings);
    const auto layout =
        contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), n_features, contract::InputRoiStrategy::Auto);
    const auto features = random_features(frames, n_features, 11);
    const auto packed = contract::format_frames(layout, features.data(), frames);

    host.reset();
    host.configure(settings);
    const auto first = run_functional(host, packed, frames, 0);
    host.reset();  // statistics restart, so the second run's are comparable
    host.configure(settings);
    const auto second = run_functional(host, packed, frames, 0);
    host.reset();
    host.configure(settings);
    const auto after_reset = run_functional(host, packed, frames, 0);
    for (const auto* run : {&second, &after_reset}) {
        ASSERT_EQ(run->outcome.error, contract::DeviceError::None);
        EXPECT_EQ(run->outcome.output, first.outcome.output);
        EXPECT_EQ(run->outcome.end_ns - run->outcome.start_ns,
                  first.outcome.end_ns - first.outcome.start_ns);
        EXPECT_EQ(run->stats.frame_period_s, first.stats.frame_period_s);
        EXPECT_EQ(run->stats.latency_p50_s, first.stats.latency_p50_s);
        EXPECT_EQ(run->stats.latency_p99_s, first.stats.latency_p99_s);
        EXPECT_EQ(run->stats.simulated_time_s, first.stats.simulated_time_s);
    }
    // Twice in a row without a reset: the same job again, the same outputs and job duration.
    const auto again = run_functional(host, packed, frames, 0);
    EXPECT_EQ(again.outcome.output, first.outcome.output);
    EXPECT_EQ(again.outcome.end_ns - again.outcome.start_ns,
              first.outcome.end_ns - first.outcome.start_ns);
}

TEST(DeviceJobs, OutputsDoNotDependOnHowABatchIsSplitIntoJobs) {
    TestHost& host = host_for("gen2");
    const auto& profile = host.device().profile();
    const std::uint64_t n_features = 100, n_components = 256, frames = 150;
    const auto settings = JobSettings::for_sizes(profile, n_features, n_components);
    host.configure(settings);
    const auto layout =
        contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), n_features, contract::InputRoiStrategy::Auto);
    const auto features = random_features(frames, n_features, 5);
    const auto packed = contract::format_frames(layout, features.data(), frames);
    const std::size_t frame_bytes = packed.size() / frames;

    const auto whole = host.run(packed.data(), frames, 500);
    std::vector<std::uint8_t> split;
    for (const std::uint64_t begin : {0u, 7u, 90u}) {
        const std::uint64_t end = begin == 0 ? 7 : begin == 7 ? 90 : frames;
        std::vector<std::uint8_t> part(
            packed.begin() + static_cast<std::ptrdiff_t>(begin * frame_bytes),
            packed.begin() + static_cast<std::ptrdiff_t>(end * frame_bytes));
        const auto outcome = host.run(part.data(), end - begin, 500 + begin);
        ASSERT_EQ(outcome.error, contract::DeviceError::None);
        split.insert(split.end(), outcome.output.begin(), outcome.output.end());
    }
    EXPECT_EQ(split, whole.output);
}

TEST(DeviceJobs, TwelveBitCameraWritesLittleEndianWordsEqualToThePhysics) {
    auto profile = testing::profile("gen2");
    profile.camera.bits = 12;
    profile.camera.system_gain_dn_per_electron *= 16;
    TestHost& host = host_for(profile);
    EXPECT_EQ(host.device().read_register(contract::reg::kCapBytesPerPixel), 2u);
    const std::uint64_t n_features = 50, n_components = 100, frames = 20;
    const auto settings = JobSettings::for_sizes(profile, n_features, n_components);
    host.configure(settings);
    const auto layout =
        contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), n_features, contract::InputRoiStrategy::Auto);
    const auto features = random_features(frames, n_features, 3);
    const auto packed = contract::format_frames(layout, features.data(), frames);
    const auto outcome = host.run(packed.data(), frames, 42);
    ASSERT_EQ(outcome.error, contract::DeviceError::None);
    ASSERT_EQ(outcome.output.size(), frames * n_components * 2);

    const auto roi = contract::make_output_roi(opusim::physics::sensor_geometry(profile.camera), n_components);
    const physics::CaptureChain chain(profile, layout, roi.pixels,
                                      physics::CaptureSettings::from_profile(profile));
    std::vector<std::uint16_t> expected(frames * n_components);
    chain.capture(features.data(), frames, 42, profile.camera.exposure_us, expected.data());
    std::size_t above_8_bits = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto value =
            static_cast<std::uint16_t>(outcome.output[2 * i] | (outcome.output[2 * i + 1] << 8));
        ASSERT_EQ(value, expected[i]) << "pixel " << i;
        above_8_bits += value > 255;
    }
    EXPECT_GT(above_8_bits, 0u);  // the high byte is exercised
}

TEST(DeviceJobs, OracleEffectiveMediumIsTheLastJobsConfiguration) {
    TestHost& host = host_for("gen2");
    const auto settings = JobSettings::for_sizes(host.device().profile(), 30, 40);
    host.configure(settings);
    std::vector<std::uint8_t> packed(host.device().read_register(contract::reg::kCapInputFrameBytes));
    ASSERT_EQ(host.run(packed.data(), 1).error, contract::DeviceError::None);
    const auto* medium = host.device().oracle_effective_medium();
    ASSERT_NE(medium, nullptr);
    EXPECT_EQ(medium->n_features(), 30u);
    EXPECT_EQ(medium->n_pixels(), 40u);
}

}  // namespace
}  // namespace opusim::model
