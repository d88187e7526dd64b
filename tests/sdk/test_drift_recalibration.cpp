// Linear mode on a drifting medium (docs/sdk.md "Drift: detection and recalibration"): the SDK
// detects the drift from reference frames between calls and recalibrates above its bound; a fixed
// medium never triggers it; results stay reproducible whatever the batching.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "opusim/opusim.hpp"

namespace opusim {
namespace {

constexpr std::size_t kFeatures = 16;
constexpr std::size_t kComponents = 64;
// 0.25 s at gen2's 500 us frames: a segment of round(500 x (pi/2) / acos(1/e)) = 657 frames.
const std::string kDrifting = "sim:gen2?seed=5&noise_seed=8&set=medium.decorrelation_time_s=0.25";
const std::string kFixed = "sim:gen2?seed=5&noise_seed=8";

std::vector<float> gaussian_rows(std::size_t rows, unsigned seed) {
    std::mt19937 random(seed);
    std::normal_distribution<float> gaussian(0.0f, 1.0f);
    std::vector<float> x(rows * kFeatures);
    for (auto& v : x) v = gaussian(random);
    return x;
}

Opu open_opu(const std::string& device, double bound, std::size_t samples_by_pass = 3000) {
    OpuSettings settings;
    settings.device = device;
    settings.n_components = kComponents;
    settings.max_n_features = kFeatures;
    settings.n_samples_by_pass = samples_by_pass;
    settings.linear.recalibration_error_bound = bound;
    Opu opu(settings);
    opu.fit1d(kFeatures);
    return opu;
}

Result<float> project(Opu& opu, std::size_t rows, unsigned seed) {
    const std::vector<float> x = gaussian_rows(rows, seed);
    return opu.linear_transform(ArrayView<float>(x, {rows, kFeatures}));
}

// The bound sits between the estimate a few frames after a calibration (sin of a small angle plus
// the noise of a correlation over 8 x 64 values) and the estimate half a segment later,
// sin(pi/4) = 0.71 for the fields.
constexpr double kBound = 0.4;

TEST(DriftRecalibration, DetectsDriftAndRecalibratesAboveTheBound) {
    Opu opu = open_opu(kDrifting, kBound);
    const auto first = project(opu, 2, 1);  // calibrates and takes the baseline
    EXPECT_EQ(first.context.recalibrations, 0u);
    EXPECT_EQ(first.context.drift_error_estimate, 0.0);
    const auto soon = project(opu, 2, 2);  // a few frames later: little drift
    EXPECT_LT(soon.context.drift_error_estimate, kBound);
    EXPECT_EQ(soon.context.recalibrations, 0u);
    project(opu, 25, 3);  // 400 frames: more than half a segment
    const auto late = project(opu, 2, 4);
    EXPECT_GT(late.context.drift_error_estimate, kBound);
    EXPECT_EQ(late.context.recalibrations, 1u);
    const auto after = project(opu, 2, 5);  // the new calibration is fresh again
    EXPECT_LT(after.context.drift_error_estimate, kBound);
}

TEST(DriftRecalibration, AFixedMediumNeverTriggersIt) {
    Opu opu = open_opu(kFixed, kBound);
    project(opu, 2, 1);
    project(opu, 25, 3);
    const auto late = project(opu, 2, 4);
    EXPECT_LT(late.context.drift_error_estimate, kBound);
    EXPECT_EQ(late.context.recalibrations, 0u);
}

// One run's outputs and estimates over three calls (a process holds a device once: one at a
// time).
std::vector<float> three_calls(std::size_t samples_by_pass) {
    Opu opu = open_opu(kDrifting, kBound, samples_by_pass);
    std::vector<float> values;
    for (unsigned call = 0; call < 3; ++call) {
        const auto result = project(opu, 12, call);
        values.insert(values.end(), result.output.values.begin(), result.output.values.end());
        values.push_back(static_cast<float>(result.context.drift_error_estimate));
    }
    return values;
}

TEST(DriftRecalibration, ReproducibleWhateverTheBatching) {
    EXPECT_EQ(three_calls(3000), three_calls(7));
}

// The check runs once per linear_transform call, before its first frame, whatever the call's
// rows and passes (docs/sdk.md): each call after the first spends the 8 reference frames once, so
// how rows are split into calls (not into passes) decides where the checks fall.
TEST(DriftRecalibration, ChecksOncePerCallWhateverItsSize) {
    constexpr std::uint64_t kReferenceFrames = 8;  // DriftMonitor's frames per showing
    Opu opu = open_opu(kFixed, kBound, 5);         // 5-row passes: 12 rows take 3
    project(opu, 2, 1);
    for (const std::size_t rows : {std::size_t{2}, std::size_t{12}}) {
        const auto result = project(opu, rows, 2);
        ASSERT_EQ(result.context.recalibrations, 0u);
        EXPECT_EQ(result.context.frames,
                  rows * result.context.linear_error.frames_per_vector + kReferenceFrames)
            << rows << " rows";
    }
}

TEST(DriftRecalibration, OffByDefaultAndABadBoundIsRefused) {
    Opu opu = open_opu(kDrifting, 0);
    project(opu, 2, 1);
    project(opu, 25, 3);
    const auto late = project(opu, 2, 4);
    EXPECT_EQ(late.context.drift_error_estimate, 0.0);
    EXPECT_EQ(late.context.recalibrations, 0u);
    opu.close();

    Opu bad = open_opu(kFixed, -1);
    try {
        project(bad, 1, 1);
        FAIL() << "a negative bound must be refused";
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find("linear.recalibration_error_bound"),
                  std::string::npos);
    }
}

}  // namespace
}  // namespace opusim
