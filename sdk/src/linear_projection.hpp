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
// Real inputs: each sample is scaled by its max |x|, shifted to z = (x/max + 1)/2 in [0, 1],
// quantised to `bits` bits and shown bit-plane by bit-plane (2 frames a plane: reference on and
// off); M x = max * (2 M z - M 1), with M 1 measured at calibration. Pixels: the ROI holds
// candidates_per_output x n_components pixels; the n_components with the brightest reference are
// kept (dim-reference pixels are noisy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "frame_runner.hpp"
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

    // Measures the reference, chooses the exposure (starting at EXPOSURE_US) and the pixels,
    // and M 1. Frames use sequence numbers from *CALIBRATION_SEQUENCE on (advanced).
    RunStats calibrate(const CaptureFn& capture, double exposure_us,
                       std::uint64_t* calibration_sequence);
    bool calibrated() const { return calibrated_; }

    // SAMPLES rows of N_FEATURES finite floats -> SAMPLES x n_components into OUT. Frames use
    // sequence numbers from *SEQUENCE on (advanced by the frames used).
    RunStats project(const CaptureFn& capture, const float* x, std::size_t samples,
                     std::uint64_t* sequence, float* out);

    const driver::DeviceConfig& config() const { return config_; }
    const contract::InputLayout& layout() const { return layout_; }
    std::size_t n_reference() const { return n_reference_; }
    std::vector<std::uint64_t> output_pixels() const;
    std::size_t frames_per_sample() const {
        return 2 * std::size_t{settings_.bits} * settings_.repeats;
    }

  private:
    struct Measurement {
        std::vector<double> on_mean;  // per candidate pixel
        std::vector<double> off_mean;
        std::vector<bool> saturated;  // any on-frame value at full scale
        RunStats stats;
    };
    // CALIBRATION_FRAMES frames of SIGNAL with the reference on, then as many with it off.
    Measurement measure(const CaptureFn& capture, const std::vector<std::uint8_t>& signal,
                        std::uint64_t* sequence);

    LinearSettings settings_;
    std::size_t n_features_;
    std::size_t n_components_;
    std::size_t n_reference_;
    float full_scale_;  // the camera's largest value; infinite for float intensities (ideal)
    double min_exposure_us_;
    double max_exposure_us_;
    contract::InputLayout layout_;
    contract::OutputRoi candidates_;
    driver::DeviceConfig config_;
    bool calibrated_ = false;
    std::vector<std::size_t> selected_;  // candidate indices, ascending
    std::vector<double> c_;              // per selected pixel
    std::vector<double> m_ones_;         // per selected pixel, DN units
    std::vector<double> scale_;          // per selected pixel: DN -> projection units
};

}  // namespace opusim::sdk_detail
