#include "linear_projection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "opusim/contract/dmd_format.hpp"

namespace opusim::sdk_detail {

namespace {

// Exposure rule (calibrate, step 3): the brightest plausible frame at a selected pixel sits at
// kFullScaleTarget of full scale, "plausible" meaning the signal intensity at kSignalTail times
// its mean (exceeded with probability e^-4.6 = 1 % per pixel and frame for fully developed
// speckle).
constexpr double kFullScaleTarget = 0.9;
constexpr double kSignalTail = 4.6;
// Samples per capture call, to bound the memory of the candidate frames.
constexpr std::size_t kSamplesPerChunk = 256;

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
    if (settings.calibration_frames < 1) {
        throw std::invalid_argument("linear.calibration_frames must be >= 1");
    }
    n_reference_ = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(settings.reference_ratio * double(n_features))));
    const contract::DmdGeometry& dmd = device.info().dmd;
    if (n_features + n_reference_ > dmd.mirrors()) {
        throw std::invalid_argument("linear_transform: n_features " + std::to_string(n_features) +
                                    " plus " + std::to_string(n_reference_) +
                                    " reference features exceed the DMD's " +
                                    std::to_string(dmd.mirrors()) + " mirrors");
    }
    const contract::SensorGeometry& camera = device.info().sensor;
    const std::uint64_t wanted = std::uint64_t{n_components} * settings.candidates_per_output;
    const std::uint64_t available = contract::max_output_components(camera);
    // Fewer candidates than asked when the sensor is small (at least n_components); and every
    // pixel of the ROI rows that are read out anyway (readout costs rows, not pixels).
    const contract::OutputRoi asked = contract::make_output_roi(
        camera, std::max<std::uint64_t>(n_components, std::min(wanted, available)));
    candidates_ = contract::make_output_roi(
        camera, std::min<std::uint64_t>(available, std::uint64_t{asked.width} * asked.height));
    layout_ = make_layout(n_features + n_reference_, candidates_);
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
    return m;
}

RunStats LinearProjector::calibrate(const CaptureFn& capture, double exposure_us,
                                    std::uint64_t* calibration_sequence) {
    RunStats stats;
    const std::size_t k = config_.n_components;
    const std::vector<std::uint8_t> dark(layout_.n_features, 0);
    std::vector<std::uint8_t> halves[2];
    for (int half = 0; half < 2; ++half) {
        halves[half].assign(layout_.n_features, 0);
        for (std::size_t f = 0; f < n_features_; ++f)
            halves[half][f] = (f % 2) == std::size_t(half);
    }
    config_.exposure_us = exposure_us;
    // 1. The reference alone, at decreasing exposure until (almost) no candidate saturates.
    Measurement reference;
    for (int attempt = 0;; ++attempt) {
        reference = measure(capture, dark, calibration_sequence);
        stats.merge(reference.stats);
        const auto saturated =
            std::count(reference.saturated.begin(), reference.saturated.end(), true);
        const bool at_floor = config_.exposure_us <= min_exposure_us_ * 1.0001;
        if (double(saturated) <= 0.01 * double(k) || at_floor || attempt >= 8) break;
        config_.exposure_us = std::max(min_exposure_us_, config_.exposure_us / 4);
    }
    // 2. The n_components candidates with the brightest unsaturated reference.
    std::vector<std::size_t> order(k);
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto strength = [&](std::size_t j) {
        return reference.saturated[j] ? -1.0 : reference.on_mean[j] - reference.off_mean[j];
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return strength(a) > strength(b); });
    selected_.assign(order.begin(), order.begin() + static_cast<long>(n_components_));
    std::sort(selected_.begin(), selected_.end());
    // 3. The exposure: the brightest plausible frame at a selected pixel, (|r| + |u|)^2 with |u|^2
    //    at kSignalTail times the mean intensity of a half-lit signal (an exponential exceeds it
    //    with probability e^-kSignalTail), sits at kFullScaleTarget of full scale. Iterated since
    //    the measurements are redone at the new exposure.
    Measurement half_measurements[2];
    for (int attempt = 0;; ++attempt) {
        if (attempt > 0) {
            reference = measure(capture, dark, calibration_sequence);
            stats.merge(reference.stats);
        }
        double mean_signal = 0;  // mean over candidates of s |u|^2 for a half-lit signal
        for (int half = 0; half < 2; ++half) {
            half_measurements[half] = measure(capture, halves[half], calibration_sequence);
            stats.merge(half_measurements[half].stats);
            for (std::size_t j = 0; j < k; ++j) {
                mean_signal += half_measurements[half].off_mean[j] - reference.off_mean[j];
            }
        }
        mean_signal = std::max(mean_signal / double(2 * k), 0.0);
        double scale = std::numeric_limits<double>::infinity();
        for (const std::size_t j : selected_) {
            const double r2 = std::max(reference.on_mean[j] - reference.off_mean[j], 0.0);
            const double peak = std::pow(std::sqrt(r2) + std::sqrt(kSignalTail * mean_signal), 2);
            const double room = kFullScaleTarget * full_scale_ - reference.off_mean[j];
            if (peak > 0 && room > 0) scale = std::min(scale, room / peak);
        }
        if (!std::isfinite(scale) || std::abs(scale - 1) < 0.1 || attempt >= 4) break;
        const double wanted =
            std::clamp(config_.exposure_us * scale, min_exposure_us_, max_exposure_us_);
        if (std::abs(wanted / config_.exposure_us - 1) < 0.01) break;  // at a limit
        config_.exposure_us = wanted;
    }
    // 4. c per pixel and the global scale from the mean over all candidates (an unbiased mean
    //    of s |r|^2 since the candidates were not chosen by their reference).
    double mean_c = 0;
    for (std::size_t j = 0; j < k; ++j) mean_c += reference.on_mean[j] - reference.off_mean[j];
    mean_c /= double(k);
    if (!(mean_c > 0)) {
        throw std::runtime_error(
            "linear_transform calibration: the reference gives no signal on the camera (mean "
            "difference " +
            std::to_string(mean_c) + " DN); raise the exposure");
    }
    const double global = std::sqrt(mean_c / double(n_reference_));
    c_.clear();
    scale_.clear();
    for (const std::size_t j : selected_) {
        const double c = std::max(reference.on_mean[j] - reference.off_mean[j], 1e-9);
        c_.push_back(c);
        scale_.push_back(1.0 / (2.0 * std::sqrt(c) * global));
    }
    // 5. M 1 in DN units, as the sum over the two complementary halves (each lighting about half
    //    the signal, like a typical bit-plane, so it does not saturate where 1 would).
    m_ones_.assign(selected_.size(), 0.0);
    for (const auto& h : half_measurements) {
        for (std::size_t s = 0; s < selected_.size(); ++s) {
            const std::size_t j = selected_[s];
            m_ones_[s] += h.on_mean[j] - h.off_mean[j] - c_[s];
        }
    }
    calibrated_ = true;
    return stats;
}

RunStats LinearProjector::project(const CaptureFn& capture, const float* x, std::size_t samples,
                                  std::uint64_t* sequence, float* out) {
    const unsigned bits = settings_.bits;
    const std::size_t f = layout_.n_features;
    const std::size_t k = config_.n_components;
    const std::size_t m = selected_.size();
    const double levels = double((1u << bits) - 1u);
    std::vector<double> weights(bits);
    for (unsigned b = 0; b < bits; ++b) weights[b] = double(1u << (bits - 1 - b)) / levels;

    RunStats stats;
    std::fill(out, out + samples * m, 0.0f);
    for (std::size_t begin = 0; begin < samples; begin += kSamplesPerChunk) {
        const std::size_t count = std::min(kSamplesPerChunk, samples - begin);
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
        const unsigned repeats = settings_.repeats;
        const std::size_t frames_per = 2 * std::size_t{bits} * repeats;
        const std::size_t n_frames = rows.size() * frames_per;
        std::vector<std::uint8_t> frames(n_frames * f, 0);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const float* row = x + rows[r] * n_features_;
            for (std::size_t j = 0; j < n_features_; ++j) {
                const double z = (double(row[j]) / maxima[r] + 1.0) / 2.0;
                const auto q = static_cast<unsigned>(std::lround(z * levels));
                // Pair p = b * repeats + t: frame 2p with the reference on, 2p + 1 off.
                for (std::size_t p = 0; p < std::size_t{bits} * repeats; ++p) {
                    const std::size_t b = p / repeats;
                    const std::uint8_t bit = (q >> (bits - 1 - b)) & 1u;
                    frames[(r * frames_per + 2 * p) * f + j] = bit;
                    frames[(r * frames_per + 2 * p + 1) * f + j] = bit;
                }
            }
            for (std::size_t p = 0; p < std::size_t{bits} * repeats; ++p) {
                std::fill_n(
                    frames.begin() + static_cast<long>((r * frames_per + 2 * p) * f + n_features_),
                    n_reference_, 1);
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
                double mz = 0;
                for (std::size_t p = 0; p < std::size_t{bits} * repeats; ++p) {
                    const std::size_t on = (r * frames_per + 2 * p) * k + j;
                    const std::size_t off = on + k;
                    mz += weights[p / repeats] / repeats *
                          (double(values[on]) - double(values[off]) - c_[s]);
                }
                dst[s] = static_cast<float>(maxima[r] * (2.0 * mz - m_ones_[s]) * scale_[s]);
            }
        }
    }
    return stats;
}

}  // namespace opusim::sdk_detail
