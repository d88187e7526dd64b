// The capture chain: frames through the medium and the camera, chunked, with frame sequence
// numbers; results must not depend on the chunking, and the mean must follow the lit mirrors.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "opusim/physics/device_geometry.hpp"
#include "opusim/physics/capture.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"

namespace opusim::physics {
namespace {

// A small device (64 x 64 DMD) keeps the medium cheap; the camera and optics are gen2's.
DeviceProfile small_profile() {
    auto profile = DeviceProfile::load("gen2");
    profile.dmd.columns = 64;
    profile.dmd.rows = 64;
    profile.dmd.ones_max = 64 * 64;
    profile.dmd.ones_min = 0;
    // Keep a half-lit frame at full scale / 7 with 4096 mirrors instead of 1,039,680.
    profile.medium.photons_per_unit_intensity_per_us *= 1039680.0 / 4096.0;
    return profile;
}

std::vector<std::uint8_t> random_bits(std::size_t count, unsigned seed) {
    std::mt19937 random(seed);
    std::vector<std::uint8_t> bits(count);
    for (auto& bit : bits) bit = static_cast<std::uint8_t>(random() & 1u);
    return bits;
}

TEST(Capture, ChunkingAndCallSplitNeverChangeFrames) {
    const auto profile = small_profile();
    const auto layout = contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), 100, contract::InputRoiStrategy::Full);
    const auto roi = contract::make_output_roi(opusim::physics::sensor_geometry(profile.camera), 500);
    auto settings = CaptureSettings::from_profile(profile);
    const std::size_t frames = 20;
    const auto features = random_bits(frames * 100, 1);

    settings.chunk_frames = 256;
    const CaptureChain one_chunk(profile, layout, roi.pixels, settings);
    std::vector<std::uint8_t> a(frames * 500);
    const auto stats = one_chunk.capture(features.data(), frames, 1000, 400, a.data());

    settings.chunk_frames = 3;
    const CaptureChain small_chunks(profile, layout, roi.pixels, settings);
    std::vector<std::uint8_t> b(frames * 500);
    small_chunks.capture(features.data(), 7, 1000, 400, b.data());
    small_chunks.capture(features.data() + 7 * 100, frames - 7, 1007, 400, b.data() + 7 * 500);
    EXPECT_EQ(a, b);
    ASSERT_EQ(stats.lit_mirrors.size(), frames);
    for (std::size_t f = 0; f < frames; ++f) {
        const auto ones = std::accumulate(features.begin() + f * 100,
                                          features.begin() + (f + 1) * 100, std::uint64_t{0});
        EXPECT_EQ(stats.lit_mirrors[f], ones * layout.replication);
    }
}

TEST(Capture, NoiselessIsDeterministicAndNoiseSeedMatters) {
    const auto profile = small_profile();
    const auto layout = contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), 64, contract::InputRoiStrategy::Small);
    const auto roi = contract::make_output_roi(opusim::physics::sensor_geometry(profile.camera), 300);
    const auto features = random_bits(5 * 64, 2);
    auto settings = CaptureSettings::from_profile(profile);
    std::vector<std::uint8_t> out[4];
    for (int i = 0; i < 4; ++i) {
        settings.noise = i < 2;
        settings.noise_seed = static_cast<std::uint64_t>(i % 2) + 10;
        const CaptureChain chain(profile, layout, roi.pixels, settings);
        out[i].resize(5 * 300);
        chain.capture(features.data(), 5, 0, 400, out[i].data());
    }
    EXPECT_NE(out[0], out[1]);  // noise on: the noise seed changes the frames
    EXPECT_EQ(out[2], out[3]);  // noise off: the noise seed does not matter
}

// Mean DN grows linearly with the lit mirrors (E|Rx|^2 = lit mirrors, plus the leakage of off
// mirrors, 1 / contrast ratio each). Sampling error of the mean over M pixels x F frames of
// exponential speckle (sd = mean): pixels are independent (independent rows of R), but one
// pixel's frames are not: two random half-lit frames share half their lit features, so their
// fields correlate by rho = 1/2 and their intensities by rho^2 = 1/4. The relative sd of the mean
// is therefore sqrt((1/F + 1/4) / M) (0.83 % for M = 4000, F = 40); the test allows 5 of those.
TEST(Capture, MeanFollowsLitMirrors) {
    const auto profile = small_profile();
    const auto layout = contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), 256, contract::InputRoiStrategy::Full);  // 16 each
    const std::size_t pixels = 4000;
    const auto roi = contract::make_output_roi(opusim::physics::sensor_geometry(profile.camera), pixels);
    auto settings = CaptureSettings::from_profile(profile);
    settings.noise = false;
    const CaptureChain chain(profile, layout, roi.pixels, settings);
    const std::size_t frames = 40;
    const auto features = random_bits(frames * 256, 3);
    std::vector<std::uint16_t> out(frames * pixels);
    std::vector<std::uint8_t> out8(frames * pixels);
    EXPECT_THROW(CaptureChain(profile, layout, {}, settings), std::invalid_argument);
    const auto stats = chain.capture(features.data(), frames, 0, 400, out8.data());
    std::copy(out8.begin(), out8.end(), out.begin());
    const double lit = std::accumulate(stats.lit_mirrors.begin(), stats.lit_mirrors.end(), 0.0) /
                       static_cast<double>(frames);
    const double mean_dn =
        std::accumulate(out.begin(), out.end(), 0.0) / static_cast<double>(out.size());
    const auto& cam = profile.camera;
    const double leak = (4096 - lit) / profile.dmd.contrast_ratio;
    const double expected =
        cam.system_gain_dn_per_electron * (cam.quantum_efficiency * (lit + leak) * 400 *
                                               profile.medium.photons_per_unit_intensity_per_us +
                                           cam.dark_current_electrons_per_s * 400e-6) +
        cam.offset_dn;
    // Saturated pixels (exponential tail beyond 7x the mean: e^-7 = 0.1 %) pull the mean down by
    // mean x e^-7 = 0.09 %; DN rounding is unbiased for a spread-out signal.
    const double relative_sd =
        std::sqrt((1.0 / static_cast<double>(frames) + 0.25) / static_cast<double>(pixels));
    EXPECT_NEAR((mean_dn - cam.offset_dn) / (expected - cam.offset_dn), 1.0, 5 * relative_sd);
}

TEST(Capture, BadFramesAreNamed) {
    const auto profile = small_profile();
    const auto layout = contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), 8, contract::InputRoiStrategy::Small);
    const CaptureChain chain(profile, layout, contract::make_output_roi(opusim::physics::sensor_geometry(profile.camera), 10).pixels,
                             CaptureSettings::from_profile(profile));
    std::vector<std::uint8_t> features(8, 0);
    features[3] = 2;
    std::vector<std::uint8_t> out(10);
    EXPECT_THROW(chain.capture(features.data(), 1, 0, 400, out.data()), std::invalid_argument);
    auto bad = CaptureSettings::from_profile(profile);
    bad.chunk_frames = 0;
    EXPECT_THROW(CaptureChain(profile, layout, {0}, bad), std::invalid_argument);
}

}  // namespace
}  // namespace opusim::physics
