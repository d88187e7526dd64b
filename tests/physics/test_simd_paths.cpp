// Run-time dispatch (simd_level.hpp): every code path a CPU may take gives the same bits for what
// defines the device's output (medium entries, camera noise). Each level this CPU runs is forced
// in turn and compared with the baseline path; levels the CPU lacks are reported as skipped
// (GTEST_SKIP names them), never compared against themselves.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "opusim/physics/camera.hpp"
#include "opusim/physics/philox_gaussian.hpp"
#include "opusim/physics/profile.hpp"
#include "opusim/physics/simd_level.hpp"

namespace opusim::physics {
namespace {

std::vector<SimdLevel> levels_above_baseline() {
    std::vector<SimdLevel> levels;
    for (SimdLevel l : {SimdLevel::Avx2, SimdLevel::Avx512}) {
        if (l <= cpu_simd_level()) levels.push_back(l);
    }
    return levels;
}

// Restores the process's level after a test that forces one.
struct LevelGuard {
    SimdLevel saved = active_simd_level();
    ~LevelGuard() { set_simd_level(saved); }
};

TEST(SimdPaths, MediumRowsAreBitIdenticalOnEveryLevel) {
    const auto others = levels_above_baseline();
    if (others.empty()) GTEST_SKIP() << "this CPU runs the baseline path only";
    // Strided (a full layout's shortcut columns), odd starts and a length that is not a multiple
    // of any vector width, with a seed whose high word is used, and mirrors past 2^32.
    struct Row {
        std::uint64_t pixel, first, stride;
        std::size_t count;
    };
    const std::uint64_t seed = 0x0123456789ABCDEFull;
    for (const Row row :
         {Row{0, 0, 1, 1000}, Row{4242, 1, 1, 777}, Row{(1ull << 33) + 5, 3, 103, 515},
          Row{2219519, 1039000, 7, 97}, Row{77, (1ull << 34) + 1, 3, 41}}) {
        std::vector<std::int8_t> re0(row.count), im0(row.count), re(row.count), im(row.count);
        std::vector<float> fre0(row.count), fim0(row.count), fre(row.count), fim(row.count);
        medium_row_int8(seed, row.pixel, row.first, row.stride, row.count, 32.0, re0.data(),
                        im0.data(), SimdLevel::Baseline);
        medium_row_float(seed, row.pixel, row.first, row.stride, row.count, fre0.data(),
                         fim0.data(), SimdLevel::Baseline);
        for (std::size_t c = 0; c < row.count; ++c) {
            const GaussianPair g = medium_gaussian(seed, row.pixel, row.first + c * row.stride);
            ASSERT_EQ(fre0[c], static_cast<float>(g.re)) << "entry " << c;
            ASSERT_EQ(fim0[c], static_cast<float>(g.im)) << "entry " << c;
        }
        for (SimdLevel level : others) {
            medium_row_int8(seed, row.pixel, row.first, row.stride, row.count, 32.0, re.data(),
                            im.data(), level);
            medium_row_float(seed, row.pixel, row.first, row.stride, row.count, fre.data(),
                             fim.data(), level);
            EXPECT_EQ(re, re0) << to_string(level);
            EXPECT_EQ(im, im0) << to_string(level);
            EXPECT_EQ(std::memcmp(fre.data(), fre0.data(), fre.size() * sizeof(float)), 0)
                << to_string(level);
            EXPECT_EQ(std::memcmp(fim.data(), fim0.data(), fim.size() * sizeof(float)), 0)
                << to_string(level);
        }
    }
}

TEST(SimdPaths, CameraNoiseIsBitIdenticalOnEveryLevel) {
    const auto others = levels_above_baseline();
    if (others.empty()) GTEST_SKIP() << "this CPU runs the baseline path only";
    const LevelGuard guard;
    const auto params = DeviceProfile::load("gen2").camera;
    // 2043 pixels: the AVX2 words take eight pixels at a time, so the last three take the scalar
    // tail; frames from 2^32 on put the frame counter's high word to work.
    std::vector<std::uint64_t> pixels(2043);
    for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = 543 * 2040 + i;
    const Camera camera(params, 7, 11, true, pixels);
    const std::size_t frames = 8;
    std::vector<float> intensities(frames * pixels.size());
    // Means from dark (exact Poisson inversion) to bright (the approximation), every pixel.
    for (std::size_t i = 0; i < intensities.size(); ++i) {
        intensities[i] = static_cast<float>((i * 2654435761u) % 1000) * 0.004f;
    }
    std::vector<std::uint8_t> base(intensities.size()), other(intensities.size());
    set_simd_level(SimdLevel::Baseline);
    const std::uint64_t first_frame = (std::uint64_t{1} << 32) + 5;
    camera.grab(intensities.data(), frames, first_frame, 400.0, 1000.0, base.data());
    for (SimdLevel level : others) {
        set_simd_level(level);
        camera.grab(intensities.data(), frames, first_frame, 400.0, 1000.0, other.data());
        EXPECT_EQ(other, base) << to_string(level);
    }
}

}  // namespace
}  // namespace opusim::physics
