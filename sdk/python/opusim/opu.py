"""opusim.OPU: lightonml's OPU class on the simulated device, through the C++ SDK (opusim::Opu).

Every result comes from device frames through the driver; nothing here computes a projection.
"""
import inspect
from math import sqrt

import numpy as np

from . import _opusim
from ._arrays import binary_uint8, check_dims, is_tensor, like_input, real_float32, to_numpy
from ._progress import ProgressBar
from .context import Context, ContextArray
from .encoding.base import NoDecoding, NoEncoding
from .types import InputRoiStrategy, OutputRescaling, parse_enum
from . import _verbosity

# The device's linear mode gives M with i.i.d. N(0, 1/2) entries (docs/sdk.md): their standard
# deviation is what lightonml's rescaling divides by (its config's output "stdev").
LINEAR_STDEV = sqrt(0.5)
# Per-call camera settings accepted as **override by fit1d/fit2d (lightonml's advanced settings).
CAMERA_OVERRIDES = ("exposure_us", "frametime_us")
# URI options a config_override dict may set (docs/driver.md).
URI_OPTIONS = ("seed", "noise_seed", "noise", "lock_wait")
# max_n_features=None: no limit of the OPU's own; the SDK still refuses more features than the
# device has mirrors.
UNLIMITED_FEATURES = 2 ** 62


def device_uri(opu_device, config_file, config_override):
    """The device URI from lightonml's arguments: opu_device (a URI), or config_file (a profile
    JSON), with config_override's URI options."""
    if opu_device is not None and not isinstance(opu_device, str):
        raise TypeError("opu_device: expected a device URI (str, e.g. 'sim:gen2') or None, got "
                        f"{type(opu_device).__name__}")
    if opu_device and config_file:
        raise ValueError("opu_device and config_file: give one of them")
    uri = opu_device or (f"sim:{config_file}" if config_file else "")
    if config_override:
        if not isinstance(config_override, dict):
            raise TypeError("config_override: expected a dict of URI options, got "
                            f"{type(config_override).__name__}")
        unknown = sorted(set(config_override) - set(URI_OPTIONS))
        if unknown:
            raise ValueError(f"config_override: unknown keys {unknown} (known: "
                             f"{', '.join(URI_OPTIONS)})")
        if not uri:
            raise ValueError("config_override: needs opu_device or config_file to apply to")
        options = "&".join(f"{key}={value}" for key, value in config_override.items())
        uri += ("&" if "?" in uri else "?") + options
    return uri


class OPU:
    """The OPU, as lightonml's: ``y = |R x|^2`` (`transform`) or ``y = M x`` (`linear_transform`).

    Parameters (lightonml's names and order)
    ----------
    n_components: outputs per input vector (sets the camera's region of interest).
    opu_device: the device URI (``'sim:gen2'``, ``'sim:gen3'``, ``'sim:profile.json?seed=3'``);
        None: ``$OPUSIM_DEVICE``, else ``sim:gen2``.
    max_n_features: the largest input accepted (checked at fit); None: the device's mirror
        count, as lightonml's OPU on a real device (lightonml's default, 1000, applies to its CPU
        simulation only).
    config_file: a device profile (JSON) to simulate, instead of opu_device.
    config_override: URI options for the device (seed, noise_seed, noise, lock_wait).
    verbose_level: deprecated in lightonml; sets opusim.set_verbose_level.
    input_roi_strategy: InputRoiStrategy (or 'full', 'small', 'auto').
    open_at_init: open the device now (default True).
    disable_pbar: no progress bar on long calls.
    simulated: accepted for compatibility: opusim's device is always the simulated one.
    rescale: OutputRescaling of linear_transform (or its name).
    n_samples_by_pass: (opusim) input vectors per device pass.
    noise: (opusim) the camera mode: None keeps the device URI's; 'on'; 'off' (noiseless, still
        quantised); 'ideal' (float intensities without noise or quantisation, as lightonml's
        simulated device: linear_transform only, transform needs camera values).
    auto_exposure, auto_exposure_density: (opusim) each fit chooses the exposure from a short
        calibration at this expected fraction of lit features (docs/sdk.md "Automatic
        exposure"); False keeps the device's. A fixed exposure_us also turns it off.
    mask_defective_pixels, detect_trigger_lag, detect_stuck_mirrors: (opusim) the SDK's handling
        of device defects (docs/sdk.md "Device defects"): hot and dead pixels skipped, the camera's
        trigger lag compensated (both on by default), stuck mirrors found and the features moved
        off them (off by default: it costs n_features frames at every fit). What was found is in
        the result's context (``context.sdk``, ``context.stuck_features``).
    """

    def __init__(self, n_components=200000, opu_device=None, max_n_features=None,
                 config_file="", config_override=None, verbose_level=-1,
                 input_roi_strategy=InputRoiStrategy.full, open_at_init=None,
                 disable_pbar=False, simulated=False, rescale=OutputRescaling.variance,
                 n_samples_by_pass=3000, noise=None, auto_exposure=True,
                 auto_exposure_density=0.5, mask_defective_pixels=True, detect_trigger_lag=True,
                 detect_stuck_mirrors=False):
        if verbose_level != -1:
            _verbosity.set_verbose_level(verbose_level)
        self.disable_pbar = bool(disable_pbar)
        self.simulated = simulated
        self.rescale = rescale
        strategy = parse_enum(InputRoiStrategy, input_roi_strategy, "input_roi_strategy")
        _check_count(n_components, "n_components")
        if max_n_features is not None:
            _check_count(max_n_features, "max_n_features")
        _check_count(n_samples_by_pass, "n_samples_by_pass")
        self._uri = device_uri(opu_device, config_file, config_override)
        self._opu = _opusim._Opu(n_components=int(n_components), device=self._uri,
                                 max_n_features=int(max_n_features or UNLIMITED_FEATURES),
                                 input_roi_strategy=strategy.name,
                                 n_samples_by_pass=int(n_samples_by_pass),
                                 noise="" if noise is None else str(noise),
                                 auto_exposure=_check_flag(auto_exposure, "auto_exposure"),
                                 auto_exposure_density=float(auto_exposure_density),
                                 mask_defective_pixels=_check_flag(mask_defective_pixels,
                                                                   "mask_defective_pixels"),
                                 detect_trigger_lag=_check_flag(detect_trigger_lag,
                                                                "detect_trigger_lag"),
                                 detect_stuck_mirrors=_check_flag(detect_stuck_mirrors,
                                                                  "detect_stuck_mirrors"))
        self._fit_arguments = None
        self._camera = {}
        if open_at_init is None or open_at_init:
            self.open()

    # ---- device ----

    def open(self):
        """Acquires the device (exclusively: another holder is a DeviceBusyError)."""
        self._opu.open()

    def close(self):
        """Releases the device. Idempotent."""
        self._opu.close()

    @property
    def active(self):
        return self._opu.is_open()

    def __enter__(self):
        self._active_before_enter = self.active
        self.open()
        return self

    def __exit__(self, *exc):
        if not self._active_before_enter:
            self.close()

    def __deepcopy__(self, memo):
        # One device, one handle: scikit-learn's clone() of an OPUMap shares its OPU.
        return self

    def __getstate__(self):
        raise TypeError("an OPU holds a device and cannot be pickled; pickle its settings "
                        "and open a new one")

    # ---- settings ----

    @property
    def n_components(self):
        return self._opu.n_components()

    @n_components.setter
    def n_components(self, value):
        _check_count(value, "n_components")
        self._opu.set_n_components(int(value))
        self._refit()

    @property
    def max_n_features(self):
        limit = self._opu.max_n_features()
        return self.device_info()["max_mirrors"] if limit == UNLIMITED_FEATURES else limit

    @property
    def max_n_components(self):
        """The most outputs a transform can give: the camera's pixels."""
        return self.device_info()["max_pixels"]

    @property
    def input_roi_strategy(self):
        return InputRoiStrategy[self._opu.input_roi_strategy()]

    @input_roi_strategy.setter
    def input_roi_strategy(self, value):
        strategy = parse_enum(InputRoiStrategy, value, "input_roi_strategy")
        self._opu.set_input_roi_strategy(strategy.name)
        self._refit()

    @property
    def rescale(self):
        return self._rescale

    @rescale.setter
    def rescale(self, value):
        self._rescale = parse_enum(OutputRescaling, value, "rescale")

    @property
    def device_uri(self):
        """The URI of the device, as the SDK resolved it."""
        return self._opu.device_uri()

    def device_info(self):
        """The open device's identification and capabilities (a dict)."""
        return self._opu.device_info()

    @property
    def config(self):
        return {"device": self._uri, "n_components": self.n_components,
                "max_n_features": self.max_n_features}

    def version(self, devices=False):
        """Multi-line: opusim's version (and with devices=True, the device's)."""
        lines = [f"opusim version {_opusim.__version__}"]
        if devices:
            info = self.device_info()
            lines.append(f"device {info['uri']}: {info['profile_name']}, DMD "
                         f"{info['dmd_columns']}x{info['dmd_rows']}, camera "
                         f"{info['camera_width']}x{info['camera_height']} "
                         f"{info['bit_depth']}-bit, ABI {info['abi_version']:#x}")
        return "\n".join(lines)

    # ---- fit ----

    def fit1d(self, X=None, n_features=None, packed=False, online=False, **override):
        """Fixes the input geometry for 1-D vectors: from X's last axis, or n_features
        (needed with packed=True: the count of bits before packing). online is accepted and
        changes nothing (the simulated device has no single-vector acquisition mode).
        **override: exposure_us, frametime_us (camera, for this fit's transforms),
        n_components, input_roi_strategy."""
        if X is not None:
            X = to_numpy(X, "X")
            check_dims(X, "X")
            if n_features is None:
                n_features = X.shape[-1] * (8 if packed else 1)
        if n_features is None:
            raise ValueError("n_features: give X or n_features")
        if isinstance(n_features, (tuple, list)):
            raise TypeError("n_features: fit1d takes one number of features; use fit2d for "
                            "(rows, cols)")
        _check_count(n_features, "n_features")
        self._fit(("1d", int(n_features), bool(packed)), override)

    def fit2d(self, X=None, n_features=None, packed=False, online=False, **override):
        """Fixes the input geometry for 2-D inputs (rows, cols): from X's last two axes, or
        n_features = (rows, cols) (needed with packed=True)."""
        if X is not None and n_features is None:
            X = to_numpy(X, "X")
            if packed:
                raise ValueError("n_features: with packed=True give the (rows, cols) shape")
            check_dims(X, "X", 2, 4)
            n_features = X.shape[-2:]
        if n_features is None:
            raise ValueError("n_features: give X or n_features = (rows, cols)")
        if len(n_features) != 2:
            raise ValueError(f"n_features: expected (rows, cols), got {n_features!r}")
        rows, cols = n_features
        _check_count(rows, "n_features[0]")
        _check_count(cols, "n_features[1]")
        self._fit(("2d", int(rows), int(cols), bool(packed)), override)

    def _fit(self, geometry, override):
        camera = {}
        for key, value in override.items():
            if key in CAMERA_OVERRIDES:
                camera[key] = None if value is None else float(value)
            elif key == "n_components":
                _check_count(value, "n_components")
                self._opu.set_n_components(int(value))
            elif key == "input_roi_strategy":
                strategy = parse_enum(InputRoiStrategy, value, "input_roi_strategy")
                self._opu.set_input_roi_strategy(strategy.name)
            else:
                raise TypeError(f"{key}: not a setting fit accepts (known: "
                                f"{', '.join(CAMERA_OVERRIDES)}, n_components, "
                                "input_roi_strategy)")
        self._camera = camera
        self._fit_arguments = geometry
        self._apply_fit()

    def _apply_fit(self):
        exposure_us = self._camera.get("exposure_us")
        frametime_us = self._camera.get("frametime_us")
        if self._fit_arguments[0] == "1d":
            _, n_features, packed = self._fit_arguments
            self._opu.fit1d(n_features, packed, exposure_us, frametime_us)
        else:
            _, rows, cols, packed = self._fit_arguments
            self._opu.fit2d(rows, cols, packed, exposure_us, frametime_us)

    def _refit(self):
        # n_components and the input strategy take effect at a fit: redo the last one.
        if self._fit_arguments is not None:
            self._apply_fit()

    # ---- transforms ----

    def _require_fit(self, what):
        # lightonml asserts this (its get-started example catches AssertionError): raised
        # explicitly so that python -O keeps it.
        if self._fit_arguments is None:
            raise AssertionError(f"Call fit1d or fit2d before {what}")

    def _run(self, label, call, x):
        progress = None if self.disable_pbar else ProgressBar(label)
        self._opu.set_progress(progress)
        try:
            return call(x, self._camera.get("exposure_us"), self._camera.get("frametime_us"))
        finally:
            self._opu.set_progress(None)
            if progress is not None:
                progress.finish()

    def transform(self, X, encoder_cls=NoEncoding, decoder_cls=NoDecoding):
        """Camera frames ``|R x|^2`` of binary X (bool or uint8, 1 to 4 dimensions; bit-packed
        along the last axis if fitted with packed=True): shape (batch..., n_components), uint8
        on 8-bit cameras (uint16 beyond), as a ContextArray (a torch tensor for a tensor X).
        encoder_cls / decoder_cls: a class or an instance, applied before and after."""
        self._require_fit("transform")
        encoder = encoder_cls() if inspect.isclass(encoder_cls) else encoder_cls
        was_tensor = is_tensor(X)
        encoded = to_numpy(encoder.transform(X), "X")
        check_dims(encoded, "X")
        values, context = self._run("opusim transform", self._opu.transform,
                                    binary_uint8(encoded, "X"))
        output = ContextArray(values, Context(context))
        return like_input(self._decode(output, encoder, decoder_cls), was_tensor)

    def linear_transform(self, X, encoder_cls=NoEncoding, decoder_cls=NoDecoding):
        """A real Gaussian projection ``M x`` of X (binary as in lightonml, or any finite real
        values: opusim's bit-plane scheme, docs/sdk.md), float32, rescaled by `rescale`."""
        self._require_fit("linear_transform")
        if self._fit_arguments[-1]:
            raise ValueError("linear_transform: not available for packed input (fit without "
                             "packed=True)")
        encoder = encoder_cls() if inspect.isclass(encoder_cls) else encoder_cls
        was_tensor = is_tensor(X)
        encoded = to_numpy(encoder.transform(X), "X")
        check_dims(encoded, "X")
        values, context = self._run("opusim linear_transform", self._opu.linear_transform,
                                    real_float32(encoded, "X"))
        output = self._decode(ContextArray(values, Context(context)), encoder, decoder_cls)
        output = self._rescaled(output)
        return like_input(output, was_tensor)

    def _rescaled(self, output):
        if self._rescale is OutputRescaling.variance:
            return output / np.float32(LINEAR_STDEV * sqrt(self._opu.n_features()))
        if self._rescale is OutputRescaling.norm:
            return output / np.float32(LINEAR_STDEV * sqrt(self.n_components))
        return output

    @staticmethod
    def _decode(output, encoder, decoder_cls):
        if inspect.isclass(decoder_cls):
            params = encoder.get_params() if hasattr(encoder, "get_params") else {}
            decoder = decoder_cls(**params)
        else:
            decoder = decoder_cls
        decoded = decoder.transform(output)
        if not isinstance(decoded, ContextArray) and isinstance(decoded, np.ndarray):
            decoded = ContextArray(decoded, output.context)
        return decoded

    def fit_transform1d(self, X, packed=False, **override):
        """fit1d(X) then transform(X)."""
        self.fit1d(X, None, packed, False, **override)
        return self.transform(X)

    def fit_transform2d(self, X, packed=False, n_2d_features=None, **override):
        """fit2d(X) then transform(X)."""
        self.fit2d(X, n_2d_features, packed, False, **override)
        return self.transform(X)

    def transform1d(self, *args, **kwargs):
        raise RuntimeError("transform1d is deprecated (as in lightonml): use fit1d and transform")

    def transform2d(self, *args, **kwargs):
        raise RuntimeError("transform2d is deprecated (as in lightonml): use fit2d and transform")


def _check_flag(value, argument):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{argument}: expected True or False, got {type(value).__name__}")
    return bool(value)


def _check_count(value, argument):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{argument}: expected a positive integer, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{argument}: expected a positive integer, got {value}")
