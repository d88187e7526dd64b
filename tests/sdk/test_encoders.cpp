// Each encoder against its definition (docs in opusim/encoders.hpp); fit learns, transform never
// changes state; range checks.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "opusim/encoders.hpp"

namespace {

using opusim::ArrayView;

TEST(BinaryThresholdEncoder, AutoThresholdIsTheTrainingMean) {
    const std::vector<float> train{0, 1, 2, 3, 4, 5};
    opusim::BinaryThresholdEncoder encoder;
    encoder.fit(ArrayView<float>(train, {2, 3}));
    EXPECT_FLOAT_EQ(encoder.threshold(), 2.5f);
    const std::vector<float> x{2.4f, 2.6f, -1, 9};
    const auto y = encoder.transform(ArrayView<float>(x, {2, 2}));
    EXPECT_EQ(y.values, (std::vector<std::uint8_t>{0, 1, 0, 1}));
    EXPECT_EQ(y.shape, (opusim::Shape{2, 2}));
    EXPECT_FLOAT_EQ(encoder.threshold(), 2.5f);  // transform left it alone
    opusim::BinaryThresholdEncoder fixed(0.0f);
    EXPECT_EQ(fixed.transform(ArrayView<float>(x, {4})).values,
              (std::vector<std::uint8_t>{1, 1, 0, 1}));
    EXPECT_THROW(opusim::BinaryThresholdEncoder().transform(ArrayView<float>(x, {4})),
                 std::logic_error);
}

TEST(MultiThresholdEncoder, ThermometerCodeThresholdMajor) {
    const std::vector<float> train{0, 4};
    opusim::MultiThresholdEncoder encoder(4);  // thresholds 1, 2, 3
    encoder.fit(ArrayView<float>(train, {1, 2}));
    EXPECT_EQ(encoder.thresholds(), (std::vector<float>{1, 2, 3}));
    const std::vector<float> x{0.5f, 2.5f};
    const auto y = encoder.transform(ArrayView<float>(x, {1, 2}));
    // out[k * d + i] = x_i > t_k
    EXPECT_EQ(y.values, (std::vector<std::uint8_t>{0, 1, 0, 1, 0, 0}));
    EXPECT_EQ(y.shape, (opusim::Shape{1, 6}));
    EXPECT_THROW(opusim::MultiThresholdEncoder(1), std::invalid_argument);
}

TEST(SequentialBaseTwoEncoder, OnesCountEqualsTheGrayLevel) {
    const std::vector<float> train{0, 15};
    opusim::SequentialBaseTwoEncoder encoder(16);
    encoder.fit(ArrayView<float>(train, {2, 1}));
    for (int level = 0; level < 16; ++level) {
        const std::vector<float> x{float(level)};
        const auto y = encoder.transform(ArrayView<float>(x, {1, 1}));
        ASSERT_EQ(y.values.size(), 15u);
        int ones = 0;
        for (const auto b : y.values) ones += b;
        EXPECT_EQ(ones, level);
        // bit k repeated 2^k times: positions [2^k - 1, 2^(k+1) - 1) all equal bit k of the level
        for (int k = 0; k < 4; ++k) {
            for (int p = (1 << k) - 1; p < (1 << (k + 1)) - 1; ++p) {
                EXPECT_EQ(y.values[std::size_t(p)], (level >> k) & 1);
            }
        }
    }
    const std::vector<float> outside{16};
    EXPECT_THROW(encoder.transform(ArrayView<float>(outside, {1, 1})), std::invalid_argument);
    EXPECT_THROW(opusim::SequentialBaseTwoEncoder(12), std::invalid_argument);
}

TEST(SeparatedBitPlan, EncoderAndDecoderRoundTripWithinOneQuantum) {
    const std::vector<float> x{0.5f, -1.0f, 2.0f, -0.25f, 0.0f, 1.3f};
    opusim::SeparatedBitPlanEncoder encoder(6);
    const auto planes = encoder.fit_transform(ArrayView<float>(x, {2, 3}));
    EXPECT_EQ(planes.shape, (opusim::Shape{2 * 6 * 2, 3}));
    EXPECT_FLOAT_EQ(encoder.positive_max(), 2.0f);
    EXPECT_FLOAT_EQ(encoder.negative_max(), 1.0f);
    // The identity as the "linear map": the decoder reconstructs x to half a quantum per sign.
    std::vector<float> as_float(planes.values.begin(), planes.values.end());
    const opusim::SeparatedBitPlanDecoder decoder(encoder);
    const auto back = decoder.transform(ArrayView<float>(as_float, planes.shape));
    ASSERT_EQ(back.shape, (opusim::Shape{2, 3}));
    for (std::size_t i = 0; i < x.size(); ++i) {
        const float quantum = (x[i] < 0 ? 1.0f : 2.0f) / 63.0f;
        EXPECT_NEAR(back.values[i], x[i], 0.5f * quantum + 1e-6f);
    }
    // Values beyond the fitted range, and NaN, are named.
    const std::vector<float> beyond{3.0f};
    EXPECT_THROW(encoder.transform(ArrayView<float>(beyond, {1, 1})), std::invalid_argument);
    const std::vector<float> nan{std::numeric_limits<float>::quiet_NaN()};
    EXPECT_THROW(encoder.transform(ArrayView<float>(nan, {1, 1})), std::invalid_argument);
}

}  // namespace
