#include "opusim/kernels/fast_exp.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace opusim::kernels {
namespace {

// exp(x) = 2^n e^r with n = round(x / ln 2) and |r| <= ln(2) / 2; e^r by its Taylor polynomial to
// r^7 (truncation (ln 2 / 2)^8 / 8! ~ 5.6e-9), ln 2 split in a high part exact in float and a low
// part (Cody-Waite) so r carries no rounding error of n ln 2; 2^n built in the exponent bits.
[[gnu::always_inline]] inline float exp_one(float x) {
    constexpr float kLog2e = 1.44269504088896341f;
    constexpr float kLn2High = 0.693145751953125f;
    constexpr float kLn2Low = 1.42860682030941723e-6f;
    constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
    x = std::min(std::max(x, -87.0f), 88.0f);
    const float n = (x * kLog2e + kRound) - kRound;
    const float r = (x - n * kLn2High) - n * kLn2Low;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

}  // namespace

// Compiled for AVX-512, AVX2 and baseline x86-64, picked at load time (GCC function
// multi-versioning). ISO C++ mode contracts nothing into FMAs, so every clone gives the same bits.
__attribute__((target_clones("avx512f", "avx2", "default"))) void exp_in_place(float* values,
                                                                               std::size_t count) {
    // Blocks of a fixed size give the vectoriser a known trip count.
    constexpr std::size_t kBlock = 16;
    std::size_t i = 0;
    for (; i + kBlock <= count; i += kBlock) {
        float* block = values + i;
        for (std::size_t j = 0; j < kBlock; ++j) block[j] = exp_one(block[j]);
    }
    for (; i < count; ++i) values[i] = exp_one(values[i]);
}

}  // namespace opusim::kernels
