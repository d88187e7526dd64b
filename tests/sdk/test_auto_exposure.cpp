// Automatic exposure (docs/sdk.md "Automatic exposure"): a fit measures a few frames at the
// workload's expected lit-mirror count and sets the exposure so the frames use the camera's range;
// the issue's dark-frame case (2,000 features on gen2's small input ROI) gets a usable signal, a
// well-exposed workload keeps the device's exposure (bit-identical frames), a user's exposure is
// kept, and a workload that cannot reach a usable signal is a warning, never silent dark frames.
#include <gtest/gtest.h>

#include <optional>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "ideal_linear_oracle.hpp"
#include "opusim/opusim.hpp"
#include "random_bits.hpp"

namespace {

using opusim::ArrayView;
using opusim::InputRoiStrategy;
using opusim::Opu;
using opusim::OpuSettings;

using opusim::testing_support::random_bits;

OpuSettings gen2_settings(InputRoiStrategy strategy, bool auto_exposure) {
    OpuSettings settings;
    settings.device = "sim:gen2?seed=7&noise_seed=3";
    settings.n_components = 1000;
    settings.max_n_features = 2000;
    settings.input_roi_strategy = strategy;
    settings.auto_exposure = auto_exposure;
    return settings;
}

// Mean of the values minus gen2's dark level (its offset, 3 DN: the camera's offset_dn), and the
// fraction at the 8-bit maximum.
struct Signal {
    double mean_above_dark = 0;
    double saturated_fraction = 0;
};
Signal signal_of(const std::vector<std::uint16_t>& values) {
    constexpr double kGen2DarkDn = 3.0;
    double sum = 0;
    std::size_t saturated = 0;
    for (const auto v : values) {
        sum += v;
        saturated += v == 255;
    }
    return {sum / double(values.size()) - kGen2DarkDn, double(saturated) / double(values.size())};
}

constexpr std::size_t kFeatures = 2000;
constexpr std::size_t kRows = 16;

TEST(AutoExposure, TheIssuesDarkFrameCaseGetsAUsableSignal) {
    const auto bits = random_bits(kRows * kFeatures, 12);
    const ArrayView<std::uint8_t> x(bits, {kRows, kFeatures});

    const auto dark = [&] {
        Opu fixed(gen2_settings(InputRoiStrategy::Small, false));
        fixed.fit1d(kFeatures);
        return fixed.transform(x);
    }();
    EXPECT_EQ(dark.context.exposure_source, "device");
    // The issue's measurement: 2,000 lit-at-half features, one mirror each, at 400 us give a mean
    // signal of a few hundredths of a DN: under one quantisation step.
    EXPECT_LT(signal_of(dark.output.values).mean_above_dark, 0.5);

    Opu automatic(gen2_settings(InputRoiStrategy::Small, true));
    automatic.fit1d(kFeatures);
    const auto lit = automatic.transform(x);
    EXPECT_EQ(lit.context.exposure_source, "auto");
    EXPECT_GT(lit.context.exposure_us, 100 * dark.context.exposure_us);
    EXPECT_GT(lit.context.exposure_calibration_frames, 0u);
    EXPECT_NEAR(double(lit.context.exposure_lit_mirrors), 0.5 * kFeatures, 0.05 * kFeatures);
    // The "dark" level at this exposure is the all-off frame: the camera's offset plus the light
    // the other ~1e6 off mirrors leak (1/contrast each: about half of 1,000 lit mirrors' light).
    const std::vector<std::uint8_t> zeros(kRows * kFeatures, 0);
    const double all_off =
        signal_of(
            automatic.transform(ArrayView<std::uint8_t>(zeros, {kRows, kFeatures})).output.values)
            .mean_above_dark;
    // The calibration's mean signal is at least a quarter of the aim (full scale over ln(1000),
    // 36.5 DN on gen2: the search's kept band). The data's own mean above the all-off frame is
    // the same quantity on other frames: within 15 % (16,000 speckle values average to 1 %; the
    // lit counts, binomial around 1,000 over 16 and 8 frames, to about 1 %; the rest is each
    // pixel's own mean intensity, fixed by the medium, over 1,000 pixels: about 3 %, so 15 % is
    // several standard deviations). Saturation: speckle is exponential, so a mean at most
    // 1.25 x the aim saturates at most exp(-ln(1000) / 1.25) = 0.4 % of values; the leaked light
    // adds to it: under 1 %.
    const Signal measured = signal_of(lit.output.values);
    EXPECT_GE(lit.context.exposure_signal_dn, 36.5 / 4);
    EXPECT_NEAR(measured.mean_above_dark - all_off, lit.context.exposure_signal_dn,
                0.15 * lit.context.exposure_signal_dn);
    EXPECT_LT(measured.saturated_fraction, 0.01);
}

TEST(AutoExposure, AWellExposedWorkloadKeepsTheDevicesExposureAndItsFrames) {
    const auto bits = random_bits(kRows * 500, 4);
    const ArrayView<std::uint8_t> x(bits, {kRows, 500});
    auto run = [&](bool auto_exposure) {
        Opu opu(gen2_settings(InputRoiStrategy::Full, auto_exposure));
        opu.fit1d(500);
        return opu.transform(x);
    };
    const auto a = run(false);
    const auto b = run(true);
    EXPECT_EQ(b.context.exposure_source, "auto");
    EXPECT_EQ(b.context.exposure_us, a.context.exposure_us);
    EXPECT_TRUE(b.context.exposure_warning.empty()) << b.context.exposure_warning;
    EXPECT_EQ(a.output.values, b.output.values);  // calibration frames have their own sequence
}

TEST(AutoExposure, AUsersExposureIsKeptAndNamed) {
    Opu opu(gen2_settings(InputRoiStrategy::Small, true));
    opusim::Overrides fixed;
    fixed.exposure_us = 800;
    opu.fit1d(kFeatures, false, fixed);
    const auto bits = random_bits(4 * kFeatures, 1);
    const auto result = opu.transform(ArrayView<std::uint8_t>(bits, {4, kFeatures}));
    EXPECT_EQ(result.context.exposure_us, 800);
    EXPECT_EQ(result.context.exposure_source, "user");
    EXPECT_EQ(result.context.exposure_calibration_frames, 0u);
}

TEST(AutoExposure, TheChoiceIsTheSameWhateverTheBatching) {
    const auto bits = random_bits(kRows * kFeatures, 9);
    auto run = [&](std::size_t pass) {
        OpuSettings settings = gen2_settings(InputRoiStrategy::Small, true);
        settings.n_samples_by_pass = pass;
        Opu opu(settings);
        opu.fit1d(kFeatures);
        return opu.transform(ArrayView<std::uint8_t>(bits, {kRows, kFeatures}));
    };
    const auto one = run(3000);
    const auto many = run(5);
    EXPECT_EQ(one.context.exposure_us, many.context.exposure_us);
    EXPECT_EQ(one.output.values, many.output.values);
}

TEST(AutoExposure, AWorkloadThatStaysDarkIsAWarning) {
    // Ten features of one mirror each: about five lit mirrors, thousands of times too few even at
    // gen2's longest exposure (100 ms, 250 x the default): the longest exposure, and a warning.
    Opu opu(gen2_settings(InputRoiStrategy::Small, true));
    opu.fit1d(10);
    const auto bits = random_bits(4 * 10, 3);
    const auto result = opu.transform(ArrayView<std::uint8_t>(bits, {4, 10}));
    EXPECT_EQ(result.context.exposure_us, opu.device_info().max_exposure_us);
    EXPECT_NE(result.context.exposure_warning.find("stay dark"), std::string::npos)
        << result.context.exposure_warning;
}

TEST(AutoExposure, LinearModeSaysWhetherTheUserFixedItsExposure) {
    // The linear calibration searches its exposure ("auto") unless the user fixed one: then it
    // keeps that exposure and the context says "user".
    const std::size_t n_features = 16;
    const auto x = opusim::testing_support::gaussian_rows(2, n_features, 4);
    auto run = [&](std::optional<double> exposure_us) {
        OpuSettings settings = gen2_settings(InputRoiStrategy::Full, true);
        settings.n_components = 20;
        settings.linear.calibration_frames = 4;
        opusim::Overrides overrides;
        overrides.exposure_us = exposure_us;
        Opu opu(settings);
        opu.fit1d(n_features, false, overrides);
        return opu.linear_transform(ArrayView<float>(x, {2, n_features})).context;
    };
    const auto searched = run(std::nullopt);
    EXPECT_EQ(searched.exposure_source, "auto");
    const double fixed_us = 2 * searched.exposure_us;  // not where the search ends
    const auto fixed = run(fixed_us);
    EXPECT_EQ(fixed.exposure_source, "user");
    EXPECT_EQ(fixed.exposure_us, fixed_us);
}

TEST(AutoExposure, DensityOutsideItsRangeIsRefused) {
    OpuSettings settings = gen2_settings(InputRoiStrategy::Full, true);
    settings.auto_exposure_density = 0;
    settings.open_at_init = false;
    EXPECT_THROW(Opu{settings}, std::invalid_argument);
}

}  // namespace
