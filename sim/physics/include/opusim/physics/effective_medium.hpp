// The medium as one input layout and one output ROI see it: a matrix of n_pixels x n_features
// effective columns, and the intensities |field|^2 of chunks of binary frames through it.
//
// A feature replicated over k mirrors has as effective column the sum of its mirrors' columns;
// off mirrors leak amplitude 1/sqrt(contrast_ratio), so
//   field_j = (1 - a) * sum_f x_f C_jf + a * (sum_f C_jf + background_j),  a = 1/sqrt(CR),
// where background_j is the field of the mirrors outside the layout. For binary frames the first
// sum is one exact integer GEMM on the int8 medium (oneDNN u8 x s8 -> s32).
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "opusim/physics/input_layout.hpp"
#include "opusim/physics/medium.hpp"

namespace opusim::physics {

class EffectiveMedium {
public:
    // PIXELS: camera pixel indices (y * camera width + x) of the output ROI, in output order.
    EffectiveMedium(const Medium& medium, const InputLayout& layout,
                    std::vector<std::uint64_t> pixels, double contrast_ratio);

    std::size_t n_pixels() const;
    std::size_t n_features() const;

    // Intensities for N_FRAMES binary frames (row-major n_frames x n_features, each 0 or 1) into
    // OUT (row-major n_frames x n_pixels), in units where E|R_ji|^2 = 1. Deterministic and
    // independent of how frames are chunked.
    void intensities(const std::uint8_t* frames, std::size_t n_frames, float* out) const;

    // Oracle only (tests and tools, never the SDK path): the effective complex matrix
    // (n_pixels x n_features, row-major) and the constant leakage field per pixel.
    std::vector<std::complex<float>> oracle_matrix() const;
    std::vector<std::complex<float>> oracle_leakage_field() const;
};

}  // namespace opusim::physics
