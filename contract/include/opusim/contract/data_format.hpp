// The formats of the data the device moves by DMA.
//
// Input: one bit-packed DMD pattern per frame, CAP_INPUT_FRAME_BYTES = ceil(mirrors / 8) bytes.
// Mirrors are numbered row-major (mirror = row * columns + column); mirror m is bit (7 - m % 8)
// of byte m / 8 (most significant bit first, as numpy.packbits). Padding bits are zero.
//
// Output: N_COMPONENTS pixels per frame, in the ROI's row-major order (the first N_COMPONENTS
// pixels of the ROI_X/Y/WIDTH/HEIGHT rectangle). 8-bit sensors: one uint8 per pixel; 10- and
// 12-bit sensors: one little-endian uint16 per pixel, value in the low bits.
#pragma once

#include <cstdint>

namespace opusim::contract {

constexpr std::uint64_t input_frame_bytes(std::uint64_t mirrors) {
    return (mirrors + 7) / 8;
}

constexpr std::uint32_t bytes_per_pixel(std::uint32_t bit_depth) {
    return bit_depth <= 8 ? 1 : 2;
}

constexpr std::uint64_t output_frame_bytes(std::uint64_t n_components, std::uint32_t bit_depth) {
    return n_components * bytes_per_pixel(bit_depth);
}

// Whether mirror M is lit in the packed frame FRAME.
inline bool mirror_bit(const std::uint8_t* frame, std::uint64_t mirror) {
    return ((frame[mirror / 8] >> (7 - mirror % 8)) & 1u) != 0;
}

}  // namespace opusim::contract
