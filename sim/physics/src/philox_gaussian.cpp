#include "opusim/physics/philox_gaussian.hpp"

#include <algorithm>
#include <cmath>

#include "camera_noise.hpp"
#include "philox_avx2.hpp"

namespace opusim::physics {
namespace {

constexpr double kQuarterPi = 0.78539816339744830961566084581988;
// Entries handled per stage: the words and logs of a block live on the stack between stages.
constexpr std::size_t kBlock = 256;

std::uint32_t low_word(std::uint64_t value) {
    return static_cast<std::uint32_t>(value);
}
std::uint32_t high_word(std::uint64_t value) {
    return static_cast<std::uint32_t>(value >> 32);
}

// r123::u01<double>: w 2^-32 + 2^-33, the product exact, one rounding in the sum.
[[gnu::always_inline]] inline double u01(std::uint32_t word) {
    return static_cast<double>(word) * 0x1p-32 + 0x1p-33;
}

// Taylor polynomials on [0, pi/4]: the first omitted terms, x^19/19! and x^18/18!, are below
// 1e-19 and 3e-18 there, far under the half-ulp rounding of the result.
[[gnu::always_inline]] inline double sin_taylor(double x) {
    const double x2 = x * x;
    return x * (1 + x2 * (-1 / 6.0 +
                          x2 * (1 / 120.0 +
                                x2 * (-1 / 5040.0 +
                                      x2 * (1 / 362880.0 +
                                            x2 * (-1 / 39916800.0 +
                                                  x2 * (1 / 6227020800.0 +
                                                        x2 * (-1 / 1307674368000.0 +
                                                              x2 * (1 / 355687428096000.0)))))))));
}

[[gnu::always_inline]] inline double cos_taylor(double x) {
    const double x2 = x * x;
    return 1 +
           x2 * (-1 / 2.0 +
                 x2 * (1 / 24.0 + x2 * (-1 / 720.0 +
                                        x2 * (1 / 40320.0 +
                                              x2 * (-1 / 3628800.0 +
                                                    x2 * (1 / 479001600.0 +
                                                          x2 * (-1 / 87178291200.0 +
                                                                x2 * (1 / 20922789888000.0))))))));
}

// Branch-free (selects only), so the loops that inline it vectorise.
[[gnu::always_inline]] inline CosSin cos_sin_inline(double turns) {
    // Octant o = floor(8 t); within it the angle is o pi/4 + h pi/4 (h in [0, 1)), which the
    // symmetries of the circle turn into +-cos/sin of x = y pi/4 with y = h (even o) or 1 - h
    // (odd o), so x is in [0, pi/4] and measured from the nearest axis (accurate near zeros).
    const double eighths = 8 * turns;  // exact: a power-of-two scaling
    const int whole = static_cast<int>(eighths);
    const int octant = whole & 7;
    const double fraction = eighths - whole;
    const double x = ((octant & 1) != 0 ? 1 - fraction : fraction) * kQuarterPi;
    const double s = sin_taylor(x);
    const double c = cos_taylor(x);
    // octant: 0 (c, s), 1 (s, c), 2 (-s, c), 3 (-c, s), 4 (-c, -s), 5 (-s, -c), 6 (s, -c), 7 (c,
    // -s)
    const bool swap = ((octant + 1) & 2) != 0;
    const double cos_part = swap ? s : c;
    const double sin_part = swap ? c : s;
    return {((octant + 2) & 4) != 0 ? -cos_part : cos_part,
            (octant & 4) != 0 ? -sin_part : sin_part};
}

[[gnu::always_inline]] inline std::int8_t quantise_inline(double value, double steps_per_unit) {
    const double scaled = std::clamp(steps_per_unit * value, -128.0, 128.0);
    const int truncated = static_cast<int>(scaled);  // toward zero
    const double fraction = scaled - truncated;
    // Branch-free: the sign of the fraction is random, so branches would mispredict half the time.
    const int rounded =
        truncated + static_cast<int>(fraction >= 0.5) - static_cast<int>(fraction <= -0.5);
    return static_cast<std::int8_t>(std::clamp(rounded, -127, 127));
}

// The two words of entry (pixel, first_mirror + c stride) for c < n, one Philox4x32-10 per entry
// lane-wise (an even mirror takes words 0, 1 of its pair's call, an odd one 2, 3).
[[gnu::always_inline]] inline void block_words(std::uint32_t k0, std::uint32_t k1,
                                               std::uint64_t pixel, std::uint64_t first_mirror,
                                               std::uint64_t stride, std::size_t n,
                                               std::uint32_t* first, std::uint32_t* second) {
    const std::uint32_t p0 = low_word(pixel);
    const std::uint32_t p1 = high_word(pixel);
#pragma omp simd
    for (std::size_t c = 0; c < n; ++c) {
        const std::uint64_t mirror = first_mirror + c * stride;
        const std::uint64_t pair = mirror >> 1;
        const camera_noise::Words w =
            camera_noise::philox4x32(low_word(pair), high_word(pair), p0, p1, k0, k1);
        const bool odd = (mirror & 1u) != 0;
        first[c] = odd ? w.v[2] : w.v[0];
        second[c] = odd ? w.v[3] : w.v[1];
    }
}

// block_words with the hand-written AVX2 Philox (philox_avx2.hpp), eight entries at a time: the
// same words (integer operations only; tests/physics SimdPaths compares them).
[[gnu::target("avx2")]] void block_words_avx2(std::uint32_t k0, std::uint32_t k1,
                                              std::uint64_t pixel, std::uint64_t first_mirror,
                                              std::uint64_t stride, std::size_t n,
                                              std::uint32_t* first, std::uint32_t* second) {
    const __m256i pixel_low = _mm256_set1_epi32(static_cast<int>(low_word(pixel)));
    const __m256i pixel_high = _mm256_set1_epi32(static_cast<int>(high_word(pixel)));
    alignas(32) std::uint64_t pairs[8];
    alignas(32) std::int32_t odd[8];  // all ones where the mirror is odd: it takes words 2, 3
    std::size_t c = 0;
    for (; c + 8 <= n; c += 8) {
        for (std::size_t lane = 0; lane < 8; ++lane) {
            const std::uint64_t mirror = first_mirror + (c + lane) * stride;
            pairs[lane] = mirror >> 1;
            odd[lane] = -static_cast<std::int32_t>(mirror & 1u);
        }
        __m256i pair_low;
        __m256i pair_high;
        philox_avx2::split_words(pairs, pair_low, pair_high);
        const philox_avx2::Lanes8 words =
            philox_avx2::philox4x32(pair_low, pair_high, pixel_low, pixel_high, k0, k1);
        const __m256i take_odd = _mm256_load_si256(reinterpret_cast<const __m256i*>(odd));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(first + c),
                            _mm256_blendv_epi8(words.v[0], words.v[2], take_odd));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(second + c),
                            _mm256_blendv_epi8(words.v[1], words.v[3], take_odd));
    }
    block_words(k0, k1, pixel, first_mirror + c * stride, stride, n - c, first + c, second + c);
}

// How a row's words are made: the compiler's vectorisation of the scalar Philox, or AVX2's.
struct GenericWords {
    [[gnu::always_inline]] void operator()(std::uint32_t k0, std::uint32_t k1, std::uint64_t pixel,
                                           std::uint64_t first_mirror, std::uint64_t stride,
                                           std::size_t n, std::uint32_t* first,
                                           std::uint32_t* second) const {
        block_words(k0, k1, pixel, first_mirror, stride, n, first, second);
    }
};
struct Avx2Words {
    void operator()(std::uint32_t k0, std::uint32_t k1, std::uint64_t pixel,
                    std::uint64_t first_mirror, std::uint64_t stride, std::size_t n,
                    std::uint32_t* first, std::uint32_t* second) const {
        block_words_avx2(k0, k1, pixel, first_mirror, stride, n, first, second);
    }
};

// Box-Muller over a row in blocks: words (vectorised), ln u1 (libm, scalar: the one stage whose
// bits must come from the same function on every path), then radius, direction and STORE
// (vectorised).
template <class Words, class Store>
[[gnu::always_inline]] inline void medium_row_impl(Words words, std::uint64_t seed,
                                                   std::uint64_t pixel, std::uint64_t first_mirror,
                                                   std::uint64_t stride, std::size_t count,
                                                   Store store) {
    const std::uint32_t k0 = low_word(seed);
    const std::uint32_t k1 = high_word(seed);
    alignas(64) std::uint32_t first[kBlock];
    alignas(64) std::uint32_t second[kBlock];
    alignas(64) double log_u1[kBlock];
    for (std::size_t begin = 0; begin < count; begin += kBlock) {
        const std::size_t n = std::min(kBlock, count - begin);
        words(k0, k1, pixel, first_mirror + begin * stride, stride, n, first, second);
        for (std::size_t c = 0; c < n; ++c) log_u1[c] = std::log(u01(first[c]));
#pragma omp simd
        for (std::size_t c = 0; c < n; ++c) {
            const double radius = std::sqrt(-log_u1[c]);
            const CosSin direction = cos_sin_inline(u01(second[c]));
            store(begin + c, radius * direction.cos, radius * direction.sin);
        }
    }
}

#define OPUSIM_MEDIUM_ROWS(suffix, words)                                                          \
    void medium_row_float_##suffix(std::uint64_t seed, std::uint64_t pixel,                        \
                                   std::uint64_t first_mirror, std::uint64_t stride,               \
                                   std::size_t count, float* re, float* im) {                      \
        medium_row_impl(words{}, seed, pixel, first_mirror, stride, count,                         \
                        [=](std::size_t c, double g_re, double g_im) {                             \
                            re[c] = static_cast<float>(g_re);                                      \
                            im[c] = static_cast<float>(g_im);                                      \
                        });                                                                        \
    }                                                                                              \
    void medium_row_int8_##suffix(                                                                 \
        std::uint64_t seed, std::uint64_t pixel, std::uint64_t first_mirror, std::uint64_t stride, \
        std::size_t count, double steps, std::int8_t* re, std::int8_t* im) {                       \
        medium_row_impl(words{}, seed, pixel, first_mirror, stride, count,                         \
                        [=](std::size_t c, double g_re, double g_im) {                             \
                            re[c] = quantise_inline(g_re, steps);                                  \
                            im[c] = quantise_inline(g_im, steps);                                  \
                        });                                                                        \
    }

// The same source compiled for each level (the macro only stamps the target attribute).
OPUSIM_MEDIUM_ROWS(baseline, GenericWords)
#pragma GCC push_options
#pragma GCC target("avx2")
OPUSIM_MEDIUM_ROWS(avx2, Avx2Words)
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl")
OPUSIM_MEDIUM_ROWS(avx512, GenericWords)
#pragma GCC pop_options
#undef OPUSIM_MEDIUM_ROWS

GaussianPair box_muller(std::uint32_t first, std::uint32_t second) {
    const double radius = std::sqrt(-std::log(u01(first)));
    const CosSin direction = cos_sin_inline(u01(second));
    return {radius * direction.cos, radius * direction.sin};
}

}  // namespace

CosSin cos_sin_of_turn(double turns) {
    return cos_sin_inline(turns);
}

GaussianPair medium_gaussian(std::uint64_t seed, std::uint64_t pixel, std::uint64_t mirror) {
    std::uint32_t first = 0;
    std::uint32_t second = 0;
    block_words(low_word(seed), high_word(seed), pixel, mirror, 1, 1, &first, &second);
    return box_muller(first, second);
}

// clamp(round(x), -127, 127) with round half away from zero, without a libm call (std::round is
// not inlined on the x86-64 baseline and cost ~20 % of int8 generation): clamping to +-128 first
// keeps the truncation in int range, and x - trunc(x) is exact, so ties are decided exactly.
std::int8_t quantise_int8(double value, double steps_per_unit) {
    return quantise_inline(value, steps_per_unit);
}

void medium_row_float(std::uint64_t seed, std::uint64_t pixel, std::uint64_t first_mirror,
                      std::uint64_t stride, std::size_t count, float* re, float* im,
                      SimdLevel level) {
    switch (level) {
        case SimdLevel::Avx512:
            return medium_row_float_avx512(seed, pixel, first_mirror, stride, count, re, im);
        case SimdLevel::Avx2:
            return medium_row_float_avx2(seed, pixel, first_mirror, stride, count, re, im);
        case SimdLevel::Baseline:
            break;
    }
    medium_row_float_baseline(seed, pixel, first_mirror, stride, count, re, im);
}

void medium_row_int8(std::uint64_t seed, std::uint64_t pixel, std::uint64_t first_mirror,
                     std::uint64_t stride, std::size_t count, double steps_per_unit,
                     std::int8_t* re, std::int8_t* im, SimdLevel level) {
    switch (level) {
        case SimdLevel::Avx512:
            return medium_row_int8_avx512(seed, pixel, first_mirror, stride, count, steps_per_unit,
                                          re, im);
        case SimdLevel::Avx2:
            return medium_row_int8_avx2(seed, pixel, first_mirror, stride, count, steps_per_unit,
                                        re, im);
        case SimdLevel::Baseline:
            break;
    }
    medium_row_int8_baseline(seed, pixel, first_mirror, stride, count, steps_per_unit, re, im);
}

}  // namespace opusim::physics
