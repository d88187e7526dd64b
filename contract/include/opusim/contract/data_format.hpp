// The formats of the data the device moves by DMA.
//
// Input, two formats; the job descriptor's flag PACKED_FEATURES picks one per job, and
// CAP_INPUT_FORMATS says which a device takes (docs/device-abi.md, "Data formats"):
//   DMD pattern (flag clear): the whole bit-packed DMD pattern, CAP_INPUT_FRAME_BYTES =
//     ceil(mirrors / 8) bytes. Mirrors are numbered row-major (mirror = row * columns + column);
//     mirror m is bit (7 - m % 8) of byte m / 8 (most significant bit first, as numpy.packbits).
//     Padding bits are zero. The host formats; the device checks.
//   Packed features (flag set): the frame's N_FEATURES feature bits, ceil(N_FEATURES / 8) bytes,
//     feature f is bit (7 - f % 8) of byte f / 8, padding bits zero. The layout is the job's
//     latched N_FEATURES, REPLICATION and FIRST_MIRROR; the device's formatter expands the bits
//     for the DMD (feature f lights mirrors FIRST_MIRROR + f * REPLICATION ... + REPLICATION - 1).
//     The link moves only these bytes.
//
// Output: N_COMPONENTS pixels per frame, in the ROI's row-major order (the first N_COMPONENTS
// pixels of the ROI_X/Y/WIDTH/HEIGHT rectangle). 8-bit sensors: one uint8 per pixel; 10- and
// 12-bit sensors: one little-endian uint16 per pixel, value in the low bits.
// Ideal mode (MODE.IDEAL; CAP_OUTPUT_FORMATS bit FLOAT_INTENSITIES says a device has it): one
// little-endian IEEE-754 float32 per pixel, the pixel's optical intensity |field|^2 in units where
// E|R|^2 = 1 for one mirror, without camera noise, quantisation or clipping (lightonml's
// simulated device). The output DMA moves 4 bytes a pixel.
#pragma once

#include <cstdint>

namespace opusim::contract {

enum class InputFormat : std::uint32_t { DmdPattern = 0, PackedFeatures = 1 };

// CAP_INPUT_FORMATS: one bit per InputFormat a device accepts. A device without the register
// (ABI 1.1 before it) reads 0 there and takes DMD patterns only.
namespace input_formats {
inline constexpr std::uint32_t kDmdPattern = 1u << 0;
inline constexpr std::uint32_t kPackedFeatures = 1u << 1;
}  // namespace input_formats

constexpr bool accepts(std::uint32_t cap_input_formats, InputFormat format) {
    return format == InputFormat::DmdPattern ||
           (cap_input_formats & input_formats::kPackedFeatures) != 0;
}

constexpr std::uint64_t input_frame_bytes(std::uint64_t mirrors) {
    return (mirrors + 7) / 8;
}

// Bytes of one packed-features frame of N_FEATURES features.
constexpr std::uint64_t packed_features_bytes(std::uint64_t n_features) {
    return (n_features + 7) / 8;
}

// Bytes of one input frame in FORMAT.
constexpr std::uint64_t input_frame_bytes(InputFormat format, std::uint64_t mirrors,
                                          std::uint64_t n_features) {
    return format == InputFormat::PackedFeatures ? packed_features_bytes(n_features)
                                                 : input_frame_bytes(mirrors);
}

// CAP_OUTPUT_FORMATS: one bit per output format a device can write. A device without the
// register reads 0 there and writes camera values only.
namespace output_formats {
inline constexpr std::uint32_t kCameraValues = 1u << 0;
inline constexpr std::uint32_t kFloatIntensities = 1u << 1;
}  // namespace output_formats

inline constexpr std::uint32_t kFloatIntensityBytes = 4;

constexpr std::uint32_t bytes_per_pixel(std::uint32_t bit_depth) {
    return bit_depth <= 8 ? 1 : 2;
}

// Bytes of one output pixel: the camera's (bit depth), or a float32 in ideal mode.
constexpr std::uint32_t bytes_per_pixel(std::uint32_t bit_depth, bool ideal) {
    return ideal ? kFloatIntensityBytes : bytes_per_pixel(bit_depth);
}

constexpr std::uint64_t output_frame_bytes(std::uint64_t n_components, std::uint32_t bit_depth,
                                           bool ideal = false) {
    return n_components * bytes_per_pixel(bit_depth, ideal);
}

// Whether mirror M is lit in the packed frame FRAME.
inline bool mirror_bit(const std::uint8_t* frame, std::uint64_t mirror) {
    return ((frame[mirror / 8] >> (7 - mirror % 8)) & 1u) != 0;
}

}  // namespace opusim::contract
