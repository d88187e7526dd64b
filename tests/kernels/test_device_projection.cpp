// The device projection (linear mode through the SDK) inside FAVOR+: its scale (sqrt(2) M stands
// for N(0, 1) entries), agreement with the simulator's oracle matrix, and the batching and cost
// report of an attention call (one device call, frames and simulated time from the model).
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <string>
#include <vector>

#include "../sdk/ideal_linear_oracle.hpp"
#include "kernel_test_support.hpp"
#include "opusim/kernels/device_projection.hpp"
#include "opusim/kernels/exact_attention.hpp"
#include "opusim/kernels/favor_attention.hpp"
#include "opusim/physics/effective_medium.hpp"
#include "opusim/physics/medium.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::kernels {
namespace {

namespace contract = opusim::contract;

constexpr std::uint64_t kMediumSeed = 5;
const std::string kNoiselessDevice = "sim:gen2?seed=5&noise=off";

// The input layout the device used for a call, from its context.
contract::InputLayout layout_of(const Context& context) {
    return opusim::testing_support::layout_of_context(context);
}

// Oracle only: the matrix the linear mode implements, sqrt(2) Re(e^{-i arg r_j} C_jf) /
// sqrt(replication) (r_j the reference field: the sum of the reference features' columns), from
// the true effective medium of the call's layout and pixels. The SDK never sees it.
std::vector<float> oracle_matrix(const Context& context, std::size_t d) {
    const auto profile = physics::DeviceProfile::load("gen2");
    const contract::InputLayout layout = layout_of(context);
    const physics::Medium medium(profile.medium, kMediumSeed);
    const physics::EffectiveMedium effective(medium, layout, context.output_pixels,
                                             profile.dmd.contrast_ratio);
    const auto c = effective.oracle_matrix();
    const std::size_t total = layout.n_features;
    const std::size_t m = context.output_pixels.size();
    std::vector<float> w(m * d);
    const double scale = std::sqrt(2.0 / double(layout.replication));
    for (std::size_t j = 0; j < m; ++j) {
        std::complex<double> r = 0;
        // The reference features follow the signal (the layout's dither features follow them).
        const std::size_t reference_end = d + context.input_roi.reference_features;
        for (std::size_t f = d; f < reference_end; ++f) r += std::complex<double>(c[j * total + f]);
        const std::complex<double> phase = std::conj(r) / std::abs(r);
        for (std::size_t f = 0; f < d; ++f) {
            w[j * d + f] = float(scale * (phase * std::complex<double>(c[j * total + f])).real());
        }
    }
    return w;
}

double relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
    double diff = 0, norm = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
        norm += double(b[i]) * b[i];
    }
    return std::sqrt(diff / norm);
}

TEST(DeviceLinearProjection, StandsForStandardNormalEntriesAndMatchesTheOracle) {
    const std::size_t m = 128, d = 32, rows = 16;
    DeviceLinearProjection projection(m, d, kNoiselessDevice);
    const Tensor4 x = testing::random_tensor({1, 1, rows, d}, 1.0, 31);
    std::vector<float> u(rows * m);
    const ProjectionCost cost =
        projection.project(dense(x.data(), rows, d), dense(u.data(), rows, m));
    ASSERT_TRUE(projection.last_context().has_value());
    // Scale: u_j / |x| ~ N(0, 1) over the m x rows outputs; the mean of their squares is within
    // 5 sigma (sigma = sqrt(2 / n)) of 1, widened by the linear mode's own error against the
    // oracle (<= 0.10 relative, docs/sdk.md / tests/sdk), i.e. |mean - 1| < 5 sqrt(2/n) + 0.2.
    double mean_square = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
        double norm2 = 0.0;
        for (std::size_t f = 0; f < d; ++f)
            norm2 += double(x.data()[r * d + f]) * x.data()[r * d + f];
        for (std::size_t j = 0; j < m; ++j)
            mean_square += double(u[r * m + j]) * u[r * m + j] / norm2;
    }
    mean_square /= double(rows * m);
    EXPECT_LT(std::abs(mean_square - 1.0), 5.0 * std::sqrt(2.0 / double(rows * m)) + 0.2);
    // Against the oracle matrix: the SDK's bound for the noiseless linear mode (0.10, measured
    // 0.074: the 8-bit camera's rounding), now through the sqrt(2) scaling of this projection.
    const std::vector<float> w = oracle_matrix(*projection.last_context(), d);
    MatrixProjection oracle(w, m, d, "oracle");
    std::vector<float> expected(rows * m);
    oracle.project(dense(x.data(), rows, d), dense(expected.data(), rows, m));
    const double error = relative_difference(u, expected);
    std::printf("device u vs oracle: relative error %.4f; mean u^2/|x|^2 %.4f; frames %llu\n",
                error, mean_square, static_cast<unsigned long long>(cost.frames));
    EXPECT_LT(error, 0.10);
    EXPECT_GT(cost.frames, rows * 2);  // reference on/off per bit-plane, plus calibration
    EXPECT_GT(cost.device_time_s, 0.0);
}

TEST(DeviceLinearProjection, AttentionUsesOneDeviceCallAndMatchesTheOracleFavor) {
    const std::size_t m = 64, d = 16, length = 48, heads = 2;
    const auto [q, k, v] = testing::random_attention_inputs(heads, length, d, 0.25, 41);
    DeviceLinearProjection projection(m, d, kNoiselessDevice);
    FavorReport report;
    const Tensor4 device_out = favor_attention(q, k, v, projection, {}, &report);
    EXPECT_EQ(report.projection.calls, 1u);
    EXPECT_EQ(report.projection.rows, 2u * heads * length);
    const Context& context = *projection.last_context();
    EXPECT_EQ(report.projection.frames, context.frames);
    EXPECT_DOUBLE_EQ(report.projection.device_time_s, context.device_time_s());
    // Timing comes from the model: at least one frame period per frame.
    EXPECT_GE(report.projection.device_time_s,
              0.999 * double(report.projection.frames) * context.frametime_us * 1e-6);

    // CPU FAVOR+ with the oracle matrix. The device's u differs from the oracle's by <= 0.10 of
    // its rms (the bound above); rms(u) = |c x| = 0.25 d^(1/4) = 0.5. exp turns an error du into
    // a relative feature error du, and the output, a ratio of feature-weighted sums, moves by at
    // most about twice that: 2 x 0.10 x 0.5 = 0.10.
    MatrixProjection oracle(oracle_matrix(context, d), m, d, "oracle");
    const Tensor4 oracle_out = favor_attention(q, k, v, oracle, {});
    const double gap = relative_error(device_out, oracle_out);
    const Tensor4 exact = exact_attention(q, k, v);
    std::printf(
        "device FAVOR+ vs oracle FAVOR+ %.4f; vs exact: device %.4f, oracle %.4f; "
        "frames %llu, device time %.3f s\n",
        gap, relative_error(device_out, exact), relative_error(oracle_out, exact),
        static_cast<unsigned long long>(report.projection.frames), report.projection.device_time_s);
    EXPECT_LT(gap, 0.10);
}

TEST(DeviceLinearProjection, AttentionIsDeterministicWithCameraNoise) {
    // Same device seeds, same inputs -> bit-identical output: the camera noise is keyed by the
    // frame sequence, which restarts at 0 when the device is opened.
    const std::size_t m = 32, d = 8, length = 24;
    const auto [q, k, v] = testing::random_attention_inputs(1, length, d, 0.25, 61);
    std::vector<std::vector<float>> outputs;
    for (const char* uri : {"sim:gen2?seed=5&noise_seed=9", "sim:gen2?seed=5&noise_seed=9",
                            "sim:gen2?seed=5&noise_seed=10"}) {
        DeviceLinearProjection projection(m, d, uri);
        FavorOptions options;
        options.causal = true;
        outputs.push_back(favor_attention(q, k, v, projection, options).values());
    }
    EXPECT_EQ(outputs[0], outputs[1]);
    EXPECT_NE(outputs[0], outputs[2]);  // the noise is really there: another noise seed differs
}

// Oracle only: the intensities the device's native mode measures, |field|^2 of the true effective
// medium of the call's layout and pixels (physics EffectiveMedium, units E|R_ji|^2 = 1).
class OracleIntensityProjection : public Projection {
  public:
    OracleIntensityProjection(const DeviceIntensityProjection& device, const Context& context)
        : device_(device),
          medium_(physics::DeviceProfile::load("gen2").medium, kMediumSeed),
          effective_(medium_, layout_of(context), pixels_of(context, device.output_dim()),
                     physics::DeviceProfile::load("gen2").dmd.contrast_ratio) {}
    std::size_t input_dim() const override { return device_.input_dim(); }
    std::size_t output_dim() const override { return device_.output_dim(); }
    ProjectionOutput output_kind() const override { return ProjectionOutput::Intensity; }
    ProjectionBatching batching() const override { return ProjectionBatching::Streamed; }
    std::string describe() const override { return "oracle intensities"; }

  protected:
    ProjectionCost do_project(ConstMatrix x, Matrix out) override {
        const std::vector<std::uint8_t> code = device_.encode(x);
        std::vector<float> y(x.rows * output_dim());
        effective_.intensities(code.data(), x.rows, y.data());
        for (std::size_t r = 0; r < x.rows; ++r) {
            std::copy(y.data() + r * output_dim(), y.data() + (r + 1) * output_dim(), out.row(r));
        }
        return {};
    }

  private:
    // Output i is camera pixel (y + i / w) * sensor_width + (x + i % w) of the output ROI.
    static std::vector<std::uint64_t> pixels_of(const Context& context, std::size_t m) {
        const std::uint64_t sensor_width = physics::DeviceProfile::load("gen2").camera.width;
        const OutputRoi& roi = context.output_roi;
        std::vector<std::uint64_t> pixels(m);
        for (std::size_t i = 0; i < m; ++i) {
            pixels[i] = (roi.y + i / roi.width) * sensor_width + (roi.x + i % roi.width);
        }
        return pixels;
    }
    const DeviceIntensityProjection& device_;
    physics::Medium medium_;
    physics::EffectiveMedium effective_;
};

TEST(DeviceIntensityProjection, OpticalFavorMatchesTheOracleIntensities) {
    const std::size_t m = 64, d = 16, length = 32, heads = 2;
    const auto [q, k, v] = testing::random_attention_inputs(heads, length, d, 1.0, 51);
    DeviceIntensityProjection projection(m, d, kNoiselessDevice, {-0.5f, 0.0f, 0.5f});
    FavorOptions options;
    options.kernel = FeatureKernel::Optical;
    FavorReport report;
    const Tensor4 device_out = favor_attention(q, k, v, projection, options, &report);
    EXPECT_EQ(report.projection.calls, 1u);
    EXPECT_GE(report.projection.frames, 2u * heads * length);  // one frame per row
    ASSERT_TRUE(projection.last_context().has_value());
    OracleIntensityProjection oracle(projection, *projection.last_context());
    // The features themselves: device against oracle, one row block.
    const Tensor4 device_features = favor_query_features(q, projection, options);
    const Tensor4 oracle_features = favor_query_features(q, oracle, options);
    // transform_rescaled's unit is the mean signal of one lit mirror measured by the SDK, not
    // exactly the oracle's E|R|^2 = 1 (leakage of the off mirrors, calibration): compare up to the
    // best global scale, which cancels exactly in attention's normalisation.
    double cross = 0, oracle_norm = 0;
    for (std::size_t i = 0; i < device_features.size(); ++i) {
        cross += double(device_features.data()[i]) * oracle_features.data()[i];
        oracle_norm += double(oracle_features.data()[i]) * oracle_features.data()[i];
    }
    const double scale = cross / oracle_norm;
    double residual = 0;
    for (std::size_t i = 0; i < device_features.size(); ++i) {
        const double e = device_features.data()[i] - scale * oracle_features.data()[i];
        residual += e * e;
    }
    const double shape_error = std::sqrt(residual / (scale * scale * oracle_norm));
    const Tensor4 oracle_out = favor_attention(q, k, v, oracle, options);
    const double gap = relative_error(device_out, oracle_out);
    std::printf(
        "device intensities vs oracle: scale %.4f, error after it %.4f; optical FAVOR+ "
        "device vs oracle %.4f\n",
        scale, shape_error, gap);
    // Noiseless, the rest is the 8-bit camera's rounding (tens of lit mirrors' intensity against
    // 1 DN: ~1 %) and the few saturated pixels; 5 % bounds it with margin. The unit differs by
    // the leakage of the off mirrors and the gain calibration: within 10 %. The output, a ratio
    // of feature-weighted sums, does not see the scale and averages the rest.
    EXPECT_LT(shape_error, 0.05);
    EXPECT_NEAR(scale, 1.0, 0.1);
    EXPECT_LT(gap, 0.05);
}

}  // namespace
}  // namespace opusim::kernels
