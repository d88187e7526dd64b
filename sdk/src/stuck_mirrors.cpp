#include "stuck_mirrors.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

namespace opusim::sdk_detail {

namespace {
constexpr std::size_t kScanChunkFrames = 256;
constexpr unsigned kMaxPlanRounds = 6;
// A stuck slot's change energy is the camera noise's alone: its spread over N outputs is
// sqrt(2 / N) of its mean (a sum of N squared Gaussians); working slots must stand this many
// spreads above it for the scan to count as measured.
constexpr double kLeastWorkingExcessInSpreads = 10;

// The base pattern's bit of SLOT: a fixed half-lit pattern independent of any data.
std::uint8_t base_bit(std::uint64_t slot) {
    std::uint64_t x = slot + 0x5DEECE66Dull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::uint8_t>((x ^ (x >> 31)) & 1u);
}

// LAYOUT with MISSING more slots: appended after its last (same first mirror and replication)
// when the DMD has room, else rebuilt centred with the replication that fits (every slot moves);
// nothing when not even one mirror per slot fits.
std::optional<contract::InputLayout> grown_layout(const contract::InputLayout& layout,
                                                  std::uint64_t missing) {
    contract::InputLayout grown = layout;
    grown.n_features += missing;
    if (grown.first_mirror + grown.used_mirrors() <= grown.total_mirrors) return grown;
    // Rebuilt: half as many slots again as missing, since the new slots have stuck ones too.
    grown.n_features = layout.n_features + missing + (missing + 1) / 2;
    grown.replication = std::min(layout.replication, grown.total_mirrors / grown.n_features);
    if (grown.replication == 0) return std::nullopt;
    grown.first_mirror = (grown.total_mirrors - grown.used_mirrors()) / 2;
    if (grown.replication == 1) grown.strategy = contract::InputRoiStrategy::Small;
    return grown;
}

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    const auto middle = values.begin() + std::ptrdiff_t(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}
}  // namespace

StuckSlotScan scan_stuck_slots(const CaptureFn& capture, const driver::DeviceConfig& config,
                               const contract::InputLayout& layout, std::uint64_t first_slot,
                               double working_excess, std::uint64_t* sequence, RunStats* stats) {
    const std::size_t n = layout.n_features;
    const std::size_t m = config.n_components;
    std::vector<std::uint8_t> base(n);
    for (std::size_t f = 0; f < n; ++f) base[f] = base_bit(f);

    // The base frames: their mean, and the camera noise's energy per frame (sigma^2 m).
    std::vector<std::uint8_t> bits(kStuckScanBaseFrames * n);
    for (std::size_t i = 0; i < kStuckScanBaseFrames; ++i)
        std::copy(base.begin(), base.end(), bits.begin() + std::ptrdiff_t(i * n));
    std::vector<float> values(kStuckScanBaseFrames * m);
    stats->merge(
        capture(config, layout, bits.data(), kStuckScanBaseFrames, *sequence, values.data()));
    *sequence += kStuckScanBaseFrames;
    StuckSlotScan scan;
    scan.frames = kStuckScanBaseFrames;
    std::vector<double> mean(m, 0.0);
    for (std::size_t i = 0; i < values.size(); ++i) mean[i % m] += values[i];
    for (double& v : mean) v /= double(kStuckScanBaseFrames);
    double spread = 0;
    for (std::size_t i = 0; i < values.size(); ++i) spread += std::pow(values[i] - mean[i % m], 2);
    const double r = double(kStuckScanBaseFrames);
    const double noise_energy = spread / (r - 1);  // sigma^2 m, unbiased
    // A stuck slot's frame against the base mean: sigma^2 m (1 + 1/r).
    const double stuck_energy = noise_energy * (1 + 1 / r);

    // One frame per slot tested, in chunks.
    std::vector<double> excess;
    for (std::uint64_t begin = first_slot; begin < n; begin += kScanChunkFrames) {
        const std::size_t count = std::min<std::size_t>(kScanChunkFrames, n - begin);
        bits.resize(count * n);
        for (std::size_t i = 0; i < count; ++i) {
            std::copy(base.begin(), base.end(), bits.begin() + std::ptrdiff_t(i * n));
            bits[i * n + begin + i] ^= 1u;
        }
        values.resize(count * m);
        stats->merge(capture(config, layout, bits.data(), count, *sequence, values.data()));
        *sequence += count;
        scan.frames += count;
        for (std::size_t i = 0; i < count; ++i) {
            double energy = 0;
            for (std::size_t j = 0; j < m; ++j) energy += std::pow(values[i * m + j] - mean[j], 2);
            excess.push_back(energy - stuck_energy);
        }
    }
    scan.working_excess = working_excess > 0 ? working_excess : median(excess);
    const double noise_spread = stuck_energy * std::sqrt(2.0 / double(m));
    scan.measured = scan.working_excess > kLeastWorkingExcessInSpreads * noise_spread &&
                    scan.working_excess > 0;
    if (!scan.measured) return scan;
    for (std::size_t i = 0; i < excess.size(); ++i) {
        if (excess[i] < scan.working_excess / 2) scan.stuck.push_back(first_slot + i);
    }
    return scan;
}

StuckMirrorPlan plan_around_stuck_mirrors(
    const CaptureFn& capture,
    const std::function<driver::DeviceConfig(const contract::InputLayout&)>& config_for,
    const contract::InputLayout& layout, std::uint64_t* sequence, RunStats* stats) {
    const std::uint64_t n_features = layout.n_features;
    StuckMirrorPlan plan;
    plan.layout = layout;
    std::uint64_t first_slot = 0;
    double working_excess = 0;
    for (unsigned round = 0;; ++round) {
        const StuckSlotScan scan = scan_stuck_slots(capture, config_for(plan.layout), plan.layout,
                                                    first_slot, working_excess, sequence, stats);
        plan.frames += scan.frames;
        if (!scan.measured) {
            plan.warning =
                "stuck mirrors: too little light to test the mirrors (a toggled "
                "feature changes the frame less than the camera's noise); not checked";
            plan.layout = layout;
            plan.stuck.clear();
            return plan;
        }
        working_excess = scan.working_excess;
        plan.stuck.insert(plan.stuck.end(), scan.stuck.begin(), scan.stuck.end());
        const std::uint64_t working = plan.layout.n_features - plan.stuck.size();
        if (working >= n_features) break;
        const std::uint64_t missing = n_features - working;
        const auto grown = grown_layout(plan.layout, missing);
        if (!grown || round + 1 >= kMaxPlanRounds) {
            plan.warning = "stuck mirrors: " + std::to_string(plan.stuck.size()) +
                           " feature slots are stuck and the DMD has no room to move their "
                           "features: those features read a constant (on or off) whatever the "
                           "input";
            if (plan.layout.first_mirror != layout.first_mirror ||
                plan.layout.replication != layout.replication) {
                plan.stuck.clear();  // found on other mirrors than the features' own
                plan.warning += " (found on a rebuilt layout; the fit's own slots not named)";
            }
            plan.stuck.erase(std::remove_if(plan.stuck.begin(), plan.stuck.end(),
                                            [&](std::uint64_t s) { return s >= n_features; }),
                             plan.stuck.end());
            plan.layout = layout;
            return plan;
        }
        if (grown->first_mirror == plan.layout.first_mirror &&
            grown->replication == plan.layout.replication) {
            first_slot = plan.layout.n_features;  // appended: the slots tested keep their mirrors
        } else {
            first_slot = 0;  // rebuilt: every slot is on other mirrors now
            plan.stuck.clear();
            working_excess = 0;  // another replication: the new scan's own median
        }
        plan.layout = *grown;
    }
    if (plan.stuck.empty()) return plan;
    std::vector<bool> is_stuck(plan.layout.n_features, false);
    for (const std::uint64_t s : plan.stuck) is_stuck[s] = true;
    for (std::uint64_t s = 0; s < plan.layout.n_features && plan.feature_slot.size() < n_features;
         ++s) {
        if (!is_stuck[s]) plan.feature_slot.push_back(s);
    }
    return plan;
}

std::vector<std::uint8_t> spread_to_slots(const std::uint8_t* bits, std::size_t rows,
                                          const std::vector<std::uint64_t>& feature_slot,
                                          std::size_t n_slots) {
    const std::size_t n = feature_slot.size();
    std::vector<std::uint8_t> spread(rows * n_slots, 0);
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t f = 0; f < n; ++f) spread[i * n_slots + feature_slot[f]] = bits[i * n + f];
    }
    return spread;
}

}  // namespace opusim::sdk_detail
