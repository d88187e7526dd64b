#include "opusim/physics/capture.hpp"

#include <algorithm>
#include <stdexcept>

#include "opusim/contract/dmd_format.hpp"

namespace opusim::physics {

CaptureSettings CaptureSettings::from_profile(const DeviceProfile& profile) {
    CaptureSettings settings;
    settings.device_seed = profile.medium.seed;
    settings.noise_seed = profile.camera.noise_seed;
    return settings;
}

namespace {
std::size_t checked_chunk(std::size_t chunk_frames) {
    if (chunk_frames == 0) throw std::invalid_argument("chunk_frames: expected >= 1, got 0");
    return chunk_frames;
}
std::vector<std::uint64_t> checked_pixels(const std::vector<std::uint64_t>& pixels) {
    if (pixels.empty()) throw std::invalid_argument("pixels: expected at least one output pixel");
    return pixels;
}
}  // namespace

CaptureChain::CaptureChain(const DeviceProfile& profile, const contract::InputLayout& layout,
                           std::vector<std::uint64_t> pixels, const CaptureSettings& settings)
    : layout_(layout),
      photons_per_unit_intensity_per_us_(profile.medium.photons_per_unit_intensity_per_us),
      chunk_frames_(checked_chunk(settings.chunk_frames)),
      medium_(profile.medium, settings.device_seed),
      effective_(medium_, layout, checked_pixels(pixels), profile.dmd.contrast_ratio),
      camera_(profile.camera, settings.device_seed, settings.noise_seed, settings.noise,
              std::move(pixels)) {
    if (layout.total_mirrors != profile.dmd.mirrors()) {
        throw std::invalid_argument(
            "layout: made for a DMD of " + std::to_string(layout.total_mirrors) +
            " mirrors, the profile's has " + std::to_string(profile.dmd.mirrors()));
    }
}

template <class Out>
CaptureStats CaptureChain::run(const std::uint8_t* features, std::size_t n_frames,
                               std::uint64_t first_frame, double exposure_us, Out* out) const {
    CaptureStats stats;
    stats.lit_mirrors.resize(n_frames);
    const std::size_t features_per_frame = layout_.n_features;
    const std::size_t pixels = camera_.n_pixels();
    std::vector<float> intensities(std::min(chunk_frames_, n_frames) * pixels);
    for (std::size_t begin = 0; begin < n_frames; begin += chunk_frames_) {
        const std::size_t n = std::min(chunk_frames_, n_frames - begin);
        const std::uint8_t* chunk = features + begin * features_per_frame;
        effective_.intensities(chunk, n, intensities.data());
        const GrabStats grabbed =
            camera_.grab(intensities.data(), n, first_frame + begin, exposure_us,
                         photons_per_unit_intensity_per_us_, out + begin * pixels);
        stats.saturated += grabbed.saturated;
        for (std::size_t f = 0; f < n; ++f) {
            stats.lit_mirrors[begin + f] = contract::lit_mirrors(layout_, chunk + f * features_per_frame);
        }
    }
    return stats;
}

CaptureStats CaptureChain::capture(const std::uint8_t* features, std::size_t n_frames,
                                   std::uint64_t first_frame, double exposure_us,
                                   std::uint8_t* out) const {
    return run(features, n_frames, first_frame, exposure_us, out);
}

CaptureStats CaptureChain::capture(const std::uint8_t* features, std::size_t n_frames,
                                   std::uint64_t first_frame, double exposure_us,
                                   std::uint16_t* out) const {
    return run(features, n_frames, first_frame, exposure_us, out);
}

}  // namespace opusim::physics
