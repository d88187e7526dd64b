// opusim attention: an attention workload on random inputs — FAVOR+ with the chosen projection and
// feature kernel against exact softmax attention, beside CPU FAVOR+ (orthogonal projection) with
// the same number of features; reports errors, the projection's frames and simulated device time,
// the CPU time of the same projection, the break-even size and the wall time.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "device_option.hpp"
#include "json_report.hpp"
#include "option_values.hpp"
#include "opusim/kernels/device_projection.hpp"
#include "opusim/kernels/exact_attention.hpp"
#include "opusim/kernels/favor_attention.hpp"
#include "opusim/kernels/random_matrices.hpp"
#include "progress.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

// Random streams of the inputs (the projections use their own streams of the same seed).
constexpr std::uint64_t kQueryStream = 100;
constexpr std::uint64_t kKeyStream = 101;
constexpr std::uint64_t kValueStream = 102;
// Inputs above 2^28 values per tensor are almost surely a typo (and exact attention would run
// for hours); the same bound holds for the feature maps (H x L x M) and the projection (M x d).
constexpr std::size_t kMaxValues = std::size_t{1} << 28;
// The CPU orthogonal baseline QR-factors d x d blocks (O(d^3) each): d = 4096 already takes
// minutes, larger d would run for hours and need d^2 doubles per block.
constexpr std::size_t kMaxDim = 4096;
// Exact attention costs H x L^2 x d multiply-adds twice (scores, then weighted values): 2^36 is
// minutes on one core; beyond it the command would look hung.
constexpr double kMaxExactWork = 68719476736.0;  // 2^36

struct Workload {
    std::size_t length = 0, dim = 0, heads = 0, features = 0;
    bool causal = false;
    std::string projection;  // device, orthogonal, iid
    kernels::FeatureKernel kernel = kernels::FeatureKernel::Softmax;
    double scale = 0.25;
    std::uint64_t seed = 0;
    std::string device;
    std::optional<unsigned> bits;         // linear mode bit-planes (device only)
    std::optional<unsigned> plane_pairs;  // linear mode frame pairs per vector (device only)
};

// The attention workload's (reference on, off) frame pairs per vector unless --plane-pairs says
// otherwise: a third of the SDK's default for linear transforms (24). FAVOR+ averages m random
// features whose own sampling error dominates: at L = 1024, d = 64, 4 heads, m = 256 (seeds 0,
// 1, 2) the attention error was 0.0593 / 0.0618 / 0.0585 with 8 pairs against 0.0581 / 0.0610 /
// 0.0583 with 24, while CPU FAVOR+ with iid features gave 0.0607 / 0.0680 / 0.0690
// (docs/performance.md, "The attention workload's frames").
constexpr unsigned kAttentionPlanePairs = 8;

std::size_t positive_size(const po::variables_map& vm, const std::string& option) {
    const long long value = vm[option].as<long long>();
    if (value < 1) {
        throw UsageError("--" + option + ": expected a whole number >= 1, got " +
                         std::to_string(value));
    }
    return static_cast<std::size_t>(value);
}

// Sizes that would exhaust memory or run for hours are refused up front, naming the options.
void require_within_limits(const Workload& w) {
    if (w.dim > kMaxDim) {
        throw UsageError("--dim: expected at most " + std::to_string(kMaxDim) +
                         " (the orthogonal baseline QR-factors d x d blocks), got " +
                         std::to_string(w.dim));
    }
    const double feature_values = double(w.heads) * double(w.length) * double(w.features);
    const double projection_values = double(w.features) * double(w.dim);
    if (feature_values > double(kMaxValues) || projection_values > double(kMaxValues)) {
        throw UsageError("--features: " + std::to_string(w.features) + " features make " +
                         fmt::format("{:.3g}", std::max(feature_values, projection_values)) +
                         " values (H x L x M feature maps, M x d projection), more than the "
                         "limit of 2^28");
    }
    const double exact_work = double(w.heads) * double(w.length) * double(w.length) * double(w.dim);
    if (exact_work > kMaxExactWork) {
        throw UsageError("--seq-len/--heads/--dim: exact attention needs H x L^2 x d = " +
                         fmt::format("{:.3g}", exact_work) +
                         " multiply-adds, more than the limit of 2^36");
    }
}

Workload parse_workload(const po::variables_map& vm) {
    Workload w;
    w.length = positive_size(vm, "seq-len");
    w.dim = positive_size(vm, "dim");
    w.heads = positive_size(vm, "heads");
    w.features = positive_size(vm, "features");
    w.causal = vm["causal"].as<bool>();
    w.projection = vm["projection"].as<std::string>();
    if (w.projection != "device" && w.projection != "orthogonal" && w.projection != "iid") {
        throw UsageError("--projection: expected device, orthogonal or iid, got '" + w.projection +
                         "'");
    }
    const std::string kernel = vm["kernel"].as<std::string>();
    if (kernel != "softmax" && kernel != "relu" && kernel != "optical") {
        throw UsageError("--kernel: expected softmax, relu or optical, got '" + kernel + "'");
    }
    w.kernel = kernels::parse_feature_kernel(kernel);
    if (w.kernel == kernels::FeatureKernel::Optical && w.projection == "orthogonal") {
        throw UsageError(
            "--projection: the optical kernel needs intensities |Rx|^2 (device, or iid for the "
            "CPU complex Gaussian model); orthogonal has none");
    }
    w.scale = vm["scale"].as<double>();
    if (!std::isfinite(w.scale) || w.scale <= 0.0) {
        throw UsageError("--scale: expected a finite value > 0, got " + std::to_string(w.scale));
    }
    w.seed = parse_whole("seed", vm["seed"].as<std::string>(), 0,
                         std::numeric_limits<std::uint64_t>::max());
    if (vm.count("device")) w.device = vm["device"].as<std::string>();
    if ((!w.device.empty() || vm.count("set")) && w.projection != "device") {
        throw UsageError(std::string(vm.count("set") ? "--set" : "--device") +
                         ": only used with --projection device");
    }
    w.device = device_uri_with_set(w.device, vm);
    if (vm.count("bits")) {
        const long long bits = vm["bits"].as<long long>();
        if (w.projection != "device")
            throw UsageError("--bits: only used with --projection device");
        if (bits < 1 || bits > 16) {
            throw UsageError("--bits: expected 1 to 16 bit-planes, got " + std::to_string(bits));
        }
        w.bits = static_cast<unsigned>(bits);
    }
    if (vm.count("plane-pairs")) {
        const long long pairs = vm["plane-pairs"].as<long long>();
        if (w.projection != "device")
            throw UsageError("--plane-pairs: only used with --projection device");
        const unsigned bits = w.bits.value_or(LinearSettings{}.bits);
        if (pairs < bits || pairs > 1024) {
            throw UsageError("--plane-pairs: expected " + std::to_string(bits) +
                             " (one per bit-plane) to 1024 frame pairs per vector, got " +
                             std::to_string(pairs));
        }
        w.plane_pairs = static_cast<unsigned>(pairs);
    }
    const double values = double(w.heads) * double(w.length) * double(w.dim);
    if (values > double(kMaxValues)) {
        throw UsageError("--seq-len/--heads/--dim: " + std::to_string(w.heads) + " x " +
                         std::to_string(w.length) + " x " + std::to_string(w.dim) +
                         " values per tensor, more than the limit of 2^28");
    }
    require_within_limits(w);
    return w;
}

kernels::Tensor4 random_tensor(const Workload& w, double sigma, std::uint64_t stream) {
    const kernels::Shape4 shape{1, w.heads, w.length, w.dim};
    const std::vector<double> values = kernels::gaussian_values(w.seed, stream, shape.size());
    std::vector<float> scaled(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        scaled[i] = static_cast<float>(sigma * values[i]);
    }
    return kernels::Tensor4(shape, std::move(scaled));
}

std::unique_ptr<kernels::Projection> make_projection(const Workload& w) {
    if (w.projection == "device") {
        if (w.kernel == kernels::FeatureKernel::Optical) {
            // The DMD shows binary frames: a thermometer code of c x at the quartiles of its
            // distribution, N(0, (S d^(-1/4))^2) (docs/kernels.md, DeviceIntensityProjection).
            const float quartile =
                static_cast<float>(0.6745 * w.scale * kernels::data_normalizer(w.dim));
            return std::make_unique<kernels::DeviceIntensityProjection>(
                w.features, w.dim, w.device, std::vector<float>{-quartile, 0.0f, quartile});
        }
        LinearSettings linear;
        if (w.bits) linear.bits = *w.bits;
        linear.plane_pairs = w.plane_pairs.value_or(std::max(kAttentionPlanePairs, linear.bits));
        // A noiseless camera would otherwise get the SDK's rounding_plane_pairs: FAVOR+'s own
        // sampling error dominates there too, so the pairs stay what they are.
        linear.rounding_plane_pairs = 0;
        return std::make_unique<kernels::DeviceLinearProjection>(w.features, w.dim, w.device,
                                                                 linear);
    }
    if (w.kernel == kernels::FeatureKernel::Optical) {
        return std::make_unique<kernels::ComplexIntensityProjection>(w.features, w.dim, w.seed);
    }
    if (w.projection == "orthogonal") {
        return kernels::make_orthogonal_projection(w.features, w.dim, w.seed);
    }
    return kernels::make_iid_projection(w.features, w.dim, w.seed);
}

// The device projections report their frames as they run (the CPU ones are quick).
void show_progress(kernels::Projection& projection, Progress& progress) {
    if (auto* linear = dynamic_cast<kernels::DeviceLinearProjection*>(&projection)) {
        linear->set_progress(progress.callback());
    } else if (auto* intensity = dynamic_cast<kernels::DeviceIntensityProjection*>(&projection)) {
        intensity->set_progress(progress.callback());
    }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The CPU time of the same projection (every query and key row, M x D, cblas_sgemm), measured:
// the fastest of three runs, so BLAS's first-call set-up is not counted.
double cpu_projection_time(const Workload& w, const kernels::Tensor4& q,
                           const kernels::Tensor4& k) {
    auto projection = kernels::make_iid_projection(w.features, w.dim, w.seed);
    const std::size_t rows = w.heads * w.length;
    std::vector<float> out(rows * w.features);
    double best = std::numeric_limits<double>::infinity();
    for (int run = 0; run < 3; ++run) {
        double total = 0.0;
        for (const kernels::Tensor4* x : {&q, &k}) {
            total += projection
                         ->project(kernels::dense(x->data(), rows, w.dim),
                                   kernels::dense(out.data(), rows, w.features))
                         .host_time_s;
        }
        best = std::min(best, total);
    }
    return best;
}

int run_attention(const Command& command, const Arguments& args) {
    po::options_description options("options");
    // clang-format off
    options.add_options()
        ("device", po::value<std::string>(), "device URI (with --projection device; default "
                                             "$OPUSIM_DEVICE, else sim:gen2)")
        ("seq-len", po::value<long long>()->required(), "sequence length L")
        ("dim", po::value<long long>()->required(), "head dimension d")
        ("heads", po::value<long long>()->required(), "heads H (batch 1)")
        ("features", po::value<long long>()->required(), "random features M")
        ("causal", po::bool_switch(), "causal attention")
        ("projection", po::value<std::string>()->default_value("device"),
         "device, orthogonal or iid")
        ("kernel", po::value<std::string>()->default_value("softmax"), "softmax, relu or optical")
        ("scale", po::value<double>()->default_value(0.25), "q, k ~ N(0, S^2); v ~ N(0, 1)")
        ("seed", po::value<std::string>()->default_value("0"), "seed of the inputs and of the "
                                                                 "CPU projections")
        ("bits", po::value<long long>(), "bit-planes of the device's linear mode (default 8)")
        ("plane-pairs", po::value<long long>(), "(reference on, off) frame pairs per vector of "
                                                "the device's linear mode (default 8, or --bits "
                                                "if more)")
        ("json", po::bool_switch(), "print one JSON object instead of text");
    // clang-format on
    add_set_option(options);
    const auto values = parse_options(command, args, options);
    if (!values) return 0;
    const auto start = std::chrono::steady_clock::now();
    const Workload w = parse_workload(*values);

    const kernels::Tensor4 q = random_tensor(w, w.scale, kQueryStream);
    const kernels::Tensor4 k = random_tensor(w, w.scale, kKeyStream);
    const kernels::Tensor4 v = random_tensor(w, 1.0, kValueStream);

    kernels::ExactOptions exact_options;
    exact_options.causal = w.causal;
    const kernels::Tensor4 exact = kernels::exact_attention(q, k, v, exact_options);

    auto projection = make_projection(w);
    Progress progress =
        Progress::on_stderr("opusim attention: device projection", "frames", quiet(*values));
    show_progress(*projection, progress);
    kernels::FavorOptions favor;
    favor.causal = w.causal;
    favor.kernel = w.kernel;
    kernels::FavorReport report;
    const auto favor_start = std::chrono::steady_clock::now();
    const kernels::Tensor4 out = kernels::favor_attention(q, k, v, *projection, favor, &report);
    const double favor_time = seconds_since(favor_start);
    progress.clear();

    // CPU FAVOR+ with the same M: orthogonal projection; the softmax kernel unless ReLU was asked.
    auto cpu_projection = kernels::make_orthogonal_projection(w.features, w.dim, w.seed);
    kernels::FavorOptions cpu_favor = favor;
    if (cpu_favor.kernel == kernels::FeatureKernel::Optical) {
        cpu_favor.kernel = kernels::FeatureKernel::Softmax;
    }
    const kernels::Tensor4 cpu_out = kernels::favor_attention(q, k, v, *cpu_projection, cpu_favor);
    // ... and with an i.i.d. W as the device's (separates the device's own error from the
    // orthogonal-vs-iid gap).
    auto cpu_iid_projection = kernels::make_iid_projection(w.features, w.dim, w.seed);
    const kernels::Tensor4 cpu_iid_out =
        kernels::favor_attention(q, k, v, *cpu_iid_projection, cpu_favor);

    const double cpu_projection_s = cpu_projection_time(w, q, k);
    const bool on_device = report.projection.frames > 0;
    // The device's cost does not grow with M (up to its size); the CPU's grows with M x D. The
    // device breaks even at M x D = device time x (M x D) / CPU time, i.e. at this D:
    std::optional<double> break_even_features;
    if (on_device && cpu_projection_s > 0) {
        break_even_features =
            report.projection.device_time_s * double(w.features) / cpu_projection_s;
    }
    std::optional<std::size_t> device_max_features;
    const std::optional<Context>* context = nullptr;
    if (const auto* linear =
            dynamic_cast<const kernels::DeviceLinearProjection*>(projection.get())) {
        device_max_features = linear->max_features();
        context = &linear->last_context();
    } else if (const auto* intensity =
                   dynamic_cast<const kernels::DeviceIntensityProjection*>(projection.get())) {
        context = &intensity->last_context();
    }
    nlohmann::json device_conditions = nullptr;
    if (context != nullptr && context->has_value()) {
        const Context& c = **context;
        device_conditions = {{"device", c.device},
                             {"exposure_us", c.exposure_us},
                             {"frametime_us", c.frametime_us},
                             {"saturated_pixels", c.saturated_pixels},
                             {"output_values", c.output_values},
                             {"passes", c.passes}};
    }
    nlohmann::json result = {
        {"seq_len", w.length},
        {"dim", w.dim},
        {"heads", w.heads},
        {"features", w.features},
        {"causal", w.causal},
        {"projection", projection->describe()},
        {"kernel", kernels::to_string(w.kernel)},
        {"scale", w.scale},
        {"rel_error_vs_exact", kernels::relative_error(out, exact)},
        {"cpu_favor_rel_error_vs_exact", kernels::relative_error(cpu_out, exact)},
        {"cpu_iid_favor_rel_error_vs_exact", kernels::relative_error(cpu_iid_out, exact)},
        {"cpu_favor_kernel", kernels::to_string(cpu_favor.kernel)},
        {"device_time_s", report.projection.device_time_s},
        {"frames", report.projection.frames},
        {"projection_calls", report.projection.calls},
        {"projected_rows", report.projection.rows},
        {"cpu_projection_time_s", cpu_projection_s},
        {"favor_time_s", favor_time},
        {"break_even_features",
         break_even_features ? nlohmann::json(*break_even_features) : nlohmann::json(nullptr)},
        {"device_max_features",
         device_max_features ? nlohmann::json(*device_max_features) : nlohmann::json(nullptr)},
        {"device_conditions", device_conditions},
        {"wall_time_s", seconds_since(start)},
    };
    if ((*values)["json"].as<bool>()) {
        print_json_report(result);
        return 0;
    }
    const auto error_of = [&](const char* key) { return result[key].get<double>(); };
    fmt::print("attention: L={} d={} H={} M={} {}, {} features, {}\n", w.length, w.dim, w.heads,
               w.features, w.causal ? "causal" : "bidirectional",
               result["kernel"].get<std::string>(), projection->describe());
    fmt::print("  relative error vs exact attention   {:.4f}\n", error_of("rel_error_vs_exact"));
    fmt::print("  CPU FAVOR+ (orthogonal, same M)     {:.4f}\n",
               error_of("cpu_favor_rel_error_vs_exact"));
    fmt::print("  CPU FAVOR+ (iid, same M)            {:.4f}\n",
               error_of("cpu_iid_favor_rel_error_vs_exact"));
    fmt::print("  device frames                       {}\n", report.projection.frames);
    fmt::print("  simulated device time               {:.4g} s\n", report.projection.device_time_s);
    fmt::print("  CPU time of the same projection     {:.4g} s\n", cpu_projection_s);
    if (break_even_features && device_max_features &&
        *break_even_features > double(*device_max_features)) {
        fmt::print(
            "  break-even                          M = {:.3g} features at d = {}, beyond "
            "this device's {} outputs: this CPU is faster at every size the device "
            "supports\n",
            *break_even_features, w.dim, *device_max_features);
    } else if (break_even_features) {
        fmt::print(
            "  break-even                          the device beats this CPU from M = "
            "{:.3g} features at d = {}\n",
            *break_even_features, w.dim);
    } else {
        fmt::print(
            "  break-even                          n/a (no device frames: CPU projection)\n");
    }
    fmt::print("  wall time                           {:.2f} s\n", error_of("wall_time_s"));
    return 0;
}

const Command kAttention{
    "attention",
    "opusim attention [--device URI] [--set KEY=VALUE ...] "
    "--seq-len L --dim D --heads H --features M [--causal] "
    "[--projection device|orthogonal|iid] [--kernel softmax|relu|optical] [--scale S] [--json] "
    "[--quiet]",
    "run an attention workload (FAVOR+ vs exact) and report errors, frames and device time",
    nullptr};

const CommandRegistrar registrar{
    Command{kAttention.name, kAttention.synopsis, kAttention.summary,
            [](const Arguments& args) { return run_attention(kAttention, args); }}};

}  // namespace
}  // namespace opusim::cli
