// Trigger lag (docs/sdk.md "Device defects"): a camera whose frames come late by one or more DMD
// patterns, as lightonml's runner detects on real OPUs. One probe job (a lit frame, then dark
// ones) measures it; the frame runner then compensates (PassPolicy::trigger_lag_frames).
// Internal to the SDK.
#pragma once

#include <cstdint>

#include "frame_runner.hpp"
#include "linear_projection.hpp"

namespace opusim::sdk_detail {

inline constexpr unsigned kMaxTriggerLag = 4;

struct TriggerLagProbe {
    unsigned lag = 0;        // the output frame in which the lit pattern appeared
    double contrast_dn = 0;  // its mean above the brightest other frame
    bool measured = false;   // false: too little light to tell (lag taken as 0)
};

// Runs kMaxTriggerLag + 2 frames (the first every feature lit) under CONFIG without compensation,
// noise sequence numbers from *SEQUENCE on (advanced). STATS accumulates the frames' costs.
TriggerLagProbe probe_trigger_lag(const CaptureFn& capture, const driver::DeviceConfig& config,
                                  const contract::InputLayout& layout, std::uint64_t* sequence,
                                  RunStats* stats);

}  // namespace opusim::sdk_detail
