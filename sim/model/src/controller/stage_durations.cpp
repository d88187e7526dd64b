#include "stage_durations.hpp"

#include "opusim/contract/data_format.hpp"

namespace opusim::model {

StageDurations stage_durations(const StageTimings& stages, const ControllerClock& clock,
                               const physics::DeviceProfile& profile, const JobConfig& config) {
    StageDurations d;
    // The bytes the job's input format moves: the whole pattern, or the packed features.
    const std::uint64_t input_bytes = config.input_frame_bytes();
    const std::uint64_t output_bytes = config.output_frame_bytes(profile.camera.bits);
    d.link_in = clock.ps(stages.link.transfer_cycles(input_bytes));
    d.dmd_load = clock.ps(stages.dmd.load_cycles(config.layout));
    d.dmd_settle = clock.ps(stages.dmd.settle_cycles());
    d.dmd_min_display = clock.ps(stages.dmd.min_display_cycles());
    d.exposure = clock.ps(stages.camera.exposure_cycles(config.exposure_ns));
    d.frame_overhead = clock.ps(stages.camera.frame_overhead_cycles());
    d.readout = clock.ps(stages.camera.readout_cycles(config.roi_height));
    d.link_out = clock.ps(stages.link.transfer_cycles(output_bytes));
    d.frametime = clock.ps(clock.cycles_for_us(static_cast<double>(config.frametime_ns) * 1e-3));
    return d;
}

}  // namespace opusim::model
