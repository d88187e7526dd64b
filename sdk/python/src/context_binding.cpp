// The SDK's Context as a Python dict (field names as in opusim/context.hpp).
#include <pybind11/stl.h>

#include "bindings.hpp"

namespace opusim::python {

py::dict context_to_dict(const Context& context) {
    py::dict input_roi;
    input_roi["strategy"] = context.input_roi.strategy;
    input_roi["n_features"] = context.input_roi.n_features;
    input_roi["replication"] = context.input_roi.replication;
    input_roi["first_mirror"] = context.input_roi.first_mirror;
    input_roi["total_mirrors"] = context.input_roi.total_mirrors;
    input_roi["reference_features"] = context.input_roi.reference_features;
    input_roi["choice"] = context.input_roi.choice;
    py::dict output_roi;
    output_roi["x"] = context.output_roi.x;
    output_roi["y"] = context.output_roi.y;
    output_roi["width"] = context.output_roi.width;
    output_roi["height"] = context.output_roi.height;

    py::dict d;
    d["device"] = context.device;
    d["noise"] = context.noise;
    d["power_w"] = context.power_w;
    d["energy_j"] = context.energy_j;
    d["energy_per_frame_j"] = context.energy_per_frame_j;
    d["exposure_us"] = context.exposure_us;
    d["exposure_source"] = context.exposure_source;
    d["exposure_signal_dn"] = context.exposure_signal_dn;
    d["exposure_saturated_fraction"] = context.exposure_saturated_fraction;
    d["exposure_lit_mirrors"] = context.exposure_lit_mirrors;
    d["exposure_calibration_frames"] = context.exposure_calibration_frames;
    d["exposure_warning"] = context.exposure_warning;
    d["frametime_us"] = context.frametime_us;
    d["bits"] = context.bits;
    d["input_roi"] = input_roi;
    d["output_roi"] = output_roi;
    d["n_components"] = context.n_components;
    d["output_pixels"] = context.output_pixels;
    d["lit_mirrors_min"] = context.lit_mirrors_min;
    d["lit_mirrors_max"] = context.lit_mirrors_max;
    d["lit_mirrors_mean"] = context.lit_mirrors_mean;
    d["start_s"] = context.start_s;
    d["end_s"] = context.end_s;
    d["device_time_s"] = context.device_time_s();
    d["frames"] = context.frames;
    d["first_sequence"] = context.first_sequence;
    d["passes"] = context.passes;
    d["retries"] = context.retries;
    d["retry_frames"] = context.retry_frames;
    d["retry_time_s"] = context.retry_time_s;
    d["saturated_pixels"] = context.saturated_pixels;
    d["output_values"] = context.output_values;
    d["wall_time_s"] = context.wall_time_s;
    py::dict linear_error;
    linear_error["shot"] = context.linear_error.shot;
    linear_error["read"] = context.linear_error.read;
    linear_error["quantisation"] = context.linear_error.quantisation;
    linear_error["laser"] = context.linear_error.laser;
    linear_error["encoding"] = context.linear_error.encoding;
    linear_error["calibration"] = context.linear_error.calibration;
    linear_error["frames_per_vector"] = context.linear_error.frames_per_vector;
    d["linear_error_limit"] = context.linear_error_limit;
    d["linear_error"] = linear_error;
    d["hot_pixels"] = context.hot_pixels;
    d["dead_pixels"] = context.dead_pixels;
    d["trigger_lag_frames"] = context.trigger_lag_frames;
    d["stuck_features"] = context.stuck_features;
    d["stuck_mirror_scan_frames"] = context.stuck_mirror_scan_frames;
    d["stuck_mirror_warning"] = context.stuck_mirror_warning;
    d["drift_error_estimate"] = context.drift_error_estimate;
    d["recalibrations"] = context.recalibrations;
    return d;
}

}  // namespace opusim::python
