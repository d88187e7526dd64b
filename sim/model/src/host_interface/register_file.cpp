#include "register_file.hpp"

#include <cmath>

#include "opusim/contract/data_format.hpp"

namespace opusim::model {
namespace {

const contract::RegisterInfo* find(std::uint32_t offset) {
    for (const auto& info : contract::kRegisterTable) {
        if (info.offset == offset) return &info;
    }
    return nullptr;
}

std::uint32_t ns(double microseconds) {
    return static_cast<std::uint32_t>(std::llround(microseconds * 1e3));
}

}  // namespace

bool RegisterFile::mapped(std::uint32_t offset) {
    return find(offset) != nullptr;
}

contract::Access RegisterFile::access(std::uint32_t offset) {
    const auto* info = find(offset);
    return info ? info->access : contract::Access::ReadOnly;
}

void RegisterFile::reset(const physics::DeviceProfile& profile) {
    using namespace contract::reg;
    for (const auto& info : contract::kRegisterTable) {
        if (info.reset_source == contract::ResetSource::Constant) set(info.offset, info.reset_value);
    }
    const auto& dmd = profile.dmd;
    const auto& camera = profile.camera;
    set(kCapDmdColumns, dmd.columns);
    set(kCapDmdRows, dmd.rows);
    set(kCapMaxMirrors, static_cast<std::uint32_t>(dmd.mirrors()));
    set(kCapCameraWidth, camera.width);
    set(kCapCameraHeight, camera.height);
    set(kCapMaxPixels, camera.width * camera.height);
    set(kCapBitDepth, camera.bits);
    set(kCapBytesPerPixel, contract::bytes_per_pixel(camera.bits));
    set(kCapInputFrameBytes, static_cast<std::uint32_t>(contract::input_frame_bytes(dmd.mirrors())));
    set(kCapClockKhz, static_cast<std::uint32_t>(std::llround(profile.controller.clock_mhz * 1e3)));
    set(kCapMinExposureNs, ns(camera.min_exposure_us));
    set(kCapMaxExposureNs, ns(camera.max_exposure_us));
    set(kCapBufferFrames, (profile.controller.output_buffer_frames << 16) |
                              (profile.controller.input_buffer_frames & 0xFFFF));
    set(kCapRoiIncrement, camera.roi_increment);
    set(kRoiWidth, camera.width);
    set(kRoiHeight, camera.height);
    set(kExposureNs, ns(camera.exposure_us));
    set(kFrametimeNs, ns(camera.frametime_us));
    set64(kMediumSeedLo, profile.medium.seed);
    set64(kNoiseSeedLo, camera.noise_seed);
}

}  // namespace opusim::model
