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
#include "option_values.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/opu.hpp"
#include "opusim/physics/capture.hpp"
#include "opusim/physics/dmd_format.hpp"
#include "opusim/physics/output_roi.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

constexpr std::uint64_t kNoLimit = std::numeric_limits<std::uint64_t>::max();
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

// The device URI for PROFILE_ARG (a built-in name or a path) and the seeds.
std::string device_uri(const std::string& profile_arg, std::uint64_t seed, std::uint64_t noise_seed,
                       bool noise) {
    return "sim:" + profile_arg + "?seed=" + std::to_string(seed) +
           "&noise_seed=" + std::to_string(noise_seed) + "&noise=" + (noise ? "on" : "off");
}

template <class Out>
void capture_and_write(const std::string& uri, const BinaryInput& input, std::uint64_t components,
                       physics::InputRoiStrategy strategy, double exposure_us,
                       const physics::DeviceProfile& profile, const std::string& out_path) {
    OpuSettings settings;
    settings.device = uri;
    settings.n_components = components;
    settings.max_n_features = input.n_features;
    settings.input_roi_strategy =
        strategy == physics::InputRoiStrategy::Full    ? InputRoiStrategy::Full
        : strategy == physics::InputRoiStrategy::Small ? InputRoiStrategy::Small
                                                       : InputRoiStrategy::Auto;
    settings.overrides.exposure_us = exposure_us;
    Opu opu(settings);
    opu.fit1d(input.n_features);
    const auto result =
        opu.transform(ArrayView<std::uint8_t>(input.bits, {input.frames, input.n_features}));
    const std::size_t pixels = components;
    const std::vector<Out> frames(result.output.values.begin(), result.output.values.end());
    io::write_npy(out_path, {input.frames, pixels}, frames);

    const auto& context = result.context;
    const double values = static_cast<double>(std::max<std::size_t>(frames.size(), 1));
    const double mean_dn = std::accumulate(frames.begin(), frames.end(), 0.0) / values;
    const double mean_lit = context.lit_mirrors_mean;
    std::cout << "capture: " << input.frames << " frames x " << pixels << " pixels ("
              << profile.name << ", " << context.input_roi.strategy << " layout, "
              << context.input_roi.replication << " mirror(s) per feature), exposure "
              << exposure_us << " us, mean lit mirrors " << mean_lit << ", mean " << mean_dn
              << " DN, saturated " << context.saturated_pixels << " ("
              << 100.0 * static_cast<double>(context.saturated_pixels) / values
              << " %), written to " << out_path << "\n";
    if (input.frames > 0 && mean_lit < static_cast<double>(profile.dmd.ones_min)) {
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

int run_capture(const Command& command, const Arguments& args) {
    po::options_description options("options");
    options.add_options()("profile", po::value<std::string>()->required(),
                          "device profile NAME or PATH")(
        "input", po::value<std::string>()->required(),
        "input .npy: bool or uint8 0/1, shape (frames, n_features)")(
        "n-components", po::value<std::string>()->required(),
        "output pixels M per frame (the output ROI, profile's ROI strategy)")(
        "input-roi", po::value<std::string>()->default_value("auto"), "full, small or auto")(
        "seed", po::value<std::string>(),
        "device seed S: medium and PRNU/DSNU (default: profile medium.seed)")(
        "noise-seed", po::value<std::string>(),
        "temporal noise seed (default: profile camera.noise_seed)")(
        "noise", po::value<std::string>()->default_value("on"),
        "on, or off for the noiseless camera")("exposure-us", po::value<std::string>(),
                                               "exposure in us (default: the profile's)")(
        "out", po::value<std::string>()->required(),
        "output .npy (uint8 or uint16 by bit depth, shape (frames, M))");
    const auto values = parse_options(command, args, options);
    if (!values) return 0;
    const auto& vm = *values;

    const auto profile = load_profile_option(vm["profile"].as<std::string>());
    const auto strategy = parse_input_roi_option(vm["input-roi"].as<std::string>());
    const auto components = parse_components_option(vm["n-components"].as<std::string>(), profile);
    auto settings = physics::CaptureSettings::from_profile(profile);
    settings.noise = parse_noise_option(vm["noise"].as<std::string>());
    if (vm.count("seed"))
        settings.device_seed = parse_whole("seed", vm["seed"].as<std::string>(), 0, kNoLimit);
    if (vm.count("noise-seed")) {
        settings.noise_seed =
            parse_whole("noise-seed", vm["noise-seed"].as<std::string>(), 0, kNoLimit);
    }
    const double exposure =
        vm.count("exposure-us")
            ? parse_exposure(vm["exposure-us"].as<std::string>(), profile.camera)
            : profile.camera.exposure_us;

    const BinaryInput input = read_binary_input(vm["input"].as<std::string>());
    physics::InputLayout layout;
    try {
        layout = physics::make_input_layout(profile.dmd, input.n_features, strategy);
    } catch (const std::invalid_argument& error) {
        throw UsageError("--input: shape[1] is the number of features; " +
                         std::string(error.what()));
    }
    if (components > kMaxMediumEntries / input.n_features) {
        throw UsageError(
            "--n-components: " + std::to_string(components) + " x " +
            std::to_string(input.n_features) +
            " features exceed the in-memory medium limit of 2^31 entries; ask for fewer");
    }
    const std::string out = vm["out"].as<std::string>();
    const std::string uri = device_uri(vm["profile"].as<std::string>(), settings.device_seed,
                                       settings.noise_seed, settings.noise);
    if (profile.camera.bits <= 8) {
        capture_and_write<std::uint8_t>(uri, input, components, strategy, exposure, profile, out);
    } else {
        capture_and_write<std::uint16_t>(uri, input, components, strategy, exposure, profile, out);
    }
    return 0;
}

const Command kCapture{
    "capture",
    "opusim capture --profile P --input X.npy --n-components M [--input-roi full|small|auto] "
    "[--seed S] [--noise-seed S] [--noise off] [--exposure-us T] --out Y.npy",
    "camera frames for binary input rows, through SDK, driver and the simulated device", nullptr};

const CommandRegistrar registrar{
    Command{kCapture.name, kCapture.synopsis, kCapture.summary,
            [](const Arguments& args) { return run_capture(kCapture, args); }}};

}  // namespace
}  // namespace opusim::cli
