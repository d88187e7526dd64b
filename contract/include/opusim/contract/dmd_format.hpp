// DMD formatting: where input features land on the mirrors (the input layout), and the bit-packed
// frames the DMD shows. The device side runs the inverse (unpack_frame) to check what the host
// sent.
//
// Packed frame: mirrors in row-major order (mirror = row * columns + column), 8 mirrors per byte,
// most significant bit first (numpy.packbits order): mirror m is bit (7 - m % 8) of byte m / 8.
// A frame has ceil(mirrors / 8) bytes (gen2: 1,039,680 mirrors -> 129,960 bytes); pad bits of a
// last partial byte are 0.
//
// Layouts (docs/device-physics.md "DMD formatting"): feature f occupies `replication` consecutive
// mirrors starting at first_mirror + f * replication; the used run of n_features * replication
// mirrors is centred in mirror order: first_mirror = (mirrors - used) / 2 (rounded down).
//   full : replication = floor(mirrors / n_features) (more light per feature, more signal)
//   small: replication = 1
//   auto : full when it replicates each feature at least twice (floor(mirrors / n) >= 2), otherwise
//          small. The rule depends only on n_features, never on the data, so one transform keeps
//          one layout. Signal grows as replication^2, so full is chosen whenever it gains light.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "opusim/contract/data_format.hpp"
#include "opusim/contract/geometry.hpp"
#include "opusim/contract/input_layout.hpp"

namespace opusim::contract {

// A DMD frame that does not match the layout (non-uniform feature block, lit mirror outside the
// layout). The device reports it as an input-format error.
class InputFormatError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Throws std::invalid_argument naming n_features when it is 0 or more than the mirrors.
InputLayout make_input_layout(const DmdGeometry& dmd, std::uint64_t n_features,
                              InputRoiStrategy strategy);
// N_FEATURES features of REPLICATION mirrors each, centred (strategy Full when REPLICATION > 1,
// as the device reads a layout back). Throws std::invalid_argument naming replication when it is
// 0 or the features do not fit.
InputLayout make_replicated_layout(const DmdGeometry& dmd, std::uint64_t n_features,
                                   std::uint64_t replication);

// Bytes of one packed frame: ceil(mirrors / 8).
std::size_t packed_frame_bytes(std::uint64_t total_mirrors);
inline std::size_t packed_frame_bytes(const InputLayout& layout) {
    return packed_frame_bytes(layout.total_mirrors);
}

// Packs N_FRAMES rows of feature bits (row-major n_frames x layout.n_features, each 0 or 1) into
// N_FRAMES packed frames (n_frames x packed_frame_bytes(layout)) at PACKED. Throws
// std::invalid_argument naming `features` (frame and feature index) for a value other than 0/1.
void format_frames(const InputLayout& layout, const std::uint8_t* features, std::size_t n_frames,
                   std::uint8_t* packed);
std::vector<std::uint8_t> format_frames(const InputLayout& layout, const std::uint8_t* features,
                                        std::size_t n_frames);

// The inverse, as the device checks it: feature bits of one packed frame into FEATURES
// (layout.n_features values 0/1); returns the features that are on. Throws InputFormatError when
// a feature's mirror block is not all on or all off, or a mirror outside the layout (or a pad
// bit) is lit. The check reads each feature's first mirror, expands those bits as the host does
// and compares the frames byte for byte (a memcmp, no per-mirror loop).
std::uint64_t unpack_frame(const InputLayout& layout, const std::uint8_t* packed_frame,
                           std::uint8_t* features);

// The packed-features input format (data_format.hpp): N_FRAMES rows of feature bits (row-major
// n_frames x layout.n_features, each 0 or 1) into N_FRAMES frames of
// packed_features_bytes(layout.n_features) bytes at PACKED, MSB first. Throws
// std::invalid_argument naming `features` (frame and feature index) for a value other than 0/1.
void pack_features(const InputLayout& layout, const std::uint8_t* features, std::size_t n_frames,
                   std::uint8_t* packed);
// Its inverse on the device: the N_FEATURES bits of one packed-features frame into FEATURES (0/1
// values); returns the features that are on. Throws InputFormatError when a pad bit is set.
std::uint64_t unpack_features(std::uint64_t n_features, const std::uint8_t* packed_frame,
                              std::uint8_t* features);

// Lit mirrors of one packed frame (popcount over the frame's mirrors).
std::uint64_t lit_mirrors(const std::uint8_t* packed_frame, std::uint64_t total_mirrors);
// Lit mirrors a row of feature bits produces under LAYOUT (ones x replication).
std::uint64_t lit_mirrors(const InputLayout& layout, const std::uint8_t* features);

}  // namespace opusim::contract
