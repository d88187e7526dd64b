// Linear mode: a real Gaussian projection M x recovered from intensity frames only
// (docs/sdk.md "Linear transform"; docs/reference/device.md §5). Internal to the SDK.
//
// Layout: the signal's n features and n_ref reference features share one input layout (the
// reference after the signal). With the reference on, a pixel sees y1 = s|u + r + L|^2; with it
// off, y0 = s|u + L|^2 (u the signal field, r the reference field, L the constant leakage of the
// off mirrors, s the camera's DN per unit intensity). Their difference is
//   y1 - y0 = c + 2 s Re(conj(r) u),   c = s(|r|^2 + 2 Re(conj(r) L)),
// c measured once with the signal off. Dividing by 2 sqrt(c) and by the global scale
// sqrt(mean c / n_ref) gives Re(e^{-i arg r} C x) / sqrt(replication): entries N(0, 1/2).
//
// Real inputs: each sample is scaled by its max |x|, shifted to z = (x/max + 1)/2 in [0, 1] and
// quantised to `bits` bits, so x/max = sum_b w_b (2 p_b - 1) over its bit-planes p_b. A plane is
// shown as (reference on, off) frame pairs, d = y_on - y_off = c + 2 s Re(conj(r) C p), either
// as p or as its complement ~p: d(p) - d(~p) = 2 s Re(conj(r) C (2 p - 1)), so a plane's pairs
// alternate p, ~p and c cancels; a plane with an odd count leaves one pair, completed with the
// calibrated offset h = d(p) + d(~p) = d(half 1) + d(half 2) (the signs are chosen so these
// leftovers cancel across planes: linear_noise_model.hpp). The pairs are spread over the planes
// by weight (linear.plane_pairs: more on the significant planes, where the noise counts most).
// Repeated couples of a plane light distinct subsets of a few dither features (after the
// reference; linear_dither.hpp) in all their frames, so a noiseless camera's rounding errors
// decorrelate; leftover single pairs light none (h is calibrated without them).
// Pixels and exposure: the ROI holds candidates_per_output x n_components pixels; the exposure
// and the n_components pixels are those the derived error (linear_noise_model.hpp) says are
// best, among the pixels whose brightest plausible frame stays below full scale.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "frame_runner.hpp"
#include "linear_noise_model.hpp"
#include "opusim/contract/input_layout.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/opu.hpp"

namespace opusim::sdk_detail {

// Runs N frames of feature bits under CONFIG (layout LAYOUT) from noise sequence FIRST_SEQUENCE.
using CaptureFn = std::function<RunStats(
    const driver::DeviceConfig& config, const contract::InputLayout& layout,
    const std::uint8_t* features, std::size_t n, std::uint64_t first_sequence, float* out)>;

// The input layout of N_FEATURES DMD features read out through ROI (the Opu's input ROI
// strategy, auto resolved through the device).
using LayoutMaker =
    std::function<contract::InputLayout(std::uint64_t n_features, const contract::OutputRoi& roi)>;

class LinearProjector {
  public:
    LinearProjector(const LinearSettings& settings, const driver::Device& device,
                    std::size_t n_features, std::size_t n_components,
                    const LayoutMaker& make_layout, driver::DeviceConfig base);

    // Measures the reference, chooses the exposure (starting at EXPOSURE_US; kept when
    // KEEP_EXPOSURE, the user's fixed exposure) and the pixels, and M 1. Frames use sequence
    // numbers from *CALIBRATION_SEQUENCE on (advanced).
    RunStats calibrate(const CaptureFn& capture, double exposure_us,
                       std::uint64_t* calibration_sequence, bool keep_exposure = false);
    bool calibrated() const { return calibrated_; }

    // SAMPLES rows of N_FEATURES finite floats -> SAMPLES x n_components into OUT. Frames use
    // sequence numbers from *SEQUENCE on (advanced by the frames used).
    RunStats project(const CaptureFn& capture, const float* x, std::size_t samples,
                     std::uint64_t* sequence, float* out);

    const driver::DeviceConfig& config() const { return config_; }
    const contract::InputLayout& layout() const { return layout_; }
    std::size_t n_reference() const { return n_reference_; }
    std::size_t n_dither() const { return n_dither_; }
    std::vector<std::uint64_t> output_pixels() const;
    std::size_t frames_per_sample() const {
        return 2 * schedule_.total_pairs() * settings_.repeats;
    }
    // frames_per_sample() is plane_pairs' until calibrate() finds a rounding-limited camera.
    // The derived error of the last project() call's outputs (linear_noise_model.hpp).
    const LinearErrorBudget& error_budget() const { return budget_; }
    const CameraNoise& camera_noise() const { return noise_; }

  private:
    struct Measurement {
        std::vector<double> on_mean;  // per candidate pixel
        std::vector<double> off_mean;
        std::vector<double> on_variance;  // temporal, per candidate pixel
        std::vector<double> off_variance;
        std::vector<bool> saturated;  // any on-frame value at full scale
        RunStats stats;
    };
    // The reference alone and the two half patterns at the current exposure.
    struct Levels {
        Measurement reference;
        Measurement halves[2];
        double half_intensity = 0;  // mean over candidates of a half-lit signal's s|u|^2, DN
    };
    Levels measure_levels(const CaptureFn& capture, std::uint64_t* sequence, RunStats* stats);
    // The exposure factor (relative to the current exposure) the derived error prefers, and the
    // pixels it selects at it.
    double best_exposure_factor(const Levels& levels) const;
    std::vector<std::size_t> select_pixels(const Levels& levels, double factor) const;
    // CALIBRATION_FRAMES frames of SIGNAL with the reference on, then as many with it off.
    Measurement measure(const CaptureFn& capture, const std::vector<std::uint8_t>& signal,
                        std::uint64_t* sequence);

    LinearSettings settings_;
    std::size_t n_features_;
    std::size_t n_components_;
    std::size_t n_reference_;
    std::size_t n_dither_ = 0;    // dither features after the reference (0: ideal intensities)
    std::size_t dither_lit_ = 0;  // the most dither features a couple lights
    float full_scale_;  // the camera's largest value; infinite for float intensities (ideal)
    double min_exposure_us_;
    double max_exposure_us_;
    contract::InputLayout layout_;
    contract::OutputRoi candidates_;
    driver::DeviceConfig config_;
    bool calibrated_ = false;
    std::vector<std::size_t> selected_;  // candidate indices, ascending
    std::vector<double> c_;              // per selected pixel
    std::vector<double> offset_;         // h per selected pixel, DN
    std::vector<double> scale_;          // per selected pixel: DN -> projection units
    PlaneSchedule schedule_;             // in use
    PlaneSchedule rounding_schedule_;    // linear.rounding_plane_pairs (rounding-limited camera)
    CameraNoise noise_;
    LinearSignalLevels levels_;
    double offset_variance_ = 0;     // of h, DN^2 (calibration term)
    double reference_variance_ = 0;  // of c, DN^2
    LinearErrorBudget budget_;
};

}  // namespace opusim::sdk_detail
