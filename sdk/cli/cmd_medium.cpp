// opusim medium: a block of the device's true transmission matrix, for tests and studies (the
// oracle view; SDK results never use it). complex64 .npy of shape (pixels, mirrors).
#include <cstdint>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "option_values.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/physics/medium.hpp"
#include "opusim/physics/profile.hpp"

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

int run_medium(const Command& command, const Arguments& args) {
    po::options_description options("options");
    options.add_options()("seed", po::value<std::string>(),
                          "medium seed S (required unless --profile gives one)")(
        "pixels", po::value<std::string>()->required(),
        "camera pixel range A:B (rows of the block)")(
        "mirrors", po::value<std::string>()->required(), "DMD mirror range C:D (columns)")(
        "out", po::value<std::string>()->required(), "output .npy file (complex64, (B-A, D-C))")(
        "storage", po::value<std::string>(),
        "int8 (default: the device's quantised matrix) or float32")(
        "profile", po::value<std::string>(),
        "device profile NAME or PATH: its medium settings "
        "and geometry (optional)");
    const auto values = parse_options(command, args, options);
    if (!values) return 0;
    const auto& vm = *values;

    const auto pixels = parse_range("pixels", vm["pixels"].as<std::string>());
    const auto mirrors = parse_range("mirrors", vm["mirrors"].as<std::string>());
    check_size(pixels, mirrors);

    physics::MediumParams params;
    std::optional<std::uint64_t> seed;
    if (vm.count("profile")) {
        const auto profile = load_profile_option(vm["profile"].as<std::string>());
        check_on_device(profile, pixels, mirrors);
        params = profile.medium;
        seed = profile.medium.seed;
    }
    if (vm.count("seed")) {
        seed = parse_whole("seed", vm["seed"].as<std::string>(), 0,
                           std::numeric_limits<std::uint64_t>::max());
    }
    if (!seed) throw UsageError("--seed: required (or give --profile to use its medium seed)");
    if (vm.count("storage")) {
        const std::string storage = vm["storage"].as<std::string>();
        try {
            physics::parse_medium_storage(storage, "--storage");
        } catch (const std::invalid_argument& error) {
            throw UsageError(error.what());
        }
        params.storage = storage;
    }

    const physics::Medium medium(params, *seed);
    const std::size_t rows = static_cast<std::size_t>(pixels.second - pixels.first);
    const std::size_t cols = static_cast<std::size_t>(mirrors.second - mirrors.first);
    std::vector<std::complex<float>> block(rows * cols);
    medium.block(pixels.first, pixels.second, mirrors.first, mirrors.second, block.data());
    io::write_npy(vm["out"].as<std::string>(), {rows, cols}, block);
    return 0;
}

const Command kMedium{
    "medium",
    "opusim medium --seed S --pixels A:B --mirrors C:D --out F.npy [--storage int8|float32] "
    "[--profile P]",
    "write a block of the true transmission matrix (oracle) as complex64 .npy", nullptr};

const CommandRegistrar registrar{
    Command{kMedium.name, kMedium.synopsis, kMedium.summary,
            [](const Arguments& args) { return run_medium(kMedium, args); }}};

}  // namespace
}  // namespace opusim::cli
