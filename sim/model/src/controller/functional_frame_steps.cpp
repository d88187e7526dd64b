#include "functional_frame_steps.hpp"

#include <algorithm>
#include <cstring>
#include <exception>

#include "frame_addresses.hpp"
#include "opusim/contract/data_format.hpp"

namespace opusim::model {

namespace {

// Ideal mode's output format: each intensity as a little-endian float32 (data_format.hpp).
void write_float_intensities(const float* intensities, std::size_t count, std::uint8_t* out) {
    for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &intensities[i], sizeof bits);
        for (std::size_t b = 0; b < sizeof bits; ++b) {
            out[sizeof bits * i + b] = static_cast<std::uint8_t>(bits >> (8 * b));
        }
    }
}

}  // namespace

bool FunctionalFrameSteps::begin_job(HostPort& host, const JobConfig& config,
                                     const physics::DeviceProfile& profile,
                                     const contract::JobDescriptor& descriptor) {
    try {
        const auto pixels = config.output_pixels(profile.camera.width);
        medium_.prepare(config.medium_seed, config.layout, pixels);
        camera_.prepare(config.medium_seed, config.noise_seed, config.noise, pixels);
        defects_.begin_job(profile, config, pixels);
    } catch (const std::exception&) {
        return false;  // too large for the simulator's memory (docs/device-abi.md: BAD_CONFIG)
    }
    host_ = &host;
    config_ = config;
    descriptor_ = descriptor;
    input_bytes_ = config.input_frame_bytes();
    output_bytes_ = config.output_frame_bytes(profile.camera.bits);
    const std::uint64_t chunk = std::min<std::uint64_t>(kChunkFrames, descriptor.frame_count);
    packed_.resize(chunk * input_bytes_);
    features_.resize(chunk * config.layout.n_features);
    intensities_.resize(chunk * config.n_components);
    output_.resize(chunk * output_bytes_);
    return true;
}

JobError FunctionalFrameSteps::fetch(std::uint64_t frame, std::uint64_t slot,
                                     std::uint64_t issue_ps) {
    const std::uint64_t address = input_frame_address(descriptor_, frame);
    std::uint8_t* packed = packed_.data() + slot * input_bytes_;
    if (!host_->dma_read(address, packed, input_bytes_, dma_issue_delay(issue_ps))) {
        return {contract::DeviceError::DmaRead, static_cast<std::uint32_t>(frame), address};
    }
    std::uint8_t* features = features_.data() + slot * config_.layout.n_features;
    if (dmd_.unpack(config_.layout, config_.input_format, packed, input_bytes_, 1, features) != 1) {
        return {contract::DeviceError::InputFormat, static_cast<std::uint32_t>(frame), 0};
    }
    return {};
}

void FunctionalFrameSteps::compute(std::uint64_t first_frame, std::uint64_t count) {
    if (count == 0) return;
    const double exposure_us = static_cast<double>(config_.exposure_ns) * 1e-3;
    defects_.patterns(features_.data(), count);
    medium_.intensities(features_.data(), count, descriptor_.first_sequence + first_frame,
                        intensities_.data());
    if (config_.ideal) {
        write_float_intensities(intensities_.data(), count * config_.n_components, output_.data());
        return;
    }
    camera_.grab(intensities_.data(), count, descriptor_.first_sequence + first_frame, exposure_us,
                 medium_.photons_per_unit_intensity_per_us(), output_.data());
    defects_.camera_values(output_.data(), count, camera_.bytes_per_pixel());
}

JobError FunctionalFrameSteps::write_back(std::uint64_t frame, std::uint64_t slot,
                                          std::uint64_t issue_ps) {
    const std::uint64_t address = output_frame_address(descriptor_, frame);
    const std::uint8_t* data = output_.data() + slot * output_bytes_;
    if (!host_->dma_write(address, data, output_bytes_, dma_issue_delay(issue_ps))) {
        return {contract::DeviceError::DmaWrite, static_cast<std::uint32_t>(frame), address};
    }
    return {};
}

}  // namespace opusim::model
