// The optical capture chain: binary feature frames -> medium intensities -> camera digital numbers.
// This is the functional core of one device job: the SystemC model calls it per chunk of frames
// (timing never waits on it), and `opusim capture` calls it directly.
//
// Frames are processed in chunks of `chunk_frames` (a memory bound: chunk x pixels floats of
// intensities); because the medium and the camera noise are pure functions of (seeds, frame
// sequence number, pixel), the result is identical whatever the chunk size or call split.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "opusim/physics/camera.hpp"
#include "opusim/physics/effective_medium.hpp"
#include "opusim/contract/input_layout.hpp"
#include "opusim/physics/medium.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::physics {

struct CaptureSettings {
    std::uint64_t device_seed = 0;  // the medium and the PRNU/DSNU maps (profile: medium.seed)
    std::uint64_t noise_seed = 0;   // temporal noise (profile: camera.noise_seed)
    bool noise = true;              // false: noiseless camera (see camera.hpp)
    std::size_t chunk_frames = 256;

    // The profile's seeds, noise on.
    static CaptureSettings from_profile(const DeviceProfile& profile);
};

struct CaptureStats {
    std::uint64_t saturated = 0;             // pixels at the ADC maximum, all frames
    std::vector<std::uint64_t> lit_mirrors;  // per frame (ones x replication)
};

class CaptureChain {
  public:
    // Throws std::invalid_argument naming the argument (layout, pixels, chunk_frames).
    CaptureChain(const DeviceProfile& profile, const contract::InputLayout& layout,
                 std::vector<std::uint64_t> pixels, const CaptureSettings& settings);

    std::size_t n_features() const { return layout_.n_features; }
    std::size_t n_pixels() const { return camera_.n_pixels(); }
    const contract::InputLayout& layout() const { return layout_; }
    const Camera& camera() const { return camera_; }
    const EffectiveMedium& effective_medium() const { return effective_; }

    // Frames FIRST_FRAME.. for N_FRAMES rows of feature bits (row-major n_frames x n_features,
    // 0/1) at EXPOSURE_US into OUT (row-major n_frames x n_pixels). uint8 output needs an 8-bit
    // camera. Throws std::invalid_argument naming `frames` for a value other than 0/1.
    CaptureStats capture(const std::uint8_t* features, std::size_t n_frames,
                         std::uint64_t first_frame, double exposure_us, std::uint8_t* out) const;
    CaptureStats capture(const std::uint8_t* features, std::size_t n_frames,
                         std::uint64_t first_frame, double exposure_us, std::uint16_t* out) const;

  private:
    template <class Out>
    CaptureStats run(const std::uint8_t* features, std::size_t n_frames, std::uint64_t first_frame,
                     double exposure_us, Out* out) const;

    contract::InputLayout layout_;
    double photons_per_unit_intensity_per_us_;
    std::size_t chunk_frames_;
    Medium medium_;
    EffectiveMedium effective_;
    Camera camera_;
};

}  // namespace opusim::physics
