// Stuck DMD mirrors (docs/sdk.md "Device defects"): a mirror stuck on or off makes its feature
// slot of the input layout ignore the input. The SDK finds such slots from device frames (a slot
// whose toggling leaves the camera frame unchanged, up to the camera's noise) and moves the
// features away from them: the layout grows by as many slots as were found stuck (when the DMD
// has room) and each feature is shown on a working slot. Internal to the SDK.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "frame_runner.hpp"
#include "linear_projection.hpp"

namespace opusim::sdk_detail {

inline constexpr std::size_t kStuckScanBaseFrames = 4;

struct StuckSlotScan {
    std::vector<std::uint64_t> stuck;  // the slots tested whose toggling did not change the frame
    double working_excess = 0;  // a working slot's typical change energy (the scans' reference)
    bool measured = false;      // false: too little light to tell a working slot from noise
    std::uint64_t frames = 0;
};

// Tests the slots [FIRST_SLOT, layout.n_features) of LAYOUT under CONFIG: kStuckScanBaseFrames
// frames of a fixed half-lit base pattern, then one frame per slot with that slot toggled. A
// slot's change energy is the sum over outputs of (frame - mean base frame)^2 minus what the
// camera's noise alone gives (measured on the base frames); a working slot changes every output
// by about 2 Re(conj(field) column) (the same energy for every working slot, to the speckle's
// spread), a stuck one by nothing. A slot is stuck below half the working energy: WORKING_EXCESS
// when positive (an earlier scan's), else the median of this scan's slots (most slots work).
StuckSlotScan scan_stuck_slots(const CaptureFn& capture, const driver::DeviceConfig& config,
                               const contract::InputLayout& layout, std::uint64_t first_slot,
                               double working_excess, std::uint64_t* sequence, RunStats* stats);

struct StuckMirrorPlan {
    contract::InputLayout layout;             // the device's layout (grown when features moved)
    std::vector<std::uint64_t> stuck;         // slots found stuck
    std::vector<std::uint64_t> feature_slot;  // the slot of each feature; empty: slot = feature
    std::uint64_t frames = 0;                 // device frames the scans used
    std::string warning;  // non-empty: stuck slots could not be avoided, or nothing measured
};

// The plan for N_FEATURES features starting from LAYOUT (n_features = N_FEATURES): scans, then
// grows the layout by the stuck slots found (same first mirror and replication, so the slots
// already tested keep their mirrors) and scans the new slots, until N_FEATURES working slots are
// found or the DMD has no room left (then the features stay where they were, with a warning).
// CONFIG_FOR gives the device configuration of a layout.
StuckMirrorPlan plan_around_stuck_mirrors(
    const CaptureFn& capture,
    const std::function<driver::DeviceConfig(const contract::InputLayout&)>& config_for,
    const contract::InputLayout& layout, std::uint64_t* sequence, RunStats* stats);

// ROWS rows of the features (rows x FEATURE_SLOT.size()) shown on their slots: rows x N_SLOTS,
// 0 on every other slot.
std::vector<std::uint8_t> spread_to_slots(const std::uint8_t* bits, std::size_t rows,
                                          const std::vector<std::uint64_t>& feature_slot,
                                          std::size_t n_slots);

}  // namespace opusim::sdk_detail
