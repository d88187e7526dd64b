#include "linear_projection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "linear_dither.hpp"
#include "opusim/contract/dmd_format.hpp"

namespace opusim::sdk_detail {

namespace {

// Exposure rule (calibrate): a selected pixel's brightest plausible frame stays below
// kFullScaleTarget of full scale, "plausible" meaning that the bound exp(-(sqrt(T) -
// sqrt(R))^2 / U) on P(|r + u|^2 > T) (|u| <= |r + u| + |r|, |u|^2 exponential of mean U for a
// half-lit plane's speckle) is at most kSaturationProbability per frame.
constexpr double kFullScaleTarget = 0.95;
constexpr double kSaturationProbability = 1e-3;
// Exposure factors tried: 2^(i/8), i in [-kFactorSteps, kFactorSteps]; and calibration rounds.
constexpr int kFactorSteps = 40;
constexpr int kExposureRounds = 4;
// Samples per capture call: at most 256, and at most kChunkValues camera values (memory).
constexpr std::size_t kSamplesPerChunk = 256;
constexpr std::size_t kChunkValues = std::size_t{1} << 26;

// The most couples (pairs 2i, 2i + 1) any plane of SCHEDULE gets, repeats included.
std::size_t max_couples(const PlaneSchedule& schedule, unsigned repeats) {
    std::size_t most = 0;
    for (const unsigned n : schedule.pairs) most = std::max<std::size_t>(most, n * repeats / 2);
    return most;
}

}  // namespace

LinearProjector::LinearProjector(const LinearSettings& settings, const driver::Device& device,
                                 std::size_t n_features, std::size_t n_components,
                                 const LayoutMaker& make_layout, driver::DeviceConfig base)
    : settings_(settings), n_features_(n_features), n_components_(n_components) {
    if (settings.bits < 1 || settings.bits > 16) {
        throw std::invalid_argument("linear.bits must be in [1, 16], got " +
                                    std::to_string(settings.bits));
    }
    if (!(settings.reference_ratio > 0) || !std::isfinite(settings.reference_ratio)) {
        throw std::invalid_argument("linear.reference_ratio must be > 0");
    }
    if (settings.candidates_per_output < 1) {
        throw std::invalid_argument("linear.candidates_per_output must be >= 1");
    }
    if (settings.repeats < 1 || settings.repeats > 64) {
        throw std::invalid_argument("linear.repeats must be in [1, 64], got " +
                                    std::to_string(settings.repeats));
    }
    if (settings.calibration_frames < 2) {
        throw std::invalid_argument("linear.calibration_frames must be >= 2");
    }
    schedule_ = schedule_planes(settings.bits, settings_.plane_pairs);
    if (settings_.rounding_plane_pairs != 0 && settings_.rounding_plane_pairs < settings.bits) {
        throw std::invalid_argument("linear.rounding_plane_pairs must be 0 or >= linear.bits (" +
                                    std::to_string(settings.bits) + "), got " +
                                    std::to_string(settings_.rounding_plane_pairs));
    }
    rounding_schedule_ = schedule_planes(settings.bits, settings_.rounding_plane_pairs == 0
                                                            ? settings.plane_pairs
                                                            : settings_.rounding_plane_pairs);
    // Float intensities (ideal) do not round: no dither features.
    const std::size_t couples = std::max(max_couples(schedule_, settings.repeats),
                                         max_couples(rounding_schedule_, settings.repeats));
    if (!base.ideal) {
        n_dither_ = dither_feature_count(couples);
        if (n_dither_ > 0 && couples >= (std::size_t{1} << n_dither_)) {
            throw std::invalid_argument("linear: " + std::to_string(couples) +
                                        " couples per plane exceed the dither's distinct patterns; "
                                        "lower linear.plane_pairs or linear.repeats");
        }
        dither_lit_ = dither_max_lit(couples, n_dither_);
    }
    n_reference_ = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(settings_.reference_ratio * double(n_features))));
    const contract::DmdGeometry& dmd = device.info().dmd;
    if (n_features + n_reference_ + n_dither_ > dmd.mirrors()) {
        throw std::invalid_argument(
            "linear_transform: n_features " + std::to_string(n_features) + " plus " +
            std::to_string(n_reference_) + " reference and " + std::to_string(n_dither_) +
            " dither features exceed the DMD's " + std::to_string(dmd.mirrors()) + " mirrors");
    }
    const contract::SensorGeometry& camera = device.info().sensor;
    const std::uint64_t wanted = std::uint64_t{n_components} * settings_.candidates_per_output;
    const std::uint64_t available = contract::max_output_components(camera);
    // Fewer candidates than asked when the sensor is small (at least n_components); and every
    // pixel of the ROI rows that are read out anyway (readout costs rows, not pixels).
    const contract::OutputRoi asked = contract::make_output_roi(
        camera, std::max<std::uint64_t>(n_components, std::min(wanted, available)));
    candidates_ = contract::make_output_roi(
        camera, std::min<std::uint64_t>(available, std::uint64_t{asked.width} * asked.height));
    layout_ = make_layout(n_features + n_reference_ + n_dither_, candidates_);
    full_scale_ = base.ideal ? std::numeric_limits<float>::infinity()
                             : static_cast<float>((1u << device.info().bit_depth) - 1u);
    min_exposure_us_ = device.info().min_exposure_us;
    max_exposure_us_ = device.info().max_exposure_us;
    config_ = contract::with_geometry(base, layout_, candidates_);
}

std::vector<std::uint64_t> LinearProjector::output_pixels() const {
    std::vector<std::uint64_t> pixels;
    for (const std::size_t index : selected_) pixels.push_back(candidates_.pixels[index]);
    return pixels;
}

LinearProjector::Measurement LinearProjector::measure(const CaptureFn& capture,
                                                      const std::vector<std::uint8_t>& signal,
                                                      std::uint64_t* sequence) {
    const std::size_t n_frames = settings_.calibration_frames;
    const std::size_t f = layout_.n_features;
    const std::size_t k = config_.n_components;
    std::vector<std::uint8_t> frames(2 * n_frames * f, 0);
    for (std::size_t i = 0; i < 2 * n_frames; ++i) {
        std::copy(signal.begin(), signal.end(), frames.begin() + static_cast<long>(i * f));
        if (i < n_frames) {
            std::fill_n(frames.begin() + static_cast<long>(i * f + n_features_), n_reference_, 1);
        }
    }
    std::vector<float> values(2 * n_frames * k);
    Measurement m;
    m.stats = capture(config_, layout_, frames.data(), 2 * n_frames, *sequence, values.data());
    *sequence += 2 * n_frames;
    m.on_mean.assign(k, 0.0);
    m.off_mean.assign(k, 0.0);
    m.on_variance.assign(k, 0.0);
    m.off_variance.assign(k, 0.0);
    m.saturated.assign(k, false);
    for (std::size_t i = 0; i < 2 * n_frames; ++i) {
        const bool on = i < n_frames;
        for (std::size_t j = 0; j < k; ++j) {
            const float v = values[i * k + j];
            (on ? m.on_mean : m.off_mean)[j] += v;
            if (on && v >= full_scale_) m.saturated[j] = true;
        }
    }
    for (std::size_t j = 0; j < k; ++j) {
        m.on_mean[j] /= double(n_frames);
        m.off_mean[j] /= double(n_frames);
    }
    for (std::size_t i = 0; i < 2 * n_frames; ++i) {
        const bool on = i < n_frames;
        for (std::size_t j = 0; j < k; ++j) {
            const double e = double(values[i * k + j]) - (on ? m.on_mean : m.off_mean)[j];
            (on ? m.on_variance : m.off_variance)[j] += e * e;
        }
    }
    for (std::size_t j = 0; j < k; ++j) {
        m.on_variance[j] /= double(n_frames - 1);
        m.off_variance[j] /= double(n_frames - 1);
    }
    return m;
}

LinearProjector::Levels LinearProjector::measure_levels(const CaptureFn& capture,
                                                        std::uint64_t* sequence, RunStats* stats) {
    const std::size_t k = config_.n_components;
    Levels levels;
    levels.reference = measure(capture, std::vector<std::uint8_t>(layout_.n_features, 0), sequence);
    stats->merge(levels.reference.stats);
    double sum = 0;
    for (int half = 0; half < 2; ++half) {
        std::vector<std::uint8_t> pattern(layout_.n_features, 0);
        for (std::size_t f = 0; f < n_features_; ++f) pattern[f] = (f % 2) == std::size_t(half);
        levels.halves[half] = measure(capture, pattern, sequence);
        stats->merge(levels.halves[half].stats);
        for (std::size_t j = 0; j < k; ++j) {
            sum += levels.halves[half].off_mean[j] - levels.reference.off_mean[j];
        }
    }
    levels.half_intensity = std::max(sum / double(2 * k), 0.0);
    return levels;
}

std::vector<std::size_t> LinearProjector::select_pixels(const Levels& levels, double factor) const {
    const Measurement& ref = levels.reference;
    const double tail = -std::log(kSaturationProbability);
    // A couple's dither features add to the half-lit plane's speckle.
    const double feature = levels.half_intensity / (double(n_features_) / 2.0);
    const double u = factor * (levels.half_intensity + feature * double(dither_lit_));
    std::vector<std::size_t> admissible;
    for (std::size_t j = 0; j < ref.on_mean.size(); ++j) {
        const double r = factor * (ref.on_mean[j] - ref.off_mean[j]);
        const double room = kFullScaleTarget * full_scale_ - factor * ref.off_mean[j];
        if (!(r > 0) || (factor >= 1 && ref.saturated[j])) continue;
        if (std::isfinite(room)) {
            if (!(room > r)) continue;
            const double margin = std::sqrt(room) - std::sqrt(r);
            if (margin * margin < tail * u) continue;
        }
        admissible.push_back(j);
    }
    if (admissible.size() < n_components_) return {};
    // The brightest references among them (the derived error falls with R_j).
    std::stable_sort(admissible.begin(), admissible.end(), [&](std::size_t a, std::size_t b) {
        return ref.on_mean[a] - ref.off_mean[a] > ref.on_mean[b] - ref.off_mean[b];
    });
    admissible.resize(n_components_);
    std::sort(admissible.begin(), admissible.end());
    return admissible;
}

double LinearProjector::best_exposure_factor(const Levels& levels) const {
    const double low = min_exposure_us_ / config_.exposure_us;
    const double high = max_exposure_us_ / config_.exposure_us;
    const double u = levels.half_intensity;
    const double laser2 = noise_.laser * noise_.laser;
    double best = 1.0;
    double best_error = std::numeric_limits<double>::infinity();
    for (int i = -kFactorSteps; i <= kFactorSteps; ++i) {
        const double g = std::exp2(i / 8.0);
        if (g < low * 0.999 || g > high * 1.001) continue;
        const auto pixels = select_pixels(levels, g);
        if (pixels.empty()) continue;
        // Mean over the pixels of the variance of d per half-lit pair over the signal's
        // R_j (linear_noise_model.hpp), both at exposure factor g.
        double error = 0;
        for (const std::size_t j : pixels) {
            const double r = levels.reference.on_mean[j] - levels.reference.off_mean[j];
            const double variance = 2 * (noise_.floor + noise_.quantisation) +
                                    noise_.gain * g * (r + 2 * u) +
                                    laser2 * g * g * (r * r + 4 * r * u + 4 * u * u);
            error += variance / (g * g * r * u);
        }
        if (error < best_error * (1 - 1e-12)) {
            best_error = error;
            best = g;
        }
    }
    // Without noise or rounding every factor is exact: keep the exposure.
    return best_error > 0 && std::isfinite(best_error) ? best : 1.0;
}

RunStats LinearProjector::calibrate(const CaptureFn& capture, double exposure_us,
                                    std::uint64_t* calibration_sequence, bool keep_exposure) {
    RunStats stats;
    const std::size_t k = config_.n_components;
    const std::vector<std::uint8_t> dark(layout_.n_features, 0);
    config_.exposure_us = exposure_us;
    // 1. The reference alone, at decreasing exposure until (almost) no candidate saturates.
    for (int attempt = 0;; ++attempt) {
        Measurement reference = measure(capture, dark, calibration_sequence);
        stats.merge(reference.stats);
        const auto saturated =
            std::count(reference.saturated.begin(), reference.saturated.end(), true);
        const bool at_floor = config_.exposure_us <= min_exposure_us_ * 1.0001;
        if (keep_exposure || double(saturated) <= 0.01 * double(k) || at_floor || attempt >= 8)
            break;
        config_.exposure_us = std::max(min_exposure_us_, config_.exposure_us / 4);
    }
    // 2. The camera's noise by photon transfer on the reference frames (variance against mean
    //    above the reference-off level, unsaturated pixels), then the exposure and pixels the
    //    derived error prefers; measured again at the new exposure until it settles.
    const bool integer_values = std::isfinite(full_scale_);
    Levels levels;
    for (int round = 0;; ++round) {
        levels = measure_levels(capture, calibration_sequence, &stats);
        std::vector<double> means;
        std::vector<double> variances;
        for (std::size_t j = 0; j < k; ++j) {
            if (levels.reference.saturated[j]) continue;
            means.push_back(levels.reference.on_mean[j] - levels.reference.off_mean[j]);
            variances.push_back(levels.reference.on_variance[j]);
        }
        noise_ = fit_camera_noise(means, variances, integer_values);
        const double factor = best_exposure_factor(levels);
        if (keep_exposure || std::abs(factor - 1) < 0.05 || round + 1 >= kExposureRounds) break;
        config_.exposure_us =
            std::clamp(config_.exposure_us * factor, min_exposure_us_, max_exposure_us_);
    }
    // The reference's mean step over all candidates (an unbiased mean of s |r|^2 since the
    // candidates were not chosen by their reference): the level the camera's noise is judged at.
    const Measurement& reference = levels.reference;
    double mean_c = 0;
    for (std::size_t j = 0; j < k; ++j) mean_c += reference.on_mean[j] - reference.off_mean[j];
    mean_c /= double(k);
    if (rounding_limited(noise_, mean_c)) schedule_ = rounding_schedule_;
    selected_ = select_pixels(levels, 1.0);
    if (selected_.empty()) {
        // No exposure keeps n_components pixels inside the bound: the brightest unsaturated.
        std::vector<std::size_t> order(k);
        std::iota(order.begin(), order.end(), std::size_t{0});
        const Measurement& ref = levels.reference;
        auto strength = [&](std::size_t j) {
            return ref.saturated[j] ? -1.0 : ref.on_mean[j] - ref.off_mean[j];
        };
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return strength(a) > strength(b); });
        selected_.assign(order.begin(), order.begin() + static_cast<long>(n_components_));
        std::sort(selected_.begin(), selected_.end());
    }
    // 3. c per pixel and the global scale from the mean over all candidates.
    if (!(mean_c > 0)) {
        throw std::runtime_error(
            "linear_transform calibration: the reference gives no signal on the camera (mean "
            "difference " +
            std::to_string(mean_c) + " DN); raise the exposure");
    }
    const double global = std::sqrt(mean_c / double(n_reference_));
    c_.clear();
    scale_.clear();
    offset_.clear();
    levels_ = LinearSignalLevels{};
    levels_.n_features = n_features_;
    levels_.feature = levels.half_intensity / (double(n_features_) / 2.0);
    for (const std::size_t j : selected_) {
        const double c = std::max(reference.on_mean[j] - reference.off_mean[j], 1e-9);
        c_.push_back(c);
        scale_.push_back(1.0 / (2.0 * std::sqrt(c) * global));
        levels_.reference.push_back(c);
        // 4. The offset h = d(p) + d(~p), from the two complementary halves.
        double h = 0;
        for (const auto& half : levels.halves) h += half.on_mean[j] - half.off_mean[j];
        offset_.push_back(h);
    }
    // Calibration terms of the budget: a mean of F frames (one when the camera is noiseless:
    // its repeated frames are identical, so averaging removes no rounding).
    const bool noisy = noise_.gain > 0 || noise_.floor > 0;
    const double frames = noisy ? double(settings_.calibration_frames) : 1.0;
    const double pair_floor = 2 * (noise_.floor + noise_.quantisation);
    reference_variance_ = (pair_floor + noise_.gain * mean_c) / frames;
    offset_variance_ =
        2 * (pair_floor + noise_.gain * (mean_c + 2 * levels.half_intensity)) / frames;
    calibrated_ = true;
    return stats;
}

RunStats LinearProjector::project(const CaptureFn& capture, const float* x, std::size_t samples,
                                  std::uint64_t* sequence, float* out) {
    const unsigned bits = settings_.bits;
    const unsigned repeats = settings_.repeats;
    const std::size_t f = layout_.n_features;
    const std::size_t k = config_.n_components;
    const std::size_t m = selected_.size();
    const double levels = std::ldexp(1.0, static_cast<int>(bits)) - 1.0;
    const std::vector<double> weights = plane_weights(bits);
    // The pairs of one vector in frame order: plane, sign, the pair's weight w_b / n_b and the
    // dither features it lights (pairs 2i and 2i + 1 of a plane, a (p, ~p) couple, share
    // couple i's; a plane's odd leftover pair lights none: h is calibrated without them).
    struct Pair {
        unsigned plane;
        int sign;
        double weight;
        std::vector<std::size_t> dither;
    };
    std::vector<Pair> pairs;
    for (unsigned b = 0; b < bits; ++b) {
        const unsigned n = schedule_.pairs[b] * repeats;
        for (unsigned i = 0; i < n; ++i) {
            const bool coupled = i + 1 < n || n % 2 == 0;
            pairs.push_back({b, schedule_.sign(b, i), weights[b] / n,
                             coupled && n_dither_ > 0 ? dither_pattern(i / 2, n_dither_)
                                                      : std::vector<std::size_t>{}});
        }
    }
    const std::size_t frames_per = 2 * pairs.size();
    const std::size_t chunk_samples =
        std::clamp<std::size_t>(kChunkValues / (frames_per * k), 1, kSamplesPerChunk);
    LinearErrorAccumulator accumulator(noise_, levels_, schedule_, repeats);

    RunStats stats;
    std::fill(out, out + samples * m, 0.0f);
    std::vector<double> encoded(n_features_);
    std::vector<std::size_t> lit(bits);
    std::vector<unsigned> quantised(n_features_);
    for (std::size_t begin = 0; begin < samples; begin += chunk_samples) {
        const std::size_t count = std::min(chunk_samples, samples - begin);
        // Samples with max |x| = 0 project to 0 and use no frames.
        std::vector<std::size_t> rows;
        std::vector<double> maxima;
        for (std::size_t i = begin; i < begin + count; ++i) {
            const float* row = x + i * n_features_;
            double peak = 0;
            for (std::size_t j = 0; j < n_features_; ++j)
                peak = std::max(peak, double(std::abs(row[j])));
            if (peak > 0) {
                rows.push_back(i);
                maxima.push_back(peak);
            }
        }
        if (rows.empty()) continue;
        const std::size_t n_frames = rows.size() * frames_per;
        std::vector<std::uint8_t> frames(n_frames * f, 0);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const float* row = x + rows[r] * n_features_;
            std::fill(lit.begin(), lit.end(), std::size_t{0});
            for (std::size_t j = 0; j < n_features_; ++j) {
                const double z = (double(row[j]) / maxima[r] + 1.0) / 2.0;
                quantised[j] = static_cast<unsigned>(std::lround(z * levels));
                encoded[j] = maxima[r] * (2.0 * quantised[j] / levels - 1.0);
                for (unsigned b = 0; b < bits; ++b) lit[b] += (quantised[j] >> (bits - 1 - b)) & 1u;
            }
            accumulator.add(row, encoded, maxima[r], lit);
            // Pair p: frame 2p with the reference on, 2p + 1 off; the plane or its complement.
            for (std::size_t p = 0; p < pairs.size(); ++p) {
                const unsigned shift = bits - 1 - pairs[p].plane;
                const unsigned flip = pairs[p].sign > 0 ? 0u : 1u;
                std::uint8_t* on = frames.data() + (r * frames_per + 2 * p) * f;
                std::uint8_t* off = on + f;
                for (std::size_t j = 0; j < n_features_; ++j) {
                    const auto bit =
                        static_cast<std::uint8_t>(((quantised[j] >> shift) & 1u) ^ flip);
                    on[j] = bit;
                    off[j] = bit;
                }
                std::fill_n(on + n_features_, n_reference_, std::uint8_t{1});
                for (const std::size_t d : pairs[p].dither) {
                    on[n_features_ + n_reference_ + d] = 1;
                    off[n_features_ + n_reference_ + d] = 1;
                }
            }
        }
        std::vector<float> values(n_frames * k);
        RunStats chunk =
            capture(config_, layout_, frames.data(), n_frames, *sequence, values.data());
        *sequence += n_frames;
        // Saturation that matters: the selected pixels of these frames (the other read-out
        // pixels are discarded).
        chunk.saturated = 0;
        for (std::size_t i = 0; i < n_frames; ++i) {
            for (const std::size_t j : selected_)
                chunk.saturated += values[i * k + j] >= full_scale_;
        }
        stats.merge(chunk);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            float* dst = out + rows[r] * m;
            for (std::size_t s = 0; s < m; ++s) {
                const std::size_t j = selected_[s];
                // sum_b w_b (2 p_b - 1) term by term: sign * (2 d - h) estimates d(p) - d(~p).
                double sum = 0;
                for (std::size_t p = 0; p < pairs.size(); ++p) {
                    const std::size_t on = (r * frames_per + 2 * p) * k + j;
                    const double d = double(values[on]) - double(values[on + k]);
                    sum += pairs[p].weight * pairs[p].sign * (2.0 * d - offset_[s]);
                }
                dst[s] = static_cast<float>(maxima[r] * sum * scale_[s]);
            }
        }
    }
    budget_ = accumulator.budget(offset_variance_, reference_variance_, frames_per_sample());
    return stats;
}

}  // namespace opusim::sdk_detail
