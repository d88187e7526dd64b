// Ideal mode (noise=ideal; docs/sdk.md "Ideal mode"): the device writes float intensities without
// noise, quantisation or clipping, so linear_transform equals, within float rounding, the oracle
// projection of the input as the SDK encodes it (ideal_linear_oracle.hpp); the only error left
// against the float input is the encoding's.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "ideal_linear_oracle.hpp"
#include "opusim/opusim.hpp"

namespace {

using opusim::ArrayView;
using opusim::Opu;
using opusim::OpuSettings;
namespace support = opusim::testing_support;

constexpr std::uint64_t kSeed = 5;

double relative_error(const std::vector<float>& y, const std::vector<double>& z) {
    double err = 0;
    double norm = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        err += (double(y[i]) - z[i]) * (double(y[i]) - z[i]);
        norm += z[i] * z[i];
    }
    return std::sqrt(err / norm);
}

double relative_norm(const std::vector<float>& a, const std::vector<float>& b) {
    double err = 0;
    double norm = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        err += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
        norm += double(b[i]) * b[i];
    }
    return std::sqrt(err / norm);
}

TEST(IdealMode, LinearTransformEqualsTheOracleOfTheEncodedInput) {
    const std::size_t rows = 16, n = 200, m = 150;
    OpuSettings settings;
    settings.device = "sim:gen2?seed=5&noise=ideal";
    settings.n_components = m;
    Opu opu(settings);
    opu.fit1d(n);
    const auto x = support::gaussian_rows(rows, n, 1);
    const auto result = opu.linear_transform(ArrayView<float>(x, {rows, n}));
    EXPECT_EQ(result.context.noise, "ideal");
    EXPECT_EQ(result.context.saturated_pixels, 0u);
    const auto matrix = support::ideal_linear_matrix(result.context, "gen2", kSeed, n);
    const auto encoded = support::sdk_encoded_rows(x, rows, n);
    const double device_vs_encoded =
        relative_error(result.output.values, support::apply_matrix(matrix, m, encoded, rows, n));
    const double device_vs_float =
        relative_error(result.output.values, support::apply_matrix(matrix, m, x, rows, n));
    const double encoding = relative_norm(encoded, x);
    std::printf(
        "ideal: device vs oracle(encoded input) %.2e; vs oracle(float input) %.4f; encoding's "
        "own error |x_enc - x| / |x| %.4f\n",
        device_vs_encoded, device_vs_float, encoding);
    // Float tolerance: the device's intensities are float32 (relative rounding 6e-8); the scheme
    // subtracts the reference-off frame and the c and M 1 terms, which amplifies that by the ratio
    // of an intensity to the differences taken (below 100 here), and the result is a float32:
    // 1e-4 leaves an order of magnitude above that.
    EXPECT_LT(device_vs_encoded, 1e-4);
    // What is left against the float input is the encoding's error, projected: the random
    // projection keeps the ratio of norms within a few sqrt(2 / (rows m)) = 3 % (3 sigma: 9 %).
    EXPECT_NEAR(device_vs_float / encoding, 1.0, 0.10);
    // 8 bit-planes: the rounding error of z is uniform over +-1/510, i.e. rms max|x| / (255
    // sqrt(3)) a feature against rms(x) = 1; max|x| of 200 normals is about 2.7: 0.6 %.
    EXPECT_GT(encoding, 0.003);
    EXPECT_LT(encoding, 0.012);
}

TEST(IdealMode, IsSetBySdkSettingsOverTheUriAndCheckedByName) {
    OpuSettings settings;
    settings.device = "sim:gen2?seed=5";
    settings.noise = "ideal";
    settings.n_components = 20;
    Opu opu(settings);
    opu.fit1d(30);
    std::vector<std::uint8_t> bits(2 * 30, 1);
    // Camera values cannot carry float intensities: transform says what to use instead.
    EXPECT_THROW(opu.transform(ArrayView<std::uint8_t>(bits, {2, 30})), std::logic_error);
    const auto rescaled = opu.transform_rescaled(ArrayView<std::uint8_t>(bits, {2, 30}));
    EXPECT_EQ(rescaled.context.noise, "ideal");
    // Noiseless: the same frame twice gives the same floats, and they are not integers.
    bool fractional = false;
    for (std::size_t j = 0; j < 20; ++j) {
        EXPECT_EQ(rescaled.output.values[j], rescaled.output.values[20 + j]);
        fractional |= rescaled.output.values[j] != std::round(rescaled.output.values[j]);
    }
    EXPECT_TRUE(fractional);

    OpuSettings bad;
    bad.device = "sim:gen2";
    bad.noise = "perfect";
    try {
        Opu rejected(bad);
        FAIL() << "noise=perfect accepted";
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find("noise"), std::string::npos) << error.what();
    }
}

}  // namespace
