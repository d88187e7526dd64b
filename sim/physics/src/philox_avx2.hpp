// Philox4x32-10 on eight counters at once, with AVX2 intrinsics: the rounds and constants of
// camera_noise::philox4x32 (Random123's Philox4x32-10). Written by hand because the compiler's
// vectorisation of the scalar 32 x 32 -> 64-bit products spends most of its instructions on
// shuffles; here each product is two vpmuludq (even and odd lanes) and two blends. Integer
// operations only, so every lane's words equal the scalar function's (tests/physics SimdPaths).
// Callers must run only where the CPU has AVX2 (simd_level.hpp).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "camera_noise.hpp"

namespace opusim::physics::philox_avx2 {

struct Lanes8 {
    __m256i v[4];  // word k of the eight counters' outputs
};

// The high and low 32 bits of the eight products A_i * M (M broadcast).
[[gnu::target("avx2"), gnu::always_inline]] inline void multiply_high_low(__m256i a, __m256i m,
                                                                          __m256i& high,
                                                                          __m256i& low) {
    const __m256i even = _mm256_mul_epu32(a, m);                        // lanes 0, 2, 4, 6
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);  // lanes 1, 3, 5, 7
    low = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    high = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

[[gnu::target("avx2"), gnu::always_inline]] inline Lanes8 philox4x32(__m256i c0, __m256i c1,
                                                                     __m256i c2, __m256i c3,
                                                                     std::uint32_t k0,
                                                                     std::uint32_t k1) {
    const __m256i m0 = _mm256_set1_epi32(static_cast<int>(camera_noise::kPhiloxM0));
    const __m256i m1 = _mm256_set1_epi32(static_cast<int>(camera_noise::kPhiloxM1));
    const __m256i w0 = _mm256_set1_epi32(static_cast<int>(camera_noise::kPhiloxW0));
    const __m256i w1 = _mm256_set1_epi32(static_cast<int>(camera_noise::kPhiloxW1));
    __m256i key0 = _mm256_set1_epi32(static_cast<int>(k0));
    __m256i key1 = _mm256_set1_epi32(static_cast<int>(k1));
#pragma GCC unroll 10
    for (int round = 0; round < 10; ++round) {
        __m256i high0, low0, high1, low1;
        multiply_high_low(c0, m0, high0, low0);
        multiply_high_low(c2, m1, high1, low1);
        const __m256i next0 = _mm256_xor_si256(_mm256_xor_si256(high1, c1), key0);
        const __m256i next2 = _mm256_xor_si256(_mm256_xor_si256(high0, c3), key1);
        c1 = low1;
        c3 = low0;
        c0 = next0;
        c2 = next2;
        key0 = _mm256_add_epi32(key0, w0);
        key1 = _mm256_add_epi32(key1, w1);
    }
    return {{c0, c1, c2, c3}};
}

// The low and high 32-bit words of eight 64-bit values at VALUES.
[[gnu::target("avx2"), gnu::always_inline]] inline void split_words(const std::uint64_t* values,
                                                                    __m256i& low, __m256i& high) {
    const __m256i order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    const __m256i first = _mm256_permutevar8x32_epi32(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(values)), order);
    const __m256i second = _mm256_permutevar8x32_epi32(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(values + 4)), order);
    low = _mm256_permute2x128_si256(first, second, 0x20);
    high = _mm256_permute2x128_si256(first, second, 0x31);
}

}  // namespace opusim::physics::philox_avx2
