// linear_transform: a real Gaussian projection recovered from intensity frames only. Checked
// against the simulator's oracle (the true effective matrix of the device, physics
// EffectiveMedium::oracle_matrix, never used by the SDK) and for linearity. The bounds are the
// ones documented in docs/sdk.md ("Linear transform: accuracy").
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <vector>

#include "ideal_linear_oracle.hpp"
#include "opusim/opusim.hpp"
#include "opusim/physics/effective_medium.hpp"
#include "opusim/physics/medium.hpp"
#include "opusim/physics/profile.hpp"

namespace {

namespace contract = opusim::contract;

using opusim::ArrayView;
using opusim::Opu;
using opusim::OpuSettings;

using opusim::testing_support::gaussian_rows;

// The projection the device implements, from the true matrix: Re(e^{-i arg r_j} C_j x) /
// sqrt(replication), r_j the reference field (sum of the reference features' columns).
std::vector<double> oracle_projection(const opusim::Context& context,
                                      const std::string& profile_name, std::uint64_t seed,
                                      const std::vector<float>& x, std::size_t rows,
                                      std::size_t n_features) {
    namespace physics = opusim::physics;
    const auto profile = physics::DeviceProfile::load(profile_name);
    const contract::InputLayout layout = opusim::testing_support::layout_of_context(context);
    const physics::Medium medium(profile.medium, seed);
    const physics::EffectiveMedium effective(medium, layout, context.output_pixels,
                                             profile.dmd.contrast_ratio);
    const auto matrix = effective.oracle_matrix();
    const std::size_t f_total = layout.n_features;
    const std::size_t m = context.output_pixels.size();
    std::vector<double> z(rows * m);
    for (std::size_t j = 0; j < m; ++j) {
        std::complex<double> r = 0;
        // The reference features follow the signal (the dither features follow them).
        const std::size_t reference_end = n_features + context.input_roi.reference_features;
        for (std::size_t f = n_features; f < reference_end; ++f)
            r += std::complex<double>(matrix[j * f_total + f]);
        const std::complex<double> phase = std::conj(r) / std::abs(r);
        for (std::size_t i = 0; i < rows; ++i) {
            std::complex<double> field = 0;
            for (std::size_t f = 0; f < n_features; ++f) {
                field +=
                    std::complex<double>(matrix[j * f_total + f]) * double(x[i * n_features + f]);
            }
            z[i * m + j] = (phase * field).real() / std::sqrt(double(layout.replication));
        }
    }
    return z;
}

double relative_error(const std::vector<float>& y, const std::vector<double>& z, double scale = 1) {
    double err = 0;
    double norm = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        err += (double(y[i]) - scale * z[i]) * (double(y[i]) - scale * z[i]);
        norm += scale * z[i] * scale * z[i];
    }
    return std::sqrt(err / norm);
}

double best_scale(const std::vector<float>& y, const std::vector<double>& z) {
    double yz = 0;
    double zz = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        yz += double(y[i]) * z[i];
        zz += z[i] * z[i];
    }
    return yz / zz;
}

struct LinearRun {
    opusim::Result<float> result;
    std::vector<double> oracle;
};

LinearRun run_linear(const std::string& uri, std::uint64_t seed, std::size_t rows,
                     std::size_t n_features, std::size_t n_components, std::uint32_t data_seed,
                     unsigned repeats = 1) {
    OpuSettings settings;
    settings.device = uri;
    settings.n_components = n_components;
    settings.linear.repeats = repeats;
    Opu opu(settings);
    opu.fit1d(n_features);
    const auto x = gaussian_rows(rows, n_features, data_seed);
    LinearRun run;
    run.result = opu.linear_transform(ArrayView<float>(x, {rows, n_features}));
    run.oracle = oracle_projection(run.result.context, "gen2", seed, x, rows, n_features);
    return run;
}

// Progress of a linear call counts its bit-plane frames and the first call's calibration, and
// ends at done == total.
TEST(LinearTransform, ProgressEndsAtDoneEqualsTotal) {
    const std::size_t samples = 20;
    const std::size_t n_features = 30;
    std::vector<float> x(samples * n_features);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 11) - 5.0f;
    std::uint64_t done = 0;
    std::uint64_t total = 0;
    std::size_t calls = 0;
    OpuSettings settings;
    settings.device = "sim:gen2?seed=5&noise=off";
    settings.n_components = 16;
    settings.max_n_features = n_features;
    settings.progress = [&](std::uint64_t d, std::uint64_t t) {
        EXPECT_GE(d, done);
        EXPECT_GE(t, d);
        done = d;
        total = t;
        ++calls;
    };
    Opu opu(settings);
    opu.fit1d(n_features);
    const auto result = opu.linear_transform(ArrayView<float>(x, {samples, n_features}));
    EXPECT_GT(calls, 1u);
    EXPECT_EQ(done, total);
    // 2 x 8 bit-planes per sample, plus the calibration's frames.
    EXPECT_GE(total, samples * 16);
    EXPECT_EQ(total, result.context.frames);
}

TEST(LinearTransform, MatchesTheOracleProjectionNoiseless) {
    const auto run = run_linear("sim:gen2?seed=5&noise=off", 5, 16, 200, 150, 1);
    const double scale = best_scale(run.result.output.values, run.oracle);
    const double error = relative_error(run.result.output.values, run.oracle);
    const double shape_error = relative_error(run.result.output.values, run.oracle, scale);
    RecordProperty("relative_error", std::to_string(error));
    RecordProperty("shape_error", std::to_string(shape_error));
    std::printf("noiseless: relative error %.4f, after the best global scale %.4f (scale %.4f)\n",
                error, shape_error, scale);
    // Measured 0.074 (docs/sdk.md): the 8-bit camera's rounding dominates (its share falls as
    // 1/exposure), then the per-pixel normalisation by the measured reference (leakage of the off
    // mirrors, about 3 % rms per output). The bound leaves a third of margin for other seeds.
    EXPECT_LT(error, 0.10);
    EXPECT_LT(shape_error, 0.10);
}

TEST(LinearTransform, MatchesTheOracleProjectionWithCameraNoise) {
    const auto run = run_linear("sim:gen2?seed=5&noise_seed=8", 5, 16, 200, 150, 1);
    const double scale = best_scale(run.result.output.values, run.oracle);
    const double error = relative_error(run.result.output.values, run.oracle);
    const double shape_error = relative_error(run.result.output.values, run.oracle, scale);
    std::printf("noisy: relative error %.4f, after the best global scale %.4f (scale %.4f)\n",
                error, shape_error, scale);
    // Measured 0.112: shot noise of the reference-on frames dominates (docs/sdk.md).
    EXPECT_LT(error, 0.15);
    EXPECT_LT(shape_error, 0.15);
    // 16 frames a vector (8 bit-planes x reference on/off) plus the one-off calibration.
    EXPECT_GE(run.result.context.frames, 16u * run.result.context.linear_error.frames_per_vector);
}

TEST(LinearTransform, RepeatedPlanesAverageTheCameraNoise) {
    const auto once = run_linear("sim:gen2?seed=5&noise_seed=8", 5, 16, 200, 150, 1, 1);
    const auto four = run_linear("sim:gen2?seed=5&noise_seed=8", 5, 16, 200, 150, 1, 4);
    const double error_once = relative_error(once.result.output.values, once.oracle);
    const double error_four = relative_error(four.result.output.values, four.oracle);
    std::printf("noisy: 1 repeat %.4f, 4 repeats %.4f\n", error_once, error_four);
    // Shot noise averages as 1/sqrt(repeats): at one exposure the derived shot term would halve;
    // the calibration also re-chooses exposure and pixels for the repeats' budget (measured ratio
    // 0.57), so the check is that at least half of the ideal gain is there (ratio < 0.75). The
    // calibration's error and the global scale (about 3.5 % here) do not average, and the scheme
    // already holds the noise near them (0.053 -> 0.043 measured): the measured error must fall.
    const auto& budget_once = once.result.context.linear_error;
    const auto& budget_four = four.result.context.linear_error;
    EXPECT_LT(budget_four.shot / budget_once.shot, 0.75);
    EXPECT_LT(error_four, error_once);
    const std::uint64_t per_vector = once.result.context.linear_error.frames_per_vector;
    EXPECT_EQ(four.result.context.linear_error.frames_per_vector, 4 * per_vector);
    // Each call is its first (calibration included); the layouts differ (four times the couples
    // need more dither features), so their calibrations may take different exposure rounds:
    // only the vectors' frames are fixed.
    EXPECT_GE(four.result.context.frames, 16u * 4u * per_vector);
    EXPECT_GE(once.result.context.frames, 16u * per_vector);
}

TEST(LinearTransform, IsLinear) {
    OpuSettings settings;
    settings.device = "sim:gen2?seed=5&noise=off";
    settings.n_components = 100;
    Opu opu(settings);
    const std::size_t n = 120;
    const std::size_t rows = 8;
    opu.fit1d(n);
    const auto x = gaussian_rows(rows, n, 3);
    const auto y = gaussian_rows(rows, n, 4);
    const float a = 0.7f;
    const float b = -1.3f;
    std::vector<float> combined(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) combined[i] = a * x[i] + b * y[i];
    const auto tx = opu.linear_transform(ArrayView<float>(x, {rows, n}));
    const auto ty = opu.linear_transform(ArrayView<float>(y, {rows, n}));
    const auto tc = opu.linear_transform(ArrayView<float>(combined, {rows, n}));
    double diff = 0;
    double norm = 0;
    for (std::size_t i = 0; i < tc.output.values.size(); ++i) {
        const double expected = a * tx.output.values[i] + b * ty.output.values[i];
        diff += (tc.output.values[i] - expected) * (tc.output.values[i] - expected);
        norm += double(tc.output.values[i]) * tc.output.values[i];
    }
    // Three independent errors of at most 0.10 relative each (the oracle bound above), of
    // weights 1, |a| and |b| on comparable norms: sqrt(1 + 0.49 + 1.69) x 0.10 = 0.18.
    EXPECT_LT(std::sqrt(diff / norm), 0.18);
    // The calibration ran once: later calls use only the vectors' frames (2 x the pairs a
    // noiseless camera gets: its photon-transfer fit finds only the rounding).
    EXPECT_EQ(ty.context.linear_error.frames_per_vector,
              2u * OpuSettings{}.linear.rounding_plane_pairs);
    EXPECT_EQ(ty.context.frames, rows * ty.context.linear_error.frames_per_vector);
}

TEST(LinearTransform, ZeroRowsProjectToZeroAndBatchDimsAreKept) {
    OpuSettings settings;
    settings.device = "sim:gen2?seed=5&noise=off";
    settings.n_components = 10;
    Opu opu(settings);
    opu.fit1d(16);
    std::vector<float> x(2 * 3 * 16, 0.0f);
    for (std::size_t f = 0; f < 16; ++f) x[16 + f] = float(f) - 7.5f;  // only sample [0, 1]
    const auto result = opu.linear_transform(ArrayView<float>(x, {2, 3, 16}));
    ASSERT_EQ(result.output.shape, (opusim::Shape{2, 3, 10}));
    for (std::size_t j = 0; j < 10; ++j) {
        EXPECT_EQ(result.output.values[j], 0.0f);
        EXPECT_NE(result.output.values[10 + j], 0.0f);
    }
}

}  // namespace
