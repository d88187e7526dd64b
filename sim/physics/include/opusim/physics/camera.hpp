// The camera: the EMVA 1288 linear model (docs/device-physics.md "Camera (EMVA 1288)").
//
// One grab turns the mean photon count of each pixel into digital numbers, in this fixed order:
//   1. photons     mu_p = intensity x exposure_us x photons_per_unit_intensity_per_us x laser_f,
//                  laser_f = max(0, 1 + laser_power_fluctuation x N(0,1)), one draw per frame
//                  (the flat-field entry point takes mu_p directly, from a stable source: no
//                  laser_f)
//   2. PRNU        mu_e = QE x mu_p x g_j,  g_j = 1 + prnu_percent/100 x N(0,1), fixed per device
//   seed
//   3. shot + dark electrons = Poisson(mu_e + dark_current x exposure)  (one draw: the sum of two
//                  independent Poisson counts is Poisson; see sample_poisson for the method)
//   4. DSNU        + d_j,  d_j = dsnu_electrons x N(0,1), fixed per device seed
//   5. read noise  + read_noise_electrons x N(0,1)
//   6. full well   electrons = min(electrons, full_well)
//   7. ADC         DN = round(K x electrons + offset), clipped to [0, 2^bits - 1]; a pixel at
//                  2^bits - 1 counts as saturated
// Noise off: DN = clip(round(K x min(QE x mu_p + dark_current x exposure, full_well) + offset)):
// the expectation of an ideal sensor, without temporal noise, laser fluctuation, PRNU or DSNU.
//
// Random numbers: Philox4x32-10 (Random123).
//   temporal noise of (frame, pixel): key = noise seed, counter = (pixel lo, pixel hi, frame lo,
//     frame hi); words 0, 1 -> Box-Muller pair (shot-noise Gaussian, read-noise Gaussian),
//     word 2 -> uniform for the exact Poisson inversion.
//   laser of a frame: the same with pixel = 2^64 - 1 (not a camera pixel).
//   PRNU/DSNU of a pixel: key = device seed, counter = (pixel lo, pixel hi, 2^32-1, 2^32-1);
//     Box-Muller pair (PRNU, DSNU).
// Results are pure functions of (seeds, frame sequence number, pixel): batching never changes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "opusim/physics/profile.hpp"

namespace opusim::physics {

// Below this mean Poisson counts are drawn exactly (inversion of the CDF from one uniform);
// from it on by the Cornish-Fisher-corrected rounded Gaussian
//   N = max(0, round(mu + sqrt(mu) (z + (z^2 - 1) / (6 sqrt(mu))))).
// The skewness term removes the O(1/sqrt(mu)) error of a plain Gaussian: the Kolmogorov distance
// to Poisson(mu) is below kPoissonApproximationError / mu (0.0137 / mu measured at mu = 16,
// falling to 0.0118 / mu at mu = 1000; a plain rounded Gaussian is 0.066 / sqrt(mu)).
constexpr double kPoissonExactBelow = 16;
constexpr double kPoissonApproximationError = 0.016;
// The largest flat-field photon count per pixel: every pixel saturates many decades below it, and
// the float pipeline (mean electrons, Poisson spread) would overflow to inf/NaN near 1e38.
constexpr double kMaxFlatPhotons = 1e15;

// One Poisson(MEAN) count from a uniform word (used below kPoissonExactBelow) and a standard
// normal GAUSSIAN (used from it on).
float sample_poisson(float mean, std::uint32_t uniform_word, float gaussian);
// The CDF P(N <= k) of the approximation sample_poisson uses for MEAN >= kPoissonExactBelow
// (for tests of the stated error).
double poisson_approximation_cdf(double mean, double k);

// Two independent N(0, 1) from two Philox words (Box-Muller on (w + 1/2) / 2^32).
void gaussian_pair(std::uint32_t first, std::uint32_t second, float& z0, float& z1);

struct GrabStats {
    std::uint64_t saturated = 0;  // pixels at the ADC maximum, over all frames of the grab
};

class Camera {
  public:
    // PIXELS: camera pixel indices (y * width + x) of the output ROI, in output order. DEVICE_SEED
    // fixes the PRNU and DSNU maps; NOISE_SEED keys the temporal noise. NOISE false: noiseless.
    // Throws std::invalid_argument naming `pixels` for an index outside the sensor.
    Camera(const CameraParams& params, std::uint64_t device_seed, std::uint64_t noise_seed,
           bool noise, std::vector<std::uint64_t> pixels);

    std::size_t n_pixels() const { return pixels_.size(); }
    const std::vector<std::uint64_t>& pixels() const { return pixels_; }
    std::uint32_t max_dn() const { return max_dn_; }
    const CameraParams& params() const { return params_; }
    bool noise() const { return noise_; }

    // Frames FIRST_FRAME, FIRST_FRAME + 1, ... from optical INTENSITIES (row-major
    // n_frames x n_pixels, units E|R|^2 = 1) into OUT (n_frames x n_pixels). uint8 output needs
    // an 8-bit camera (std::invalid_argument otherwise).
    GrabStats grab(const float* intensities, std::size_t n_frames, std::uint64_t first_frame,
                   double exposure_us, double photons_per_unit_intensity_per_us,
                   std::uint16_t* out) const;
    GrabStats grab(const float* intensities, std::size_t n_frames, std::uint64_t first_frame,
                   double exposure_us, double photons_per_unit_intensity_per_us,
                   std::uint8_t* out) const;

    // Flat field (EMVA 1288 measurement setup, medium bypassed): PHOTONS per pixel per exposure
    // from a stable source (no laser fluctuation).
    GrabStats grab_flat_field(double photons, std::size_t n_frames, std::uint64_t first_frame,
                              double exposure_us, std::uint16_t* out) const;
    GrabStats grab_flat_field(double photons, std::size_t n_frames, std::uint64_t first_frame,
                              double exposure_us, std::uint8_t* out) const;

    // Worker threads of a grab (frames run in parallel; results never depend on it). 0, the
    // default, means std::thread::hardware_concurrency().
    void set_threads(unsigned threads) { threads_ = threads; }

    // The laser power factor of a frame (1 in noiseless mode).
    double laser_factor(std::uint64_t frame) const;
    // Fixed-pattern maps of the ROI pixels (all 1 / 0 in noiseless mode).
    const std::vector<float>& prnu_gain() const { return prnu_gain_; }
    const std::vector<float>& dsnu_electrons() const { return dsnu_electrons_; }

  private:
    template <class Out>
    GrabStats grab_intensities(const float* intensities, std::size_t n_frames,
                               std::uint64_t first_frame, double exposure_us,
                               double photons_per_unit_intensity_per_us, Out* out) const;
    template <class Out>
    GrabStats grab_frames(const float* intensities, double flat_photons, std::size_t n_frames,
                          std::uint64_t first_frame, double exposure_us,
                          double photons_per_unit_intensity_per_us, Out* out) const;
    template <class Out>
    std::uint64_t grab_frame(const float* intensities, float photon_scale, float dark_mean,
                             std::uint64_t frame, Out* out) const;

    CameraParams params_;
    std::uint64_t noise_seed_;
    bool noise_;
    std::vector<std::uint64_t> pixels_;
    std::vector<float> prnu_gain_;
    std::vector<float> dsnu_electrons_;
    std::uint32_t max_dn_;
    unsigned threads_ = 0;
};

}  // namespace opusim::physics
