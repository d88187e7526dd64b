// DMD formatting: layouts for full/small/auto, numpy.packbits bit order, round trip through the
// device-side check, and the errors the device reports for malformed frames.
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "opusim/contract/dmd_format.hpp"

namespace opusim::contract {
namespace {

DmdGeometry dmd(std::uint32_t columns, std::uint32_t rows) {
    DmdGeometry params;
    params.columns = columns;
    params.rows = rows;
    return params;
}

TEST(DmdFormat, StrategyNamesRoundTripAndBadNameIsNamed) {
    for (auto s : {InputRoiStrategy::Full, InputRoiStrategy::Small, InputRoiStrategy::Auto}) {
        EXPECT_EQ(parse_input_roi_strategy(to_string(s), "--input-roi"), s);
    }
    try {
        parse_input_roi_strategy("big", "--input-roi");
        ADD_FAILURE();
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find("--input-roi: expected one of full, small, auto"),
                  std::string::npos);
    }
}

TEST(DmdFormat, Gen2FrameIs129960Bytes) {
    EXPECT_EQ(packed_frame_bytes(dmd(912, 1140).mirrors()), 129960u);
    EXPECT_EQ(packed_frame_bytes(13), 2u);
}

TEST(DmdFormat, FullReplicatesOverFloorAndCentres) {
    const auto layout = make_input_layout(dmd(912, 1140), 10000, InputRoiStrategy::Full);
    EXPECT_EQ(layout.replication, 1039680u / 10000u);  // 103
    EXPECT_EQ(layout.used_mirrors(), 1030000u);
    EXPECT_EQ(layout.first_mirror, (1039680u - 1030000u) / 2);
    EXPECT_EQ(layout.strategy, InputRoiStrategy::Full);
    EXPECT_EQ(layout.mirror_of(2, 5), layout.first_mirror + 2 * 103 + 5);
}

TEST(DmdFormat, SmallIsOneMirrorPerFeatureCentred) {
    const auto layout = make_input_layout(dmd(10, 10), 7, InputRoiStrategy::Small);
    EXPECT_EQ(layout.replication, 1u);
    EXPECT_EQ(layout.first_mirror, (100u - 7u) / 2);
    EXPECT_EQ(layout.total_mirrors, 100u);
}

TEST(DmdFormat, AutoPicksFullWhenItReplicatesAtLeastTwice) {
    EXPECT_EQ(make_input_layout(dmd(10, 10), 50, InputRoiStrategy::Auto).strategy,
              InputRoiStrategy::Full);
    EXPECT_EQ(make_input_layout(dmd(10, 10), 50, InputRoiStrategy::Auto).replication, 2u);
    EXPECT_EQ(make_input_layout(dmd(10, 10), 51, InputRoiStrategy::Auto).strategy,
              InputRoiStrategy::Small);
}

TEST(DmdFormat, FeatureCountOutOfRangeIsNamed) {
    for (std::uint64_t n : {std::uint64_t{0}, std::uint64_t{101}}) {
        try {
            make_input_layout(dmd(10, 10), n, InputRoiStrategy::Full);
            ADD_FAILURE() << n;
        } catch (const std::invalid_argument& error) {
            EXPECT_NE(std::string(error.what()).find("n_features: expected 1 to 100"),
                      std::string::npos)
                << error.what();
        }
    }
}

// 4 x 4 DMD, 3 features, full: replication 5, used 15, first mirror 0.
TEST(DmdFormat, BitOrderIsMsbFirstRowMajor) {
    const auto layout = make_input_layout(dmd(4, 4), 3, InputRoiStrategy::Full);
    ASSERT_EQ(layout.replication, 5u);
    ASSERT_EQ(layout.first_mirror, 0u);
    const std::vector<std::uint8_t> features = {1, 0, 1};
    const auto packed = format_frames(layout, features.data(), 1);
    ASSERT_EQ(packed.size(), 2u);
    // mirrors 0-4 on, 5-9 off, 10-14 on, 15 off: 11111000 00111110
    EXPECT_EQ(packed[0], 0xF8);
    EXPECT_EQ(packed[1], 0x3E);
    EXPECT_EQ(lit_mirrors(packed.data(), 16), 10u);
    EXPECT_EQ(lit_mirrors(layout, features.data()), 10u);
}

TEST(DmdFormat, NonBinaryFeatureIsNamed) {
    const auto layout = make_input_layout(dmd(4, 4), 3, InputRoiStrategy::Small);
    const std::vector<std::uint8_t> features = {1, 0, 0, 0, 2, 0};
    try {
        format_frames(layout, features.data(), 2);
        ADD_FAILURE();
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find("features: expected 0 or 1 at frame 1, feature 1"),
                  std::string::npos)
            << error.what();
    }
}

TEST(DmdFormat, RoundTripThroughDeviceCheckOnGen2) {
    const auto geometry = dmd(912, 1140);
    std::mt19937 random(7);
    for (std::uint64_t n :
         {std::uint64_t{1}, std::uint64_t{3}, std::uint64_t{1000}, std::uint64_t{77777}}) {
        for (auto strategy : {InputRoiStrategy::Full, InputRoiStrategy::Small}) {
            const auto layout = make_input_layout(geometry, n, strategy);
            const std::size_t frames = 3;
            std::vector<std::uint8_t> features(frames * n);
            for (auto& bit : features) bit = static_cast<std::uint8_t>(random() & 1u);
            const auto packed = format_frames(layout, features.data(), frames);
            std::vector<std::uint8_t> back(n);
            for (std::size_t f = 0; f < frames; ++f) {
                const std::uint8_t* frame = packed.data() + f * packed_frame_bytes(layout);
                unpack_frame(layout, frame, back.data());
                EXPECT_TRUE(std::equal(back.begin(), back.end(), features.begin() + f * n))
                    << n << " " << to_string(strategy);
                EXPECT_EQ(lit_mirrors(frame, layout.total_mirrors),
                          lit_mirrors(layout, features.data() + f * n));
            }
        }
    }
}

TEST(DmdFormat, DeviceRejectsNonUniformBlockAndStrayMirrors) {
    const auto layout = make_input_layout(dmd(8, 8), 4, InputRoiStrategy::Full);  // 16 each
    const std::vector<std::uint8_t> features = {0, 1, 0, 1};
    auto packed = format_frames(layout, features.data(), 1);
    std::vector<std::uint8_t> back(4);
    unpack_frame(layout, packed.data(), back.data());
    auto broken = packed;
    broken[4] = static_cast<std::uint8_t>(broken[4] | 0x80);  // mirror 32: first of feature 2
    try {
        unpack_frame(layout, broken.data(), back.data());
        ADD_FAILURE();
    } catch (const InputFormatError& error) {
        EXPECT_NE(std::string(error.what()).find("feature 2 has 1 of its 16"), std::string::npos)
            << error.what();
    }
    // A lit mirror outside the layout: 3 features of 1 mirror on a 4x4 DMD, centred at 6..8.
    const auto small = make_input_layout(dmd(4, 4), 3, InputRoiStrategy::Small);
    std::vector<std::uint8_t> frame(2, 0);
    frame[1] = 0x01;  // mirror 15
    try {
        unpack_frame(small, frame.data(), back.data());
        ADD_FAILURE();
    } catch (const InputFormatError& error) {
        EXPECT_NE(std::string(error.what()).find("outside the input layout"), std::string::npos);
    }
}

TEST(PackedFeatures, PackbitsOrderRoundTripAndLitCount) {
    const auto layout = make_input_layout(dmd(8, 8), 11, InputRoiStrategy::Full);  // 5 mirrors each
    const std::vector<std::uint8_t> features = {1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1,   // frame 0
                                                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};  // frame 1
    std::vector<std::uint8_t> packed(2 * packed_features_bytes(11));
    ASSERT_EQ(packed.size(), 4u);
    pack_features(layout, features.data(), 2, packed.data());
    EXPECT_EQ(packed[0], 0b10110001);  // numpy.packbits order, MSB first
    EXPECT_EQ(packed[1], 0b10100000);  // pad bits 0
    EXPECT_EQ(packed[2], 0);
    EXPECT_EQ(packed[3], 0b00100000);
    std::vector<std::uint8_t> back(11);
    EXPECT_EQ(unpack_features(11, packed.data(), back.data()), 6u);
    EXPECT_EQ(back, std::vector<std::uint8_t>(features.begin(), features.begin() + 11));
    // The device's expansion of these bits is the host's DMD pattern of the same features.
    EXPECT_EQ(format_frames(layout, back.data(), 1), format_frames(layout, features.data(), 1));
}

TEST(PackedFeatures, BadValuesAndPadBitsAreNamed) {
    const auto layout = make_input_layout(dmd(8, 8), 3, InputRoiStrategy::Small);
    const std::vector<std::uint8_t> features = {0, 2, 1};
    std::vector<std::uint8_t> packed(1);
    try {
        pack_features(layout, features.data(), 1, packed.data());
        ADD_FAILURE();
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find("features: expected 0 or 1 at frame 0, feature 1"),
                  std::string::npos)
            << error.what();
    }
    const std::uint8_t with_pad = 0b10010000;  // feature 0 and the pad bit after feature 2
    std::vector<std::uint8_t> back(3);
    EXPECT_THROW(unpack_features(3, &with_pad, back.data()), InputFormatError);
}

}  // namespace
}  // namespace opusim::contract
