"""Results with their context: lightonml's ContextArray and Context, filled from the SDK's
context (opusim/context.hpp): lightonml's fields, plus what the simulated device measured."""
import numpy as np

# What the device measured, kept as the SDK names it. The run's identity (first_sequence) and the
# host's wall time are attributes but not part of as_dict(), so two runs that did the same work
# compare equal.
_COMPARED_FIELDS = ("device", "device_time_s", "frames", "passes", "retries", "retry_frames",
                    "retry_time_s", "saturated_pixels", "output_values", "bits", "noise",
                    "exposure_source", "exposure_warning")
_MEASURED_FIELDS = _COMPARED_FIELDS + ("first_sequence", "wall_time_s", "linear_error_limit")
# Linear mode's drift check (docs/sdk.md "Drift: detection and recalibration"): its estimate and
# the recalibrations it caused in the call (0 without LinearSettings::recalibration_error_bound).
_MEASURED_FIELDS += ("drift_error_estimate", "recalibrations")
# The device defects the SDK found and handled (docs/sdk.md "Device defects"): attributes too.
_DEFECT_FIELDS = ("hot_pixels", "dead_pixels", "trigger_lag_frames", "stuck_features",
                  "stuck_mirror_warning")


class Context:
    """How a transform was made.

    lightonml's fields: ``exposure_us``, ``frametime_us``, ``output_roi_upper`` and
    ``output_roi_shape`` (camera rectangle, (row, column)), ``input_roi_upper`` and
    ``input_roi_shape`` (DMD mirrors used), ``start`` and ``end`` (simulated device time, seconds),
    ``n_ones`` (mean lit mirrors per frame), ``fmt_type`` and ``fmt_factor`` (the input layout's
    strategy and mirrors per feature), ``gain`` (None: the simulated camera has no gain setting).

    opusim's: ``device``, ``device_time_s``, ``frames``, ``passes``, ``retries``,
    ``saturated_pixels``, ``output_values``, ``bits``, ``first_sequence``, ``wall_time_s``,
    ``noise`` (the camera mode: 'on', 'off' or 'ideal'), ``linear_error_limit`` (linear_transform:
    the derived relative rms error of one output; its terms in ``sdk["linear_error"]``),
    ``exposure_source`` ('auto', 'user' or 'device': docs/sdk.md "Automatic exposure"),
    ``exposure_warning`` ('' or why the frames use little of the camera's range),
    ``hot_pixels``, ``dead_pixels`` (camera pixels skipped), ``trigger_lag_frames`` (compensated),
    ``stuck_features`` (input-layout slots found stuck, features moved off them) and
    ``stuck_mirror_warning`` (docs/sdk.md "Device defects"), ``drift_error_estimate`` and
    ``recalibrations`` (linear mode's drift check), and
    ``sdk`` (the SDK's whole context as a dict).
    """

    def __init__(self, sdk_context):
        c = dict(sdk_context)
        self.sdk = c
        self.info = None
        self.exposure_us = c["exposure_us"]
        self.frametime_us = c["frametime_us"]
        roi = c["output_roi"]
        self.output_roi_upper = (roi["y"], roi["x"])
        self.output_roi_shape = (roi["height"], roi["width"])
        layout = c["input_roi"]
        self.input_roi_upper = (0, layout["first_mirror"])
        self.input_roi_shape = (1, layout["n_features"] * layout["replication"])
        self.start = c["start_s"]
        self.end = c["end_s"]
        self.gain = None
        self.n_ones = c["lit_mirrors_mean"]
        self.fmt_type = layout["strategy"]
        self.fmt_factor = layout["replication"]
        for key in _MEASURED_FIELDS:
            setattr(self, key, c[key])
        for key in _DEFECT_FIELDS:
            setattr(self, key, c[key])

    def as_dict(self):
        """lightonml's dict of the context, with opusim's fields added."""
        result = {"exposure_us": self.exposure_us, "frametime_us": self.frametime_us,
                  "output_roi": (self.output_roi_upper, self.output_roi_shape),
                  "input_roi": (self.input_roi_upper, self.input_roi_shape),
                  "start": self.start, "end": self.end, "n_ones": self.n_ones,
                  "fmt_type": self.fmt_type, "fmt_factor": self.fmt_factor}
        for key in _COMPARED_FIELDS:
            result[key] = getattr(self, key)
        return result

    def __str__(self):
        return str(self.as_dict())

    def __eq__(self, other):
        if not isinstance(other, Context):
            return NotImplemented
        return self.as_dict() == other.as_dict()


class ContextArray(np.ndarray):
    """A numpy array with a ``context`` attribute (a `Context`); views and slices keep it."""

    def __new__(cls, input_array, context):
        array = np.asarray(input_array).view(cls)
        array.context = context
        return array

    def __array_finalize__(self, obj):
        if obj is not None:
            self.context = getattr(obj, "context", None)
