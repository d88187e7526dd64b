// Device defects (docs/device-physics.md "Defects"): which camera pixels are hot or dead and
// which DMD mirrors are stuck, drawn from the device seed so one device keeps its defects, and
// what they do to a frame. Off (no defect) unless the profile's "defects" section says otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "opusim/physics/profile.hpp"

namespace opusim::physics {

enum class PixelState : std::uint8_t { Good, Hot, Dead };
enum class MirrorState : std::uint8_t { Working, StuckOn, StuckOff };

// The state of camera pixel PIXEL (y * width + x) of the device DEVICE_SEED: a counter-based
// draw, so any subset of pixels is classified alike.
PixelState pixel_state(const DefectParams& defects, std::uint64_t device_seed, std::uint64_t pixel);
// The state of DMD mirror MIRROR (row * columns + column) of the device DEVICE_SEED.
MirrorState mirror_state(const DefectParams& defects, std::uint64_t device_seed,
                         std::uint64_t mirror);

// The hot and dead pixels among an output ROI's pixels, applied to the camera's values.
class PixelDefects {
  public:
    PixelDefects() = default;
    PixelDefects(const DefectParams& defects, std::uint64_t device_seed,
                 const std::vector<std::uint64_t>& pixels, unsigned bits);

    bool any() const { return !positions_.empty(); }
    std::size_t count() const { return positions_.size(); }

    // N_FRAMES frames of n_pixels values: hot pixels set to the ADC maximum, dead ones to 0.
    void apply(std::uint8_t* values, std::size_t n_frames) const;
    void apply(std::uint16_t* values, std::size_t n_frames) const;
    // The same on frames as the device writes them: BYTES_PER_PIXEL 1 (uint8) or 2 (LE uint16).
    void apply_wire(std::uint8_t* frames, std::size_t n_frames, unsigned bytes_per_pixel) const;

  private:
    template <class Value>
    void apply_values(Value* values, std::size_t n_frames) const;

    std::size_t n_pixels_ = 0;
    std::uint32_t adc_max_ = 0;
    std::vector<std::size_t> positions_;  // output indices of the defective pixels
    std::vector<PixelState> states_;      // their states
};

}  // namespace opusim::physics
