// opusim run: the main job. A random-projection workload through SDK, driver and the simulated
// device, reported as an OPU user wants it: frame rate and device time, latency, the bottleneck
// stage, noise (mean signal, SNR, saturation, speckle contrast), exposure advice when too many
// pixels saturate, and how fast the simulation itself ran.
//
// Everything about the result comes from the device frames through the SDK; the per-stage
// utilisation, bottleneck and per-frame latency are the device's own measurements, read from its
// statistics registers through the SDK (Opu::device_statistics()).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "device_option.hpp"
#include "energy_report.hpp"
#include "json_report.hpp"
#include "linear_error_report.hpp"
#include "option_values.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/opusim.hpp"
#include "progress.hpp"
#include "run_drift.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

constexpr std::uint64_t kDataSeed = 20260101;  // the workload's inputs: the same run twice
constexpr std::size_t kSnrRows = 64;           // rows shown twice for the temporal noise
// Saturation above this fraction of values gets exposure advice (lightonml's rule of thumb of
// keeping saturation to about 0.1 % of pixels).
constexpr double kSaturationAdvice = 1e-3;
// The workload's inputs and outputs are held in memory whole: more than 2^30 values of either
// (gigabytes) is a typo, and used to end in std::bad_alloc.
constexpr std::uint64_t kMaxWorkloadValues = std::uint64_t{1} << 30;

struct RunOptions {
    std::string device;
    std::size_t n_features = 0;
    std::size_t n_components = 0;
    std::size_t batch = 0;
    bool linear = false;
    bool json = false;
    std::size_t drift_checkpoints = 0;  // --drift-checkpoints: linear error against time
    double recalibration_bound = 0.1;   // --recalibration-bound
    std::optional<double> cpu_power_w;  // --cpu-power-w: measure this CPU's GEMM beside
    InputRoiStrategy input_roi = InputRoiStrategy::Full;
    Overrides overrides;
};

std::string fixed(double value, int decimals) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(decimals) << value;
    return out.str();
}

std::string si_time(double seconds) {
    if (seconds >= 1) return fixed(seconds, 3) + " s";
    if (seconds >= 1e-3) return fixed(seconds * 1e3, 3) + " ms";
    return fixed(seconds * 1e6, 1) + " us";
}

struct NoiseReport {
    double mean_signal_dn = 0;
    double temporal_noise_dn = 0;
    double snr = 0;
    double saturated_fraction = 0;
    double speckle_contrast = 0;
    std::uint64_t saturated = 0;
    double p999_dn = 0;
};

// Speckle contrast: per frame, std / mean over the output pixels (1 for fully developed speckle;
// camera noise and the black offset move it a little), averaged over frames.
double speckle_contrast(const std::vector<std::uint16_t>& values, std::size_t rows,
                        std::size_t cols) {
    double sum = 0;
    std::size_t counted = 0;
    for (std::size_t r = 0; r < rows; ++r) {
        double mean = 0;
        double square = 0;
        for (std::size_t c = 0; c < cols; ++c) {
            const double v = values[r * cols + c];
            mean += v;
            square += v * v;
        }
        mean /= double(cols);
        const double variance = square / double(cols) - mean * mean;
        if (mean > 0) {
            sum += std::sqrt(std::max(variance, 0.0)) / mean;
            ++counted;
        }
    }
    return counted ? sum / double(counted) : 0.0;
}

// How many times each DN value occurs, and their sum (exact: integers): one pass that gives the
// mean and any quantile (sorting a copy of the values cost a quarter of a small-frame run).
struct ValueCounts {
    std::vector<std::uint64_t> of_value = std::vector<std::uint64_t>(1u << 16, 0);
    std::uint64_t total = 0;

    // The K-th smallest value (0-based), as the K-th element of the sorted values.
    double kth_smallest(std::size_t k) const {
        std::uint64_t seen = 0;
        for (std::size_t value = 0; value < of_value.size(); ++value) {
            seen += of_value[value];
            if (seen > k) return double(value);
        }
        return double(of_value.size() - 1);
    }
};

ValueCounts count_values(const std::vector<std::uint16_t>& values) {
    ValueCounts counts;
    for (const auto v : values) {
        ++counts.of_value[v];
        counts.total += v;
    }
    return counts;
}

NoiseReport noise_report(Opu& opu, const Result<std::uint16_t>& result,
                         const std::vector<std::uint8_t>& bits, std::size_t n_features) {
    NoiseReport report;
    const auto& values = result.output.values;
    const std::size_t cols = result.context.n_components;
    const std::size_t rows = values.size() / cols;
    const ValueCounts counts = count_values(values);
    report.mean_signal_dn = double(counts.total) / double(values.size());
    report.saturated = result.context.saturated_pixels;
    report.saturated_fraction = double(report.saturated) / double(values.size());
    report.speckle_contrast = speckle_contrast(values, rows, cols);
    report.p999_dn = counts.kth_smallest(std::min(values.size() - 1, values.size() * 999 / 1000));
    // Temporal noise: the first rows again (fresh noise: new sequence numbers). The difference
    // of two frames of the same input has variance 2 sigma^2.
    const std::size_t again = std::min(kSnrRows, rows);
    const auto repeat = opu.transform(ArrayView<std::uint8_t>(bits.data(), {again, n_features}));
    double diff2 = 0;
    double signal = 0;
    for (std::size_t i = 0; i < again * cols; ++i) {
        const double d = double(values[i]) - double(repeat.output.values[i]);
        diff2 += d * d;
        signal += values[i];
    }
    report.temporal_noise_dn = std::sqrt(diff2 / double(again * cols) / 2.0);
    report.snr = report.temporal_noise_dn > 0
                     ? (signal / double(again * cols)) / report.temporal_noise_dn
                     : std::numeric_limits<double>::infinity();
    return report;
}

// The device's measurements of the workload, and the call's own device time.
void add_device_statistics(nlohmann::json& report, const driver::DeviceStatistics& stats,
                           const Context& context) {
    nlohmann::json stages = nlohmann::json::object();
    for (const auto& stage : stats.stages) stages[stage.name] = stage.utilisation;
    report["stages"] = stages;
    report["bottleneck"] = stats.bottleneck;
    report["frame_rate_hz"] = stats.frame_rate_hz;
    report["latency"] = {{"frame_p50_s", stats.latency_p50_s},
                         {"frame_p99_s", stats.latency_p99_s},
                         {"frame_max_s", stats.latency_max_s},
                         {"call_s", context.device_time_s()}};
}

void add_options(po::options_description& options) {
    options.add_options()(
        "device", po::value<std::string>()->default_value(""),
        "device URI, e.g. sim:gen2, sim:gen3?seed=7 (default: $OPUSIM_DEVICE, else sim:gen2)")(
        "n-features", po::value<std::string>()->default_value("10000"), "input features")(
        "n-components", po::value<std::string>()->default_value("1000"), "outputs per vector")(
        "batch", po::value<std::string>()->default_value("3000"), "vectors in the workload")(
        "exposure-us", po::value<std::string>(),
        "camera exposure, fixed (default: automatic, from a calibration at the fit)")(
        "frametime-us", po::value<std::string>(), "minimum frame period (default: the device's)")(
        "input-roi", po::value<std::string>()->default_value("full"),
        "full (replicate features over the DMD), small (one mirror each) or auto")(
        "linear", "linear mode: real Gaussian inputs through linear_transform")(
        "drift-checkpoints", po::value<std::string>(),
        "with --linear: the linear error at K checkpoints over the workload, with and without "
        "recalibration (a drifting medium: --set medium.decorrelation_time_s=T)")(
        "recalibration-bound", po::value<std::string>(),
        "with --drift-checkpoints: the recalibrating run's LinearSettings::"
        "recalibration_error_bound (default 0.1)")(
        "cpu-power-w", po::value<std::string>(),
        "compare this CPU's GEMM at W watts (wall-clock measured: not reproducible)")(
        "json", "print one JSON object");
    add_set_option(options);
}

RunOptions parse_run_options(const po::variables_map& vm) {
    RunOptions o;
    o.device = device_uri_with_set(vm["device"].as<std::string>(), vm);
    o.n_features = parse_whole("n-features", vm["n-features"].as<std::string>(), 1, 1ull << 24);
    o.n_components =
        parse_whole("n-components", vm["n-components"].as<std::string>(), 1, 1ull << 24);
    o.batch = parse_whole("batch", vm["batch"].as<std::string>(), 1, 1ull << 24);
    if (vm.count("cpu-power-w")) {
        o.cpu_power_w = parse_real("cpu-power-w", vm["cpu-power-w"].as<std::string>(), 1e-3);
    }
    for (const auto& [name, width] :
         {std::pair<const char*, std::size_t>{"n-features", o.n_features},
          {"n-components", o.n_components}}) {
        if (std::uint64_t{o.batch} * width > kMaxWorkloadValues) {
            throw UsageError("--batch/--" + std::string(name) + ": " + std::to_string(o.batch) +
                             " x " + std::to_string(width) +
                             " values held in memory, more than the limit of 2^30");
        }
    }
    o.linear = vm.count("linear") > 0;
    if (vm.count("drift-checkpoints")) {
        if (!o.linear) throw UsageError("--drift-checkpoints: only used with --linear");
        o.drift_checkpoints =
            parse_whole("drift-checkpoints", vm["drift-checkpoints"].as<std::string>(), 1, 1000);
    }
    if (vm.count("recalibration-bound")) {
        if (o.drift_checkpoints == 0) {
            throw UsageError("--recalibration-bound: only used with --drift-checkpoints");
        }
        o.recalibration_bound =
            parse_real("recalibration-bound", vm["recalibration-bound"].as<std::string>(), 1e-6);
    }
    try {
        o.input_roi = parse_input_roi_strategy(vm["input-roi"].as<std::string>(), "--input-roi");
    } catch (const std::invalid_argument& error) {
        throw UsageError(error.what());
    }
    o.json = vm.count("json") > 0;
    if (vm.count("exposure-us")) {
        o.overrides.exposure_us = parse_real("exposure-us", vm["exposure-us"].as<std::string>(), 0);
    }
    if (vm.count("frametime-us")) {
        o.overrides.frametime_us = parse_frametime(vm["frametime-us"].as<std::string>());
    }
    return o;
}

OpuSettings opu_settings(const RunOptions& o) {
    OpuSettings settings;
    settings.device = o.device;
    settings.n_components = o.n_components;
    settings.max_n_features = o.n_features;
    settings.overrides = o.overrides;
    settings.input_roi_strategy = o.input_roi;
    return settings;
}

// What the workload measured: the result's context, the noise, and the device's statistics.
struct Workload {
    Context context;
    NoiseReport noise;
    driver::DeviceStatistics stats;
    double linear_frames_per_vector = 0;
};

// Intensity mode: fair random bits, 64 from each draw of the generator.
Workload run_intensity(Opu& opu, const RunOptions& o, Progress& progress) {
    std::mt19937_64 generator(kDataSeed);
    std::vector<std::uint8_t> bits(o.batch * o.n_features);
    for (std::size_t i = 0; i < bits.size(); i += 64) {
        const std::uint64_t word = generator();
        for (std::size_t k = 0; k < 64 && i + k < bits.size(); ++k) {
            bits[i + k] = static_cast<std::uint8_t>((word >> k) & 1u);
        }
    }
    const auto result = opu.transform(ArrayView<std::uint8_t>(bits, {o.batch, o.n_features}));
    progress.clear();
    opu.set_progress({});  // the short noise measurement below is no part of the workload
    Workload w;
    w.context = result.context;
    // The device's statistics cover the jobs since the driver's last reset: this transform.
    w.stats = opu.device_statistics();
    w.noise = noise_report(opu, result, bits, o.n_features);
    return w;
}

// Linear mode: real Gaussian inputs; saturation is the only noise figure it reports.
Workload run_linear(Opu& opu, const RunOptions& o, const OpuSettings& /*settings*/,
                    Progress& progress) {
    std::mt19937_64 generator(kDataSeed);
    std::normal_distribution<float> gaussian(0.0f, 1.0f);
    std::vector<float> x(o.batch * o.n_features);
    for (auto& v : x) v = gaussian(generator);
    const auto result = opu.linear_transform(ArrayView<float>(x, {o.batch, o.n_features}));
    progress.clear();
    Workload w;
    w.context = result.context;
    w.stats = opu.device_statistics();
    w.linear_frames_per_vector = double(result.context.linear_error.frames_per_vector);
    w.noise.saturated = w.context.saturated_pixels;
    w.noise.saturated_fraction = w.context.output_values ? double(w.context.saturated_pixels) /
                                                               double(w.context.output_values)
                                                         : 0.0;
    return w;
}

// Exposure advice when too many values saturate, else empty. Signal is proportional to exposure.
// Fully developed speckle has exponential intensities, P(y > full scale) = exp(-full scale /
// mean), so at most kSaturationAdvice saturate when the mean is full scale / ln(1 /
// kSaturationAdvice). Linear mode has no camera mean to scale: 80 % of the exposure.
std::string exposure_advice(const NoiseReport& noise, const Context& context,
                            std::uint32_t bit_depth) {
    if (noise.saturated_fraction <= kSaturationAdvice) return "";
    const double full_scale = double((1u << bit_depth) - 1u);
    const double target_mean = full_scale / std::log(1.0 / kSaturationAdvice);
    const double factor = noise.mean_signal_dn > 0 ? target_mean / noise.mean_signal_dn : 0.8;
    const double suggested = context.exposure_us * std::min(factor, 0.95);
    return fixed(100 * noise.saturated_fraction, 2) + " % of pixels saturate (> " +
           fixed(100 * kSaturationAdvice, 1) + " %): lower the exposure to about " +
           fixed(suggested, 0) + " us (--exposure-us), or light fewer mirrors";
}

nlohmann::json build_report(const RunOptions& o, const OpuSettings& settings,
                            const driver::DeviceInfo& info, const Workload& w, double wall_s) {
    const Context& context = w.context;
    const double device_s = context.device_time_s();
    nlohmann::json report;
    add_device_statistics(report, w.stats, context);
    report["device"] = info.uri;
    report["profile"] = info.profile_name;
    report["mode"] = o.linear ? "linear" : "intensity";
    report["n_features"] = o.n_features;
    report["n_components"] = o.n_components;
    report["batch"] = o.batch;
    report["frames"] = context.frames;
    report["device_time_s"] = device_s;
    report["retries"] = {{"passes", context.retries},
                         {"frames", context.retry_frames},
                         {"device_time_s", context.retry_time_s}};
    report["vectors_per_s"] = device_s > 0 ? double(o.batch) / device_s : 0.0;
    report["energy"] = energy_json(
        context.power_w, device_s, context.frames, o.n_features, o.n_components,
        o.cpu_power_w
            ? std::optional<CpuGemmRate>(measure_cpu_complex_gemm(o.n_features, o.n_components))
            : std::nullopt,
        o.cpu_power_w.value_or(0.0));
    report["exposure_us"] = context.exposure_us;
    report["exposure_source"] = context.exposure_source;
    report["defects"] = {{"hot_pixels", context.hot_pixels.size()},
                         {"dead_pixels", context.dead_pixels.size()},
                         {"trigger_lag_frames", context.trigger_lag_frames}};
    report["exposure_warning"] = context.exposure_warning.empty()
                                     ? nlohmann::json(nullptr)
                                     : nlohmann::json(context.exposure_warning);
    report["frametime_us"] = context.frametime_us;
    report["input_roi"] = {
        {"strategy", context.input_roi.strategy},
        {"features", context.input_roi.n_features},
        {"replication", context.input_roi.replication},
        {"lit_mirrors_mean", context.lit_mirrors_mean},
        {"choice", context.input_roi.choice.empty() ? nlohmann::json(nullptr)
                                                    : nlohmann::json(context.input_roi.choice)}};
    report["output_roi"] = {{"x", context.output_roi.x},
                            {"y", context.output_roi.y},
                            {"width", context.output_roi.width},
                            {"height", context.output_roi.height}};
    if (o.linear) {
        report["linear"] = {{"bits", settings.linear.bits},
                            {"frames_per_vector", w.linear_frames_per_vector},
                            {"reference_features", context.input_roi.reference_features},
                            {"error", linear_error_json(context)}};
    }
    // Linear mode reports saturation only: its outputs are projections, not camera values.
    auto measured = [&](double value) {
        return o.linear || !std::isfinite(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
    };
    const NoiseReport& noise = w.noise;
    report["noise"] = {{"mean_signal_dn", measured(noise.mean_signal_dn)},
                       {"temporal_noise_dn", measured(noise.temporal_noise_dn)},
                       {"snr", measured(noise.snr)},
                       {"saturated_fraction", noise.saturated_fraction},
                       {"speckle_contrast", measured(noise.speckle_contrast)}};
    const std::string advice = exposure_advice(noise, context, info.bit_depth);
    report["exposure_advice"] = advice.empty() ? nlohmann::json(nullptr) : nlohmann::json(advice);
    report["wall_time_s"] = wall_s;
    report["simulated_frames_per_wall_s"] = wall_s > 0 ? double(context.frames) / wall_s : 0.0;
    report["simulation_speed"] = wall_s > 0 ? device_s / wall_s : 0.0;
    return report;
}

void print_report(const nlohmann::json& report, const RunOptions& o, const OpuSettings& settings,
                  const Workload& w) {
    const Context& context = w.context;
    const NoiseReport& noise = w.noise;
    auto& out = std::cout;
    out << "opusim run: " << (o.linear ? "linear" : "random-projection") << " workload on "
        << report["device"].get<std::string>() << " (" << report["profile"].get<std::string>()
        << ")\n"
        << "  " << o.batch << " vectors x " << o.n_features << " features -> " << o.n_components
        << " components; " << context.frames << " device frames\n"
        << "  input ROI " << context.input_roi.strategy << ", " << context.input_roi.replication
        << " mirrors/feature, " << fixed(context.lit_mirrors_mean, 0)
        << " lit mirrors/frame; output ROI " << context.output_roi.width << "x"
        << context.output_roi.height << " at (" << context.output_roi.x << ", "
        << context.output_roi.y << ")\n"
        << (context.input_roi.choice.empty() ? ""
                                             : "  input ROI " + context.input_roi.choice + "\n")
        << "  exposure " << fixed(context.exposure_us, 1) << " us (" << context.exposure_source
        << (context.exposure_warning.empty() ? "" : "; " + context.exposure_warning)
        << "), frametime " << fixed(context.frametime_us, 1) << " us\n"
        << "  device defects    " << context.hot_pixels.size() << " hot, "
        << context.dead_pixels.size() << " dead pixels masked; trigger lag "
        << context.trigger_lag_frames << " frames compensated\n\n"
        << "device (simulated time)\n"
        << "  frame rate        " << fixed(report["frame_rate_hz"].get<double>(), 1) << " Hz\n"
        << "  device time       " << si_time(report["device_time_s"].get<double>()) << "  ("
        << fixed(report["vectors_per_s"].get<double>(), 1) << " vectors/s)\n"
        << "  frame latency     p50 " << si_time(report["latency"]["frame_p50_s"].get<double>())
        << ", p99 " << si_time(report["latency"]["frame_p99_s"].get<double>()) << "\n"
        << "  bottleneck        " << report["bottleneck"].get<std::string>() << "\n"
        << "  energy            " << energy_line(report["energy"]) << "\n"
        << "  utilisation      ";
    for (const auto& [name, value] : report["stages"].items()) {
        out << " " << name << " " << fixed(100 * value.get<double>(), 0) << "%";
    }
    out << "\n";
    if (o.linear) {
        out << "  linear mode       " << settings.linear.bits << " bit-planes, "
            << w.linear_frames_per_vector << " frames/vector, "
            << context.input_roi.reference_features << " reference features\n"
            << "  linear error      " << linear_error_line(context) << "\n";
    }
    out << "\nnoise\n";
    if (!o.linear) {
        out << "  mean signal       " << fixed(noise.mean_signal_dn, 2) << " DN\n"
            << "  temporal noise    " << fixed(noise.temporal_noise_dn, 2) << " DN (SNR "
            << fixed(noise.snr, 1) << ")\n"
            << "  speckle contrast  " << fixed(noise.speckle_contrast, 3) << "\n";
    }
    out << "  saturated         " << fixed(100 * noise.saturated_fraction, 3) << " % of values\n";
    if (!report["exposure_advice"].is_null()) {
        out << "  exposure advice   " << report["exposure_advice"].get<std::string>() << "\n";
    }
    out << "\nsimulation (wall clock)\n"
        << "  wall time         " << si_time(report["wall_time_s"].get<double>()) << "\n"
        << "  speed             " << fixed(report["simulated_frames_per_wall_s"].get<double>(), 0)
        << " simulated frames/s (" << fixed(report["simulation_speed"].get<double>(), 2)
        << "x real time)\n";
}

int run_main_job(const Command& command, const Arguments& args) {
    po::options_description options("options");
    add_options(options);
    const auto vm = parse_options(command, args, options);
    if (!vm) return 0;
    const RunOptions o = parse_run_options(*vm);
    const auto wall_start = std::chrono::steady_clock::now();
    OpuSettings settings = opu_settings(o);
    Progress progress = Progress::on_stderr("opusim run", "frames", quiet(*vm));
    settings.progress = progress.callback();
    Opu opu(settings);
    try {
        opu.fit1d(o.n_features);
    } catch (const std::invalid_argument& error) {
        throw UsageError(error.what());
    }
    const Workload w =
        o.linear ? run_linear(opu, o, settings, progress) : run_intensity(opu, o, progress);
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    nlohmann::json report = build_report(o, settings, opu.device_info(), w, wall_s);
    if (o.drift_checkpoints > 0) {
        progress.clear();
        opu.close();  // the drift run opens copies of the device
        report["drift"] = run_drift_report(
            settings, {o.n_features, o.batch, o.drift_checkpoints, o.recalibration_bound});
    }
    if (o.json) {
        print_json_report(report);
    } else {
        print_report(report, o, settings, w);
        if (o.drift_checkpoints > 0) print_drift_report(report["drift"]);
    }
    return 0;
}

const Command kRun{"run",
                   "opusim run [--device URI] [--set KEY=VALUE ...] "
                   "[--n-features N] [--n-components M] [--batch B] [--linear] "
                   "[--drift-checkpoints K] [--recalibration-bound E] "
                   "[--input-roi S] [--exposure-us T] [--frametime-us T] [--json] [--quiet]",
                   "the main job: a random-projection workload through SDK, driver and device",
                   nullptr};

const CommandRegistrar registrar{
    Command{kRun.name, kRun.synopsis, kRun.summary,
            [](const Arguments& args) { return run_main_job(kRun, args); }}};

}  // namespace
}  // namespace opusim::cli
