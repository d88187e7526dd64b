// opusim flatfield: the EMVA 1288 measurement setup. F frames of M pixels (the output ROI of M
// components) under uniform light of N photons per pixel per exposure, medium bypassed.
// uint8 (8-bit camera) or uint16 .npy of shape (F, M).
#include <cstdint>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "command.hpp"
#include "option_values.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/physics/camera.hpp"
#include "opusim/physics/output_roi.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

// 2^28 values (512 MiB at 16 bits): more is almost surely a typo in --frames or --pixels.
constexpr std::uint64_t kMaxValues = std::uint64_t{1} << 28;
constexpr std::uint64_t kNoLimit = std::numeric_limits<std::uint64_t>::max();

template <class Out>
void grab_and_write(const physics::Camera& camera, double photons, std::size_t frames,
                    double exposure_us, const std::string& out_path) {
    std::vector<Out> data(frames * camera.n_pixels());
    const auto stats = camera.grab_flat_field(photons, frames, 0, exposure_us, data.data());
    io::write_npy(out_path, {frames, camera.n_pixels()}, data);
    double sum = 0;
    for (const Out value : data) sum += value;
    std::cout << "flat field: " << frames << " frames x " << camera.n_pixels() << " pixels, "
              << photons << " photons/pixel, mean " << sum / static_cast<double>(data.size())
              << " DN, " << stats.saturated << " saturated, written to " << out_path << "\n";
}

int run_flatfield(const Command& command, const Arguments& args) {
    po::options_description options("options");
    options.add_options()("profile", po::value<std::string>()->required(),
                          "device profile NAME or PATH")(
        "photons", po::value<std::string>()->required(), "photons per pixel per exposure N >= 0")(
        "frames", po::value<std::string>()->required(), "number of frames F >= 1")(
        "pixels", po::value<std::string>()->required(),
        "pixels per frame M >= 1 (the output ROI of M components, profile's ROI strategy)")(
        "seed", po::value<std::string>(),
        "device seed S: PRNU/DSNU maps (default: profile medium.seed)")(
        "noise-seed", po::value<std::string>(),
        "temporal noise seed (default: profile camera.noise_seed)")(
        "exposure-us", po::value<std::string>(),
        "exposure in us (default: the profile's; sets the dark signal)")(
        "noise", po::value<std::string>()->default_value("on"),
        "on, or off for the noiseless camera")(
        "out", po::value<std::string>()->required(),
        "output .npy (uint8 or uint16 by bit depth, shape (F, M))");
    const auto values = parse_options(command, args, options);
    if (!values) return 0;
    const auto& vm = *values;

    const auto profile = load_profile_option(vm["profile"].as<std::string>());
    const double photons = parse_real("photons", vm["photons"].as<std::string>(), 0);
    if (photons > physics::kMaxFlatPhotons) {
        throw UsageError(
            "--photons: expected at most 1e15 (every pixel saturates far below), got '" +
            vm["photons"].as<std::string>() + "'");
    }
    const auto frames = parse_whole("frames", vm["frames"].as<std::string>(), 1, kNoLimit);
    const auto max_pixels = physics::max_output_components(
        profile.camera,
        physics::parse_output_roi_strategy(profile.camera.roi_strategy, "camera.roi_strategy"));
    const auto pixels = parse_whole("pixels", vm["pixels"].as<std::string>(), 1, max_pixels);
    if (frames > kMaxValues / pixels) {
        throw UsageError("--frames/--pixels: " + std::to_string(frames) + " x " +
                         std::to_string(pixels) +
                         " values exceed the limit of 2^28; ask for fewer");
    }
    const bool noise = parse_noise_option(vm["noise"].as<std::string>());
    const auto device_seed = vm.count("seed")
                                 ? parse_whole("seed", vm["seed"].as<std::string>(), 0, kNoLimit)
                                 : profile.medium.seed;
    const auto noise_seed =
        vm.count("noise-seed")
            ? parse_whole("noise-seed", vm["noise-seed"].as<std::string>(), 0, kNoLimit)
            : profile.camera.noise_seed;
    const double exposure =
        vm.count("exposure-us")
            ? parse_exposure(vm["exposure-us"].as<std::string>(), profile.camera)
            : profile.camera.exposure_us;

    const auto roi = physics::make_output_roi(profile.camera, pixels);
    const physics::Camera camera(profile.camera, device_seed, noise_seed, noise, roi.pixels);
    const std::string out = vm["out"].as<std::string>();
    if (profile.camera.bits <= 8) {
        grab_and_write<std::uint8_t>(camera, photons, frames, exposure, out);
    } else {
        grab_and_write<std::uint16_t>(camera, photons, frames, exposure, out);
    }
    return 0;
}

const Command kFlatfield{
    "flatfield",
    "opusim flatfield --profile P --photons N --frames F --pixels M [--seed S] [--noise-seed S] "
    "[--exposure-us T] [--noise off] --out F.npy",
    "camera frames under uniform light, medium bypassed (EMVA 1288 measurement setup)", nullptr};

const CommandRegistrar registrar{
    Command{kFlatfield.name, kFlatfield.synopsis, kFlatfield.summary,
            [](const Arguments& args) { return run_flatfield(kFlatfield, args); }}};

}  // namespace
}  // namespace opusim::cli
