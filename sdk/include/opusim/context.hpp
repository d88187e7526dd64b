// What every SDK result carries besides its numbers: the conditions it was measured under and
// what it cost, all from the device (simulated time from the model, counts from the frames).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "opusim/array.hpp"

namespace opusim {

// Where the features sit on the DMD (see contract/include/opusim/contract/input_layout.hpp).
struct InputRoi {
    std::string strategy;           // "full" or "small" (auto resolved)
    std::uint64_t n_features = 0;   // DMD features (linear mode: signal + reference features)
    std::uint64_t replication = 1;  // mirrors per feature
    std::uint64_t first_mirror = 0;
    std::uint64_t total_mirrors = 0;
    std::uint64_t reference_features = 0;  // linear mode: the features after the signal's (the
                                           // layout's dither features follow them)
    // Strategy auto: the layout chosen and why (rate-aware replication, opusim/layout_choice.hpp);
    // empty for full and small.
    std::string choice;
};

// The camera rectangle read out; the outputs are the first n_components of its pixels, or (linear
// mode) n_components pixels selected among them.
struct OutputRoi {
    std::uint32_t x = 0;
    std::uint32_t y = 0;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

// Linear mode: the derived error of one output (docs/device-physics.md "Linear mode: noise
// limit"): each term is a relative rms error, |error| / |exact projection| over the call's
// outputs, from the camera model with the noise parameters the calibration measured. The
// limit (Context::linear_error_limit) is the root sum of squares of the per-frame terms and the
// encoding; the calibration term is a fixed per-output error shared by every sample, given
// apart (linearity checks do not see its gain part).
struct LinearErrorBudget {
    double shot = 0;          // photon shot noise of the frames
    double read = 0;          // read and dark noise
    double quantisation = 0;  // the ADC's rounding (1/12 DN^2 a frame)
    double laser = 0;         // the laser's power from frame to frame
    double encoding = 0;      // the input's rounding to its bit-planes (|x - x_encoded| / |x|)
    double calibration = 0;   // the reference and offset measured at calibration
    std::uint64_t frames_per_vector = 0;  // device frames per input row (calibration apart)
};

struct Context {
    std::string device;  // device URI
    std::string noise;  // the camera mode of the frames: "on", "off" or "ideal" (float intensities)
    double exposure_us = 0;
    // Where exposure_us comes from: "auto" (the fit's automatic exposure, or linear mode's
    // calibration), "user" (an override fixed it) or "device" (the device's setting: automatic
    // exposure off, or ideal mode). For "auto" from a fit, what its calibration measured at
    // exposure_us (docs/sdk.md "Automatic exposure"):
    std::string exposure_source;
    double exposure_signal_dn = 0;                  // mean signal above the dark level
    double exposure_saturated_fraction = 0;         // of the calibration's lit values
    std::uint64_t exposure_lit_mirrors = 0;         // lit mirrors of its frames (mean)
    std::uint64_t exposure_calibration_frames = 0;  // device frames it used (at the fit)
    std::string exposure_warning;  // non-empty: the frames use little of the range, or saturate
    // Device defects the SDK handled (docs/sdk.md "Device defects"): the camera pixels (y *
    // sensor width + x) found hot or dead and skipped by the outputs (output_pixels then names
    // each output's pixel), and the trigger lag in frames that every job compensated.
    std::vector<std::uint64_t> hot_pixels;
    std::vector<std::uint64_t> dead_pixels;
    unsigned trigger_lag_frames = 0;
    // Stuck mirrors (OpuSettings::detect_stuck_mirrors): the input layout's feature slots found
    // stuck (slot s is mirrors first_mirror + s * replication .. + replication - 1), the device
    // frames the check used, and a warning when it could not avoid them or could not measure.
    // The features were moved off these slots unless the warning says otherwise.
    std::vector<std::uint64_t> stuck_features;
    std::uint64_t stuck_mirror_scan_frames = 0;
    std::string stuck_mirror_warning;
    double frametime_us = 0;
    unsigned bits = 8;  // camera ADC depth
    InputRoi input_roi;
    OutputRoi output_roi;
    std::size_t n_components = 0;
    // Linear mode: the camera pixel (y * sensor width + x) of each output, chosen among the ROI's
    // pixels for the brightest reference. Empty for transform (outputs = the ROI's first pixels).
    std::vector<std::uint64_t> output_pixels;
    // Lit mirrors per frame (lightonml's n_ones), over the frames of the call.
    std::uint64_t lit_mirrors_min = 0;
    std::uint64_t lit_mirrors_max = 0;
    double lit_mirrors_mean = 0;
    // Simulated device time of the first job's start (of a pass's first attempt, when it was
    // retried) and of the last job's end: device_time_s() includes the failed attempts.
    double start_s = 0;
    double end_s = 0;
    std::uint64_t frames = 0;          // device frames used (all passes, retries and calibration)
    std::uint64_t first_sequence = 0;  // noise sequence number of the call's first frame
    std::size_t passes = 0;
    // A pass the device failed (a DMA fault, a dropped frame, a hang) is run again from its first
    // frame, with the same noise sequence numbers, so the outputs are those a fault-free run
    // gives; what the failures cost is counted here:
    std::size_t retries = 0;             // failed passes run again
    std::uint64_t retry_frames = 0;      // of `frames`: the jobs of failed attempts
    double retry_time_s = 0;             // device time of the failed attempts, recovery included
    std::uint64_t saturated_pixels = 0;  // output values at the ADC maximum
    std::uint64_t output_values = 0;     // values those saturated ones are counted among
    double wall_time_s = 0;              // host wall-clock time of the call
    // Energy (docs/device-physics.md "Power"): the device's power while on (CAP_POWER_*) times
    // the call's device time, and per device frame; 0 when the device states no power.
    double power_w = 0;
    double energy_j = 0;
    double energy_per_frame_j = 0;
    // Linear mode only (0 elsewhere): the expected relative rms error of one output against the
    // exact projection of the input, derived from the camera model and the frames spent (shot,
    // read, quantisation, laser and encoding terms of linear_error), without the calibration term.
    double linear_error_limit = 0;
    LinearErrorBudget linear_error;
    // Linear mode with LinearSettings::recalibration_error_bound > 0: the drift estimate of the
    // reference frames shown before the call (0 when none were), and the recalibrations it caused.
    double drift_error_estimate = 0;
    std::size_t recalibrations = 0;

    double device_time_s() const { return end_s - start_s; }
};

template <class T>
struct Result {
    Array<T> output;
    Context context;
};

}  // namespace opusim
