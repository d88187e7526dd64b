#include "opusim/contract/dmd_format.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "opusim/contract/data_format.hpp"

namespace opusim::contract {
namespace {

// Bits of byte B that belong to mirrors [begin, end) when the byte holds mirrors 8B..8B+7,
// MSB first.
std::uint8_t byte_mask(std::uint64_t byte, std::uint64_t begin, std::uint64_t end) {
    const std::uint64_t lo = std::max(begin, byte * 8) - byte * 8;    // 0..7
    const std::uint64_t hi = std::min(end, byte * 8 + 8) - byte * 8;  // 1..8
    const unsigned ones = (0xFFu >> lo) & (0xFFu << (8 - hi));
    return static_cast<std::uint8_t>(ones);
}

void set_mirrors(std::uint8_t* frame, std::uint64_t begin, std::uint64_t end) {
    if (begin >= end) return;
    const std::uint64_t first_byte = begin / 8;
    const std::uint64_t last_byte = (end - 1) / 8;
    if (first_byte == last_byte) {
        frame[first_byte] =
            static_cast<std::uint8_t>(frame[first_byte] | byte_mask(first_byte, begin, end));
        return;
    }
    frame[first_byte] =
        static_cast<std::uint8_t>(frame[first_byte] | byte_mask(first_byte, begin, end));
    if (last_byte > first_byte + 1) {
        std::memset(frame + first_byte + 1, 0xFF, last_byte - first_byte - 1);
    }
    frame[last_byte] =
        static_cast<std::uint8_t>(frame[last_byte] | byte_mask(last_byte, begin, end));
}

unsigned popcount8(unsigned value) {
    return static_cast<unsigned>(__builtin_popcount(value));
}

// Lit mirrors among [begin, end). The build targets baseline x86-64, where __builtin_popcountll
// is a libgcc call; a POPCNT clone, chosen at load time on CPUs that have it, counts in one
// instruction (integer counts: the same result either way).
__attribute__((target_clones("popcnt", "default"))) std::uint64_t count_mirrors(
    const std::uint8_t* frame, std::uint64_t begin, std::uint64_t end) {
    if (begin >= end) return 0;
    const std::uint64_t first_byte = begin / 8;
    const std::uint64_t last_byte = (end - 1) / 8;
    if (first_byte == last_byte)
        return popcount8(frame[first_byte] & byte_mask(first_byte, begin, end));
    std::uint64_t count = popcount8(frame[first_byte] & byte_mask(first_byte, begin, end)) +
                          popcount8(frame[last_byte] & byte_mask(last_byte, begin, end));
    std::uint64_t byte = first_byte + 1;
    for (; byte + 8 <= last_byte; byte += 8) {
        std::uint64_t word;
        std::memcpy(&word, frame + byte, 8);
        count += static_cast<std::uint64_t>(__builtin_popcountll(word));
    }
    for (; byte < last_byte; ++byte) count += popcount8(frame[byte]);
    return count;
}

std::string index_text(std::size_t frame, std::uint64_t feature) {
    return "frame " + std::to_string(frame) + ", feature " + std::to_string(feature);
}

}  // namespace

std::string to_string(InputRoiStrategy strategy) {
    switch (strategy) {
        case InputRoiStrategy::Full:
            return "full";
        case InputRoiStrategy::Small:
            return "small";
        case InputRoiStrategy::Auto:
            return "auto";
    }
    return "unknown";
}

InputRoiStrategy parse_input_roi_strategy(const std::string& text, const std::string& argument) {
    if (text == "full") return InputRoiStrategy::Full;
    if (text == "small") return InputRoiStrategy::Small;
    if (text == "auto") return InputRoiStrategy::Auto;
    throw std::invalid_argument(argument + ": expected one of full, small, auto, got '" + text +
                                "'");
}

InputLayout make_input_layout(const DmdGeometry& dmd, std::uint64_t n_features,
                              InputRoiStrategy strategy) {
    const std::uint64_t mirrors = dmd.mirrors();
    if (n_features == 0 || n_features > mirrors) {
        throw std::invalid_argument("n_features: expected 1 to " + std::to_string(mirrors) +
                                    " (the DMD's " + std::to_string(dmd.columns) + " x " +
                                    std::to_string(dmd.rows) + " mirrors), got " +
                                    std::to_string(n_features));
    }
    const std::uint64_t full_replication = mirrors / n_features;
    if (strategy == InputRoiStrategy::Auto) {
        strategy = full_replication >= 2 ? InputRoiStrategy::Full : InputRoiStrategy::Small;
    }
    InputLayout layout;
    layout.n_features = n_features;
    layout.total_mirrors = mirrors;
    layout.strategy = strategy;
    layout.replication = strategy == InputRoiStrategy::Full ? full_replication : 1;
    layout.first_mirror = (mirrors - layout.used_mirrors()) / 2;
    return layout;
}

InputLayout make_replicated_layout(const DmdGeometry& dmd, std::uint64_t n_features,
                                   std::uint64_t replication) {
    InputLayout layout = make_input_layout(dmd, n_features, InputRoiStrategy::Small);
    if (replication == 0 || replication > layout.total_mirrors / n_features) {
        throw std::invalid_argument("replication: expected 1 to " +
                                    std::to_string(layout.total_mirrors / n_features) +
                                    " mirrors per feature for " + std::to_string(n_features) +
                                    " features, got " + std::to_string(replication));
    }
    layout.replication = replication;
    layout.strategy = replication > 1 ? InputRoiStrategy::Full : InputRoiStrategy::Small;
    layout.first_mirror = (layout.total_mirrors - layout.used_mirrors()) / 2;
    return layout;
}

std::size_t packed_frame_bytes(std::uint64_t total_mirrors) {
    return static_cast<std::size_t>((total_mirrors + 7) / 8);
}

void format_frames(const InputLayout& layout, const std::uint8_t* features, std::size_t n_frames,
                   std::uint8_t* packed) {
    const std::size_t frame_bytes = packed_frame_bytes(layout);
    for (std::size_t frame = 0; frame < n_frames; ++frame) {
        const std::uint8_t* row = features + frame * layout.n_features;
        std::uint8_t* out = packed + frame * frame_bytes;
        std::memset(out, 0, frame_bytes);
        for (std::uint64_t f = 0; f < layout.n_features; ++f) {
            if (row[f] == 0) continue;
            if (row[f] != 1) {
                throw std::invalid_argument("features: expected 0 or 1 at " + index_text(frame, f) +
                                            ", got " + std::to_string(row[f]));
            }
            const std::uint64_t begin = layout.mirror_of(f, 0);
            set_mirrors(out, begin, begin + layout.replication);
        }
    }
}

std::vector<std::uint8_t> format_frames(const InputLayout& layout, const std::uint8_t* features,
                                        std::size_t n_frames) {
    std::vector<std::uint8_t> packed(n_frames * packed_frame_bytes(layout));
    format_frames(layout, features, n_frames, packed.data());
    return packed;
}

namespace {

// The feature bits of a well-formed frame: each feature's first mirror.
std::uint64_t first_mirror_bits(const InputLayout& layout, const std::uint8_t* packed_frame,
                                std::uint8_t* features) {
    std::uint64_t ones = 0;
    for (std::uint64_t f = 0; f < layout.n_features; ++f) {
        features[f] = mirror_bit(packed_frame, layout.mirror_of(f, 0)) ? 1 : 0;
        ones += features[f];
    }
    return ones;
}

// Why PACKED_FRAME is not a frame of LAYOUT (it differs from the expansion of its first-mirror
// bits): the mirror counts the error message names. Runs only for a bad frame.
[[noreturn]] void throw_format_error(const InputLayout& layout, const std::uint8_t* packed_frame) {
    const std::uint64_t used_begin = layout.first_mirror;
    const std::uint64_t used_end = layout.first_mirror + layout.used_mirrors();
    const std::uint64_t padded_end = packed_frame_bytes(layout) * 8;
    const std::uint64_t outside = count_mirrors(packed_frame, 0, used_begin) +
                                  count_mirrors(packed_frame, used_end, padded_end);
    if (outside != 0) {
        throw InputFormatError("DMD frame: " + std::to_string(outside) +
                               " lit mirror(s) outside the input layout [" +
                               std::to_string(used_begin) + ", " + std::to_string(used_end) + ")");
    }
    for (std::uint64_t f = 0; f < layout.n_features; ++f) {
        const std::uint64_t begin = layout.mirror_of(f, 0);
        const std::uint64_t lit = count_mirrors(packed_frame, begin, begin + layout.replication);
        if (lit != 0 && lit != layout.replication) {
            throw InputFormatError("DMD frame: feature " + std::to_string(f) + " has " +
                                   std::to_string(lit) + " of its " +
                                   std::to_string(layout.replication) +
                                   " mirrors lit (a feature's mirrors must be all on or all off)");
        }
    }
    throw InputFormatError("DMD frame: does not match the input layout");
}

}  // namespace

std::uint64_t unpack_frame(const InputLayout& layout, const std::uint8_t* packed_frame,
                           std::uint8_t* features) {
    const std::uint64_t ones = first_mirror_bits(layout, packed_frame, features);
    // One expansion buffer per thread: the device checks frames on its own threads.
    thread_local std::vector<std::uint8_t> expected;
    expected.resize(packed_frame_bytes(layout));
    format_frames(layout, features, 1, expected.data());
    if (std::memcmp(expected.data(), packed_frame, expected.size()) != 0) {
        throw_format_error(layout, packed_frame);
    }
    return ones;
}

void pack_features(const InputLayout& layout, const std::uint8_t* features, std::size_t n_frames,
                   std::uint8_t* packed) {
    const std::uint64_t n = layout.n_features;
    const std::size_t frame_bytes = static_cast<std::size_t>(packed_features_bytes(n));
    for (std::size_t frame = 0; frame < n_frames; ++frame) {
        const std::uint8_t* row = features + frame * n;
        std::uint8_t* out = packed + frame * frame_bytes;
        std::uint8_t invalid = 0;
        for (std::size_t byte = 0; byte < frame_bytes; ++byte) {
            const std::uint64_t begin = std::uint64_t{byte} * 8;
            const std::uint64_t end = std::min<std::uint64_t>(n, begin + 8);
            unsigned bits = 0;
            for (std::uint64_t f = begin; f < end; ++f) {
                bits |= unsigned{row[f] & 1u} << (7 - (f - begin));
                invalid |= static_cast<std::uint8_t>(row[f] & 0xFEu);
            }
            out[byte] = static_cast<std::uint8_t>(bits);
        }
        if (invalid == 0) continue;
        for (std::uint64_t f = 0; f < n; ++f) {
            if (row[f] > 1) {
                throw std::invalid_argument("features: expected 0 or 1 at " + index_text(frame, f) +
                                            ", got " + std::to_string(row[f]));
            }
        }
    }
}

std::uint64_t unpack_features(std::uint64_t n_features, const std::uint8_t* packed_frame,
                              std::uint8_t* features) {
    const std::size_t frame_bytes = static_cast<std::size_t>(packed_features_bytes(n_features));
    std::uint64_t ones = 0;
    for (std::uint64_t f = 0; f < n_features; ++f) {
        features[f] = static_cast<std::uint8_t>((packed_frame[f / 8] >> (7 - f % 8)) & 1u);
        ones += features[f];
    }
    const unsigned used_bits = static_cast<unsigned>(n_features - (frame_bytes - 1) * 8);
    const unsigned pad = used_bits >= 8 ? 0u : 0xFFu >> used_bits;
    if ((packed_frame[frame_bytes - 1] & pad) != 0) {
        throw InputFormatError("packed features: pad bit(s) set after feature " +
                               std::to_string(n_features - 1));
    }
    return ones;
}

std::uint64_t lit_mirrors(const std::uint8_t* packed_frame, std::uint64_t total_mirrors) {
    return count_mirrors(packed_frame, 0, total_mirrors);
}

std::uint64_t lit_mirrors(const InputLayout& layout, const std::uint8_t* features) {
    std::uint64_t ones = 0;
    for (std::uint64_t f = 0; f < layout.n_features; ++f) ones += features[f] != 0 ? 1 : 0;
    return ones * layout.replication;
}

}  // namespace opusim::contract
