// opusim medium: a block of the device's true transmission matrix, for tests and studies (the
// oracle view; SDK results never use it). complex64 .npy of shape (pixels, mirrors).
#include <cstdint>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "device_option.hpp"
#include "json_report.hpp"
#include "option_values.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/physics/medium.hpp"
#include "opusim/physics/profile.hpp"
#include "provenance.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

// 2^28 complex64 entries = 2 GiB: more is almost surely a typo in --pixels or --mirrors.
constexpr std::uint64_t kMaxEntries = std::uint64_t{1} << 28;

void check_size(std::pair<std::uint64_t, std::uint64_t> pixels,
                std::pair<std::uint64_t, std::uint64_t> mirrors) {
    const std::uint64_t rows = pixels.second - pixels.first;
    const std::uint64_t cols = mirrors.second - mirrors.first;
    if (rows > kMaxEntries / cols) {
        throw UsageError("--pixels/--mirrors: the block has " + std::to_string(rows) + " x " +
                         std::to_string(cols) + " entries, more than the limit of 2^28 (" +
                         std::to_string(kMaxEntries) + "); ask for a smaller block");
    }
}

// With a profile, the block must lie on the device: pixels on the camera, mirrors on the DMD.
void check_on_device(const physics::DeviceProfile& profile,
                     std::pair<std::uint64_t, std::uint64_t> pixels,
                     std::pair<std::uint64_t, std::uint64_t> mirrors) {
    const std::uint64_t camera_pixels = std::uint64_t{profile.camera.width} * profile.camera.height;
    if (pixels.second > camera_pixels) {
        throw UsageError("--pixels: expected B <= " + std::to_string(camera_pixels) +
                         " (camera pixels of profile " + profile.name + "), got " +
                         std::to_string(pixels.second));
    }
    if (mirrors.second > profile.dmd.mirrors()) {
        throw UsageError("--mirrors: expected D <= " + std::to_string(profile.dmd.mirrors()) +
                         " (DMD mirrors of profile " + profile.name + "), got " +
                         std::to_string(mirrors.second));
    }
}

// The medium's parameters and seed: from the device (--device, --profile, else $OPUSIM_DEVICE)
// with --seed replacing its medium seed, or, with a bare --seed, the profile-free defaults.
struct MediumSource {
    physics::MediumParams params;
    std::uint64_t seed = 0;
    std::optional<ChosenDevice> device;
};

MediumSource medium_source(const po::variables_map& vm) {
    MediumSource source;
    const bool from_environment = !vm.count("seed") && device_environment_set();
    if (device_given(vm) || from_environment) {
        source.device = choose_device(vm);
        source.params = source.device->profile.medium;
        source.seed = source.device->medium_seed;
        return source;
    }
    if (!vm.count("seed")) {
        throw UsageError("--seed: required (or give --device or --profile to use its medium seed)");
    }
    source.seed = parse_whole("seed", vm["seed"].as<std::string>(), 0,
                              std::numeric_limits<std::uint64_t>::max());
    return source;
}

int run_medium(const Command& command, const Arguments& args) {
    po::options_description options("options");
    options.add_options()("seed", po::value<std::string>(),
                          "medium seed S (required unless the device gives one)")(
        "pixels", po::value<std::string>()->required(),
        "camera pixel range A:B (rows of the block)")(
        "mirrors", po::value<std::string>()->required(), "DMD mirror range C:D (columns)")(
        "out", po::value<std::string>()->required(),
        "output .npy file (complex64, (B-A, D-C)); provenance in OUT.json")(
        "storage", po::value<std::string>(),
        "int8 (default: the device's quantised matrix) or float32")(
        "json", "print one JSON object summarising what was done");
    add_device_options(options, false);
    const auto values = parse_options(command, args, options);
    if (!values) return 0;
    const auto& vm = *values;

    const auto pixels = parse_range("pixels", vm["pixels"].as<std::string>());
    const auto mirrors = parse_range("mirrors", vm["mirrors"].as<std::string>());
    check_size(pixels, mirrors);
    MediumSource source = medium_source(vm);
    if (source.device) check_on_device(source.device->profile, pixels, mirrors);
    if (vm.count("storage")) {
        const std::string storage = vm["storage"].as<std::string>();
        try {
            physics::parse_medium_storage(storage, "--storage");
        } catch (const std::invalid_argument& error) {
            throw UsageError(error.what());
        }
        source.params.storage = storage;
    }

    const physics::Medium medium(source.params, source.seed);
    const std::size_t rows = static_cast<std::size_t>(pixels.second - pixels.first);
    const std::size_t cols = static_cast<std::size_t>(mirrors.second - mirrors.first);
    std::vector<std::complex<float>> block(rows * cols);
    medium.block(pixels.first, pixels.second, mirrors.first, mirrors.second, block.data());
    const std::string out = vm["out"].as<std::string>();
    write_output_npy(
        out, {rows, cols}, block,
        source.device ? provenance_of(*source.device) : provenance_of_medium(nullptr, source.seed));
    if (vm.count("json")) {
        print_json_report(
            {{"command", "medium"},
             {"out", out},
             {"sidecar", out + ".json"},
             {"shape", {rows, cols}},
             {"dtype", "complex64"},
             {"pixels", {pixels.first, pixels.second}},
             {"mirrors", {mirrors.first, mirrors.second}},
             {"storage", source.params.storage},
             {"seed", source.seed},
             {"device", source.device ? nlohmann::json(source.device->uri) : nlohmann::json()},
             {"profile",
              source.device ? nlohmann::json(source.device->profile.name) : nlohmann::json()}});
    }
    return 0;
}

const Command kMedium{"medium",
                      "opusim medium [--device URI | --profile P] [--set KEY=VALUE ...] "
                      "[--seed S] --pixels A:B --mirrors C:D --out F.npy "
                      "[--storage int8|float32] [--json]",
                      "write a block of the true transmission matrix (oracle) as complex64 .npy",
                      nullptr};

const CommandRegistrar registrar{
    Command{kMedium.name, kMedium.synopsis, kMedium.summary,
            [](const Arguments& args) { return run_medium(kMedium, args); }}};

}  // namespace
}  // namespace opusim::cli
