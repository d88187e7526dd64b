#include "calibration_frames.hpp"

#include <cmath>

#include "opusim/contract/dmd_format.hpp"

namespace opusim::sdk_detail {

namespace {
std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}
}  // namespace

DarkLitFrames capture_dark_and_lit(const CaptureFn& capture, const driver::DeviceConfig& config,
                                   const contract::InputLayout& layout, double density,
                                   std::uint64_t* sequence, RunStats* stats) {
    const std::size_t n = layout.n_features;
    const std::size_t half = kCalibrationFramesEach;
    const std::size_t frames = 2 * half;
    const std::uint64_t threshold =
        density >= 1 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(std::ldexp(density, 64));
    std::vector<std::uint8_t> bits(frames * n, 0);
    double lit = 0;
    for (std::size_t i = half; i < frames; ++i) {
        for (std::size_t f = 0; f < n; ++f) bits[i * n + f] = splitmix64(i * n + f) < threshold;
        lit += double(contract::lit_mirrors(layout, bits.data() + i * n));
    }
    DarkLitFrames result;
    result.n_outputs = config.n_components;
    result.lit_mirrors = static_cast<std::uint64_t>(std::llround(lit / double(half)));
    std::vector<float> values(frames * result.n_outputs);
    stats->merge(capture(config, layout, bits.data(), frames, *sequence, values.data()));
    *sequence += frames;
    const auto middle = values.begin() + std::ptrdiff_t(half * result.n_outputs);
    result.dark.assign(values.begin(), middle);
    result.lit.assign(middle, values.end());
    return result;
}

}  // namespace opusim::sdk_detail
