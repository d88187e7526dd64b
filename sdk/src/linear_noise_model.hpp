// The linear mode's derived error (docs/device-physics.md "Linear mode: noise limit"). Internal
// to the SDK.
//
// One output j of one sample x is max|x| * scale_j * sum_b w_b D_b, with D_b the estimate of
// d(p_b) - d(~p_b) = 2 s Re(conj(r_j) C (2 p_b - 1)) for bit-plane p_b of weight w_b, averaged
// over the n_b (reference on, off) frame pairs the plane gets (linear_projection.hpp). Every
// frame y carries independent temporal noise (the camera model: shot, read and dark noise, the
// laser's frame-to-frame power, ADC rounding), so with d = y_on - y_off
//   var(sum_b w_b D_b) = sum_b (w_b / n_b)^2 sum_(pairs of b) 4 (var y_on + var y_off)
//   var y = floor + quantisation + gain (E y - dark) + laser^2 E[(y - dark)^2]
// and the signal's variance over the medium's Gaussian rows is 2 R_j u1 |x|^2 / max^2
// (R_j the pixel's reference intensity, u1 a lit feature's mean intensity, both in DN). The
// camera's noise parameters are measured by photon transfer on the calibration frames (the SDK
// knows nothing of the simulator). The relative error of output j is the ratio of the two; the
// encoding's own rounding (x against its bit-plane value) adds |x - x_encoded|^2 / |x|^2.
#pragma once

#include <cstddef>
#include <vector>

#include "opusim/context.hpp"

namespace opusim::sdk_detail {

// w_b = 2^(bits - 1 - b) / (2^bits - 1): plane 0 is the most significant; the weights sum to 1.
std::vector<double> plane_weights(unsigned bits);

// How the frame pairs of one vector are spread over its bit-planes.
struct PlaneSchedule {
    std::vector<unsigned> pairs;  // per plane (>= 1)
    // Sign of each plane's first pair: +1 shows the plane p, -1 its complement ~p; the pairs of
    // a plane alternate, so a plane with an even count needs no calibrated offset.
    std::vector<int> first_sign;
    // sum_b w_b (mean sign of plane b's pairs): the weight of the calibrated offset h in an
    // output (odd counts leave one sign over; the signs are chosen to cancel across planes).
    double offset_weight = 0;
    std::size_t total_pairs() const;
    // The sign of pair PAIR (0, 1, ... over the plane's pairs, repeats included) of PLANE.
    int sign(std::size_t plane, unsigned pair) const {
        return pair % 2 == 0 ? first_sign[plane] : -first_sign[plane];
    }
};

// TOTAL_PAIRS (>= BITS) pairs over BITS planes: one each, then one at a time to the plane whose
// variance term w_b^2 / n_b falls most (this minimises sum_b w_b^2 / n_b, the noise of an output
// when every pair has the same noise).
PlaneSchedule schedule_planes(unsigned bits, unsigned total_pairs);

// The camera's temporal noise in DN^2, var y = floor + quantisation + gain (y - dark) +
// laser^2 (y - dark)^2, from photon transfer (fit_camera_noise).
struct CameraNoise {
    double gain = 0;          // DN^2 per DN above dark: the system gain K (DN per electron)
    double floor = 0;         // read and dark noise, DN^2
    double quantisation = 0;  // ADC rounding, DN^2 per frame: 1/12 for integer values, 0 else
    double laser = 0;         // relative rms of the power from frame to frame
};

// True when the ADC's rounding is the largest part of a frame's temporal variance at LEVEL DN
// above dark (a camera without temporal noise: its repeated frames are identical). The scheme
// then spends linear.rounding_plane_pairs: only more (dithered) frames average rounding down.
bool rounding_limited(const CameraNoise& noise, double level);

// Least squares of VARIANCE = a + b m + c m^2 over the pixels' (mean above dark m, temporal
// variance) pairs; floor = a minus the quantisation (which the lit frames' variance includes),
// clamped at 0. INTEGER_VALUES: the camera rounds (quantisation 1/12 DN^2, also when the
// camera is noiseless: the scheme's changing intensities make the rounding error behave as
// uniform noise).
CameraNoise fit_camera_noise(const std::vector<double>& mean_above_dark,
                             const std::vector<double>& variance, bool integer_values);

// The per-pixel and per-feature intensities the model needs, at the working exposure.
struct LinearSignalLevels {
    std::vector<double> reference;  // R_j of each selected pixel, DN
    double feature = 0;             // u1: a lit feature's mean intensity, DN
    std::size_t n_features = 0;
};

// Accumulates the derived error over the samples of one call.
class LinearErrorAccumulator {
  public:
    LinearErrorAccumulator(const CameraNoise& noise, const LinearSignalLevels& levels,
                           const PlaneSchedule& schedule, unsigned repeats);
    // One sample: its floats X, its encoded values X_ENCODED, max |x|, and the lit signal
    // features of each plane (LIT[b]).
    void add(const float* x, const std::vector<double>& x_encoded, double max_abs,
             const std::vector<std::size_t>& lit);
    // The budget of the samples added. OFFSET_VARIANCE, REFERENCE_VARIANCE: the variance (DN^2)
    // of the calibrated offset h and of the reference R_j, for the calibration term.
    LinearErrorBudget budget(double offset_variance, double reference_variance,
                             std::size_t frames_per_vector) const;

  private:
    double offset_weight() const;  // sum_b w_b (mean sign of plane b's pairs, repeats included)

    CameraNoise noise_;
    LinearSignalLevels levels_;
    PlaneSchedule schedule_;
    unsigned repeats_;
    std::vector<double> weights_;
    double inverse_reference_sum_ = 0;  // sum_j 1 / R_j
    double reference_sum_ = 0;          // sum_j R_j
    // Sums over samples of the noise energy (relative to |x|^2, times |x|^2) by source, and of
    // |x|^2; encoding: |x - x_encoded|^2.
    double shot_ = 0, floor_ = 0, quantisation_ = 0, laser_ = 0, encoding_ = 0;
    double offset_ = 0;  // sum over samples of max^2 / (2 u1) (times the offset's variance)
    double signal_ = 0;
};

// The limit: the root sum of squares of the per-frame terms and the encoding.
double error_limit(const LinearErrorBudget& budget);

}  // namespace opusim::sdk_detail
