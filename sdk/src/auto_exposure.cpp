#include "auto_exposure.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "calibration_frames.hpp"

namespace opusim::sdk_detail {

namespace {

// Speckle's exponential tail: a mean this far under the aim, or a signal this close to the dark
// level, no longer uses the camera's range.
constexpr double kLowestUsefulFraction = 0.25;
constexpr double kHighestKeptFraction = 1.25;
constexpr double kUnusableSignalDn = 1.0;  // under one quantisation step
// A signal measured as zero (or below) still tells the exposure is far too short: grow by this.
constexpr double kBlindGrowth = 1000.0;
// A clip (full well) is this far above the dark level at least; closer pile-ups are quantisation.
constexpr double kLeastClipAboveDarkDn = 16.0;

bool in_kept_band(double signal, double target) {
    return signal >= kLowestUsefulFraction * target && signal <= kHighestKeptFraction * target;
}

std::string fixed(double value, int digits) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

}  // namespace

double target_signal_dn(double full_scale_dn, double dark_dn) {
    return (full_scale_dn - dark_dn) / std::log(1.0 / kTargetSaturation);
}

ExposureChoice search_exposure(const std::function<ExposureMeasurement(double)>& measure,
                               double start_us, const ExposureLimits& limits) {
    ExposureChoice choice;
    choice.start_exposure_us = start_us;
    double exposure = std::clamp(start_us, limits.min_exposure_us, limits.max_exposure_us);
    for (;;) {
        choice.exposure_us = exposure;
        choice.measured = measure(exposure);
        ++choice.steps;
        choice.target_signal_dn =
            target_signal_dn(choice.measured.clip_dn, choice.measured.dark_dn);
        const double signal = choice.measured.signal_dn;
        const double target = choice.target_signal_dn;
        if (in_kept_band(signal, target) || choice.steps >= kMaxSteps) break;
        const double factor = signal > 0 ? target / signal : kBlindGrowth;
        const double next =
            std::clamp(exposure * factor, limits.min_exposure_us, limits.max_exposure_us);
        if (next == exposure) break;  // at a limit already
        exposure = next;
    }
    const ExposureMeasurement& m = choice.measured;
    const std::string measured = "mean signal " + fixed(m.signal_dn, 2) + " DN above the dark " +
                                 "level at " + fixed(choice.exposure_us, 1) + " us (aim " +
                                 fixed(choice.target_signal_dn, 1) + " DN)";
    if (m.signal_dn < kUnusableSignalDn && choice.exposure_us >= limits.max_exposure_us) {
        choice.warning = "the frames stay dark even at the longest exposure: " + measured +
                         "; light more mirrors (input_roi_strategy full or auto replicates "
                         "features)";
        return choice;
    }
    if (m.signal_dn < kLowestUsefulFraction * choice.target_signal_dn) {
        choice.warning = "weak signal: " + measured +
                         "; the frames use little of the camera's range (light more mirrors)";
    } else if (m.signal_dn > kHighestKeptFraction * choice.target_signal_dn) {
        choice.warning = "strong signal: " + measured + ", " +
                         fixed(100 * m.saturated_fraction, 2) + " % saturated; light fewer mirrors";
    }
    return choice;
}

ExposureMeasurement measure_exposure(const CaptureFn& capture, driver::DeviceConfig config,
                                     const contract::InputLayout& layout, double density,
                                     double full_scale_dn, double exposure_us,
                                     std::uint64_t* sequence, RunStats* stats,
                                     std::uint64_t* lit_mirrors) {
    config.exposure_us = exposure_us;
    const DarkLitFrames frames =
        capture_dark_and_lit(capture, config, layout, density, sequence, stats);
    *lit_mirrors = frames.lit_mirrors;
    double dark = 0, bright = 0;
    float brightest = 0;
    for (const float v : frames.dark) dark += v;
    for (const float v : frames.lit) {
        bright += v;
        brightest = std::max(brightest, v);
    }
    std::uint64_t at_brightest = 0;
    for (const float v : frames.lit) at_brightest += v >= brightest;
    ExposureMeasurement measured;
    const auto count = double(frames.lit.size());
    // Speckle's exponential tail leaves a handful of values in its top DN; a pile-up of more than
    // 0.1 % of them there, well above the dark level (not the few DN of dim frames' quantisation),
    // is a clip below the ADC's maximum.
    measured.dark_dn = dark / count;
    const bool piled_up = double(at_brightest) > std::max(3.0, 1e-3 * count) &&
                          brightest - measured.dark_dn >= kLeastClipAboveDarkDn;
    measured.clip_dn = piled_up ? std::min(double(brightest), full_scale_dn) : full_scale_dn;
    std::uint64_t saturated = 0;
    for (const float v : frames.lit) saturated += v >= float(measured.clip_dn);
    measured.signal_dn = bright / count - measured.dark_dn;
    measured.saturated_fraction = double(saturated) / count;
    return measured;
}

}  // namespace opusim::sdk_detail

namespace opusim::sdk_detail {

ExposureChoice calibrate_exposure(const CaptureFn& capture, const driver::DeviceConfig& config,
                                  const contract::InputLayout& layout, double density,
                                  const ExposureLimits& limits, std::uint64_t* sequence,
                                  RunStats* stats) {
    std::uint64_t lit = 0;
    const std::uint64_t frames_before = stats->frames;
    ExposureChoice choice = search_exposure(
        [&](double exposure_us) {
            return measure_exposure(capture, config, layout, density, limits.full_scale_dn,
                                    exposure_us, sequence, stats, &lit);
        },
        config.exposure_us, limits);
    choice.lit_mirrors = lit;
    choice.frames = stats->frames - frames_before;
    return choice;
}

}  // namespace opusim::sdk_detail
