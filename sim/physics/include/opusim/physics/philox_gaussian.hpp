// The medium's random numbers: entry (pixel, mirror) of the transmission matrix as a pure function
// of (seed, pixel, mirror), from Random123's Philox4x32-10 and a Box-Muller transform.
//
//   key     = (seed mod 2^32, seed div 2^32)
//   counter = (p mod 2^32, p div 2^32, pixel mod 2^32, pixel div 2^32),  p = mirror div 2
//   words   = philox4x32(counter, key); an even mirror takes words (0, 1), an odd one (2, 3),
//             so one Philox call serves two neighbouring mirrors of a row.
//   u1 = r123::u01<double>(w_first), u2 = r123::u01<double>(w_second)  (both in the open (0, 1))
//   re = sqrt(-ln u1) cos(2 pi u2),  im = sqrt(-ln u1) sin(2 pi u2)
// with ln from libm and cos/sin of 2 pi u2 from cos_sin_of_turn below (octant reduction and
// Taylor polynomials: our own code, a few times faster than libm's sincos and independent of it).
//
// That is Box-Muller scaled by 1/sqrt(2): re, im are independent N(0, 1/2), |R|^2 = -ln u1 is
// Exp(1), so E|R|^2 = 1. Arithmetic is in double; results are rounded once (to float, or to the
// int8 grid by quantise_int8), so they do not depend on how a row or a tile is cut.
#pragma once

#include <cstddef>
#include <cstdint>

#include "opusim/physics/simd_level.hpp"

namespace opusim::physics {

struct GaussianPair {
    double re;
    double im;
};

struct CosSin {
    double cos;
    double sin;
};

// cos and sin of 2 pi TURNS for TURNS in [0, 1): reduced to an octant by symmetry (exact for the
// u01 values used here), then degree-16/17 Taylor polynomials on [0, pi/4]. Within 3e-16 of
// the true values (tested against long double).
CosSin cos_sin_of_turn(double turns);

// The unquantised Gaussian of entry (pixel, mirror).
GaussianPair medium_gaussian(std::uint64_t seed, std::uint64_t pixel, std::uint64_t mirror);

// The int8 medium: q = clamp(round(steps_per_unit * value), -127, 127), round half away from
// zero. The stored value is q / steps_per_unit.
std::int8_t quantise_int8(double value, double steps_per_unit);

// One strided row of entries (pixel, first_mirror + c * stride) for c in [0, count), written as
// separate real and imaginary planes. The Philox stage runs over the whole row first (a loop the
// compiler vectorises), then ln u1 through libm (scalar on every path, so its bits are libm's),
// then the rest of the transform (vectorised). LEVEL picks the code path (simd_level.hpp); every
// level gives the same bits (tested by forcing each).
void medium_row_float(std::uint64_t seed, std::uint64_t pixel, std::uint64_t first_mirror,
                      std::uint64_t stride, std::size_t count, float* re, float* im,
                      SimdLevel level = active_simd_level());
void medium_row_int8(std::uint64_t seed, std::uint64_t pixel, std::uint64_t first_mirror,
                     std::uint64_t stride, std::size_t count, double steps_per_unit,
                     std::int8_t* re, std::int8_t* im, SimdLevel level = active_simd_level());

}  // namespace opusim::physics
