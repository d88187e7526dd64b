// The medium stage alone: its intensities are the physics' effective medium's, bit for bit, and it
// rebuilds that medium only when the seed, the layout or the pixels change.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "../../sim/model/src/medium/medium_stage.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/physics/device_geometry.hpp"

namespace opusim::model {
namespace {

struct MediumCase {
    physics::DeviceProfile profile = physics::DeviceProfile::load("gen2");
    contract::InputLayout layout = contract::make_input_layout(
        physics::dmd_geometry(profile.dmd), 64, contract::InputRoiStrategy::Auto);
    std::vector<std::uint64_t> pixels;
    MediumCase() {
        pixels.resize(50);
        std::iota(pixels.begin(), pixels.end(), std::uint64_t{1000});
    }
};

std::vector<std::uint8_t> features(std::size_t frames, std::size_t n_features) {
    std::vector<std::uint8_t> bits(frames * n_features);
    for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = (i * 7 % 5) < 2;
    return bits;
}

TEST(MediumStage, IntensitiesAreThePhysicsEffectiveMediums) {
    const MediumCase c;
    MediumStage stage;
    stage.configure(c.profile);
    stage.prepare(42, c.layout, c.pixels);
    const auto bits = features(8, c.layout.n_features);
    std::vector<float> from_stage(8 * c.pixels.size());
    stage.intensities(bits.data(), 8, from_stage.data());

    const physics::Medium medium(c.profile.medium, 42);
    const physics::EffectiveMedium effective(medium, c.layout, c.pixels,
                                             c.profile.dmd.contrast_ratio);
    std::vector<float> from_physics(from_stage.size());
    effective.intensities(bits.data(), 8, from_physics.data());
    EXPECT_EQ(from_stage, from_physics);
    EXPECT_EQ(stage.photons_per_unit_intensity_per_us(),
              c.profile.medium.photons_per_unit_intensity_per_us);
}

TEST(MediumStage, RebuildsTheEffectiveMediumOnlyWhenItsInputsChange) {
    const MediumCase c;
    MediumStage stage;
    stage.configure(c.profile);
    EXPECT_EQ(stage.effective_medium(), nullptr);
    stage.prepare(42, c.layout, c.pixels);
    const physics::EffectiveMedium* first = stage.effective_medium();
    ASSERT_NE(first, nullptr);
    stage.prepare(42, c.layout, c.pixels);
    EXPECT_EQ(stage.effective_medium(), first);  // same configuration: kept

    const auto bits = features(1, c.layout.n_features);
    std::vector<float> seed_42(c.pixels.size());
    std::vector<float> seed_43(c.pixels.size());
    stage.intensities(bits.data(), 1, seed_42.data());
    stage.prepare(43, c.layout, c.pixels);
    stage.intensities(bits.data(), 1, seed_43.data());
    EXPECT_NE(seed_42, seed_43);  // another seed, another medium

    auto fewer_pixels = c.pixels;
    fewer_pixels.pop_back();
    stage.prepare(43, c.layout, fewer_pixels);
    EXPECT_EQ(stage.effective_medium()->n_pixels(), fewer_pixels.size());
}

}  // namespace
}  // namespace opusim::model
