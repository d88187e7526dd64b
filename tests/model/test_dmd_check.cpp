// The DMD's check of packed frames alone: frames formatted for the layout unpack to their feature
// bits; the first frame that lights part of a feature or a mirror outside the window is named.
#include <gtest/gtest.h>

#include <vector>

#include "../../sim/model/src/controller/clock.hpp"
#include "../../sim/model/src/dmd/dmd.hpp"
#include "opusim/contract/dmd_format.hpp"

namespace opusim::model {
namespace {

struct SmallDmd {
    physics::DmdParams params;
    Dmd dmd;
    SmallDmd() {
        params.columns = 64;
        params.rows = 16;
        dmd.configure(params, ControllerClock(250));
    }
    contract::InputLayout layout(std::uint64_t n_features, std::uint64_t replication,
                                 std::uint64_t first_mirror) const {
        contract::InputLayout result;
        result.n_features = n_features;
        result.replication = replication;
        result.first_mirror = first_mirror;
        result.total_mirrors = params.mirrors();
        return result;
    }
};

std::vector<std::uint8_t> feature_bits(std::size_t frames, std::size_t n_features) {
    std::vector<std::uint8_t> bits(frames * n_features);
    for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = (i * 5 % 3) == 1;
    return bits;
}

void set_mirror(std::uint8_t* frame, std::uint64_t mirror) {
    frame[mirror / 8] |= static_cast<std::uint8_t>(0x80u >> (mirror % 8));
}

TEST(DmdCheck, FormattedFramesUnpackToTheirFeatureBits) {
    const SmallDmd small;
    for (const auto& layout : {small.layout(40, 1, 0), small.layout(30, 3, 7)}) {
        const auto bits = feature_bits(5, layout.n_features);
        const auto packed = contract::format_frames(layout, bits.data(), 5);
        const std::uint64_t stride = contract::packed_frame_bytes(layout);
        std::vector<std::uint8_t> unpacked(bits.size(), 0xFF);
        EXPECT_EQ(small.dmd.unpack(layout, contract::InputFormat::DmdPattern, packed.data(), stride,
                                   5, unpacked.data()),
                  5u);
        EXPECT_EQ(unpacked, bits);
    }
}

TEST(DmdCheck, NamesTheFirstFrameLightingAMirrorOutsideTheWindow) {
    const SmallDmd small;
    const auto layout = small.layout(40, 1, 8);
    const auto bits = feature_bits(4, 40);
    auto packed = contract::format_frames(layout, bits.data(), 4);
    const std::uint64_t stride = contract::packed_frame_bytes(layout);
    set_mirror(packed.data() + 2 * stride, 100);  // past the window's last mirror (47)
    set_mirror(packed.data() + 3 * stride, 0);    // before its first
    std::vector<std::uint8_t> unpacked(bits.size());
    EXPECT_EQ(small.dmd.unpack(layout, contract::InputFormat::DmdPattern, packed.data(), stride, 4,
                               unpacked.data()),
              2u);
    EXPECT_EQ(small.dmd.unpack(layout, contract::InputFormat::DmdPattern,
                               packed.data() + 3 * stride, stride, 1, unpacked.data()),
              0u);
}

TEST(DmdCheck, RejectsAFeatureWhoseMirrorsDisagree) {
    const SmallDmd small;
    const auto layout = small.layout(10, 4, 0);
    std::vector<std::uint8_t> bits(10, 0);
    auto packed = contract::format_frames(layout, bits.data(), 1);
    set_mirror(packed.data(), layout.mirror_of(3, 2));  // one of feature 3's four mirrors
    std::vector<std::uint8_t> unpacked(10);
    EXPECT_EQ(small.dmd.unpack(layout, contract::InputFormat::DmdPattern, packed.data(),
                               packed.size(), 1, unpacked.data()),
              0u);
}

}  // namespace
}  // namespace opusim::model
