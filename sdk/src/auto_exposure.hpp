// Automatic exposure (docs/sdk.md "Automatic exposure"): before a fit's transforms, a short
// calibration through the device (dark frames and frames at the workload's expected lit-mirror
// count) measures the mean signal above the dark level, and the exposure is scaled until the
// camera's range is used: the mean near the level at which speckle saturates 0.1 % of pixels.
// Internal to the SDK.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "frame_runner.hpp"
#include "linear_projection.hpp"

namespace opusim::sdk_detail {

// What a calibration step measured at one exposure.
struct ExposureMeasurement {
    double dark_dn = 0;             // mean dark level (all mirrors off)
    double signal_dn = 0;           // mean of the lit frames minus the dark level
    double saturated_fraction = 0;  // of the lit frames' values at the clip level
    // Where values clip: the ADC maximum, or lower when the lit values pile up at one value (the
    // sensor's full well reached before the ADC's range, as on a 12-bit camera with an 8-bit
    // well).
    double clip_dn = 0;
};

struct ExposureLimits {
    double min_exposure_us = 0;
    double max_exposure_us = 0;
    double full_scale_dn = 255;  // the ADC maximum, 2^bits - 1
};

// The exposure chosen and what its last calibration step measured.
struct ExposureChoice {
    double exposure_us = 0;
    double start_exposure_us = 0;   // the exposure the search started from (the device's)
    ExposureMeasurement measured;   // at EXPOSURE_US
    double target_signal_dn = 0;    // the mean signal aimed at
    unsigned steps = 0;             // exposures measured
    std::uint64_t frames = 0;       // device frames the calibration used
    std::uint64_t lit_mirrors = 0;  // lit mirrors of the calibration's signal frames (mean)
    std::string warning;            // non-empty: the workload cannot use the camera's range
};

// Fraction of speckle values allowed to saturate (lightonml's rule of thumb, as `opusim run`
// advises): speckle intensity is exponential, P(I > t) = exp(-t / mean), so the mean aimed at is
// (full scale - dark) / ln(1 / kTargetSaturation).
inline constexpr double kTargetSaturation = 1e-3;

double target_signal_dn(double full_scale_dn, double dark_dn);

// The search alone (no device): MEASURE(exposure) is one calibration step. Starts at START_US;
// keeps it when the mean signal is within [target / 4, 1.25 target] (the range is used: at most
// about 0.4 % saturated, at least a quarter of the aim), else scales the exposure by target /
// signal (signal is proportional to exposure) within the limits and measures again, at most
// kMaxSteps times. A mean signal under one DN even at the longest exposure (frames at the dark
// level), one still under target / 4 there, or saturation at the shortest, is a warning in the
// choice (the context's exposure_warning, printed by the commands).
inline constexpr unsigned kMaxSteps = 6;
ExposureChoice search_exposure(const std::function<ExposureMeasurement(double)>& measure,
                               double start_us, const ExposureLimits& limits);

// One calibration step through the device: dark and lit frames (calibration_frames.hpp) under
// CONFIG at EXPOSURE_US, from sequence *SEQUENCE on (advanced); values at FULL_SCALE_DN count as
// saturated. STATS accumulates the frames' costs; *LIT_MIRRORS gets the lit frames' mean.
ExposureMeasurement measure_exposure(const CaptureFn& capture, driver::DeviceConfig config,
                                     const contract::InputLayout& layout, double density,
                                     double full_scale_dn, double exposure_us,
                                     std::uint64_t* sequence, RunStats* stats,
                                     std::uint64_t* lit_mirrors);

}  // namespace opusim::sdk_detail

namespace opusim::sdk_detail {

// The whole calibration: search_exposure over measure_exposure steps on the device, starting at
// CONFIG's exposure; the choice counts its frames and lit mirrors. *STATS gets the frames' costs.
ExposureChoice calibrate_exposure(const CaptureFn& capture, const driver::DeviceConfig& config,
                                  const contract::InputLayout& layout, double density,
                                  const ExposureLimits& limits, std::uint64_t* sequence,
                                  RunStats* stats);

}  // namespace opusim::sdk_detail
