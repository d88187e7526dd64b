// opusim capture: camera frames for the binary rows of an input array, through the whole device
// stack: the SDK formats the rows for the DMD, the driver runs them as jobs on the simulated
// device (SystemC model: link, DMD, medium, camera with noise), frame k keyed by noise sequence
// number k. The frames are bit-identical to the physics capture chain for the same seeds
// (tests/sdk). Output uint8 (8-bit camera) or uint16 .npy, shape (frames, n_components).
#include <cstdint>
#include <iostream>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "command.hpp"
#include "device_option.hpp"
#include "json_report.hpp"
#include "option_values.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/opu.hpp"
#include "opusim/physics/capture.hpp"
#include "opusim/physics/device_geometry.hpp"
#include "progress.hpp"
#include "provenance.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

// The effective medium is held in memory as two int8 planes of n_components x n_features.
constexpr std::uint64_t kMaxMediumEntries = std::uint64_t{1} << 31;

struct BinaryInput {
    std::vector<std::uint8_t> bits;  // row-major frames x n_features, 0/1
    std::size_t frames = 0;
    std::size_t n_features = 0;
};

std::string shape_text(const std::vector<std::size_t>& shape) {
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        text += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return text + (shape.size() == 1 ? ",)" : ")");
}

BinaryInput read_binary_input(const std::string& path) {
    io::NpyArray array;
    try {
        array = io::read_npy(path);
    } catch (const io::NpyError& error) {
        throw UsageError(std::string("--input: ") + error.what());
    }
    const std::string expected =
        "--input: expected a 2-D array (frames, n_features) of bool or uint8 holding 0/1";
    if ((array.dtype != io::DType::Bool && array.dtype != io::DType::UInt8) ||
        array.shape.size() != 2 || array.shape[1] == 0) {
        throw UsageError(expected + ", got " + io::dtype_name(array.dtype) + " of shape " +
                         shape_text(array.shape));
    }
    BinaryInput input;
    input.frames = array.shape[0];
    input.n_features = array.shape[1];
    input.bits = std::move(array.bytes);
    for (std::size_t i = 0; i < input.bits.size(); ++i) {
        if (input.bits[i] > 1) {
            throw UsageError(expected + ", got the value " + std::to_string(input.bits[i]) +
                             " at [" + std::to_string(i / input.n_features) + ", " +
                             std::to_string(i % input.n_features) + "]");
        }
    }
    return input;
}

struct CaptureRequest {
    ChosenDevice device;
    BinaryInput input;
    std::uint64_t components = 0;
    contract::InputRoiStrategy strategy = contract::InputRoiStrategy::Auto;
    double exposure_us = 0;
    std::string out;
    bool json = false;
    bool quiet = false;
};

InputRoiStrategy sdk_strategy(contract::InputRoiStrategy strategy) {
    return strategy == contract::InputRoiStrategy::Full    ? InputRoiStrategy::Full
           : strategy == contract::InputRoiStrategy::Small ? InputRoiStrategy::Small
                                                           : InputRoiStrategy::Auto;
}

void warn_about_lit_mirrors(const physics::DeviceProfile& profile, std::size_t frames,
                            double mean_lit) {
    if (frames > 0 && mean_lit < static_cast<double>(profile.dmd.ones_min)) {
        std::cerr << "opusim capture: warning: input too sparse: " << mean_lit
                  << " lit mirrors on average, below the profile's ones_min "
                  << profile.dmd.ones_min << " (weak signal)\n";
    }
    if (mean_lit > static_cast<double>(profile.dmd.ones_max)) {
        std::cerr << "opusim capture: warning: " << mean_lit
                  << " lit mirrors on average, above the profile's ones_max "
                  << profile.dmd.ones_max << " (lower --exposure-us to avoid saturation)\n";
    }
}

template <class Out>
void capture_and_write(const CaptureRequest& request) {
    const BinaryInput& input = request.input;
    const physics::DeviceProfile& profile = request.device.profile;
    OpuSettings settings;
    settings.device = uri_for_opening(request.device);
    settings.n_components = request.components;
    settings.max_n_features = input.n_features;
    settings.input_roi_strategy = sdk_strategy(request.strategy);
    settings.overrides.exposure_us = request.exposure_us;
    Progress progress = Progress::on_stderr("opusim capture", "frames", request.quiet);
    settings.progress = progress.callback();
    Opu opu(settings);
    opu.fit1d(input.n_features);
    const auto result =
        opu.transform(ArrayView<std::uint8_t>(input.bits, {input.frames, input.n_features}));
    progress.clear();
    const std::size_t pixels = request.components;
    const std::vector<Out> frames(result.output.values.begin(), result.output.values.end());
    write_output_npy(request.out, {input.frames, pixels}, frames, provenance_of(request.device));

    const auto& context = result.context;
    const double values = static_cast<double>(std::max<std::size_t>(frames.size(), 1));
    const double mean_dn = std::accumulate(frames.begin(), frames.end(), 0.0) / values;
    const double mean_lit = context.lit_mirrors_mean;
    const double saturated_percent = 100.0 * static_cast<double>(context.saturated_pixels) / values;
    if (request.json) {
        print_json_report({{"command", "capture"},
                           {"out", request.out},
                           {"sidecar", request.out + ".json"},
                           {"shape", {input.frames, pixels}},
                           {"dtype", io::dtype_name(io::dtype_of<Out>())},
                           {"device", request.device.uri},
                           {"profile", profile.name},
                           {"input_roi",
                            {{"strategy", context.input_roi.strategy},
                             {"replication", context.input_roi.replication}}},
                           {"exposure_us", request.exposure_us},
                           {"frames", context.frames},
                           {"device_time_s", context.device_time_s()},
                           {"lit_mirrors_mean", mean_lit},
                           {"mean_dn", mean_dn},
                           {"saturated_values", context.saturated_pixels},
                           {"saturated_percent", saturated_percent}});
    } else {
        std::cout << "capture: " << input.frames << " frames x " << pixels << " pixels ("
                  << profile.name << ", " << context.input_roi.strategy << " layout, "
                  << context.input_roi.replication << " mirror(s) per feature), exposure "
                  << request.exposure_us << " us, mean lit mirrors " << mean_lit << ", mean "
                  << mean_dn << " DN, saturated " << context.saturated_pixels << " ("
                  << saturated_percent << " %), written to " << request.out << "\n";
    }
    warn_about_lit_mirrors(profile, input.frames, mean_lit);
}

int run_capture(const Command& command, const Arguments& args) {
    po::options_description options("options");
    add_device_options(options, true);
    options.add_options()("input", po::value<std::string>()->required(),
                          "input .npy: bool or uint8 0/1, shape (frames, n_features)")(
        "n-components", po::value<std::string>()->required(),
        "output pixels M per frame (the output ROI, profile's ROI strategy)")(
        "input-roi", po::value<std::string>()->default_value("auto"), "full, small or auto")(
        "exposure-us", po::value<std::string>(), "exposure in us (default: the profile's)")(
        "out", po::value<std::string>()->required(),
        "output .npy (uint8 or uint16 by bit depth, shape (frames, M)); provenance in OUT.json")(
        "json", "print one JSON object summarising what was done");
    const auto values = parse_options(command, args, options);
    if (!values) return 0;
    const auto& vm = *values;

    CaptureRequest request;
    request.device = choose_device(vm);
    const physics::DeviceProfile& profile = request.device.profile;
    request.strategy = parse_input_roi_option(vm["input-roi"].as<std::string>());
    request.components = parse_components_option(vm["n-components"].as<std::string>(), profile);
    request.exposure_us = vm.count("exposure-us")
                              ? parse_exposure(vm["exposure-us"].as<std::string>(), profile.camera)
                              : profile.camera.exposure_us;

    request.input = read_binary_input(vm["input"].as<std::string>());
    try {
        contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd),
                                    request.input.n_features, request.strategy);
    } catch (const std::invalid_argument& error) {
        throw UsageError("--input: shape[1] is the number of features; " +
                         std::string(error.what()));
    }
    if (request.components > kMaxMediumEntries / request.input.n_features) {
        throw UsageError(
            "--n-components: " + std::to_string(request.components) + " x " +
            std::to_string(request.input.n_features) +
            " features exceed the in-memory medium limit of 2^31 entries; ask for fewer");
    }
    request.out = vm["out"].as<std::string>();
    request.json = vm.count("json") > 0;
    request.quiet = quiet(vm);
    if (profile.camera.bits <= 8) {
        capture_and_write<std::uint8_t>(request);
    } else {
        capture_and_write<std::uint16_t>(request);
    }
    return 0;
}

const Command kCapture{
    "capture",
    "opusim capture [--device URI | --profile P [--seed S] [--noise-seed S] [--noise off]] [--set "
    "KEY=VALUE ...] "
    "--input X.npy --n-components M [--input-roi full|small|auto] [--exposure-us T] --out Y.npy "
    "[--json] [--quiet]",
    "camera frames for binary input rows, through SDK, driver and the simulated device", nullptr};

const CommandRegistrar registrar{
    Command{kCapture.name, kCapture.synopsis, kCapture.summary,
            [](const Arguments& args) { return run_capture(kCapture, args); }}};

}  // namespace
}  // namespace opusim::cli
