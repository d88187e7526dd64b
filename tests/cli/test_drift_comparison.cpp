// The drift report's comparison of two linear results by camera pixel (cli/drift_comparison.hpp):
// outputs are paired by pixel whatever their order, and no error is reported over a partial or
// empty set of pairs.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "drift_comparison.hpp"

namespace opusim::cli {
namespace {

Result<float> linear_result(std::vector<std::uint64_t> pixels, std::vector<float> values) {
    Result<float> result;
    const std::size_t rows = pixels.empty() ? 0 : values.size() / pixels.size();
    result.output.shape = {rows, pixels.size()};
    result.output.values = std::move(values);
    result.context.output_pixels = std::move(pixels);
    return result;
}

TEST(DriftComparison, PairsOutputsByCameraPixel) {
    // Two rows; the reference reads more pixels, in another order.
    const auto measured = linear_result({7, 3}, {1.0f, 2.0f, 3.0f, 4.0f});
    const auto reference = linear_result({3, 9, 7}, {2.0f, 100.0f, 1.5f, 4.0f, -100.0f, 3.0f});
    std::size_t shared = 0;
    const double error = error_by_camera_pixel(measured, reference, &shared);
    EXPECT_EQ(shared, 2u);
    // Only pixel 7 of the first row differs: 1.0 against 1.5. Per output: pixel 7's relative rms
    // error sqrt(0.25 / (1.5^2 + 3^2)), pixel 3's 0; the median of two is their mean.
    EXPECT_NEAR(error, std::sqrt(0.25 / (1.5 * 1.5 + 3.0 * 3.0)) / 2, 1e-12);
}

// One output whose reference is ill-conditioned (a million times too large) does not decide the
// report: the median of the per-output errors is the typical output's.
TEST(DriftComparison, OneIllConditionedReferenceOutputDoesNotDominate) {
    const auto measured = linear_result({1, 2, 3}, {1.0f, 1.0f, 1.0f, 2.0f, 2.0f, 2.0f});
    const auto reference = linear_result({1, 2, 3}, {1.1f, 1.1f, 1e6f, 2.2f, 2.2f, 2e6f});
    std::size_t shared = 0;
    EXPECT_NEAR(error_by_camera_pixel(measured, reference, &shared), 0.1 / 1.1, 1e-6);
    EXPECT_EQ(shared, 3u);
}

TEST(DriftComparison, RefusesDisjointOrPartialPixelSets) {
    const auto measured = linear_result({7, 3}, {1.0f, 2.0f});
    std::size_t shared = 99;
    EXPECT_THROW(error_by_camera_pixel(measured, linear_result({1, 2}, {1.0f, 2.0f}), &shared),
                 std::runtime_error);
    EXPECT_EQ(shared, 0u);
    try {
        error_by_camera_pixel(measured, linear_result({3, 2}, {1.0f, 2.0f}), &shared);
        FAIL() << "a measured output without its reference pixel was compared";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("1 of the 2 camera pixels"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(error_by_camera_pixel(linear_result({}, {}), measured, &shared),
                 std::runtime_error);
}

}  // namespace
}  // namespace opusim::cli
