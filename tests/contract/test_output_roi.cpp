// Output ROI strategies: geometry, pixel order and the limits of the sensor.
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "opusim/contract/output_roi.hpp"

namespace opusim::contract {
namespace {

SensorGeometry camera(std::uint32_t width, std::uint32_t height, std::uint32_t increment) {
    SensorGeometry params;
    params.width = width;
    params.height = height;
    params.roi_increment = increment;
    return params;
}

TEST(OutputRoi, MidWidthUsesCentredFullRows) {
    const auto roi = make_output_roi(camera(2040, 1088, 1), 5000, OutputRoiStrategy::MidWidth);
    EXPECT_EQ(roi.width, 2040u);
    EXPECT_EQ(roi.height, 3u);  // ceil(5000 / 2040)
    EXPECT_EQ(roi.x, 0u);
    EXPECT_EQ(roi.y, (1088u - 3u) / 2);
    ASSERT_EQ(roi.pixels.size(), 5000u);
    EXPECT_EQ(roi.pixels[0], std::uint64_t{roi.y} * 2040);
    EXPECT_EQ(roi.pixels[2040], std::uint64_t{roi.y + 1} * 2040);
    EXPECT_EQ(roi.pixels[4999], std::uint64_t{roi.y + 2} * 2040 + (4999 - 4080));
}

TEST(OutputRoi, MidSquareRoundsSideUpToIncrementAndCentres) {
    const auto roi = make_output_roi(camera(1920, 1080, 8), 1000, OutputRoiStrategy::MidSquare);
    EXPECT_EQ(roi.width, 32u);  // ceil(sqrt(1000)) = 32, already a multiple of 8
    EXPECT_EQ(roi.height, 32u);
    EXPECT_EQ(roi.x, (1920u - 32u) / 2);
    EXPECT_EQ(roi.y, (1080u - 32u) / 2);
    const auto odd = make_output_roi(camera(1920, 1080, 8), 1025, OutputRoiStrategy::MidSquare);
    EXPECT_EQ(odd.width, 40u);  // ceil(sqrt(1025)) = 33 -> 40
    EXPECT_EQ(odd.pixels[40], std::uint64_t{odd.y + 1} * 1920 + odd.x);
    const auto exact = make_output_roi(camera(100, 100, 1), 49, OutputRoiStrategy::MidSquare);
    EXPECT_EQ(exact.width, 7u);
}

TEST(OutputRoi, WholeSensorFitsAndOneMoreIsNamed) {
    const auto cam = camera(2040, 1088, 1);
    const auto all = make_output_roi(cam, 2040u * 1088u, OutputRoiStrategy::MidWidth);
    EXPECT_EQ(all.height, 1088u);
    EXPECT_EQ(all.pixels.back(), 2040u * 1088u - 1);
    for (std::uint64_t bad : {std::uint64_t{0}, std::uint64_t{2040u * 1088u + 1}}) {
        try {
            make_output_roi(cam, bad, OutputRoiStrategy::MidWidth);
            ADD_FAILURE() << bad;
        } catch (const std::invalid_argument& error) {
            EXPECT_NE(std::string(error.what()).find("n_components: expected 1 to 2219520"),
                      std::string::npos)
                << error.what();
        }
    }
    // mid_square is limited by the short side, rounded down to the increment: 1080 -> 1080.
    EXPECT_EQ(max_output_components(camera(1920, 1080, 8), OutputRoiStrategy::MidSquare),
              1080u * 1080u);
    EXPECT_THROW(
        make_output_roi(camera(1920, 1080, 8), 1080u * 1080u + 1, OutputRoiStrategy::MidSquare),
        std::invalid_argument);
}

TEST(OutputRoi, ProfileStrategyIsUsedAndParsed) {
    auto cam = camera(64, 32, 1);
    cam.roi_strategy = OutputRoiStrategy::MidSquare;
    EXPECT_EQ(make_output_roi(cam, 100).width, 10u);
    EXPECT_THROW(parse_output_roi_strategy("middle", "camera.roi_strategy"), std::invalid_argument);
}

}  // namespace
}  // namespace opusim::contract
