// Internal to the camera: the random-number stages of a grab, written as plain loops over blocks
// of pixels so the compiler vectorises them (`#pragma omp simd`, compiled with -fopenmp-simd), and
// bit-identical whether vectorised or not (no libm calls, no FMA contraction in ISO C++ mode).
//
//  - philox_words: Random123's Philox4x32-10, spelled out lane-wise (same constants and rounds as
//    r123::Philox4x32; a test checks they agree word for word).
//  - fast_log / sincos_of_turn: polynomial log and sin/cos, accurate to a few float ulps
//  (truncation
//    < 1e-9 for log, < 6e-8 for sin/cos), enough for noise and deterministic across libms.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace opusim::physics::camera_noise {

constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr std::uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u;
constexpr std::uint32_t kPhiloxW1 = 0xBB67AE85u;

struct Words {
    std::uint32_t v[4];
};

// Philox4x32-10 of counter (c0, c1, c2, c3) under key (k0, k1).
[[gnu::always_inline]] inline Words philox4x32(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2,
                                               std::uint32_t c3, std::uint32_t k0,
                                               std::uint32_t k1) {
#pragma GCC unroll 10
    for (int round = 0; round < 10; ++round) {
        const std::uint64_t p0 = std::uint64_t{kPhiloxM0} * c0;
        const std::uint64_t p1 = std::uint64_t{kPhiloxM1} * c2;
        const auto n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
        const auto n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
        c1 = static_cast<std::uint32_t>(p1);
        c3 = static_cast<std::uint32_t>(p0);
        c0 = n0;
        c2 = n2;
        k0 += kPhiloxW0;
        k1 += kPhiloxW1;
    }
    return {{c0, c1, c2, c3}};
}

// Natural log of x > 0 (finite, normal): x = 2^e m, m in [sqrt(1/2), sqrt(2)),
// ln m = 2 atanh(t), t = (m - 1) / (m + 1), |t| < 0.172, series to t^9.
[[gnu::always_inline]] inline float fast_log(float x) {
    std::uint32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    auto exponent = static_cast<std::int32_t>(bits >> 23) - 127;
    const std::uint32_t mantissa_bits = (bits & 0x007FFFFFu) | 0x3F800000u;
    float m;
    std::memcpy(&m, &mantissa_bits, sizeof m);
    const bool high = m > 1.41421356f;
    m = high ? 0.5f * m : m;
    exponent = high ? exponent + 1 : exponent;
    const float t = (m - 1.0f) / (m + 1.0f);
    const float t2 = t * t;
    const float series =
        t * (2.0f + t2 * (2.0f / 3 + t2 * (2.0f / 5 + t2 * (2.0f / 7 + t2 * (2.0f / 9)))));
    return static_cast<float>(exponent) * 0.69314718f + series;
}

// sin and cos of the angle 2 pi w / 2^32: the top two bits pick the quadrant, the next 24 bits the
// angle x in [0, pi/2) inside it (Taylor series to x^11 and x^12).
[[gnu::always_inline]] inline void sincos_of_turn(std::uint32_t w, float& sine, float& cosine) {
    const std::uint32_t quadrant = w >> 30;
    const float x = static_cast<float>((w >> 6) & 0xFFFFFFu) * (1.57079633f / 16777216.0f);
    const float x2 = x * x;
    const float s =
        x *
        (1.0f + x2 * (-1.0f / 6 +
                      x2 * (1.0f / 120 +
                            x2 * (-1.0f / 5040 + x2 * (1.0f / 362880 + x2 * (-1.0f / 39916800))))));
    const float c =
        1.0f +
        x2 * (-0.5f +
              x2 * (1.0f / 24 +
                    x2 * (-1.0f / 720 +
                          x2 * (1.0f / 40320 + x2 * (-1.0f / 3628800 + x2 * (1.0f / 479001600))))));
    const bool swap = (quadrant & 1u) != 0;
    const float cos_base = swap ? s : c;
    const float sin_base = swap ? c : s;
    cosine = ((quadrant + 1u) & 2u) != 0 ? -cos_base : cos_base;  // quadrants 1, 2
    sine = (quadrant & 2u) != 0 ? -sin_base : sin_base;           // quadrants 2, 3
}

// Box-Muller: two independent N(0, 1) from two words. The radius uses the top 24 bits,
// u = (w >> 8 + 1/2) 2^-24 in (0, 1) exactly in float (|z| <= 5.9).
[[gnu::always_inline]] inline void box_muller(std::uint32_t first, std::uint32_t second, float& z0,
                                              float& z1) {
    const float u = (static_cast<float>(first >> 8) + 0.5f) * (1.0f / 16777216.0f);
    const float radius = std::sqrt(-2.0f * fast_log(u));
    float sine;
    float cosine;
    sincos_of_turn(second, sine, cosine);
    z0 = radius * cosine;
    z1 = radius * sine;
}

}  // namespace opusim::physics::camera_noise
