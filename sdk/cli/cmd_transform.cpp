// opusim transform: the SDK on a user's own array. Without --linear the rows must be binary
// (bool, or any numeric dtype holding only 0 and 1) unless an encoder is named; with --linear,
// real-valued rows are projected by linear_transform (bit-plane encoded inside the SDK).
// Output (rows, M): the camera's uint8/uint16 values, or float32 for --linear.
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "command.hpp"
#include "option_values.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/opusim.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

struct Input {
    std::vector<float> values;  // rows x n_features
    std::size_t rows = 0;
    std::size_t n_features = 0;
};

Input read_input(const std::string& path) {
    io::NpyArray array;
    try {
        array = io::read_npy(path);
    } catch (const io::NpyError& error) {
        throw UsageError(std::string("--input: ") + error.what());
    }
    if (array.shape.size() != 2 || array.shape[1] == 0 || array.dtype == io::DType::Complex64) {
        std::string shape;
        for (const auto d : array.shape) shape += std::to_string(d) + ",";
        throw UsageError("--input: expected a real 2-D array (rows, n_features), got " +
                         io::dtype_name(array.dtype) + " of shape (" + shape + ")");
    }
    Input input;
    input.rows = array.shape[0];
    input.n_features = array.shape[1];
    input.values = array.to_float();
    for (std::size_t i = 0; i < input.values.size(); ++i) {
        if (!std::isfinite(input.values[i])) {
            throw UsageError("--input: the value at [" + std::to_string(i / input.n_features) +
                             ", " + std::to_string(i % input.n_features) +
                             "] is not finite (NaN or infinity)");
        }
    }
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

Array<std::uint8_t> as_binary(const Input& input) {
    Array<std::uint8_t> bits{{input.rows, input.n_features},
                             std::vector<std::uint8_t>(input.values.size())};
    for (std::size_t i = 0; i < input.values.size(); ++i) {
        const float v = input.values[i];
        if (v != 0.0f && v != 1.0f) {
            throw UsageError(
                "--input: the value " + std::to_string(v) + " at [" +
                std::to_string(i / input.n_features) + ", " + std::to_string(i % input.n_features) +
                "] is not binary; name an --encoder (e.g. binary_threshold) or use --linear");
        }
        bits.values[i] = v == 1.0f ? 1 : 0;
    }
    return bits;
}

void print_summary(const Context& c, const std::string& out, std::size_t rows, std::size_t m) {
    std::cout << "transform: " << rows << " rows -> (" << rows << ", " << m << ") written to "
              << out << "; " << c.frames << " device frames, device time " << c.device_time_s()
              << " s, exposure " << c.exposure_us << " us, saturated " << c.saturated_pixels
              << " values, wall " << c.wall_time_s << " s\n";
}

int run_transform(const Command& command, const Arguments& args) {
    po::options_description options("options");
    options.add_options()("input", po::value<std::string>()->required(),
                          "input .npy, shape (rows, n_features)")(
        "out", po::value<std::string>()->required(), "output .npy, shape (rows, M)")(
        "device", po::value<std::string>()->default_value(""),
        "device URI (default: $OPUSIM_DEVICE, else sim:gen2)")(
        "n-components", po::value<std::string>()->default_value("1000"), "outputs M per row")(
        "input-roi", po::value<std::string>()->default_value("full"), "full, small or auto")(
        "exposure-us", po::value<std::string>(), "camera exposure (default: the device's)")(
        "linear", "linear_transform: real rows, float32 output")(
        "encoder", po::value<std::string>(),
        "binary_threshold[:T], multi_threshold[:BINS] or sequential_base_two[:LEVELS]");
    const auto vm = parse_options(command, args, options);
    if (!vm) return 0;
    const Input input = read_input((*vm)["input"].as<std::string>());
    const bool linear = vm->count("linear") > 0;
    if (linear && vm->count("encoder")) {
        throw UsageError(
            "--encoder: --linear encodes real values by bit-planes itself; give one of them");
    }
    OpuSettings settings;
    settings.device = (*vm)["device"].as<std::string>();
    settings.n_components =
        parse_whole("n-components", (*vm)["n-components"].as<std::string>(), 1, 1ull << 24);
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
    const std::string out = (*vm)["out"].as<std::string>();

    if (linear) {
        settings.max_n_features = input.n_features;
        Opu opu(settings);
        try {
            opu.fit1d(input.n_features);
        } catch (const std::invalid_argument& error) {
            throw UsageError(std::string("--input: ") + error.what());
        }
        const auto result =
            opu.linear_transform(ArrayView<float>(input.values, {input.rows, input.n_features}));
        io::write_npy(out, result.output.shape, result.output.values);
        print_summary(result.context, out, input.rows, settings.n_components);
        return 0;
    }
    const Array<std::uint8_t> bits =
        vm->count("encoder") ? encode((*vm)["encoder"].as<std::string>(), input) : as_binary(input);
    const std::size_t n_features = bits.shape.back();
    settings.max_n_features = n_features;
    Opu opu(settings);
    try {
        opu.fit1d(n_features);
    } catch (const std::invalid_argument& error) {
        throw UsageError(std::string("--input: ") + error.what());
    }
    const auto result = opu.transform(bits.view());
    if (result.context.bits <= 8) {
        std::vector<std::uint8_t> narrow(result.output.values.begin(), result.output.values.end());
        io::write_npy(out, result.output.shape, narrow);
    } else {
        io::write_npy(out, result.output.shape, result.output.values);
    }
    print_summary(result.context, out, input.rows, settings.n_components);
    return 0;
}

const Command kTransform{
    "transform",
    "opusim transform --input X.npy --out Y.npy [--device URI] [--n-components M] [--linear] "
    "[--encoder NAME] [--input-roi full|small|auto] [--exposure-us T]",
    "the SDK on your own array: device frames (or a linear projection) of its rows", nullptr};

const CommandRegistrar registrar{
    Command{kTransform.name, kTransform.synopsis, kTransform.summary,
            [](const Arguments& args) { return run_transform(kTransform, args); }}};

}  // namespace
}  // namespace opusim::cli
