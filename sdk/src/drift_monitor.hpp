// Drift detection for the linear mode (docs/sdk.md "Linear transform", docs/device-physics.md
// "Medium drift"): a few fixed reference frames shown right after a calibration and again between
// jobs. The device's fields at the two moments have correlation rho; the intensity correlation of
// the same frames is rho^2, attenuated by the camera noise by the factor measured from two
// back-to-back showings at calibration. The estimate sqrt(1 - rho^2) is the relative size of the
// part of the fields that changed since the calibration. Only device frames are used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "frame_runner.hpp"
#include "linear_projection.hpp"

namespace opusim::sdk_detail {

class DriftMonitor {
  public:
    // Shows the reference frames twice (the calibration's frames and the noise floor).
    RunStats baseline(const CaptureFn& capture, const driver::DeviceConfig& config,
                      const contract::InputLayout& layout, std::uint64_t* sequence);
    bool has_baseline() const { return !baseline_.empty(); }

    // Shows the reference frames once; *ESTIMATE gets the drift estimate since the baseline.
    RunStats check(const CaptureFn& capture, const driver::DeviceConfig& config,
                   const contract::InputLayout& layout, std::uint64_t* sequence, double* estimate);

    // sqrt(1 - rho^2) from the correlation of two showings and the noise floor's correlation.
    static double estimate_from(double correlation, double noise_floor_correlation);

  private:
    std::vector<float> show(const CaptureFn& capture, const driver::DeviceConfig& config,
                            const contract::InputLayout& layout, std::uint64_t* sequence,
                            RunStats& stats) const;

    std::vector<float> baseline_;
    double noise_floor_correlation_ = 1;
};

// Pearson correlation of two equally long samples (0 when either is constant).
double pearson_correlation(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace opusim::sdk_detail
