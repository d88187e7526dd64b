#include "drift_monitor.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace opusim::sdk_detail {
namespace {

// Reference frames per showing: 8 frames x the calibrated pixels (hundreds or more) give a
// correlation estimate whose standard error is well below 1 %.
constexpr std::size_t kReferenceFrames = 8;
constexpr std::uint32_t kReferenceSeed = 0x0d71f7u;  // fixed: the same frames every showing

// Half the features lit at random: the speckle of a typical frame of the workload.
std::vector<std::uint8_t> reference_frames(std::size_t n_features) {
    std::mt19937 random(kReferenceSeed);
    std::vector<std::uint8_t> bits(kReferenceFrames * n_features);
    for (auto& bit : bits) bit = static_cast<std::uint8_t>(random() & 1u);
    return bits;
}

}  // namespace

double pearson_correlation(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size() || a.empty()) {
        throw std::invalid_argument("pearson_correlation: expected two equally long samples");
    }
    const double n = static_cast<double>(a.size());
    double mean_a = 0, mean_b = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        mean_a += a[i];
        mean_b += b[i];
    }
    mean_a /= n;
    mean_b /= n;
    double cov = 0, var_a = 0, var_b = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double da = a[i] - mean_a;
        const double db = b[i] - mean_b;
        cov += da * db;
        var_a += da * da;
        var_b += db * db;
    }
    if (var_a <= 0 || var_b <= 0) return 0;
    return cov / std::sqrt(var_a * var_b);
}

double DriftMonitor::estimate_from(double correlation, double noise_floor_correlation) {
    if (!(noise_floor_correlation > 0)) return 1;  // no signal above noise: assume the worst
    const double rho_squared = std::clamp(correlation / noise_floor_correlation, 0.0, 1.0);
    return std::sqrt(1 - rho_squared);
}

std::vector<float> DriftMonitor::show(const CaptureFn& capture, const driver::DeviceConfig& config,
                                      const contract::InputLayout& layout, std::uint64_t* sequence,
                                      RunStats& stats) const {
    const std::vector<std::uint8_t> bits = reference_frames(layout.n_features);
    std::vector<float> values(kReferenceFrames * config.n_components);
    RunStats shown =
        capture(config, layout, bits.data(), kReferenceFrames, *sequence, values.data());
    *sequence += kReferenceFrames;
    shown.saturated = 0;  // not the user's frames
    shown.data_frames = 0;
    shown.lit_sum = 0;
    stats.merge(shown);
    return values;
}

RunStats DriftMonitor::baseline(const CaptureFn& capture, const driver::DeviceConfig& config,
                                const contract::InputLayout& layout, std::uint64_t* sequence) {
    RunStats stats;
    baseline_ = show(capture, config, layout, sequence, stats);
    const std::vector<float> repeat = show(capture, config, layout, sequence, stats);
    noise_floor_correlation_ = pearson_correlation(baseline_, repeat);
    return stats;
}

RunStats DriftMonitor::check(const CaptureFn& capture, const driver::DeviceConfig& config,
                             const contract::InputLayout& layout, std::uint64_t* sequence,
                             double* estimate) {
    if (!has_baseline()) throw std::logic_error("DriftMonitor::check: no baseline yet");
    RunStats stats;
    const std::vector<float> now = show(capture, config, layout, sequence, stats);
    *estimate = estimate_from(pearson_correlation(baseline_, now), noise_floor_correlation_);
    return stats;
}

}  // namespace opusim::sdk_detail
