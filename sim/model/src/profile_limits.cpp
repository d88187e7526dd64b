#include "opusim/model/profile_limits.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "camera/camera_stage.hpp"
#include "controller/clock.hpp"
#include "controller/frame_pipeline.hpp"
#include "controller/job_config.hpp"
#include "controller/stage_durations.hpp"
#include "dmd/dmd.hpp"
#include "host_interface/register_file.hpp"
#include "link/host_link.hpp"
#include "opusim/contract/data_format.hpp"

namespace opusim::model {
namespace {

using physics::DeviceProfile;
using physics::ProfileError;

// The longest frame period the device can be asked for is what its FRAMETIME_NS register holds,
// 2^32 - 1 ns: a single stage of one frame taking longer is a time the device cannot express
// (and, in the model, a duration past the clock's saturated range).
constexpr double kLongestStagePs = 4294967295.0 * 1e3;

// Every register the profile fills, reset from it: a field too narrow throws, naming the keys.
void check_registers(const DeviceProfile& profile) {
    RegisterFile registers;
    bind_profile_registers(registers);
    registers.reset(profile);
}

void check_fifo(const char* key, std::uint32_t frames) {
    if (frames > FramePipeline::kMaxFifoFrames) {
        throw ProfileError(std::string(key) + ": expected at most " +
                           std::to_string(FramePipeline::kMaxFifoFrames) +
                           " frames (half the model's frame history window), got " +
                           std::to_string(frames));
    }
}

// The clock's period must be a whole picosecond or more (the model's time unit) and at most the
// longest stage (a cycle is the smallest delay the model schedules).
ControllerClock checked_clock(double clock_mhz) {
    const double period_ps = 1e6 / clock_mhz;
    if (!(period_ps >= 0.5) || !(period_ps <= kLongestStagePs)) {
        throw ProfileError(
            "controller.clock_mhz: expected a clock whose period is between 1 ps "
            "(the model's time unit) and 2^32 - 1 ns (the FRAMETIME_NS register), "
            "got " +
            std::to_string(clock_mhz) + " MHz");
    }
    return ControllerClock(clock_mhz);
}

// The configuration that makes every stage longest: all mirrors, the whole sensor read out and
// sent back, the longest exposure the device allows.
JobConfig largest_job(const DeviceProfile& profile) {
    JobConfig config;
    config.layout.n_features = profile.dmd.mirrors();
    config.layout.total_mirrors = profile.dmd.mirrors();
    config.roi_height = profile.camera.height;
    config.n_components = profile.camera.width * profile.camera.height;  // 32-bit: registers
    config.exposure_ns = static_cast<std::uint64_t>(profile.camera.max_exposure_us * 1e3);
    config.frametime_ns = static_cast<std::uint64_t>(profile.camera.frametime_us * 1e3);
    return config;
}

void check_stage(const char* stage, const char* keys, std::uint64_t duration_ps) {
    if (static_cast<double>(duration_ps) > kLongestStagePs) {
        throw ProfileError(std::string(keys) + ": the " + stage +
                           " of one frame would take longer than the device's longest frame "
                           "period (2^32 - 1 ns, what the FRAMETIME_NS register holds)");
    }
}

// The model's own timing classes time the largest frame; every stage must fit.
void check_stage_times(const DeviceProfile& profile, const ControllerClock& clock) {
    HostLink link;
    link.configure(profile.link, clock);
    Dmd dmd;
    dmd.configure(profile.dmd, clock);
    CameraStage camera;
    camera.configure(profile.camera, clock);
    const StageDurations d =
        stage_durations(StageTimings{link, dmd, camera}, clock, profile, largest_job(profile));
    const char* const link_keys =
        "link.bandwidth_gb_per_s, link.latency_us, link.max_transfer_bytes";
    const std::array<std::tuple<const char*, const char*, std::uint64_t>, 10> stages{{
        {"input DMA", link_keys, d.link_in},
        {"DMD load", "dmd.load_clock_mhz, dmd.load_clocks_per_row", d.dmd_load},
        {"DMD settle", "dmd.settle_us", d.dmd_settle},
        {"DMD minimum display", "dmd.min_display_us", d.dmd_min_display},
        {"frame overhead", "camera.frame_overhead_us", d.frame_overhead},
        {"readout", "camera.row_time_us", d.readout},
        {"output DMA", link_keys, d.link_out},
        {"trigger latency", "camera.trigger_latency_us", clock.ps(camera.trigger_latency_cycles())},
        {"job submission", "link.software_overhead_us", clock.ps(link.software_overhead_cycles())},
        {"exposure", "camera.max_exposure_us", d.exposure},
    }};
    for (const auto& [stage, keys, duration] : stages) check_stage(stage, keys, duration);
}

}  // namespace

void check_profile_fits_device(const DeviceProfile& profile) {
    check_registers(profile);
    check_fifo("controller.input_buffer_frames", profile.controller.input_buffer_frames);
    check_fifo("controller.output_buffer_frames", profile.controller.output_buffer_frames);
    check_stage_times(profile, checked_clock(profile.controller.clock_mhz));
}

DeviceProfile load_device_profile(const std::string& name_or_path) {
    DeviceProfile profile = DeviceProfile::load(name_or_path);
    try {
        check_profile_fits_device(profile);
    } catch (const ProfileError& error) {
        // Named like DeviceProfile::load's own errors: the profile, then the key.
        throw ProfileError("profile " + name_or_path + ": " + error.what());
    }
    return profile;
}

}  // namespace opusim::model
