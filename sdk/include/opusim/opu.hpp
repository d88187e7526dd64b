// The OPU, as applications use it: the C++ counterpart of lightonml's OPU
// (docs/reference/device.md §4).
//
//   opusim::OpuSettings settings;
//   settings.n_components = 1000;                 // output size (sets the output ROI)
//   opusim::Opu opu(settings);                    // opens "$OPUSIM_DEVICE" or sim:gen2 (RAII)
//   opu.fit1d(n_features);                        // input layout + output ROI
//   auto y = opu.transform(x_view);               // x binary, shape (..., n_features)
//   // y.output: uint16 camera values, shape (..., n_components); y.context: what it cost
//   auto z = opu.linear_transform(x_real);        // float32, a real Gaussian projection
//
// Everything reaches the device through the driver (opusim/driver/device.hpp); nothing is
// computed from the true matrix. Errors: std::invalid_argument for bad input (the message names
// the argument and what was expected); opusim::driver::DriverError and its subclasses
// (DeviceError, TimeoutError, DmaError, InputFormatError, DeviceBusyError...) from the device.
// An Opu is movable, not copyable, and thread-safe (one call at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "opusim/array.hpp"
#include "opusim/context.hpp"
#include "opusim/driver/device_statistics.hpp"

namespace opusim {

namespace driver {
struct DeviceInfo;
class Device;
}  // namespace driver

enum class InputRoiStrategy { Full, Small, Auto };
std::string to_string(InputRoiStrategy strategy);
// "full", "small", "auto"; std::invalid_argument naming ARGUMENT otherwise.
InputRoiStrategy parse_input_roi_strategy(const std::string& text, const std::string& argument);

// Per-call (or per-fit) settings of the camera; unset = the device's current setting.
struct Overrides {
    std::optional<double> exposure_us;
    std::optional<double> frametime_us;
};

// Linear mode (docs/sdk.md "Linear transform"): the reference-field scheme of
// docs/reference/device.md §5 with a complementary bit-plane encoding of real inputs.
struct LinearSettings {
    unsigned bits = 8;     // bit-planes of the input encoding (1..16)
    unsigned repeats = 1;  // the whole plane schedule shown this many times and averaged (1..64)
    // Reference features per signal feature: 1 puts the typical pixel's reference near the
    // intensity of a half-lit plane, where the derived error is lowest (docs/device-physics.md).
    double reference_ratio = 1.0;
    // Pixels read out per output; the calibration keeps those with the lowest derived error.
    unsigned candidates_per_output = 4;
    std::size_t calibration_frames = 32;  // frames averaged per calibration measurement
    // (reference on, off) frame pairs per vector, spread over the bit-planes by weight (>= bits;
    // each plane at least once, the rest where they lower the derived error most); times repeats.
    unsigned plane_pairs = 24;
    // Drift (docs/sdk.md "Linear transform"): 0 (the default) never checks. Above 0, reference
    // frames shown between linear_transform calls estimate how much of the device's fields has
    // changed since the calibration (Context::drift_error_estimate), and the SDK recalibrates
    // when the estimate exceeds this bound (Context::recalibrations). Calibration and reference
    // frames then take their noise sequence numbers from the data stream, so that they sit at
    // the moment of the device's drift they measure.
    double recalibration_error_bound = 0;
    // The pairs per vector instead of plane_pairs when the calibration's photon-transfer fit
    // finds the ADC's rounding the largest part of the camera's temporal noise (a noiseless
    // camera): only more dithered frames average the rounding down (docs/device-physics.md
    // "Linear mode: noise limit"). 0: plane_pairs.
    unsigned rounding_plane_pairs = 48;
};

// Progress of one call's device work (transform, transform_rescaled, linear_transform), for a
// progress display: FRAMES_DONE of FRAMES_TOTAL device frames of the call. TOTAL is the call's
// planned frames; calibration frames and retries count as done too, so TOTAL is raised to DONE
// when they pass it. Called on the calling thread after each device job (at most 256 frames);
// it must not call back into the Opu.
using ProgressCallback = std::function<void(std::uint64_t frames_done, std::uint64_t frames_total)>;

struct OpuSettings {
    std::size_t n_components = 1000;    // outputs per sample
    std::string device;                 // device URI; empty: $OPUSIM_DEVICE, else sim:gen2
    std::size_t max_n_features = 1000;  // largest input accepted (checked at fit)
    InputRoiStrategy input_roi_strategy = InputRoiStrategy::Full;
    std::size_t n_samples_by_pass = 3000;  // frames per device job
    std::size_t min_batch_size = 1;        // a shorter pass is padded with dark frames to this
    unsigned max_retries = 5;              // a failed pass is run again up to this many times
    // Frames cross to the device as packed features, expanded for the DMD by the device's
    // formatter, when the device accepts them; true: the SDK formats whole DMD patterns (the
    // host-formatting path; the same outputs, the link moves the whole pattern per frame).
    bool host_formatting = false;
    // Camera noise: "" keeps the device URI's (its noise= option; else the device's default,
    // on); "on"; "off" (the noiseless camera: still quantised); "ideal" (float intensities
    // without noise, quantisation or clipping, as lightonml's simulated device:
    // transform_rescaled and linear_transform only, since transform returns camera values).
    std::string noise;
    bool open_at_init = true;
    // Automatic exposure (docs/sdk.md "Automatic exposure"): each fit measures a few frames
    // through the device at the workload's expected lit-mirror count (features x replication x
    // auto_exposure_density) and sets its transforms' exposure so the frames use the camera's
    // range; frames that stay dark even at the longest exposure are a warning in the context
    // (Context::exposure_warning), which the commands print. An exposure
    // in the overrides (the call's, the fit's or these settings') fixes it instead. Not in ideal
    // mode (no camera range) nor linear mode (its calibration chooses its own exposure).
    bool auto_exposure = true;
    double auto_exposure_density = 0.5;  // expected fraction of lit features, in (0, 1]
    // Device defects (docs/sdk.md "Device defects"): each fit finds hot and dead pixels among the
    // outputs' pixels (dark and lit calibration frames) and skips them (the outputs are the first
    // n_components good pixels); the first fit after open measures the camera's trigger lag and
    // every later job compensates it. Neither runs in ideal mode.
    bool mask_defective_pixels = true;
    bool detect_trigger_lag = true;
    // Stuck DMD mirrors (docs/sdk.md "Device defects"): each fit toggles every feature slot of
    // its layout once (n_features + 4 device frames), finds the slots whose toggling leaves the
    // frame unchanged and moves the features to working slots (the layout grows by as many).
    // Off by default: its frames cost as much as n_features rows of data at every fit.
    bool detect_stuck_mirrors = false;
    Overrides overrides;  // default camera settings for every call
    LinearSettings linear;
    ProgressCallback progress;  // empty: no progress reports (results never depend on it)
};

class Opu {
  public:
    explicit Opu(OpuSettings settings = {});
    ~Opu();
    Opu(Opu&& other) noexcept;
    Opu& operator=(Opu&& other) noexcept;
    Opu(const Opu&) = delete;
    Opu& operator=(const Opu&) = delete;

    // Acquires the device (exclusive across processes) / releases it. close() is idempotent;
    // the destructor closes.
    void open();
    void close();
    bool is_open() const;

    OpuSettings settings() const;  // a copy (taken under the lock)
    std::size_t n_components() const;
    void set_n_components(std::size_t n_components);  // takes effect at the next fit
    std::size_t max_n_features() const;
    InputRoiStrategy input_roi_strategy() const;
    void set_input_roi_strategy(InputRoiStrategy strategy);  // next fit
    void set_progress(ProgressCallback progress);            // from the next call on
    // The open device's identification and capabilities (opens it if needed); the reference
    // is valid until close().
    const driver::DeviceInfo& device_info();
    // What the device measured since it was opened or reset (its statistics registers): stage
    // utilisation, the bottleneck, frame rate, latency. Covers every call since the last reset,
    // including calibration frames.
    driver::DeviceStatistics device_statistics();
    // The driver's handle of the open device (opens it if needed), as lightonml's OPU.device:
    // for register-level tools and tests. Valid until close(); calls on it bypass the Opu.
    driver::Device& device();
    std::string device_uri() const;

    // Fixes the number of features, the input layout and the output ROI for transform().
    // PACKED: the inputs of transform are bit-packed along the last axis (numpy.packbits,
    // ceil(n_features / 8) bytes). Throws std::invalid_argument for n_features 0 or above
    // max_n_features or the device's mirrors.
    void fit1d(std::size_t n_features, bool packed = false, const Overrides& overrides = {});
    void fit1d(const ArrayView<std::uint8_t>& x, bool packed = false,
               const Overrides& overrides = {});  // n_features from x's last axis (unpacked)
    // 2-D inputs: the last two axes (rows, cols) form one sample, laid out row-major.
    void fit2d(std::size_t rows, std::size_t cols, bool packed = false,
               const Overrides& overrides = {});
    void fit2d(const ArrayView<std::uint8_t>& x, bool packed = false,
               const Overrides& overrides = {});
    bool fitted() const;
    std::size_t n_features() const;

    // Camera frames for binary X (1-4 dims; the last (fit1d) or last two (fit2d) are the
    // features, the others batch dims kept in the output): shape (batch..., n_components),
    // values 0 .. 2^bits - 1. Every value of X must be 0 or 1 (else std::invalid_argument naming
    // the sample and feature).
    Result<std::uint16_t> transform(const ArrayView<std::uint8_t>& x,
                                    const Overrides& overrides = {});
    // The same frames as floats, the dark level (all mirrors off, measured once per fit)
    // subtracted and divided by the mean signal of one lit mirror (measured once per fit), so a
    // value estimates |R x|^2 in units of one lit mirror's mean intensity.
    Result<float> transform_rescaled(const ArrayView<std::uint8_t>& x,
                                     const Overrides& overrides = {});
    Result<std::uint16_t> fit_transform1d(const ArrayView<std::uint8_t>& x,
                                          const Overrides& overrides = {});
    Result<std::uint16_t> fit_transform2d(const ArrayView<std::uint8_t>& x,
                                          const Overrides& overrides = {});

    // A real Gaussian projection y = M x (M: n_components x n_features, i.i.d. N(0, 1/2)
    // entries fixed by the device) of real-valued X (finite floats, any range), computed from
    // device intensity frames only. Shape (batch..., n_components). Needs a fit (fit1d/fit2d);
    // the first call calibrates the reference (context.frames counts it).
    Result<float> linear_transform(const ArrayView<float>& x, const Overrides& overrides = {});

    // Frame sequence number of the next frame (keys its camera noise); starts at 0 at open.
    std::uint64_t next_sequence() const;

    struct Impl;

  private:
    Impl& state() const;  // throws std::logic_error on a moved-from Opu

    std::unique_ptr<Impl> impl_;
};

}  // namespace opusim
