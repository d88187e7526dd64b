#include "register_file.hpp"

#include <cmath>

#include "opusim/contract/data_format.hpp"
#include "opusim/physics/device_geometry.hpp"

namespace opusim::model {
namespace {

// The ABI table indexed by word, built once: every access looks its register up here.
const contract::RegisterInfo* find(std::uint32_t offset) {
    static const auto by_word = [] {
        std::array<const contract::RegisterInfo*, RegisterFile::kWords> index{};
        for (const auto& info : contract::kRegisterTable) index[info.offset / 4] = &info;
        return index;
    }();
    if (offset % 4 != 0 || offset / 4 >= by_word.size()) return nullptr;
    return by_word[offset / 4];
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
    set(kCapRoiStrategy, physics::sensor_geometry(camera).roi_strategy ==
                                 contract::OutputRoiStrategy::MidSquare
                             ? contract::roi_strategy::kMidSquare
                             : contract::roi_strategy::kMidWidth);
    set64(kCapOnesMinLo, dmd.ones_min);
    set64(kCapOnesMaxLo, dmd.ones_max);
    set(kRoiWidth, camera.width);
    set(kRoiHeight, camera.height);
    set(kExposureNs, ns(camera.exposure_us));
    set(kFrametimeNs, ns(camera.frametime_us));
    set64(kMediumSeedLo, profile.medium.seed);
    set64(kNoiseSeedLo, camera.noise_seed);
}

}  // namespace opusim::model
