// What one frame costs in each stage of a job, from the stages' timing classes and the latched
// configuration, rounded to whole controller cycles: the input of the frame pipeline.
#pragma once

#include "../camera/camera_stage.hpp"
#include "../dmd/dmd.hpp"
#include "../link/host_link.hpp"
#include "clock.hpp"
#include "frame_pipeline.hpp"
#include "job_config.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

struct StageTimings {
    const HostLink& link;
    const Dmd& dmd;
    const CameraStage& camera;
};

StageDurations stage_durations(const StageTimings& stages, const ControllerClock& clock,
                               const physics::DeviceProfile& profile, const JobConfig& config);

}  // namespace opusim::model
