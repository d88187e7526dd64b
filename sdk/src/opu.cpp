#include "opusim/opu.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <stdexcept>

#include "auto_exposure.hpp"
#include "binary_input.hpp"
#include "defect_pixels.hpp"
#include "defect_trigger_lag.hpp"
#include "drift_monitor.hpp"
#include "frame_runner.hpp"
#include "linear_projection.hpp"
#include "opusim/contract/data_format.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/layout_choice.hpp"
#include "stuck_mirrors.hpp"

namespace opusim {

namespace {

using sdk_detail::RunStats;

// Calibration frames (dark level, gain, linear reference) use their own noise sequence numbers,
// so the frames of the user's data are numbered 0, 1, 2... from open, whatever was calibrated.
constexpr std::uint64_t kCalibrationSequenceBase = std::uint64_t{1} << 62;
constexpr std::size_t kRescaleCalibrationFrames = 16;

contract::InputRoiStrategy to_contract(InputRoiStrategy strategy) {
    switch (strategy) {
        case InputRoiStrategy::Full:
            return contract::InputRoiStrategy::Full;
        case InputRoiStrategy::Small:
            return contract::InputRoiStrategy::Small;
        case InputRoiStrategy::Auto:
            return contract::InputRoiStrategy::Auto;
    }
    return contract::InputRoiStrategy::Auto;
}

// OpuSettings::noise over the device's configuration at open.
void apply_noise_setting(const std::string& noise, const driver::DeviceInfo& info,
                         driver::DeviceConfig& config) {
    if (noise.empty()) return;
    config.noise = noise == "on";
    config.ideal = noise == "ideal";
    if (config.ideal && (info.output_formats & contract::output_formats::kFloatIntensities) == 0) {
        throw std::invalid_argument(
            "noise: 'ideal' needs a device with float intensity output "
            "(CAP_OUTPUT_FORMATS); " +
            info.uri + " has none");
    }
}

void check_noise_setting(const std::string& noise) {
    if (!noise.empty() && noise != "on" && noise != "off" && noise != "ideal") {
        throw std::invalid_argument("noise: expected \"\", \"on\", \"off\" or \"ideal\", got \"" +
                                    noise + "\"");
    }
}

// The context's energy figures: POWER_W over its device time, and per frame.
void set_energy(Context& c, double power_w) {
    c.power_w = power_w;
    c.energy_j = power_w * c.device_time_s();
    c.energy_per_frame_j = c.frames > 0 ? c.energy_j / double(c.frames) : 0.0;
}

double wall_seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::string to_string(InputRoiStrategy strategy) {
    return contract::to_string(to_contract(strategy));
}

InputRoiStrategy parse_input_roi_strategy(const std::string& text, const std::string& argument) {
    switch (contract::parse_input_roi_strategy(text, argument)) {
        case contract::InputRoiStrategy::Full:
            return InputRoiStrategy::Full;
        case contract::InputRoiStrategy::Small:
            return InputRoiStrategy::Small;
        case contract::InputRoiStrategy::Auto:
            return InputRoiStrategy::Auto;
    }
    return InputRoiStrategy::Auto;
}

struct RescaleCalibration {
    double exposure_us = 0;
    std::vector<double> dark;  // per output pixel, DN
    double gain = 0;           // DN per lit mirror (mean over pixels)
};

struct Opu::Impl {
    mutable std::mutex mutex;
    OpuSettings settings;
    std::unique_ptr<driver::Device> device;
    sdk_detail::RunnerBuffers buffers;  // the device's DMA buffers, reused from call to call
    driver::DeviceConfig base;          // the device's configuration at open
    std::uint64_t next_sequence = 0;
    std::uint64_t calibration_sequence = kCalibrationSequenceBase;

    bool fitted = false;
    sdk_detail::FeatureShape features;
    Overrides fit_overrides;
    contract::InputLayout layout;
    std::string layout_reason;  // why auto chose the layout ("" for full and small)
    std::string linear_layout_reason;
    contract::OutputRoi roi;
    std::optional<RescaleCalibration> rescale;
    std::unique_ptr<sdk_detail::LinearProjector> linear;
    bool linear_exposure_fixed = false;  // its calibration kept the user's exposure
    std::optional<sdk_detail::ExposureChoice> auto_exposure;  // the fit's, when it chose one
    std::optional<sdk_detail::TriggerLagProbe> trigger_lag;   // measured once per open
    sdk_detail::PixelMask pixel_mask;                         // the fit's outputs
    sdk_detail::StuckMirrorPlan stuck_plan;  // the fit's stuck feature slots, features moved
    sdk_detail::DriftMonitor drift;  // linear mode's drift check (recalibration_error_bound > 0)

    void require_open() {
        if (!device) open_locked();
    }
    void open_locked() {
        if (device) return;
        auto opened = driver::Device::open(settings.device);
        driver::DeviceConfig config = opened->config();
        apply_noise_setting(settings.noise, opened->info(), config);
        device = std::move(opened);
        base = config;
        next_sequence = 0;
        calibration_sequence = kCalibrationSequenceBase;
        trigger_lag.reset();
    }
    void require_fitted(const char* call) const {
        if (!fitted) {
            throw std::logic_error(std::string(call) +
                                   ": the Opu is not fitted; call fit1d or fit2d first");
        }
    }

    // Exposure and frametime for a call: the call's override, else the fit's, else the
    // settings', else the device's.
    std::pair<double, double> camera_timing(const Overrides& call) const {
        auto pick = [](std::optional<double> a, std::optional<double> b, std::optional<double> c,
                       double d) {
            return a ? *a : b ? *b : c ? *c : d;
        };
        const double exposure = pick(call.exposure_us, fit_overrides.exposure_us,
                                     settings.overrides.exposure_us, base.exposure_us);
        const double frametime = pick(call.frametime_us, fit_overrides.frametime_us,
                                      settings.overrides.frametime_us, base.frametime_us);
        const auto& info = device->info();
        if (!(exposure >= info.min_exposure_us && exposure <= info.max_exposure_us)) {
            throw std::invalid_argument("exposure_us: expected a value in [" +
                                        std::to_string(info.min_exposure_us) + ", " +
                                        std::to_string(info.max_exposure_us) +
                                        "] us for this device, got " + std::to_string(exposure));
        }
        if (!(frametime >= 0) || !std::isfinite(frametime)) {
            throw std::invalid_argument("frametime_us: expected a finite value >= 0, got " +
                                        std::to_string(frametime));
        }
        return {exposure, frametime};
    }

    // The input layout of N_TOTAL DMD features read out through OUT_ROI: the settings' strategy,
    // auto resolved by the device's rate (layout_choice.hpp), its reason in REASON.
    contract::InputLayout resolve_layout(std::uint64_t n_total, const contract::OutputRoi& out_roi,
                                         std::string& reason) {
        const driver::DeviceInfo& info = device->info();
        reason.clear();
        if (settings.input_roi_strategy != InputRoiStrategy::Auto) {
            return contract::make_input_layout(info.dmd, n_total,
                                               to_contract(settings.input_roi_strategy));
        }
        driver::DeviceConfig config = contract::with_geometry(
            base, contract::make_replicated_layout(info.dmd, n_total, 1), out_roi);
        std::tie(config.exposure_us, config.frametime_us) = camera_timing({});
        const contract::InputFormat format =
            !settings.host_formatting &&
                    contract::accepts(info.input_formats, contract::InputFormat::PackedFeatures)
                ? contract::InputFormat::PackedFeatures
                : contract::InputFormat::DmdPattern;
        const LayoutChoice choice = choose_auto_layout(*device, config, n_total, format);
        reason = "auto: " + choice.reason;
        return choice.layout;
    }

    driver::DeviceConfig transform_config(const Overrides& call) const {
        driver::DeviceConfig config = contract::with_geometry(base, layout, roi);
        std::tie(config.exposure_us, config.frametime_us) = camera_timing(call);
        if (auto_exposure && !exposure_fixed(call)) config.exposure_us = auto_exposure->exposure_us;
        return config;
    }

    bool exposure_fixed(const Overrides& call) const {
        return call.exposure_us || fit_overrides.exposure_us || settings.overrides.exposure_us;
    }

    // Automatic exposure for the fitted layout (docs/sdk.md "Automatic exposure"), unless the
    // user fixed the exposure, turned it off, or the device is in ideal mode.
    void choose_auto_exposure() {
        auto_exposure.reset();
        if (!settings.auto_exposure || base.ideal || exposure_fixed({})) return;
        const driver::DeviceInfo& info = device->info();
        const sdk_detail::ExposureLimits limits{info.min_exposure_us, info.max_exposure_us,
                                                double((1u << info.bit_depth) - 1)};
        RunStats stats;
        auto_exposure = sdk_detail::calibrate_exposure(capture_fn(), transform_config({}), layout,
                                                       settings.auto_exposure_density, limits,
                                                       &calibration_sequence, &stats);
    }

    // Device defects (docs/sdk.md "Device defects"), at the fit's exposure: the trigger lag (once
    // per open, when the probe sees its lit frame), then the hot and dead pixels of the outputs.
    void check_defects() {
        if (base.ideal) return;
        RunStats stats;
        if (settings.detect_trigger_lag && !trigger_lag) {
            const auto probe = sdk_detail::probe_trigger_lag(capture_fn(), transform_config({}),
                                                             layout, &calibration_sequence, &stats);
            if (probe.measured) trigger_lag = probe;
        }
        if (!settings.mask_defective_pixels) return;
        const contract::SensorGeometry& sensor = device->info().sensor;
        const auto measure = [&](std::size_t n_read) {
            roi = contract::make_output_roi(sensor, n_read);
            return sdk_detail::capture_dark_and_lit(capture_fn(), transform_config({}), layout,
                                                    settings.auto_exposure_density,
                                                    &calibration_sequence, &stats);
        };
        pixel_mask = sdk_detail::mask_defective_pixels(
            settings.n_components, contract::max_output_components(sensor),
            double((1u << device->info().bit_depth) - 1), measure);
    }

    // Stuck mirrors (docs/sdk.md "Device defects"), after the pixel check (its ROI): the fit's
    // layout grows and the features move to working slots.
    void check_stuck_mirrors() {
        if (!settings.detect_stuck_mirrors) return;
        RunStats stats;
        const auto config_for = [this](const contract::InputLayout& slots) {
            return contract::with_geometry(transform_config({}), slots, roi);
        };
        stuck_plan = sdk_detail::plan_around_stuck_mirrors(capture_fn(), config_for, layout,
                                                           &calibration_sequence, &stats);
        layout = stuck_plan.layout;
    }

    // Device values (n x pixel_mask.device_outputs) to the outputs (n x n_components).
    template <class Value>
    void gather_outputs(const std::vector<Value>& device_values, std::size_t n, Value* out) const {
        const std::size_t from = pixel_mask.device_outputs;
        const std::size_t to = pixel_mask.outputs.size();
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < to; ++j) {
                out[i * to + j] = device_values[i * from + pixel_mask.outputs[j]];
            }
        }
    }

    // The context's defect fields.
    void describe_defects(Context& c) const {
        c.trigger_lag_frames = trigger_lag ? trigger_lag->lag : 0;
        c.stuck_features = stuck_plan.stuck;
        c.stuck_mirror_warning = stuck_plan.warning;
        c.stuck_mirror_scan_frames = stuck_plan.frames;
        if (pixel_mask.identity()) return;
        const std::vector<std::uint64_t>& pixels = roi.pixels;
        for (const std::size_t j : pixel_mask.hot) c.hot_pixels.push_back(pixels[j]);
        for (const std::size_t j : pixel_mask.dead) c.dead_pixels.push_back(pixels[j]);
        for (const std::size_t j : pixel_mask.outputs) c.output_pixels.push_back(pixels[j]);
    }

    // The context's exposure fields for a transform with the CALL's overrides.
    void describe_exposure(Context& c, const Overrides& call) const {
        if (exposure_fixed(call)) {
            c.exposure_source = "user";
        } else if (!auto_exposure) {
            c.exposure_source = "device";
        } else {
            c.exposure_source = "auto";
            c.exposure_signal_dn = auto_exposure->measured.signal_dn;
            c.exposure_saturated_fraction = auto_exposure->measured.saturated_fraction;
            c.exposure_lit_mirrors = auto_exposure->lit_mirrors;
            c.exposure_calibration_frames = auto_exposure->frames;
            c.exposure_warning = auto_exposure->warning;
        }
    }

    bool fitting = false;  // inside fit(): its calibration frames report no progress

    // Progress of the current call (OpuSettings::progress): frames done of the planned total.
    std::uint64_t progress_done = 0;
    std::uint64_t progress_total = 0;

    void begin_progress(std::uint64_t planned_frames) {
        progress_done = 0;
        progress_total = planned_frames;
    }

    void report_progress(std::size_t frames) {
        progress_done += frames;
        progress_total = std::max(progress_total, progress_done);
        settings.progress(progress_done, progress_total);
    }

    template <class Value>
    RunStats capture(const driver::DeviceConfig& config, const contract::InputLayout& frame_layout,
                     const std::uint8_t* bits, std::size_t n, std::uint64_t first_sequence,
                     Value* out) {
        if (device->config() != config) device->configure(config);
        sdk_detail::PassPolicy policy;
        policy.n_samples_by_pass = settings.n_samples_by_pass;
        policy.min_batch_size = settings.min_batch_size;
        policy.max_retries = settings.max_retries;
        policy.host_formatting = settings.host_formatting;
        policy.trigger_lag_frames = trigger_lag ? trigger_lag->lag : 0;
        if (settings.progress && !fitting) {  // a fit's calibration frames belong to no call
            policy.frames_done = [this](std::size_t frames) { report_progress(frames); };
        }
        sdk_detail::FrameRunner runner(*device, policy, buffers);
        return runner.run(frame_layout, bits, n, first_sequence, out);
    }

    sdk_detail::CaptureFn capture_fn() {
        return [this](const driver::DeviceConfig& config, const contract::InputLayout& frame_layout,
                      const std::uint8_t* bits, std::size_t n, std::uint64_t first_sequence,
                      float* out) {
            return capture(config, frame_layout, bits, n, first_sequence, out);
        };
    }

    Context context(const driver::DeviceConfig& config, const contract::InputLayout& frame_layout,
                    const RunStats& stats, std::uint64_t first_sequence,
                    std::chrono::steady_clock::time_point wall_start) const {
        Context c;
        c.device = device->info().uri;
        c.noise = config.ideal ? "ideal" : config.noise ? "on" : "off";
        c.exposure_us = config.exposure_us;
        c.frametime_us = config.frametime_us;
        c.bits = device->info().bit_depth;
        c.input_roi.strategy = contract::to_string(frame_layout.strategy);
        c.input_roi.n_features = frame_layout.n_features;
        c.input_roi.replication = frame_layout.replication;
        c.input_roi.first_mirror = frame_layout.first_mirror;
        c.input_roi.total_mirrors = frame_layout.total_mirrors;
        c.output_roi = OutputRoi{config.roi_x, config.roi_y, config.roi_width, config.roi_height};
        c.lit_mirrors_min = stats.lit_min;
        c.lit_mirrors_max = stats.lit_max;
        c.lit_mirrors_mean = stats.data_frames ? stats.lit_sum / double(stats.data_frames) : 0.0;
        c.start_s = stats.start_s;
        c.end_s = stats.end_s;
        c.frames = stats.frames;
        c.first_sequence = first_sequence;
        c.passes = stats.passes;
        c.retries = stats.retries;
        c.retry_frames = stats.retry_frames;
        c.retry_time_s = stats.retry_time_s;
        c.saturated_pixels = stats.saturated;
        c.wall_time_s = wall_seconds_since(wall_start);
        set_energy(c, device->info().power_w());
        return c;
    }

    void fit(const sdk_detail::FeatureShape& shape, const Overrides& overrides) {
        require_open();
        const std::size_t n = shape.n_features();
        if (n == 0) throw std::invalid_argument("n_features: expected >= 1, got 0");
        if (n > settings.max_n_features) {
            throw std::invalid_argument(
                "n_features: " + std::to_string(n) + " exceeds max_n_features " +
                std::to_string(settings.max_n_features) + " (raise OpuSettings::max_n_features)");
        }
        if (n > device->info().max_mirrors) {
            throw std::invalid_argument("n_features: " + std::to_string(n) + " exceeds the " +
                                        std::to_string(device->info().max_mirrors) +
                                        " mirrors of the device");
        }
        if (settings.n_components == 0) {
            throw std::invalid_argument("n_components: expected >= 1, got 0");
        }
        const contract::SensorGeometry& sensor = device->info().sensor;
        const std::uint64_t max_out = contract::max_output_components(sensor);
        if (settings.n_components > max_out) {
            throw std::invalid_argument("n_components: " + std::to_string(settings.n_components) +
                                        " exceeds the " + std::to_string(max_out) +
                                        " pixels the camera's ROI can serve");
        }
        roi = contract::make_output_roi(sensor, settings.n_components);
        features = shape;
        fit_overrides = overrides;
        camera_timing({});  // validates the overrides now rather than at the first transform
        layout = resolve_layout(n, roi, layout_reason);
        rescale.reset();
        linear.reset();
        fitted = false;
        pixel_mask = {};
        stuck_plan = {};
        fitting = true;
        try {
            choose_auto_exposure();
            check_defects();
            check_stuck_mirrors();
        } catch (...) {
            fitting = false;
            throw;
        }
        fitting = false;
        drift = {};
        fitted = true;
    }

    Result<std::uint16_t> transform(const ArrayView<std::uint8_t>& x, const Overrides& call) {
        require_fitted("transform");
        require_open();
        if (base.ideal) {
            throw std::logic_error(
                "transform: the device is in ideal mode (noise=ideal), whose frames are float "
                "intensities, not camera values; use transform_rescaled or linear_transform");
        }
        return transform_values<std::uint16_t>(x, call);
    }

    // transform's frames as VALUE: camera values, or float intensities in ideal mode.
    template <class Value>
    Result<Value> transform_values(const ArrayView<std::uint8_t>& x, const Overrides& call) {
        const auto wall_start = std::chrono::steady_clock::now();
        sdk_detail::Batch batch = sdk_detail::flatten_binary(x, features, "x");
        if (!stuck_plan.feature_slot.empty()) {
            batch.bits = sdk_detail::spread_to_slots(batch.bits.data(), batch.samples,
                                                     stuck_plan.feature_slot, layout.n_features);
        }
        const driver::DeviceConfig config = transform_config(call);
        const std::size_t n_outputs = settings.n_components;
        Result<Value> result;
        result.output.shape = sdk_detail::output_shape(batch.batch_shape, n_outputs);
        result.output.values.resize(batch.samples * n_outputs);
        const std::uint64_t first = next_sequence;
        begin_progress(batch.samples);
        std::vector<Value> device_values;
        if (!pixel_mask.identity()) device_values.resize(batch.samples * config.n_components);
        RunStats stats =
            capture(config, layout, batch.bits.data(), batch.samples, first,
                    pixel_mask.identity() ? result.output.values.data() : device_values.data());
        if (!pixel_mask.identity()) {
            gather_outputs(device_values, batch.samples, result.output.values.data());
            const double full_scale = double((1u << device->info().bit_depth) - 1);
            stats.saturated = 0;  // the masked pixels' values are not outputs
            if (!config.ideal) {
                for (const Value v : result.output.values)
                    stats.saturated += double(v) >= full_scale;
            }
        }
        next_sequence += batch.samples;
        result.context = context(config, layout, stats, first, wall_start);
        result.context.input_roi.choice = layout_reason;
        describe_exposure(result.context, call);
        describe_defects(result.context);
        result.context.n_components = n_outputs;
        result.context.output_values = result.output.values.size();
        return result;
    }

    RunStats calibrate_rescale(const driver::DeviceConfig& config) {
        const std::size_t n = layout.n_features;
        const std::size_t frames = 2 * kRescaleCalibrationFrames;
        // Half dark frames, half with every other feature lit (alternating the phase).
        std::vector<std::uint8_t> bits(frames * n, 0);
        double lit = 0;
        for (std::size_t i = kRescaleCalibrationFrames; i < frames; ++i) {
            for (std::size_t f = 0; f < n; ++f) bits[i * n + f] = (f + i) % 2 == 0;
            lit += double(contract::lit_mirrors(layout, bits.data() + i * n));
        }
        lit /= double(kRescaleCalibrationFrames);
        std::vector<float> device_values(frames * config.n_components);
        RunStats stats = capture(config, layout, bits.data(), frames, calibration_sequence,
                                 device_values.data());
        calibration_sequence += frames;
        std::vector<float> values = device_values;
        if (!pixel_mask.identity()) {
            values.resize(frames * settings.n_components);
            gather_outputs(device_values, frames, values.data());
        }
        const std::size_t m = settings.n_components;
        stats.saturated = 0;
        stats.data_frames = 0;  // not the user's frames: no lit-mirror figures
        stats.lit_sum = 0;
        RescaleCalibration cal;
        cal.exposure_us = config.exposure_us;
        cal.dark.assign(m, 0.0);
        double lit_signal = 0;
        for (std::size_t i = 0; i < frames; ++i) {
            for (std::size_t j = 0; j < m; ++j) {
                const double v = values[i * m + j];
                if (i < kRescaleCalibrationFrames) {
                    cal.dark[j] += v / double(kRescaleCalibrationFrames);
                } else {
                    lit_signal += v;
                }
            }
        }
        double dark_total = 0;
        for (const double d : cal.dark) dark_total += d;
        const double mean_lit = lit_signal / double(kRescaleCalibrationFrames * m);
        const double mean_dark = dark_total / double(m);
        cal.gain = (mean_lit - mean_dark) / std::max(lit, 1.0);
        if (!(cal.gain > 0)) {
            throw std::runtime_error(
                "transform_rescaled: calibration measured no signal above "
                "the dark level; raise the exposure");
        }
        rescale = std::move(cal);
        return stats;
    }

    Result<float> transform_rescaled(const ArrayView<std::uint8_t>& x, const Overrides& call) {
        const auto wall_start = std::chrono::steady_clock::now();
        require_fitted("transform_rescaled");
        require_open();
        const driver::DeviceConfig config = transform_config(call);
        RunStats calibration;
        begin_progress(0);  // transform() below plans the call's frames
        if (!rescale || rescale->exposure_us != config.exposure_us) {
            calibration = calibrate_rescale(config);
        }
        Result<float> raw = transform_values<float>(x, call);
        Result<float> result;
        result.output.shape = raw.output.shape;
        result.output.values.resize(raw.output.values.size());
        const std::size_t m = settings.n_components;
        for (std::size_t i = 0; i < raw.output.values.size(); ++i) {
            result.output.values[i] = static_cast<float>(
                (double(raw.output.values[i]) - rescale->dark[i % m]) / rescale->gain);
        }
        result.context = raw.context;
        result.context.frames += calibration.frames;
        if (calibration.frames > 0) result.context.start_s = calibration.start_s;
        set_energy(result.context, result.context.power_w);  // calibration included
        result.context.wall_time_s = wall_seconds_since(wall_start);
        return result;
    }

    Result<float> linear_transform(const ArrayView<float>& x, const Overrides& call) {
        const auto wall_start = std::chrono::steady_clock::now();
        require_fitted("linear_transform");
        require_open();
        std::size_t samples = 0;
        const Shape batch_shape = sdk_detail::checked_real_batch(x, features, "x", &samples);
        const auto [exposure, frametime] = camera_timing(call);
        RunStats stats;
        if (!linear) {
            driver::DeviceConfig base_config = base;
            base_config.frametime_us = frametime;
            const sdk_detail::LayoutMaker make_layout = [this](std::uint64_t n_total,
                                                               const contract::OutputRoi& out_roi) {
                return resolve_layout(n_total, out_roi, linear_layout_reason);
            };
            linear = std::make_unique<sdk_detail::LinearProjector>(
                settings.linear, *device, features.n_features(), settings.n_components, make_layout,
                base_config);
        }
        begin_progress(samples * linear->frames_per_sample());
        const double bound = settings.linear.recalibration_error_bound;
        if (!(bound >= 0) || !std::isfinite(bound)) {
            throw std::invalid_argument(
                "linear.recalibration_error_bound: expected a finite value >= 0 (0: no drift "
                "check), got " +
                std::to_string(bound));
        }
        double drift_estimate = 0;
        bool recalibrate = false;
        if (bound > 0 && linear->calibrated() && drift.has_baseline()) {
            stats.merge(drift.check(capture_fn(), linear->config(), linear->layout(),
                                    &next_sequence, &drift_estimate));
            recalibrate = drift_estimate > bound;
        }
        if (!linear->calibrated() || recalibrate) {
            // Checked for drift: calibrate at the data stream's moment (LinearSettings).
            std::uint64_t* sequence = bound > 0 ? &next_sequence : &calibration_sequence;
            linear_exposure_fixed = exposure_fixed(call);
            RunStats calibration =
                linear->calibrate(capture_fn(), exposure, sequence, linear_exposure_fixed);
            calibration.saturated = 0;  // exposure search: saturation there is expected
            stats.merge(calibration);
            if (bound > 0) {
                stats.merge(drift.baseline(capture_fn(), linear->config(), linear->layout(),
                                           &next_sequence));
            }
            // The calibration sets the frames a vector (linear.rounding_plane_pairs).
            progress_total = progress_done + samples * linear->frames_per_sample();
        }
        Result<float> result;
        result.output.shape = sdk_detail::output_shape(batch_shape, settings.n_components);
        result.output.values.resize(samples * settings.n_components);
        const std::uint64_t first = next_sequence;
        stats.merge(linear->project(capture_fn(), x.data, samples, &next_sequence,
                                    result.output.values.data()));
        result.context = context(linear->config(), linear->layout(), stats, first, wall_start);
        result.context.n_components = settings.n_components;
        result.context.input_roi.reference_features = linear->n_reference();
        result.context.input_roi.choice = linear_layout_reason;
        // The linear calibration's exposure search, or the exposure the user fixed (kept by it).
        result.context.exposure_source = linear_exposure_fixed ? "user" : "auto";
        result.context.output_pixels = linear->output_pixels();
        result.context.output_values =
            samples * linear->frames_per_sample() * settings.n_components;
        result.context.linear_error = linear->error_budget();
        result.context.linear_error_limit = sdk_detail::error_limit(linear->error_budget());
        result.context.drift_error_estimate = drift_estimate;
        result.context.recalibrations = recalibrate ? 1 : 0;
        return result;
    }
};

Opu::Opu(OpuSettings settings) : impl_(std::make_unique<Impl>()) {
    impl_->settings = std::move(settings);
    if (impl_->settings.n_components == 0) {
        throw std::invalid_argument("n_components: expected >= 1, got 0");
    }
    check_noise_setting(impl_->settings.noise);
    if (impl_->settings.n_samples_by_pass == 0) {
        throw std::invalid_argument("n_samples_by_pass: expected >= 1, got 0");
    }
    const double density = impl_->settings.auto_exposure_density;
    if (!(density > 0 && density <= 1)) {
        throw std::invalid_argument("auto_exposure_density: expected a value in (0, 1], got " +
                                    std::to_string(density));
    }
    if (impl_->settings.open_at_init) impl_->open_locked();
}

Opu::~Opu() = default;
Opu::Opu(Opu&& other) noexcept = default;
Opu& Opu::operator=(Opu&& other) noexcept = default;

Opu::Impl& Opu::state() const {
    if (!impl_) throw std::logic_error("Opu: used after being moved from");
    return *impl_;
}

void Opu::open() {
    const std::lock_guard<std::mutex> guard(state().mutex);
    state().open_locked();
}

void Opu::close() {
    if (!impl_) return;
    const std::lock_guard<std::mutex> guard(impl_->mutex);
    impl_->linear.reset();
    impl_->rescale.reset();
    impl_->buffers = sdk_detail::RunnerBuffers{};  // before the device they belong to
    impl_->device.reset();
}

bool Opu::is_open() const {
    const std::lock_guard<std::mutex> guard(state().mutex);
    return state().device != nullptr;
}

// Every getter takes the mutex its setters take: Opu is thread-safe (a copy, never a reference
// into state another thread may change).
OpuSettings Opu::settings() const {
    const std::lock_guard<std::mutex> guard(state().mutex);
    return state().settings;
}
std::size_t Opu::n_components() const {
    const std::lock_guard<std::mutex> guard(state().mutex);
    return state().settings.n_components;
}

void Opu::set_n_components(std::size_t n_components) {
    if (n_components == 0) throw std::invalid_argument("n_components: expected >= 1, got 0");
    const std::lock_guard<std::mutex> guard(state().mutex);
    state().settings.n_components = n_components;
    state().fitted = false;
}

std::size_t Opu::max_n_features() const {
    const std::lock_guard<std::mutex> guard(state().mutex);
    return state().settings.max_n_features;
}
InputRoiStrategy Opu::input_roi_strategy() const {
    const std::lock_guard<std::mutex> guard(state().mutex);
    return state().settings.input_roi_strategy;
}

void Opu::set_progress(ProgressCallback progress) {
    const std::lock_guard<std::mutex> guard(state().mutex);
    state().settings.progress = std::move(progress);
}

void Opu::set_input_roi_strategy(InputRoiStrategy strategy) {
    const std::lock_guard<std::mutex> guard(state().mutex);
    state().settings.input_roi_strategy = strategy;
    state().fitted = false;
}

const driver::DeviceInfo& Opu::device_info() {
    const std::lock_guard<std::mutex> guard(state().mutex);
    state().require_open();
    return state().device->info();
}

driver::Device& Opu::device() {
    const std::lock_guard<std::mutex> guard(state().mutex);
    state().require_open();
    return *state().device;
}

driver::DeviceStatistics Opu::device_statistics() {
    const std::lock_guard<std::mutex> guard(state().mutex);
    state().require_open();
    return state().device->statistics();
}

std::string Opu::device_uri() const {
    const std::lock_guard<std::mutex> guard(state().mutex);
    return state().device ? state().device->info().uri
                          : driver::DeviceUri::parse(state().settings.device).text;
}

void Opu::fit1d(std::size_t n_features, bool packed, const Overrides& overrides) {
    const std::lock_guard<std::mutex> guard(state().mutex);
    state().fit(sdk_detail::FeatureShape{1, 1, n_features, packed}, overrides);
}

void Opu::fit1d(const ArrayView<std::uint8_t>& x, bool packed, const Overrides& overrides) {
    if (x.shape.empty()) throw std::invalid_argument("x: expected at least one dimension");
    if (packed) {
        throw std::invalid_argument(
            "fit1d: with packed input the feature count is ambiguous; call fit1d(n_features, "
            "true)");
    }
    fit1d(x.shape.back(), false, overrides);
}

void Opu::fit2d(std::size_t rows, std::size_t cols, bool packed, const Overrides& overrides) {
    const std::lock_guard<std::mutex> guard(state().mutex);
    state().fit(sdk_detail::FeatureShape{2, rows, cols, packed}, overrides);
}

void Opu::fit2d(const ArrayView<std::uint8_t>& x, bool packed, const Overrides& overrides) {
    if (x.shape.size() < 2) throw std::invalid_argument("x: fit2d expects at least 2 dimensions");
    if (packed) {
        throw std::invalid_argument(
            "fit2d: with packed input the column count is ambiguous; call fit2d(rows, cols, "
            "true)");
    }
    fit2d(x.shape[x.shape.size() - 2], x.shape.back(), false, overrides);
}

bool Opu::fitted() const {
    const std::lock_guard<std::mutex> guard(state().mutex);
    return state().fitted;
}

std::size_t Opu::n_features() const {
    const std::lock_guard<std::mutex> guard(state().mutex);
    return state().fitted ? state().features.n_features() : 0;
}

Result<std::uint16_t> Opu::transform(const ArrayView<std::uint8_t>& x, const Overrides& overrides) {
    const std::lock_guard<std::mutex> guard(state().mutex);
    return state().transform(x, overrides);
}

Result<float> Opu::transform_rescaled(const ArrayView<std::uint8_t>& x,
                                      const Overrides& overrides) {
    const std::lock_guard<std::mutex> guard(state().mutex);
    return state().transform_rescaled(x, overrides);
}

Result<std::uint16_t> Opu::fit_transform1d(const ArrayView<std::uint8_t>& x,
                                           const Overrides& overrides) {
    fit1d(x, false, overrides);
    return transform(x);
}

Result<std::uint16_t> Opu::fit_transform2d(const ArrayView<std::uint8_t>& x,
                                           const Overrides& overrides) {
    fit2d(x, false, overrides);
    return transform(x);
}

Result<float> Opu::linear_transform(const ArrayView<float>& x, const Overrides& overrides) {
    const std::lock_guard<std::mutex> guard(state().mutex);
    return state().linear_transform(x, overrides);
}

std::uint64_t Opu::next_sequence() const {
    const std::lock_guard<std::mutex> guard(state().mutex);
    return state().next_sequence;
}

}  // namespace opusim
