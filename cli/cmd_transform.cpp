// opusim transform: the SDK on a user's own array. Without --linear the rows must be binary
// (bool, or any numeric dtype holding only 0 and 1) unless an encoder is named; with --linear,
// real-valued rows are projected by linear_transform (bit-plane encoded inside the SDK).
// Output (rows, M): the camera's uint8/uint16 values, or float32 for --linear.
#include <cmath>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "command.hpp"
#include "device_option.hpp"
#include "json_report.hpp"
#include "linear_error_report.hpp"
#include "option_values.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/opusim.hpp"
#include "progress.hpp"
#include "provenance.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

struct Input {
    io::NpyArray array;         // as read: the binary check looks at these values
    std::vector<float> values;  // rows x n_features, as float32 for the encoders and --linear
    std::size_t rows = 0;
    std::size_t n_features = 0;
};

std::string position(std::size_t i, std::size_t n_features) {
    return "[" + std::to_string(i / n_features) + ", " + std::to_string(i % n_features) + "]";
}

Input read_input(const std::string& path) {
    Input input;
    try {
        input.array = io::read_npy(path);
    } catch (const io::NpyError& error) {
        throw UsageError(std::string("--input: ") + error.what());
    }
    const io::NpyArray& array = input.array;
    if (array.shape.size() != 2 || array.shape[1] == 0 || array.dtype == io::DType::Complex64) {
        std::string shape;
        for (const auto d : array.shape) shape += std::to_string(d) + ",";
        throw UsageError("--input: expected a real 2-D array (rows, n_features), got " +
                         io::dtype_name(array.dtype) + " of shape (" + shape + ")");
    }
    input.rows = array.shape[0];
    input.n_features = array.shape[1];
    // Checked on the stored values, before float32 rounding could make them look fine.
    for (std::size_t i = 0; i < array.size(); ++i) {
        const double value = array.value_at(i);
        if (!std::isfinite(value)) {
            throw UsageError("--input: the value at " + position(i, input.n_features) +
                             " is not finite (NaN or infinity)");
        }
        if (std::abs(value) > std::numeric_limits<float>::max()) {
            throw UsageError("--input: the value at " + position(i, input.n_features) +
                             " is beyond float32's range (at most 3.4e38 in magnitude)");
        }
    }
    input.values = array.to_float();
    return input;
}

// NAME[:PARAMETER] -> binary rows (rows, n_features * expansion).
Array<std::uint8_t> encode(const std::string& spec, const Input& input) {
    const auto colon = spec.find(':');
    const std::string name = spec.substr(0, colon);
    const bool has_parameter = colon != std::string::npos;
    const std::string parameter = has_parameter ? spec.substr(colon + 1) : "";
    const ArrayView<float> x(input.values, {input.rows, input.n_features});
    try {
        if (name == "binary_threshold") {
            BinaryThresholdEncoder encoder;
            if (has_parameter)
                encoder = BinaryThresholdEncoder(float(parse_real("encoder", parameter, -1e30)));
            return has_parameter ? encoder.transform(x) : encoder.fit_transform(x);
        }
        if (name == "multi_threshold") {
            MultiThresholdEncoder encoder(
                has_parameter ? unsigned(parse_whole("encoder", parameter, 2, 256)) : 8u);
            return encoder.fit_transform(x);
        }
        if (name == "sequential_base_two") {
            SequentialBaseTwoEncoder encoder(
                has_parameter ? unsigned(parse_whole("encoder", parameter, 2, 256)) : 16u);
            return encoder.fit_transform(x);
        }
    } catch (const std::invalid_argument& error) {
        throw UsageError(std::string("--encoder: ") + error.what());
    }
    throw UsageError("--encoder: unknown encoder '" + name +
                     "' (known: binary_threshold[:T], multi_threshold[:BINS], "
                     "sequential_base_two[:LEVELS])");
}

// The rows as bits: every stored value exactly 0 or 1 (a float64 1.0000000001 or 1e-50 is
// refused, not rounded by the float32 conversion into a bit).
Array<std::uint8_t> as_binary(const Input& input) {
    Array<std::uint8_t> bits{{input.rows, input.n_features},
                             std::vector<std::uint8_t>(input.array.size())};
    for (std::size_t i = 0; i < bits.values.size(); ++i) {
        const double v = input.array.value_at(i);
        if (v != 0.0 && v != 1.0) {
            std::ostringstream text;
            text.precision(17);
            text << v;
            throw UsageError("--input: the value " + text.str() + " at " +
                             position(i, input.n_features) +
                             " is not binary; name an --encoder (e.g. binary_threshold) or use "
                             "--linear");
        }
        bits.values[i] = v == 1.0 ? 1 : 0;
    }
    return bits;
}

// What the command did, for the text line and --json.
struct Summary {
    std::string input;
    std::string out;
    std::string mode;  // binary, the encoder's NAME[:PARAMETER], or linear
    std::vector<std::size_t> shape;
    std::string dtype;
    std::string device;  // canonical URI, with the seeds
    Provenance provenance;
};

// The device OPU opened, canonical and with its seeds, for the report and the sidecar.
void describe_device(Summary& summary, const Opu& opu) {
    const ChosenDevice device = resolve_device_uri(opu.device_uri());
    summary.device = device.uri;
    summary.provenance = provenance_of(device);
}

void report(const Summary& summary, const Context& c, bool json) {
    if (json) {
        print_json_report(
            {{"command", "transform"},
             {"input", summary.input},
             {"out", summary.out},
             {"sidecar", summary.out + ".json"},
             {"mode", summary.mode},
             {"shape", summary.shape},
             {"dtype", summary.dtype},
             {"device", summary.device},
             {"frames", c.frames},
             {"device_time_s", c.device_time_s()},
             {"retries",
              {{"passes", c.retries},
               {"frames", c.retry_frames},
               {"device_time_s", c.retry_time_s}}},
             {"exposure_us", c.exposure_us},
             {"exposure_source", c.exposure_source},
             {"exposure_calibration",
              {{"signal_dn", c.exposure_signal_dn},
               {"saturated_fraction", c.exposure_saturated_fraction},
               {"lit_mirrors", c.exposure_lit_mirrors},
               {"frames", c.exposure_calibration_frames}}},
             {"defects",
              {{"hot_pixels", c.hot_pixels.size()},
               {"dead_pixels", c.dead_pixels.size()},
               {"trigger_lag_frames", c.trigger_lag_frames}}},
             {"exposure_warning", c.exposure_warning.empty() ? nlohmann::json(nullptr)
                                                             : nlohmann::json(c.exposure_warning)},
             {"saturated_values", c.saturated_pixels},
             {"wall_time_s", c.wall_time_s},
             {"linear_error",
              summary.mode == "linear" ? linear_error_json(c) : nlohmann::json(nullptr)}});
        return;
    }
    const std::size_t rows = summary.shape[0];
    std::cout << "transform: " << rows << " rows -> (" << rows << ", " << summary.shape[1]
              << ") written to " << summary.out << "; " << c.frames
              << " device frames, device time " << c.device_time_s() << " s, exposure "
              << c.exposure_us << " us (" << c.exposure_source << "), saturated "
              << c.saturated_pixels << " values, wall " << c.wall_time_s << " s\n";
    if (!c.exposure_warning.empty())
        std::cerr << "warning: exposure: " << c.exposure_warning << "\n";
    if (!c.hot_pixels.empty() || !c.dead_pixels.empty() || c.trigger_lag_frames > 0) {
        std::cout << "  device defects handled: " << c.hot_pixels.size() << " hot and "
                  << c.dead_pixels.size() << " dead pixels masked, trigger lag "
                  << c.trigger_lag_frames << " frames compensated\n";
    }
    if (summary.mode == "linear") std::cout << "  " << linear_error_line(c) << "\n";
    if (c.retries > 0) {
        std::cout << "  device faults: " << c.retries << " passes run again (" << c.retry_frames
                  << " frames, " << c.retry_time_s << " s of device time); outputs unaffected\n";
    }
}

template <class T>
void write_result(Summary& summary, const std::vector<std::size_t>& shape,
                  const std::vector<T>& values) {
    summary.shape = shape;
    summary.dtype = io::dtype_name(io::dtype_of<T>());
    write_output_npy(summary.out, shape, values, summary.provenance);
}

// Opens the device of SETTINGS fitted to N_FEATURES (a bad size names --input).
Opu fitted_opu(const OpuSettings& settings, std::size_t n_features) {
    Opu opu(settings);
    try {
        opu.fit1d(n_features);
    } catch (const std::invalid_argument& error) {
        throw UsageError(std::string("--input: ") + error.what());
    }
    return opu;
}

int run_transform(const Command& command, const Arguments& args) {
    po::options_description options("options");
    options.add_options()("input", po::value<std::string>()->required(),
                          "input .npy, shape (rows, n_features)")(
        "out", po::value<std::string>()->required(),
        "output .npy, shape (rows, M); its provenance goes to OUT.json")(
        "device", po::value<std::string>()->default_value(""),
        "device URI (default: $OPUSIM_DEVICE, else sim:gen2)")(
        "n-components", po::value<std::string>()->default_value("1000"), "outputs M per row")(
        "input-roi", po::value<std::string>()->default_value("full"), "full, small or auto")(
        "exposure-us", po::value<std::string>(),
        "camera exposure, fixed (default: automatic, from a calibration at the fit)")(
        "linear", "linear_transform: real rows, float32 output")(
        "encoder", po::value<std::string>(),
        "binary_threshold[:T], multi_threshold[:BINS] or sequential_base_two[:LEVELS]")(
        "json", "print one JSON object summarising what was done");
    add_set_option(options);
    const auto vm = parse_options(command, args, options);
    if (!vm) return 0;
    Summary summary;
    summary.input = (*vm)["input"].as<std::string>();
    const Input input = read_input(summary.input);
    const bool linear = vm->count("linear") > 0;
    if (linear && vm->count("encoder")) {
        throw UsageError(
            "--encoder: --linear encodes real values by bit-planes itself; give one of them");
    }
    OpuSettings settings;
    settings.device = device_uri_with_set((*vm)["device"].as<std::string>(), *vm);
    settings.n_components =
        parse_whole("n-components", (*vm)["n-components"].as<std::string>(), 1, 1ull << 24);
    check_output_values("--n-components", input.rows, settings.n_components);
    try {
        settings.input_roi_strategy =
            parse_input_roi_strategy((*vm)["input-roi"].as<std::string>(), "--input-roi");
    } catch (const std::invalid_argument& error) {
        throw UsageError(error.what());
    }
    if (vm->count("exposure-us")) {
        settings.overrides.exposure_us =
            parse_real("exposure-us", (*vm)["exposure-us"].as<std::string>(), 0);
    }
    summary.out = (*vm)["out"].as<std::string>();
    Progress progress = Progress::on_stderr("opusim transform", "frames", quiet(*vm));
    settings.progress = progress.callback();
    const bool json = vm->count("json") > 0;

    if (linear) {
        summary.mode = "linear";
        settings.max_n_features = input.n_features;
        Opu opu = fitted_opu(settings, input.n_features);
        describe_device(summary, opu);
        const auto result =
            opu.linear_transform(ArrayView<float>(input.values, {input.rows, input.n_features}));
        progress.clear();
        write_result(summary, result.output.shape, result.output.values);
        report(summary, result.context, json);
        return 0;
    }
    summary.mode = vm->count("encoder") ? (*vm)["encoder"].as<std::string>() : "binary";
    const Array<std::uint8_t> bits =
        vm->count("encoder") ? encode((*vm)["encoder"].as<std::string>(), input) : as_binary(input);
    const std::size_t n_features = bits.shape.back();
    settings.max_n_features = n_features;
    Opu opu = fitted_opu(settings, n_features);
    describe_device(summary, opu);
    const auto result = opu.transform(bits.view());
    progress.clear();
    if (result.context.bits <= 8) {
        std::vector<std::uint8_t> narrow(result.output.values.begin(), result.output.values.end());
        write_result(summary, result.output.shape, narrow);
    } else {
        write_result(summary, result.output.shape, result.output.values);
    }
    report(summary, result.context, json);
    return 0;
}

const Command kTransform{
    "transform",
    "opusim transform --input X.npy --out Y.npy [--device URI] [--set KEY=VALUE ...] "
    "[--n-components M] [--linear] "
    "[--encoder NAME] [--input-roi full|small|auto] [--exposure-us T] [--json] [--quiet]",
    "the SDK on your own array: device frames (or a linear projection) of its rows", nullptr};

const CommandRegistrar registrar{
    Command{kTransform.name, kTransform.synopsis, kTransform.summary,
            [](const Arguments& args) { return run_transform(kTransform, args); }}};

}  // namespace
}  // namespace opusim::cli
