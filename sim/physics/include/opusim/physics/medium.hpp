// The scattering medium: a transmission matrix R (camera pixels x DMD mirrors) of i.i.d. circular
// complex Gaussian entries, E|R_ji|^2 = 1. Entry (j, i) is a pure function of (seed, j, i), so
// the medium is defined by its seed and never stored whole.
#pragma once

#include <complex>
#include <cstdint>

#include "opusim/physics/profile.hpp"

namespace opusim::physics {

class Medium {
public:
    Medium(const MediumParams& params, std::uint64_t seed);

    // The device's true entry (quantised to the int8 grid when storage is "int8").
    std::complex<float> entry(std::uint64_t pixel, std::uint64_t mirror) const;
    // The true matrix block [pixel_begin, pixel_end) x [mirror_begin, mirror_end), row-major
    // complex64 into OUT. Bit-identical whatever the tiling or thread count.
    void block(std::uint64_t pixel_begin, std::uint64_t pixel_end, std::uint64_t mirror_begin,
               std::uint64_t mirror_end, std::complex<float>* out) const;

    const MediumParams& params() const { return params_; }
    std::uint64_t seed() const { return seed_; }

private:
    MediumParams params_;
    std::uint64_t seed_;
};

}  // namespace opusim::physics
