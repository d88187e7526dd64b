// `opusim run --linear --drift-checkpoints K`: the linear mode's error against simulated time on a
// drifting medium (docs/device-physics.md "Medium drift"), with and without recalibration.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "opusim/opu.hpp"

namespace opusim::cli {

struct DriftRunOptions {
    std::size_t n_features = 0;
    std::size_t batch = 0;        // workload vectors, split over the checkpoints
    std::size_t checkpoints = 0;  // error measurements (>= 1)
    double recalibration_bound = 0;
};

// Runs the workload through an Opu that never recalibrates and one that checks for drift and
// recalibrates above the bound, and at each checkpoint measures each one's linear error on fixed
// probe vectors against an Opu calibrated just before, at the same frame sequence numbers (its
// own noise seed), all through the device. BASE: the run's settings (device, n_components, ...).
nlohmann::json run_drift_report(const OpuSettings& base, const DriftRunOptions& options);

void print_drift_report(const nlohmann::json& report);

}  // namespace opusim::cli
