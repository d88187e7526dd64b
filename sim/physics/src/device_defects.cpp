#include "opusim/physics/device_defects.hpp"

#include <cmath>

namespace opusim::physics {

namespace {

// Domains of the draws, so a pixel and a mirror of the same index are independent.
constexpr std::uint64_t kPixelDomain = 0x70697865'6C646566ull;   // "pixeldef"
constexpr std::uint64_t kMirrorDomain = 0x6D697272'6F727374ull;  // "mirrorst"

std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// A uniform draw in [0, 1) for (SEED, DOMAIN, INDEX).
double uniform(std::uint64_t seed, std::uint64_t domain, std::uint64_t index) {
    const std::uint64_t bits = mix(mix(seed ^ domain) ^ mix(index));
    return double(bits >> 11) * 0x1.0p-53;
}

}  // namespace

PixelState pixel_state(const DefectParams& defects, std::uint64_t device_seed,
                       std::uint64_t pixel) {
    if (defects.hot_pixel_fraction <= 0 && defects.dead_pixel_fraction <= 0) {
        return PixelState::Good;
    }
    const double u = uniform(device_seed, kPixelDomain, pixel);
    if (u < defects.hot_pixel_fraction) return PixelState::Hot;
    if (u < defects.hot_pixel_fraction + defects.dead_pixel_fraction) return PixelState::Dead;
    return PixelState::Good;
}

MirrorState mirror_state(const DefectParams& defects, std::uint64_t device_seed,
                         std::uint64_t mirror) {
    if (defects.stuck_mirror_fraction <= 0) return MirrorState::Working;
    const double u = uniform(device_seed, kMirrorDomain, mirror);
    if (u >= defects.stuck_mirror_fraction) return MirrorState::Working;
    return u < 0.5 * defects.stuck_mirror_fraction ? MirrorState::StuckOn : MirrorState::StuckOff;
}

PixelDefects::PixelDefects(const DefectParams& defects, std::uint64_t device_seed,
                           const std::vector<std::uint64_t>& pixels, unsigned bits)
    : n_pixels_(pixels.size()), adc_max_((std::uint32_t{1} << bits) - 1) {
    for (std::size_t j = 0; j < pixels.size(); ++j) {
        const PixelState state = pixel_state(defects, device_seed, pixels[j]);
        if (state == PixelState::Good) continue;
        positions_.push_back(j);
        states_.push_back(state);
    }
}

template <class Value>
void PixelDefects::apply_values(Value* values, std::size_t n_frames) const {
    for (std::size_t frame = 0; frame < n_frames; ++frame) {
        Value* row = values + frame * n_pixels_;
        for (std::size_t k = 0; k < positions_.size(); ++k) {
            row[positions_[k]] = states_[k] == PixelState::Hot ? Value(adc_max_) : Value(0);
        }
    }
}

void PixelDefects::apply(std::uint8_t* values, std::size_t n_frames) const {
    apply_values(values, n_frames);
}

void PixelDefects::apply(std::uint16_t* values, std::size_t n_frames) const {
    apply_values(values, n_frames);
}

void PixelDefects::apply_wire(std::uint8_t* frames, std::size_t n_frames,
                              unsigned bytes_per_pixel) const {
    if (bytes_per_pixel == 1) {
        apply_values(frames, n_frames);
        return;
    }
    for (std::size_t frame = 0; frame < n_frames; ++frame) {
        std::uint8_t* row = frames + frame * n_pixels_ * 2;
        for (std::size_t k = 0; k < positions_.size(); ++k) {
            const std::uint32_t value = states_[k] == PixelState::Hot ? adc_max_ : 0;
            row[2 * positions_[k]] = static_cast<std::uint8_t>(value & 0xFF);
            row[2 * positions_[k] + 1] = static_cast<std::uint8_t>(value >> 8);
        }
    }
}

}  // namespace opusim::physics
