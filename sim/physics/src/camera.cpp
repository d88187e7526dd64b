#include "opusim/physics/camera.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace opusim::physics {
namespace {

using Philox = r123::Philox4x32;
constexpr float kTwoPi = 6.2831853071795864769f;
constexpr std::uint32_t kAllOnes = 0xFFFFFFFFu;
constexpr std::uint64_t kLaserPixel = std::numeric_limits<std::uint64_t>::max();
// Pixels handled per stage of a frame: the stages' scratch lives on the stack.
constexpr std::size_t kBlock = 256;
// Poisson inversion never needs more terms: P(N > 200) < 1e-80 for a mean below 16.
constexpr int kMaxInversionTerms = 200;

std::uint32_t low_word(std::uint64_t value) {
    return static_cast<std::uint32_t>(value);
}
std::uint32_t high_word(std::uint64_t value) {
    return static_cast<std::uint32_t>(value >> 32);
}

Philox::key_type key_of(std::uint64_t seed) {
    Philox::key_type key = {{low_word(seed), high_word(seed)}};
    return key;
}

Philox::ctr_type noise_words(const Philox::key_type& key, std::uint64_t pixel,
                             std::uint64_t frame) {
    Philox::ctr_type counter = {
        {low_word(pixel), high_word(pixel), low_word(frame), high_word(frame)}};
    return Philox()(counter, key);
}

double standard_normal_cdf(double x) {
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

template <class Out>
void check_output_type(const CameraParams& params) {
    if (sizeof(Out) == 1 && params.bits > 8) {
        throw std::invalid_argument("out: an 8-bit output buffer cannot hold " +
                                    std::to_string(params.bits) +
                                    "-bit camera frames; use a uint16 buffer");
    }
}

void check_exposure(double exposure_us) {
    if (!std::isfinite(exposure_us) || exposure_us <= 0) {
        throw std::invalid_argument("exposure_us: expected a finite number > 0, got " +
                                    std::to_string(exposure_us));
    }
}

}  // namespace

void gaussian_pair(std::uint32_t first, std::uint32_t second, float& z0, float& z1) {
    constexpr float kTwoToMinus32 = 2.3283064365386963e-10f;
    const float u0 = static_cast<float>(first) * kTwoToMinus32 + 0.5f * kTwoToMinus32;  // (0, 1]
    const float angle = kTwoPi * (static_cast<float>(second) * kTwoToMinus32);
    const float radius = std::sqrt(-2.0f * std::log(u0));
    z0 = radius * std::cos(angle);
    z1 = radius * std::sin(angle);
}

float sample_poisson(float mean, std::uint32_t uniform_word, float gaussian) {
    if (!(mean > 0)) return 0;
    if (mean < kPoissonExactBelow) {
        // Inversion: the smallest k with CDF(k) >= u.
        const double u = (static_cast<double>(uniform_word) + 0.5) * 0x1p-32;
        double term = std::exp(-static_cast<double>(mean));
        double cdf = term;
        int k = 0;
        while (u > cdf && k < kMaxInversionTerms) {
            ++k;
            term *= static_cast<double>(mean) / k;
            cdf += term;
        }
        return static_cast<float>(k);
    }
    const float root = std::sqrt(mean);
    const float corrected = gaussian + (gaussian * gaussian - 1.0f) / (6.0f * root);
    return std::max(0.0f, std::floor(mean + root * corrected + 0.5f));
}

double poisson_approximation_cdf(double mean, double k) {
    // N <= k  <=>  mean + sqrt(mean) (z + a (z^2 - 1)) < k + 1/2, a = 1 / (6 sqrt(mean)): solve the
    // quadratic a z^2 + z - (a + t) = 0 on its increasing branch (z > -1 / (2a)).
    const double root = std::sqrt(mean);
    const double a = 1.0 / (6.0 * root);
    const double t = (k + 0.5 - mean) / root;
    const double discriminant = 1.0 + 4.0 * a * (a + t);
    if (discriminant <= 0) return 0;
    return standard_normal_cdf((-1.0 + std::sqrt(discriminant)) / (2.0 * a));
}

Camera::Camera(const CameraParams& params, std::uint64_t device_seed, std::uint64_t noise_seed,
               bool noise, std::vector<std::uint64_t> pixels)
    : params_(params),
      noise_seed_(noise_seed),
      noise_(noise),
      pixels_(std::move(pixels)),
      prnu_gain_(pixels_.size(), 1.0f),
      dsnu_electrons_(pixels_.size(), 0.0f),
      max_dn_((1u << params.bits) - 1u) {
    const std::uint64_t sensor = std::uint64_t{params.width} * params.height;
    for (std::size_t i = 0; i < pixels_.size(); ++i) {
        if (pixels_[i] >= sensor) {
            throw std::invalid_argument("pixels: index " + std::to_string(pixels_[i]) + " at " +
                                        std::to_string(i) + " is outside the " +
                                        std::to_string(params.width) + " x " +
                                        std::to_string(params.height) + " sensor");
        }
    }
    if (!noise_) return;
    const Philox::key_type key = key_of(device_seed);
    const float prnu = static_cast<float>(params_.prnu_percent / 100.0);
    const float dsnu = static_cast<float>(params_.dsnu_electrons);
    for (std::size_t i = 0; i < pixels_.size(); ++i) {
        Philox::ctr_type counter = {
            {low_word(pixels_[i]), high_word(pixels_[i]), kAllOnes, kAllOnes}};
        const Philox::ctr_type words = Philox()(counter, key);
        float z_prnu = 0;
        float z_dsnu = 0;
        gaussian_pair(words.v[0], words.v[1], z_prnu, z_dsnu);
        prnu_gain_[i] = std::max(0.0f, 1.0f + prnu * z_prnu);
        dsnu_electrons_[i] = dsnu * z_dsnu;
    }
}

double Camera::laser_factor(std::uint64_t frame) const {
    if (!noise_ || params_.laser_power_fluctuation == 0) return 1.0;
    const Philox::ctr_type words = noise_words(key_of(noise_seed_), kLaserPixel, frame);
    float z = 0;
    float unused = 0;
    gaussian_pair(words.v[0], words.v[1], z, unused);
    return std::max(0.0, 1.0 + params_.laser_power_fluctuation * static_cast<double>(z));
}

template <class Out>
std::uint64_t Camera::grab_frame(const float* intensities, float photon_scale, float dark_mean,
                                 std::uint64_t frame, Out* out) const {
    const float qe = static_cast<float>(params_.quantum_efficiency);
    const float gain = static_cast<float>(params_.system_gain_dn_per_electron);
    const float offset = static_cast<float>(params_.offset_dn) + 0.5f;  // + 1/2: round by floor
    const float full_well = static_cast<float>(params_.full_well_electrons);
    const float read_noise = static_cast<float>(params_.read_noise_electrons);
    const float max_dn = static_cast<float>(max_dn_);
    const Philox::key_type key = key_of(noise_seed_);
    std::uint64_t saturated = 0;

    std::array<float, kBlock> mean{};
    std::array<std::uint32_t, kBlock> w0{};
    std::array<std::uint32_t, kBlock> w1{};
    std::array<std::uint32_t, kBlock> w2{};
    std::array<float, kBlock> z_shot{};
    std::array<float, kBlock> z_read{};
    for (std::size_t begin = 0; begin < pixels_.size(); begin += kBlock) {
        const std::size_t n = std::min(kBlock, pixels_.size() - begin);
        // Stage 1: mean electrons (photons from the intensity, or the flat field when null).
        for (std::size_t i = 0; i < n; ++i) {
            const float photons =
                intensities ? intensities[begin + i] * photon_scale : photon_scale;
            mean[i] = noise_ ? qe * photons * prnu_gain_[begin + i] + dark_mean
                             : qe * photons + dark_mean;
        }
        if (!noise_) {
            for (std::size_t i = 0; i < n; ++i) {
                const float electrons = std::min(mean[i], full_well);
                const float dn = std::clamp(std::floor(gain * electrons + offset), 0.0f, max_dn);
                out[begin + i] = static_cast<Out>(dn);
                saturated += dn == max_dn ? 1u : 0u;
            }
            continue;
        }
        // Stage 2: counter-based random words of (frame, pixel).
        for (std::size_t i = 0; i < n; ++i) {
            const Philox::ctr_type words = noise_words(key, pixels_[begin + i], frame);
            w0[i] = words.v[0];
            w1[i] = words.v[1];
            w2[i] = words.v[2];
        }
        // Stage 3: Gaussians for the shot-noise approximation and the read noise.
        for (std::size_t i = 0; i < n; ++i) gaussian_pair(w0[i], w1[i], z_shot[i], z_read[i]);
        // Stage 4: electrons -> digital numbers.
        for (std::size_t i = 0; i < n; ++i) {
            float electrons = sample_poisson(mean[i], w2[i], z_shot[i]);
            electrons += dsnu_electrons_[begin + i] + read_noise * z_read[i];
            electrons = std::min(electrons, full_well);
            const float dn = std::clamp(std::floor(gain * electrons + offset), 0.0f, max_dn);
            out[begin + i] = static_cast<Out>(dn);
            saturated += dn == max_dn ? 1u : 0u;
        }
    }
    return saturated;
}

template <class Out>
GrabStats Camera::grab_frames(const float* intensities, double flat_photons, std::size_t n_frames,
                              std::uint64_t first_frame, double exposure_us,
                              double photons_per_unit_intensity_per_us, Out* out) const {
    check_output_type<Out>(params_);
    check_exposure(exposure_us);
    const float dark_mean =
        static_cast<float>(params_.dark_current_electrons_per_s * exposure_us * 1e-6);
    GrabStats stats;
    for (std::size_t f = 0; f < n_frames; ++f) {
        const std::uint64_t frame = first_frame + f;
        const float photon_scale =
            intensities ? static_cast<float>(exposure_us * photons_per_unit_intensity_per_us *
                                             laser_factor(frame))
                        : static_cast<float>(flat_photons);
        const float* row = intensities ? intensities + f * pixels_.size() : nullptr;
        stats.saturated +=
            grab_frame(row, photon_scale, dark_mean, frame, out + f * pixels_.size());
    }
    return stats;
}

namespace {
void check_photon_scale(double photons_per_unit_intensity_per_us) {
    if (!std::isfinite(photons_per_unit_intensity_per_us) ||
        photons_per_unit_intensity_per_us <= 0) {
        throw std::invalid_argument(
            "photons_per_unit_intensity_per_us: expected a finite number > 0, got " +
            std::to_string(photons_per_unit_intensity_per_us));
    }
}
void check_flat_photons(double photons) {
    if (!std::isfinite(photons) || photons < 0) {
        throw std::invalid_argument("photons: expected a finite number >= 0, got " +
                                    std::to_string(photons));
    }
}
}  // namespace

GrabStats Camera::grab(const float* intensities, std::size_t n_frames, std::uint64_t first_frame,
                       double exposure_us, double photons_per_unit_intensity_per_us,
                       std::uint16_t* out) const {
    check_photon_scale(photons_per_unit_intensity_per_us);
    return grab_frames(intensities, 0.0, n_frames, first_frame, exposure_us,
                       photons_per_unit_intensity_per_us, out);
}

GrabStats Camera::grab(const float* intensities, std::size_t n_frames, std::uint64_t first_frame,
                       double exposure_us, double photons_per_unit_intensity_per_us,
                       std::uint8_t* out) const {
    check_photon_scale(photons_per_unit_intensity_per_us);
    return grab_frames(intensities, 0.0, n_frames, first_frame, exposure_us,
                       photons_per_unit_intensity_per_us, out);
}

GrabStats Camera::grab_flat_field(double photons, std::size_t n_frames, std::uint64_t first_frame,
                                  double exposure_us, std::uint16_t* out) const {
    check_flat_photons(photons);
    return grab_frames(static_cast<const float*>(nullptr), photons, n_frames, first_frame,
                       exposure_us, 1.0, out);
}

GrabStats Camera::grab_flat_field(double photons, std::size_t n_frames, std::uint64_t first_frame,
                                  double exposure_us, std::uint8_t* out) const {
    check_flat_photons(photons);
    return grab_frames(static_cast<const float*>(nullptr), photons, n_frames, first_frame,
                       exposure_us, 1.0, out);
}

}  // namespace opusim::physics
