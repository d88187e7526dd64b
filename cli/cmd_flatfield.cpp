// opusim flatfield: the EMVA 1288 measurement setup. F frames of M pixels (the output ROI of M
// components) under uniform light of N photons per pixel per exposure, medium bypassed.
// uint8 (8-bit camera) or uint16 .npy of shape (F, M).
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "command.hpp"
#include "device_option.hpp"
#include "json_report.hpp"
#include "option_values.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/physics/camera.hpp"
#include "opusim/physics/device_geometry.hpp"
#include "progress.hpp"
#include "provenance.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

// 2^28 values (512 MiB at 16 bits): more is almost surely a typo in --frames or --pixels.
constexpr std::uint64_t kMaxValues = std::uint64_t{1} << 28;
constexpr std::uint64_t kNoLimit = std::numeric_limits<std::uint64_t>::max();

// Frames run in chunks of about this many values, so progress advances steadily. Frames are
// independent (noise keyed by frame number), so the chunking never changes a value.
constexpr std::uint64_t kValuesPerChunk = std::uint64_t{1} << 21;

struct FlatfieldRequest {
    ChosenDevice device;
    double photons = 0;
    std::size_t frames = 0;
    std::size_t pixels = 0;
    double exposure_us = 0;
    std::string out;
    bool json = false;
    bool quiet = false;
};

template <class Out>
void grab_and_write(const physics::Camera& camera, const FlatfieldRequest& request) {
    const std::size_t pixels = camera.n_pixels();
    std::vector<Out> data(request.frames * pixels);
    const std::size_t chunk = std::max<std::size_t>(1, kValuesPerChunk / pixels);
    Progress progress = Progress::on_stderr("opusim flatfield", "frames", request.quiet);
    std::uint64_t saturated = 0;
    for (std::size_t begin = 0; begin < request.frames; begin += chunk) {
        const std::size_t count = std::min(chunk, request.frames - begin);
        saturated += camera
                         .grab_flat_field(request.photons, count, begin, request.exposure_us,
                                          data.data() + begin * pixels)
                         .saturated;
        progress.update(begin + count, request.frames);
    }
    progress.clear();
    write_output_npy(request.out, {request.frames, pixels}, data, provenance_of(request.device));
    double sum = 0;
    for (const Out value : data) sum += value;
    const double mean = sum / static_cast<double>(data.size());
    if (request.json) {
        print_json_report({{"command", "flatfield"},
                           {"out", request.out},
                           {"sidecar", request.out + ".json"},
                           {"shape", {request.frames, pixels}},
                           {"dtype", io::dtype_name(io::dtype_of<Out>())},
                           {"device", request.device.uri},
                           {"profile", request.device.profile.name},
                           {"photons", request.photons},
                           {"exposure_us", request.exposure_us},
                           {"mean_dn", mean},
                           {"saturated_values", saturated}});
        return;
    }
    std::cout << "flat field: " << request.frames << " frames x " << pixels << " pixels, "
              << request.photons << " photons/pixel, mean " << mean << " DN, " << saturated
              << " saturated, written to " << request.out << "\n";
}

int run_flatfield(const Command& command, const Arguments& args) {
    po::options_description options("options");
    add_device_options(options, true);
    options.add_options()("photons", po::value<std::string>()->required(),
                          "photons per pixel per exposure N >= 0")(
        "frames", po::value<std::string>()->required(), "number of frames F >= 1")(
        "pixels", po::value<std::string>()->required(),
        "pixels per frame M >= 1 (the output ROI of M components, profile's ROI strategy)")(
        "exposure-us", po::value<std::string>(),
        "exposure in us (default: the profile's; sets the dark signal)")(
        "out", po::value<std::string>()->required(),
        "output .npy (uint8 or uint16 by bit depth, shape (F, M)); provenance in OUT.json")(
        "json", "print one JSON object summarising what was done");
    const auto values = parse_options(command, args, options);
    if (!values) return 0;
    const auto& vm = *values;

    FlatfieldRequest request;
    request.device = choose_device(vm);
    const physics::DeviceProfile& profile = request.device.profile;
    request.photons = parse_real("photons", vm["photons"].as<std::string>(), 0);
    if (request.photons > physics::kMaxFlatPhotons) {
        throw UsageError(
            "--photons: expected at most 1e15 (every pixel saturates far below), got '" +
            vm["photons"].as<std::string>() + "'");
    }
    request.frames = parse_whole("frames", vm["frames"].as<std::string>(), 1, kNoLimit);
    const auto max_pixels = contract::max_output_components(
        opusim::physics::sensor_geometry(profile.camera),
        contract::parse_output_roi_strategy(profile.camera.roi_strategy, "camera.roi_strategy"));
    request.pixels = parse_whole("pixels", vm["pixels"].as<std::string>(), 1, max_pixels);
    if (request.frames > kMaxValues / request.pixels) {
        throw UsageError("--frames/--pixels: " + std::to_string(request.frames) + " x " +
                         std::to_string(request.pixels) +
                         " values exceed the limit of 2^28; ask for fewer");
    }
    request.exposure_us = vm.count("exposure-us")
                              ? parse_exposure(vm["exposure-us"].as<std::string>(), profile.camera)
                              : profile.camera.exposure_us;
    request.out = vm["out"].as<std::string>();
    request.json = vm.count("json") > 0;
    request.quiet = quiet(vm);

    const auto roi =
        contract::make_output_roi(opusim::physics::sensor_geometry(profile.camera), request.pixels);
    const physics::Camera camera(profile.camera, request.device.medium_seed,
                                 request.device.noise_seed, request.device.noise, roi.pixels);
    if (profile.camera.bits <= 8) {
        grab_and_write<std::uint8_t>(camera, request);
    } else {
        grab_and_write<std::uint16_t>(camera, request);
    }
    return 0;
}

const Command kFlatfield{
    "flatfield",
    "opusim flatfield [--device URI | --profile P [--seed S] [--noise-seed S] [--noise off]] "
    "[--set KEY=VALUE ...] "
    "--photons N --frames F --pixels M [--exposure-us T] --out F.npy [--json] [--quiet]",
    "camera frames under uniform light, medium bypassed (EMVA 1288 measurement setup)", nullptr};

const CommandRegistrar registrar{
    Command{kFlatfield.name, kFlatfield.synopsis, kFlatfield.summary,
            [](const Arguments& args) { return run_flatfield(kFlatfield, args); }}};

}  // namespace
}  // namespace opusim::cli
