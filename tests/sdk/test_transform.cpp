// End to end: Opu::transform through SDK, driver and the SystemC device equals the physics
// capture (the same chain `opusim capture` used before the stack existed) bit for bit, for the
// same seeds, whatever the pass size; batch dims and bit-packed input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/opusim.hpp"
#include "opusim/physics/capture.hpp"
#include "opusim/physics/device_geometry.hpp"
#include "random_bits.hpp"

namespace {

namespace contract = opusim::contract;

using opusim::ArrayView;
using opusim::Opu;
using opusim::OpuSettings;

using opusim::testing_support::random_bits;

// The physics capture of FRAMES rows, frame k keyed by sequence k, as `opusim capture` does.
std::vector<std::uint16_t> physics_capture(const std::string& profile_name, std::uint64_t seed,
                                           std::uint64_t noise_seed, bool noise,
                                           std::size_t n_features, std::size_t n_components,
                                           opusim::contract::InputRoiStrategy strategy,
                                           const std::vector<std::uint8_t>& bits,
                                           std::size_t frames, double exposure_us) {
    namespace physics = opusim::physics;
    const auto profile = physics::DeviceProfile::load(profile_name);
    const auto layout = contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd),
                                                    n_features, strategy);
    const auto roi =
        contract::make_output_roi(opusim::physics::sensor_geometry(profile.camera), n_components);
    auto settings = physics::CaptureSettings::from_profile(profile);
    settings.device_seed = seed;
    settings.noise_seed = noise_seed;
    settings.noise = noise;
    const physics::CaptureChain chain(profile, layout, roi.pixels, settings);
    std::vector<std::uint16_t> out(frames * n_components);
    if (profile.camera.bits <= 8) {
        std::vector<std::uint8_t> narrow(out.size());
        chain.capture(bits.data(), frames, 0, exposure_us, narrow.data());
        std::copy(narrow.begin(), narrow.end(), out.begin());
    } else {
        chain.capture(bits.data(), frames, 0, exposure_us, out.data());
    }
    return out;
}

TEST(Transform, EqualsThePhysicsCaptureBitForBitThroughTheWholeStack) {
    const std::size_t n_features = 300;
    const std::size_t n_components = 500;
    const std::size_t frames = 24;
    const auto bits = random_bits(frames * n_features, 11);

    OpuSettings settings;
    settings.device = "sim:gen2?seed=7&noise_seed=3";
    settings.n_components = n_components;
    Opu opu(settings);
    opu.fit1d(n_features);
    const auto result = opu.transform(ArrayView<std::uint8_t>(bits, {frames, n_features}));

    const auto expected = physics_capture("gen2", 7, 3, true, n_features, n_components,
                                          opusim::contract::InputRoiStrategy::Full, bits, frames,
                                          result.context.exposure_us);
    ASSERT_EQ(result.output.shape, (opusim::Shape{frames, n_components}));
    EXPECT_EQ(result.output.values, expected);
    // The context is the device's: frames used, simulated time advancing, ROI, lit mirrors.
    EXPECT_EQ(result.context.frames, frames);
    EXPECT_GT(result.context.end_s, result.context.start_s);
    EXPECT_EQ(result.context.input_roi.n_features, n_features);
    EXPECT_EQ(result.context.input_roi.strategy, "full");
    EXPECT_GT(result.context.lit_mirrors_mean, 0);
    EXPECT_GE(result.context.output_roi.width * result.context.output_roi.height, n_components);
}

// The two input formats (docs/device-abi.md "Data formats"): packed features expanded by the
// device's formatter (the default) and whole DMD patterns formatted by the host give the same
// outputs bit for bit; only the link's time differs, as the bytes it moves.
TEST(Transform, PackedFeaturesAndHostFormattingGiveTheSameOutputs) {
    const std::size_t n_features = 1000;
    const std::size_t n_components = 300;
    const std::size_t frames = 40;
    const auto bits = random_bits(frames * n_features, 5);
    auto run = [&](bool host_formatting) {
        OpuSettings settings;
        settings.device = "sim:gen2?seed=7&noise_seed=3";
        settings.n_components = n_components;
        settings.host_formatting = host_formatting;
        Opu opu(settings);
        opu.fit1d(n_features);
        return opu.transform(ArrayView<std::uint8_t>(bits, {frames, n_features}));
    };
    const auto packed = run(false);
    const auto patterns = run(true);
    EXPECT_EQ(packed.output.values, patterns.output.values);
    EXPECT_EQ(packed.context.lit_mirrors_mean, patterns.context.lit_mirrors_mean);
    // gen2's link moves 125 bytes a frame instead of 129,960: a shorter input DMA per frame, so
    // the job (pipeline fill included) ends sooner in device time.
    EXPECT_LT(packed.context.end_s - packed.context.start_s,
              patterns.context.end_s - patterns.context.start_s);
}

TEST(Transform, Gen3TenBitAndSmallStrategyEqualPhysics) {
    const std::size_t n_features = 64;
    const std::size_t n_components = 100;
    const std::size_t frames = 10;
    const auto bits = random_bits(frames * n_features, 5);
    OpuSettings settings;
    settings.device = "sim:gen3?seed=1&noise_seed=2";
    settings.n_components = n_components;
    settings.input_roi_strategy = opusim::InputRoiStrategy::Small;
    Opu opu(settings);
    opu.fit1d(n_features);
    const auto result = opu.transform(ArrayView<std::uint8_t>(bits, {frames, n_features}));
    const auto expected = physics_capture("gen3", 1, 2, true, n_features, n_components,
                                          opusim::contract::InputRoiStrategy::Small, bits, frames,
                                          result.context.exposure_us);
    EXPECT_EQ(result.output.values, expected);
}

TEST(Transform, ResultsIndependentOfPassSizeAndMinimumBatch) {
    const std::size_t n_features = 100;
    const std::size_t frames = 37;
    const auto bits = random_bits(frames * n_features, 3);
    std::vector<std::vector<std::uint16_t>> outputs;
    std::vector<std::size_t> passes;
    for (const std::size_t pass : {std::size_t{3000}, std::size_t{10}, std::size_t{7}}) {
        OpuSettings settings;
        settings.device = "sim:gen2?seed=4&noise_seed=9";
        settings.n_components = 64;
        settings.n_samples_by_pass = pass;
        settings.min_batch_size = pass == 7 ? 16 : 1;  // padded passes give the same rows
        Opu opu(settings);
        opu.fit1d(n_features);
        const auto result = opu.transform(ArrayView<std::uint8_t>(bits, {frames, n_features}));
        outputs.push_back(result.output.values);
        passes.push_back(result.context.passes);
    }
    EXPECT_EQ(outputs[0], outputs[1]);
    EXPECT_EQ(outputs[0], outputs[2]);
    EXPECT_EQ(passes, (std::vector<std::size_t>{1, 4, 6}));
}

// The progress callback sees every frame of the call, in steps of at most a job, ending at
// done == total; results are the same with it as without it.
TEST(Transform, ProgressReportsEveryFrameAndChangesNoResult) {
    const std::size_t n_features = 60;
    const std::size_t frames = 700;  // three jobs of at most 256 frames
    const auto bits = random_bits(frames * n_features, 5);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> reports;
    std::vector<std::vector<std::uint16_t>> outputs;
    for (const bool with_progress : {false, true}) {
        OpuSettings settings;
        settings.device = "sim:gen2?seed=4&noise_seed=9";
        settings.n_components = 32;
        if (with_progress) {
            settings.progress = [&](std::uint64_t done, std::uint64_t total) {
                reports.emplace_back(done, total);
            };
        }
        Opu opu(settings);
        opu.fit1d(n_features);
        outputs.push_back(
            opu.transform(ArrayView<std::uint8_t>(bits, {frames, n_features})).output.values);
    }
    EXPECT_EQ(outputs[0], outputs[1]);
    ASSERT_EQ(reports.size(), 3u);
    EXPECT_EQ(reports.back(), (std::pair<std::uint64_t, std::uint64_t>{frames, frames}));
    for (std::size_t i = 0; i < reports.size(); ++i) {
        EXPECT_EQ(reports[i].second, frames);
        if (i > 0) {
            EXPECT_GT(reports[i].first, reports[i - 1].first);
        }
    }
}

TEST(Transform, KeepsBatchDimsAndAcceptsBitPackedInput) {
    const std::size_t n_features = 20;
    const auto bits = random_bits(2 * 3 * n_features, 8);
    OpuSettings settings;
    settings.device = "sim:gen2?seed=4&noise_seed=9";
    settings.n_components = 16;
    Opu unpacked_opu(settings);
    unpacked_opu.fit1d(n_features);
    const auto unpacked = unpacked_opu.transform(ArrayView<std::uint8_t>(bits, {2, 3, n_features}));
    EXPECT_EQ(unpacked.output.shape, (opusim::Shape{2, 3, 16}));
    unpacked_opu.close();

    // numpy.packbits(bits, axis=-1): 20 bits -> 3 bytes, MSB first, zero padded.
    std::vector<std::uint8_t> packed(6 * 3, 0);
    for (std::size_t r = 0; r < 6; ++r) {
        for (std::size_t f = 0; f < n_features; ++f) {
            if (bits[r * n_features + f]) packed[r * 3 + f / 8] |= std::uint8_t(0x80u >> (f % 8));
        }
    }
    Opu packed_opu(settings);
    packed_opu.fit1d(n_features, /*packed=*/true);
    const auto from_packed = packed_opu.transform(ArrayView<std::uint8_t>(packed, {2, 3, 3}));
    EXPECT_EQ(from_packed.output.shape, unpacked.output.shape);
    EXPECT_EQ(from_packed.output.values, unpacked.output.values);

    // One sample (1-D input) gives a 1-D output.
    const auto single = packed_opu.transform(ArrayView<std::uint8_t>(packed.data(), {3}));
    EXPECT_EQ(single.output.shape, (opusim::Shape{16}));
}

TEST(Transform, Fit2dTakesTheLastTwoAxesAsOneSample) {
    const auto bits = random_bits(4 * 5 * 6, 21);
    OpuSettings settings;
    settings.device = "sim:gen2?seed=4&noise_seed=9";
    settings.n_components = 32;
    Opu opu(settings);
    const auto result = opu.fit_transform2d(ArrayView<std::uint8_t>(bits, {4, 5, 6}));
    EXPECT_EQ(opu.n_features(), 30u);
    EXPECT_EQ(result.output.shape, (opusim::Shape{4, 32}));
}

TEST(Transform, ExposureOverridePerCallReachesTheDevice) {
    const std::size_t n_features = 50;
    const auto bits = random_bits(8 * n_features, 2);
    OpuSettings settings;
    settings.device = "sim:gen2?seed=4&noise=off";
    settings.n_components = 40;
    Opu opu(settings);
    opu.fit1d(n_features);
    opusim::Overrides shorter;
    shorter.exposure_us = 100;
    const auto normal = opu.transform(ArrayView<std::uint8_t>(bits, {8, n_features}));
    const auto short_exposure =
        opu.transform(ArrayView<std::uint8_t>(bits, {8, n_features}), shorter);
    EXPECT_EQ(short_exposure.context.exposure_us, 100);
    double sum_normal = 0;
    double sum_short = 0;
    for (const auto v : normal.output.values) sum_normal += v;
    for (const auto v : short_exposure.output.values) sum_short += v;
    // Noiseless camera: signal scales with exposure (4x shorter), minus the black offset.
    EXPECT_LT(sum_short, 0.5 * sum_normal);
}

TEST(Transform, RescaledSubtractsTheDarkLevelAndScalesPerLitMirror) {
    const std::size_t n_features = 200;
    const std::size_t frames = 40;
    const auto bits = random_bits(frames * n_features, 17);
    OpuSettings settings;
    settings.device = "sim:gen2?seed=12&noise_seed=1";
    settings.n_components = 400;
    Opu opu(settings);
    opu.fit1d(n_features);
    const auto rescaled =
        opu.transform_rescaled(ArrayView<std::uint8_t>(bits, {frames, n_features}));
    // E[y] = lit mirrors in units of one lit mirror's mean intensity (speckle mean ∝ ||x||^2):
    // the per-frame mean over 400 exponential pixels is within 5 sigma = 5/sqrt(400) = 25 %.
    double mean = 0;
    for (const auto v : rescaled.output.values) mean += v;
    mean /= double(rescaled.output.values.size());
    EXPECT_NEAR(mean / rescaled.context.lit_mirrors_mean, 1.0, 0.25);
}

}  // namespace

namespace {

TEST(Transform, FrametimeOverrideSetsTheDeviceFramePeriod) {
    const std::size_t n_features = 64;
    const std::size_t frames = 64;
    const auto bits = random_bits(frames * n_features, 4);
    OpuSettings settings;
    settings.device = "sim:gen2?seed=4";
    settings.n_components = 32;
    Opu opu(settings);
    opu.fit1d(n_features);
    const ArrayView<std::uint8_t> x(bits, {frames, n_features});
    const auto normal = opu.transform(x);  // gen2: 500 us frames
    opusim::Overrides slower;
    slower.frametime_us = 1000;
    const auto slow = opu.transform(x, slower);
    EXPECT_EQ(slow.context.frametime_us, 1000);
    // 64 frames at 1 ms instead of 0.5 ms, plus the same ~3 ms pipeline latency either way:
    // (64 + 3) / (32 + 3) = 1.9.
    const double ratio = slow.context.device_time_s() / normal.context.device_time_s();
    EXPECT_GT(ratio, 1.7);
    EXPECT_LT(ratio, 2.1);
}

TEST(Transform, LaterCallsContinueTheNoiseSequence) {
    const std::size_t n_features = 40;
    const std::size_t n_components = 50;
    const std::size_t frames = 6;
    const auto bits = random_bits(frames * n_features, 9);
    OpuSettings settings;
    settings.device = "sim:gen2?seed=7&noise_seed=3";
    settings.n_components = n_components;
    Opu opu(settings);
    opu.fit1d(n_features);
    const ArrayView<std::uint8_t> x(bits, {frames, n_features});
    const auto first = opu.transform(x);
    const auto second = opu.transform(x);
    EXPECT_EQ(second.context.first_sequence, frames);
    EXPECT_EQ(opu.next_sequence(), 2 * frames);
    EXPECT_NE(first.output.values, second.output.values);  // fresh camera noise
    // The second call is the physics capture of the same rows numbered from 6.
    namespace physics = opusim::physics;
    const auto profile = physics::DeviceProfile::load("gen2");
    auto capture = physics::CaptureSettings::from_profile(profile);
    capture.device_seed = 7;
    capture.noise_seed = 3;
    const physics::CaptureChain chain(
        profile,
        contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), n_features,
                                    contract::InputRoiStrategy::Full),
        contract::make_output_roi(opusim::physics::sensor_geometry(profile.camera), n_components)
            .pixels,
        capture);
    std::vector<std::uint8_t> expected(frames * n_components);
    chain.capture(bits.data(), frames, frames, second.context.exposure_us, expected.data());
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), second.output.values.begin()));
}

}  // namespace
