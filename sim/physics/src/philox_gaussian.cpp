#include "opusim/physics/philox_gaussian.hpp"

#include <Random123/philox.h>
#include <Random123/uniform.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace opusim::physics {
namespace {

using Philox = r123::Philox4x32;
constexpr double kQuarterPi = 0.78539816339744830961566084581988;
// Entries handled per stage: the two words of each entry live on the stack between the stages.
constexpr std::size_t kBlock = 256;

std::uint32_t low_word(std::uint64_t value) {
    return static_cast<std::uint32_t>(value);
}
std::uint32_t high_word(std::uint64_t value) {
    return static_cast<std::uint32_t>(value >> 32);
}

Philox::key_type key_of(std::uint64_t seed) {
    Philox::key_type key = {{low_word(seed), high_word(seed)}};
    return key;
}

// The two 32-bit words that entry (pixel, mirror) turns into a Gaussian.
void entry_words(const Philox::key_type& key, std::uint64_t pixel, std::uint64_t mirror,
                 std::uint32_t& first, std::uint32_t& second) {
    const std::uint64_t pair = mirror >> 1;
    Philox::ctr_type counter = {
        {low_word(pair), high_word(pair), low_word(pixel), high_word(pixel)}};
    const Philox::ctr_type words = Philox()(counter, key);
    const unsigned half = static_cast<unsigned>(mirror & 1u) * 2u;
    first = words.v[half];
    second = words.v[half + 1];
}

// Words for COUNT entries starting at FIRST_MIRROR with STRIDE. With stride 1 one Philox call
// serves both mirrors of a pair.
void row_words(const Philox::key_type& key, std::uint64_t pixel, std::uint64_t first_mirror,
               std::uint64_t stride, std::size_t count, std::uint32_t* first,
               std::uint32_t* second) {
    std::size_t c = 0;
    if (stride == 1) {
        if ((first_mirror & 1u) != 0 && count > 0) {
            entry_words(key, pixel, first_mirror, first[0], second[0]);
            c = 1;
        }
        for (; c + 1 < count; c += 2) {
            const std::uint64_t pair = (first_mirror + c) >> 1;
            Philox::ctr_type counter = {
                {low_word(pair), high_word(pair), low_word(pixel), high_word(pixel)}};
            const Philox::ctr_type words = Philox()(counter, key);
            first[c] = words.v[0];
            second[c] = words.v[1];
            first[c + 1] = words.v[2];
            second[c + 1] = words.v[3];
        }
    }
    for (; c < count; ++c) {
        entry_words(key, pixel, first_mirror + c * stride, first[c], second[c]);
    }
}

GaussianPair box_muller(std::uint32_t first, std::uint32_t second) {
    const double radius = std::sqrt(-std::log(r123::u01<double>(first)));
    const CosSin direction = cos_sin_of_turn(r123::u01<double>(second));
    return {radius * direction.cos, radius * direction.sin};
}

template <class Store>
void medium_row(std::uint64_t seed, std::uint64_t pixel, std::uint64_t first_mirror,
                std::uint64_t stride, std::size_t count, Store store) {
    const Philox::key_type key = key_of(seed);
    std::array<std::uint32_t, kBlock> first{};
    std::array<std::uint32_t, kBlock> second{};
    for (std::size_t begin = 0; begin < count; begin += kBlock) {
        const std::size_t n = std::min(kBlock, count - begin);
        row_words(key, pixel, first_mirror + begin * stride, stride, n, first.data(),
                  second.data());
        for (std::size_t c = 0; c < n; ++c) {
            store(begin + c, box_muller(first[c], second[c]));
        }
    }
}

// Taylor polynomials on [0, pi/4]: the first omitted terms, x^19/19! and x^18/18!, are below
// 1e-19 and 3e-18 there, far under the half-ulp rounding of the result.
double sin_taylor(double x) {
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

double cos_taylor(double x) {
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

}  // namespace

CosSin cos_sin_of_turn(double turns) {
    // Octant o = floor(8 t); within it the angle is o pi/4 + h pi/4 (h in [0, 1)), which the
    // symmetries of the circle turn into +-cos/sin of x = y pi/4 with y = h (even o) or 1 - h
    // (odd o), so x is in [0, pi/4] and measured from the nearest axis (accurate near zeros).
    const double eighths = 8 * turns;  // exact: a power-of-two scaling
    const int octant = static_cast<int>(eighths) & 7;
    const double fraction = eighths - static_cast<int>(eighths);
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

GaussianPair medium_gaussian(std::uint64_t seed, std::uint64_t pixel, std::uint64_t mirror) {
    std::uint32_t first = 0;
    std::uint32_t second = 0;
    entry_words(key_of(seed), pixel, mirror, first, second);
    return box_muller(first, second);
}

// clamp(round(x), -127, 127) with round half away from zero, without a libm call (std::round is
// not inlined on the x86-64 baseline and cost ~20 % of int8 generation): clamping to +-128 first
// keeps the truncation in int range, and x - trunc(x) is exact, so ties are decided exactly.
std::int8_t quantise_int8(double value, double steps_per_unit) {
    const double scaled = std::clamp(steps_per_unit * value, -128.0, 128.0);
    const int truncated = static_cast<int>(scaled);  // toward zero
    const double fraction = scaled - truncated;
    // Branch-free: the sign of the fraction is random, so branches would mispredict half the time.
    const int rounded =
        truncated + static_cast<int>(fraction >= 0.5) - static_cast<int>(fraction <= -0.5);
    return static_cast<std::int8_t>(std::clamp(rounded, -127, 127));
}

void medium_row_float(std::uint64_t seed, std::uint64_t pixel, std::uint64_t first_mirror,
                      std::uint64_t stride, std::size_t count, float* re, float* im) {
    medium_row(seed, pixel, first_mirror, stride, count, [&](std::size_t c, GaussianPair g) {
        re[c] = static_cast<float>(g.re);
        im[c] = static_cast<float>(g.im);
    });
}

void medium_row_int8(std::uint64_t seed, std::uint64_t pixel, std::uint64_t first_mirror,
                     std::uint64_t stride, std::size_t count, double steps_per_unit,
                     std::int8_t* re, std::int8_t* im) {
    medium_row(seed, pixel, first_mirror, stride, count, [&](std::size_t c, GaussianPair g) {
        re[c] = quantise_int8(g.re, steps_per_unit);
        im[c] = quantise_int8(g.im, steps_per_unit);
    });
}

}  // namespace opusim::physics
