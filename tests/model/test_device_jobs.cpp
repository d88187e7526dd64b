// End-to-end jobs through the driver: timing-only and functional, determinism, the physics oracle
// (the physics capture chain, computed here from the same profile and the same host formatting).
#include <gtest/gtest.h>

#include <random>

#include "model_fixture.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/contract/registers.hpp"
#include "opusim/physics/capture.hpp"

namespace opusim::model {
namespace {

using testing::job_config;
using testing::open_device;
using testing::run_functional;

std::vector<std::uint8_t> random_features(std::size_t frames, std::size_t features, unsigned seed) {
    std::mt19937 generator(seed);
    std::bernoulli_distribution bit(0.5);
    std::vector<std::uint8_t> bits(frames * features);
    for (auto& b : bits) b = bit(generator) ? 1 : 0;
    return bits;
}

TEST(DeviceJobs, TimingOnlyJobCompletesWithEveryFrame) {
    auto device = open_device("gen2");
    auto config = job_config(device->info(), device->config(), 1000, 10000);
    config.timing_only = true;
    device->configure(config);
    const std::uint32_t out_frame = testing::output_frame_bytes(*device, config);
    driver::Buffer input = device->allocate(device->info().input_frame_bytes);
    driver::Buffer output = device->allocate(out_frame);
    input.sync(driver::SyncDirection::ToDevice);
    output.sync(driver::SyncDirection::ToDevice);
    // Completes (a failed job or a missing interrupt throws), every frame written back.
    const auto done = device->run(
        {&input, 0, device->info().input_frame_bytes, &output, 0, out_frame, 200, 0}, 1e4);
    EXPECT_EQ(done.frames, 200u);
    EXPECT_EQ(device->read_register(contract::reg::kErrorCode), 0u);
    EXPECT_EQ(device->read_register(contract::reg::kFramesIn), 200u);
    EXPECT_EQ(device->read_register(contract::reg::kFramesOut), 200u);
    const auto stats = device->statistics();
    EXPECT_NEAR(stats.frame_rate_hz, 2000.0, 2000.0 * 0.001);  // gen2 default frametime 500 us
    EXPECT_EQ(stats.bottleneck, "frametime");
}

TEST(DeviceJobs, FunctionalOutputEqualsThePhysicsCapture) {
    const auto profile = testing::profile("gen2");
    auto device = open_device("gen2");
    const std::uint64_t n_features = 64, n_components = 300, frames = 150;
    device->configure(job_config(device->info(), device->config(), n_features, n_components));
    const auto layout = contract::make_input_layout(device->info().dmd, n_features,
                                                    contract::InputRoiStrategy::Auto);
    const auto features = random_features(frames, n_features, 7);
    const auto packed = contract::format_frames(layout, features.data(), frames);
    const std::uint64_t first_sequence = 1000;
    const auto outcome = run_functional(*device, packed, frames, first_sequence);
    ASSERT_EQ(outcome.completion.frames, frames);

    physics::CaptureSettings capture_settings = physics::CaptureSettings::from_profile(profile);
    capture_settings.chunk_frames = 37;  // a chunking unlike the device's
    const auto roi = contract::make_output_roi(device->info().sensor, n_components);
    const physics::CaptureChain chain(profile, layout, roi.pixels, capture_settings);
    std::vector<std::uint8_t> expected(frames * n_components);
    chain.capture(features.data(), frames, first_sequence, profile.camera.exposure_us,
                  expected.data());
    EXPECT_EQ(outcome.output, expected);
}

struct FunctionalRun {
    testing::FunctionalOutcome outcome;
    driver::DeviceStatistics stats;
};

FunctionalRun run_and_measure(driver::Device& device, const std::vector<std::uint8_t>& packed,
                              std::uint64_t frames, std::uint64_t first_sequence) {
    FunctionalRun run;
    run.outcome = run_functional(device, packed, frames, first_sequence);
    run.stats = device.statistics();
    return run;
}

TEST(DeviceJobs, SameJobGivesIdenticalTimestampsAndOutputsTwiceAndAfterReset) {
    auto device = open_device("gen3");
    const std::uint64_t n_features = 200, n_components = 500, frames = 100;
    device->configure(job_config(device->info(), device->config(), n_features, n_components));
    const auto layout = contract::make_input_layout(device->info().dmd, n_features,
                                                    contract::InputRoiStrategy::Auto);
    const auto features = random_features(frames, n_features, 11);
    const auto packed = contract::format_frames(layout, features.data(), frames);

    // recover(): RESET, then the ring and the same configuration again.
    device->recover();
    const auto first = run_and_measure(*device, packed, frames, 0);
    device->recover();  // statistics restart, so the second run's are comparable
    const auto second = run_and_measure(*device, packed, frames, 0);
    device->recover();
    const auto after_reset = run_and_measure(*device, packed, frames, 0);
    for (const auto* run : {&second, &after_reset}) {
        ASSERT_EQ(run->outcome.completion.frames, frames);
        EXPECT_EQ(run->outcome.output, first.outcome.output);
        EXPECT_EQ(run->outcome.end_ns - run->outcome.start_ns,
                  first.outcome.end_ns - first.outcome.start_ns);
        EXPECT_EQ(run->stats.frame_period_s, first.stats.frame_period_s);
        EXPECT_EQ(run->stats.latency_p50_s, first.stats.latency_p50_s);
        EXPECT_EQ(run->stats.latency_p99_s, first.stats.latency_p99_s);
        EXPECT_EQ(run->stats.simulated_time_s, first.stats.simulated_time_s);
    }
    // Twice in a row without a reset: the same job again, the same outputs and job duration.
    const auto again = run_and_measure(*device, packed, frames, 0);
    EXPECT_EQ(again.outcome.output, first.outcome.output);
    EXPECT_EQ(again.outcome.end_ns - again.outcome.start_ns,
              first.outcome.end_ns - first.outcome.start_ns);
}

TEST(DeviceJobs, OutputsDoNotDependOnHowABatchIsSplitIntoJobs) {
    auto device = open_device("gen2");
    const std::uint64_t n_features = 100, n_components = 256, frames = 150;
    device->configure(job_config(device->info(), device->config(), n_features, n_components));
    const auto layout = contract::make_input_layout(device->info().dmd, n_features,
                                                    contract::InputRoiStrategy::Auto);
    const auto features = random_features(frames, n_features, 5);
    const auto packed = contract::format_frames(layout, features.data(), frames);
    const std::size_t frame_bytes = packed.size() / frames;

    const auto whole = run_functional(*device, packed, frames, 500);
    std::vector<std::uint8_t> split;
    for (const std::uint64_t begin : {0u, 7u, 90u}) {
        const std::uint64_t end = begin == 0 ? 7 : begin == 7 ? 90 : frames;
        std::vector<std::uint8_t> part(
            packed.begin() + static_cast<std::ptrdiff_t>(begin * frame_bytes),
            packed.begin() + static_cast<std::ptrdiff_t>(end * frame_bytes));
        const auto outcome = run_functional(*device, part, end - begin, 500 + begin);
        ASSERT_EQ(outcome.completion.frames, end - begin);
        split.insert(split.end(), outcome.output.begin(), outcome.output.end());
    }
    EXPECT_EQ(split, whole.output);
}

TEST(DeviceJobs, TwelveBitCameraWritesLittleEndianWordsEqualToThePhysics) {
    auto profile = testing::profile("gen2");
    profile.camera.bits = 12;
    profile.camera.system_gain_dn_per_electron *= 16;
    auto device = open_device(profile);
    EXPECT_EQ(device->read_register(contract::reg::kCapBytesPerPixel), 2u);
    EXPECT_EQ(device->info().bytes_per_pixel, 2u);
    const std::uint64_t n_features = 50, n_components = 100, frames = 20;
    device->configure(job_config(device->info(), device->config(), n_features, n_components));
    const auto layout = contract::make_input_layout(device->info().dmd, n_features,
                                                    contract::InputRoiStrategy::Auto);
    const auto features = random_features(frames, n_features, 3);
    const auto packed = contract::format_frames(layout, features.data(), frames);
    const auto outcome = run_functional(*device, packed, frames, 42);
    ASSERT_EQ(outcome.completion.frames, frames);
    ASSERT_EQ(outcome.output.size(), frames * n_components * 2);

    const auto roi = contract::make_output_roi(device->info().sensor, n_components);
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

// The device builds its effective medium for each job's configuration. The medium itself is
// inside the device's process now (the old test read it through SimulatedDevice's oracle
// accessor); what shows it is that each job's output is the physics of that job's shape, also
// after a job of another shape.
TEST(DeviceJobs, OracleEffectiveMediumIsTheLastJobsConfiguration) {
    const auto profile = testing::profile("gen2");
    auto device = open_device("gen2");
    const auto defaults = device->config();
    const std::uint64_t frames = 8;
    for (const auto& [n_features, n_components] :
         {std::pair<std::uint64_t, std::uint64_t>{64, 300}, {30, 40}}) {
        device->configure(job_config(device->info(), defaults, n_features, n_components));
        const auto layout = contract::make_input_layout(device->info().dmd, n_features,
                                                        contract::InputRoiStrategy::Auto);
        const auto features = random_features(frames, n_features, 13);
        const auto packed = contract::format_frames(layout, features.data(), frames);
        const auto outcome = run_functional(*device, packed, frames, 0);
        ASSERT_EQ(outcome.completion.frames, frames);
        ASSERT_EQ(outcome.output.size(), frames * n_components);
        const auto roi = contract::make_output_roi(device->info().sensor, n_components);
        const physics::CaptureChain chain(profile, layout, roi.pixels,
                                          physics::CaptureSettings::from_profile(profile));
        std::vector<std::uint8_t> expected(frames * n_components);
        chain.capture(features.data(), frames, 0, profile.camera.exposure_us, expected.data());
        EXPECT_EQ(outcome.output, expected) << n_features << " features, " << n_components
                                            << " components";
    }
}

}  // namespace
}  // namespace opusim::model
