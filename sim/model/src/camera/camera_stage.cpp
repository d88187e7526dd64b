#include "camera_stage.hpp"

#include <cstring>

#include "opusim/contract/data_format.hpp"

namespace opusim::model {

void CameraStage::configure(const physics::CameraParams& params, const ControllerClock& clock) {
    params_ = params;
    clock_ = clock;
    sensor_.reset();
}

std::uint64_t CameraStage::exposure_cycles(std::uint64_t exposure_ns) const {
    return clock_.cycles_for_us(static_cast<double>(exposure_ns) * 1e-3);
}

std::uint64_t CameraStage::frame_overhead_cycles() const {
    return clock_.cycles_for_us(params_.frame_overhead_us);
}

std::uint64_t CameraStage::readout_cycles(std::uint32_t roi_rows) const {
    return clock_.cycles_for_us(roi_rows * params_.row_time_us);
}

std::uint64_t CameraStage::trigger_latency_cycles() const {
    return clock_.cycles_for_us(params_.trigger_latency_us);
}

std::uint32_t CameraStage::bytes_per_pixel() const {
    return contract::bytes_per_pixel(params_.bits);
}

void CameraStage::prepare(std::uint64_t device_seed, std::uint64_t noise_seed, bool noise,
                          const std::vector<std::uint64_t>& pixels) {
    if (sensor_ && device_seed == device_seed_ && noise_seed == noise_seed_ && noise == noise_ &&
        sensor_->pixels() == pixels) {
        return;
    }
    sensor_ = std::make_unique<physics::Camera>(params_, device_seed, noise_seed, noise, pixels);
    device_seed_ = device_seed;
    noise_seed_ = noise_seed;
    noise_ = noise;
}

void CameraStage::grab(const float* intensities, std::uint64_t n_frames,
                       std::uint64_t first_sequence, double exposure_us,
                       double photons_per_unit_intensity_per_us, std::uint8_t* out) const {
    if (params_.bits <= 8) {
        sensor_->grab(intensities, n_frames, first_sequence, exposure_us,
                      photons_per_unit_intensity_per_us, out);
        return;
    }
    // 10/12-bit: little-endian uint16 on the wire (the host is little-endian x86/ARM, but say so).
    std::vector<std::uint16_t> values(n_frames * sensor_->n_pixels());
    sensor_->grab(intensities, n_frames, first_sequence, exposure_us,
                  photons_per_unit_intensity_per_us, values.data());
    for (std::size_t i = 0; i < values.size(); ++i) {
        out[2 * i] = static_cast<std::uint8_t>(values[i] & 0xFF);
        out[2 * i + 1] = static_cast<std::uint8_t>(values[i] >> 8);
    }
}

}  // namespace opusim::model
