// The input layout `auto` resolves to: rate-aware replication (docs/sdk.md "Input layout").
//
// Replicating each feature over more mirrors gives more light, but the DMD loads every row the
// feature window spans, so a wide window can make the DMD the device's bottleneck. `auto` keeps
// the most replication that does not cost frame rate: it measures the frame period of candidate
// layouts through the device itself (short timing-only jobs: the device's own timing model, no
// data moved) and takes the largest replication whose period stays within kRateTolerance of one
// mirror per feature's. Deterministic: the device's timing is.
#pragma once

#include <cstdint>
#include <string>

#include "opusim/contract/input_layout.hpp"
#include "opusim/driver/device.hpp"

namespace opusim {

// Relative slack on the frame period that still counts as "keeps the device's rate".
inline constexpr double kRateTolerance = 0.001;

struct LayoutChoice {
    contract::InputLayout layout;
    double rate_hz = 0;                  // measured frame rate of the chosen layout
    double small_rate_hz = 0;            // ... with one mirror per feature
    double full_rate_hz = 0;             // ... replicated over the whole DMD
    std::uint64_t full_replication = 1;  // mirrors per feature over the whole DMD
    std::uint64_t probes = 0;            // layouts measured
    std::string reason;                  // one sentence: what was chosen and why
};

// The layout of N_FEATURES features for strategy auto under CONFIG's ROI, exposure and frametime,
// for jobs whose input frames are in FORMAT (its link time counts). Runs timing-only jobs on
// DEVICE (they count in its statistics and advance its time) and leaves DEVICE configured with
// CONFIG again.
LayoutChoice choose_auto_layout(driver::Device& device, const driver::DeviceConfig& config,
                                std::uint64_t n_features, contract::InputFormat format);

}  // namespace opusim
