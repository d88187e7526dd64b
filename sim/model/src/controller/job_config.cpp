#include "job_config.hpp"

#include <cstddef>

#include "opusim/contract/data_format.hpp"
#include "opusim/contract/registers.hpp"

namespace opusim::model {

using namespace contract::reg;

std::vector<std::uint64_t> JobConfig::output_pixels(std::uint32_t sensor_width) const {
    std::vector<std::uint64_t> pixels(n_components);
    for (std::uint32_t i = 0; i < n_components; ++i) {
        pixels[i] = std::uint64_t{roi_y + i / roi_width} * sensor_width + roi_x + i % roi_width;
    }
    return pixels;
}

std::optional<ConfigFault> latch_config(const RegisterAccess& registers,
                                        const physics::DeviceProfile& profile, JobConfig& config) {
    const auto bad = [](std::uint32_t offset) {
        return std::optional<ConfigFault>(ConfigFault{contract::DeviceError::BadConfig, offset});
    };
    const std::uint64_t mirrors = profile.dmd.mirrors();
    auto& layout = config.layout;
    layout.n_features = registers.get(kNFeatures);
    layout.replication = registers.get(kReplication);
    layout.first_mirror = registers.get(kFirstMirror);
    layout.total_mirrors = mirrors;
    layout.strategy = layout.replication > 1 ? contract::InputRoiStrategy::Full
                                             : contract::InputRoiStrategy::Small;
    if (layout.n_features == 0 || layout.n_features > mirrors) return bad(kNFeatures);
    if (layout.replication == 0 || layout.replication > mirrors) return bad(kReplication);
    if (layout.first_mirror + layout.used_mirrors() > mirrors) return bad(kFirstMirror);
    config.n_features = layout.n_features;
    config.replication = layout.replication;
    config.first_mirror = layout.first_mirror;

    const auto& camera = profile.camera;
    config.roi_x = registers.get(kRoiX);
    config.roi_y = registers.get(kRoiY);
    config.roi_width = registers.get(kRoiWidth);
    config.roi_height = registers.get(kRoiHeight);
    if (config.roi_width == 0 || config.roi_width > camera.width) return bad(kRoiWidth);
    if (config.roi_height == 0 || config.roi_height > camera.height) return bad(kRoiHeight);
    if (config.roi_x > camera.width - config.roi_width) return bad(kRoiX);
    if (config.roi_y > camera.height - config.roi_height) return bad(kRoiY);
    config.n_components = registers.get(kNComponents);
    if (config.n_components == 0 ||
        config.n_components > std::uint64_t{config.roi_width} * config.roi_height) {
        return bad(kNComponents);
    }
    config.exposure_ns = registers.get(kExposureNs);
    if (static_cast<double>(config.exposure_ns) < camera.min_exposure_us * 1e3 - 0.5 ||
        static_cast<double>(config.exposure_ns) > camera.max_exposure_us * 1e3 + 0.5) {
        return bad(kExposureNs);
    }
    config.exposure_us = static_cast<double>(config.exposure_ns) / 1e3;
    config.frametime_ns = registers.get(kFrametimeNs);
    config.frametime_us = static_cast<double>(config.frametime_ns) / 1e3;
    config.medium_seed = registers.get64(kMediumSeedLo);
    config.noise_seed = registers.get64(kNoiseSeedLo);
    const std::uint32_t mode = registers.get(kMode);
    if ((mode & ~contract::mode::kValidMask) != 0) return bad(kMode);
    config.noise = (mode & contract::mode::kNoiseEnable) != 0;
    config.timing_only = (mode & contract::mode::kTimingOnly) != 0;
    config.ideal = (mode & contract::mode::kIdeal) != 0;
    if (config.ideal) config.noise = false;
    return std::nullopt;
}

std::optional<ConfigFault> check_descriptor(const contract::JobDescriptor& descriptor,
                                            JobConfig& config,
                                            const physics::DeviceProfile& profile) {
    const auto bad = [](std::size_t offset) {
        return std::optional<ConfigFault>(
            ConfigFault{contract::DeviceError::BadDescriptor, static_cast<std::uint32_t>(offset)});
    };
    if ((descriptor.flags & contract::job_flags::kReservedMask) != 0) {
        return bad(offsetof(contract::JobDescriptor, flags));
    }
    config.input_format = contract::input_format_of(descriptor.flags);
    if (descriptor.input_stride < config.input_frame_bytes()) {
        return bad(offsetof(contract::JobDescriptor, input_stride));
    }
    if (descriptor.output_stride < config.output_frame_bytes(profile.camera.bits)) {
        return bad(offsetof(contract::JobDescriptor, output_stride));
    }
    if (descriptor.frame_count == 0) return bad(offsetof(contract::JobDescriptor, frame_count));
    return std::nullopt;
}

}  // namespace opusim::model
