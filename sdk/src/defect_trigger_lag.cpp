#include "defect_trigger_lag.hpp"

#include <algorithm>
#include <vector>

namespace opusim::sdk_detail {

namespace {
// The lit frame must stand out by this much over every other frame's mean: a dark frame's mean
// over n_components pixels varies by read noise / sqrt(n), far under one DN.
constexpr double kLeastContrastDn = 1.0;
}  // namespace

TriggerLagProbe probe_trigger_lag(const CaptureFn& capture, const driver::DeviceConfig& config,
                                  const contract::InputLayout& layout, std::uint64_t* sequence,
                                  RunStats* stats) {
    const std::size_t frames = kMaxTriggerLag + 2;
    const std::size_t n = layout.n_features;
    std::vector<std::uint8_t> bits(frames * n, 0);
    std::fill(bits.begin(), bits.begin() + std::ptrdiff_t(n), std::uint8_t{1});
    const std::size_t m = config.n_components;
    std::vector<float> values(frames * m);
    stats->merge(capture(config, layout, bits.data(), frames, *sequence, values.data()));
    *sequence += frames;
    std::vector<double> means(frames, 0.0);
    for (std::size_t i = 0; i < values.size(); ++i) means[i / m] += values[i] / double(m);
    TriggerLagProbe probe;
    for (std::size_t k = 1; k < frames; ++k) {
        if (means[k] > means[probe.lag]) probe.lag = unsigned(k);
    }
    double other = -1e300;
    for (std::size_t k = 0; k < frames; ++k) {
        if (k != probe.lag) other = std::max(other, means[k]);
    }
    probe.contrast_dn = means[probe.lag] - other;
    probe.measured = probe.contrast_dn >= kLeastContrastDn;
    if (!probe.measured) probe.lag = 0;
    return probe;
}

}  // namespace opusim::sdk_detail
