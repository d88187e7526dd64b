// The analytic steady-state model of the device pipeline (docs/timing.md): the frame period is
// the largest cycle time among the stages' elementary cycles,
//   max( T_in, T_out, (T_in + T_load) / B_in, (T_ro + T_out) / B_out, T_load + T_settle,
//        T_settle + T_exp, T_settle + T_display, T_exp + T_fot, T_fot + T_ro, T_frame ).
// Computed in microseconds straight from the profile's formulas (no clock rounding); it is the
// yardstick the simulated period is checked against, never an input of the simulation.
#pragma once

#include <cstdint>
#include <string>

#include "opusim/contract/job_configuration.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

// The analytic model reads the job configuration (the contract's one type); TimingPoint is its
// older name.
using TimingPoint = contract::JobConfiguration;

struct AnalyticTiming {
    double link_in_us = 0;
    double dmd_load_us = 0;
    double dmd_settle_us = 0;
    double exposure_us = 0;
    double frame_overhead_us = 0;
    double readout_us = 0;
    double link_out_us = 0;
    double frametime_us = 0;
    double period_us = 0;
    std::string bottleneck;  // stage name as in DeviceStatistics (or "frametime")
};

AnalyticTiming analytic_timing(const physics::DeviceProfile& profile,
                               const contract::JobConfiguration& point);

}  // namespace opusim::model
