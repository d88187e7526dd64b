// Each encoder against its definition (docs in opusim/encoders.hpp); fit learns, transform never
// changes state; out-of-range values are clipped, non-finite ones named.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "opusim/encoders.hpp"

namespace {

using opusim::ArrayView;

TEST(BinaryThresholdEncoder, AutoThresholdIsEachFeaturesMedian) {
    // Feature 0: 0, 9, 1 (median 1); feature 1: 5, 2, 3, (median 3); even count: mean of the two
    // middle values.
    const std::vector<float> train{0, 5, 9, 2, 1, 3};
    opusim::BinaryThresholdEncoder encoder;
    encoder.fit(ArrayView<float>(train, {3, 2}));
    EXPECT_EQ(encoder.thresholds(), (std::vector<float>{1, 3}));
    const std::vector<float> x{1.5f, 3.0f, 0.5f, 3.5f};
    const auto y = encoder.transform(ArrayView<float>(x, {2, 2}));
    EXPECT_EQ(y.values, (std::vector<std::uint8_t>{1, 0, 0, 1}));
    EXPECT_EQ(y.shape, (opusim::Shape{2, 2}));
    EXPECT_EQ(encoder.thresholds(), (std::vector<float>{1, 3}));  // transform left them alone
    EXPECT_THROW(encoder.transform(ArrayView<float>(x, {1, 4})), std::invalid_argument);
    const std::vector<float> even{4, 1, 3, 2};
    encoder.fit(ArrayView<float>(even, {4, 1}));
    EXPECT_EQ(encoder.thresholds(), (std::vector<float>{2.5f}));

    opusim::BinaryThresholdEncoder fixed(0.0f);
    fixed.fit(ArrayView<float>(train, {3, 2}));  // a given threshold stays
    EXPECT_EQ(fixed.thresholds(), (std::vector<float>{0.0f}));
    const std::vector<float> signs{2.4f, 2.6f, -1, 9};
    EXPECT_EQ(fixed.transform(ArrayView<float>(signs, {4})).values,
              (std::vector<std::uint8_t>{1, 1, 0, 1}));
    EXPECT_THROW(opusim::BinaryThresholdEncoder().transform(ArrayView<float>(signs, {4})),
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

TEST(SequentialBaseTwoEncoder, OnesCountEqualsTheGrayLevelMostSignificantBitFirst) {
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
        // lightonml's layout: bit 3 at positions [0, 8), bit 2 at [8, 12), bit 1 at [12, 14),
        // bit 0 at 14.
        std::size_t position = 0;
        for (int k = 3; k >= 0; --k) {
            for (int copy = 0; copy < (1 << k); ++copy) {
                EXPECT_EQ(y.values[position++], (level >> k) & 1) << "level " << level;
            }
        }
    }
    // Out of the fitted range: clipped to the extreme levels; halves round to even (numpy).
    const std::vector<float> outside{16, -3, 0.5f, 1.5f};
    const auto clipped = encoder.transform(ArrayView<float>(outside, {4, 1}));
    const auto ones_of = [&](std::size_t row) {
        int ones = 0;
        for (std::size_t i = 0; i < 15; ++i) ones += clipped.values[row * 15 + i];
        return ones;
    };
    EXPECT_EQ(ones_of(0), 15);
    EXPECT_EQ(ones_of(1), 0);
    EXPECT_EQ(ones_of(2), 0);
    EXPECT_EQ(ones_of(3), 2);
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
    // Values beyond the fitted range are clipped to it (all planes lit); NaN is named.
    const std::vector<float> beyond{3.0f};
    const auto top = encoder.transform(ArrayView<float>(beyond, {1, 1}));
    EXPECT_EQ(top.values, (std::vector<std::uint8_t>{1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0}));
    const std::vector<float> nan{std::numeric_limits<float>::quiet_NaN()};
    EXPECT_THROW(encoder.transform(ArrayView<float>(nan, {1, 1})), std::invalid_argument);
}

}  // namespace
