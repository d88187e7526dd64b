// Projections computed on the (simulated) OPU through the SDK (target opusim_kernels_device, so
// opusim_kernels itself stays free of the SDK). Results come only from device frames via
// opusim::Opu; the frames and the simulated device time of every call are reported in its
// ProjectionCost. Both are WholeCall projections: the attention kernels hand them every query and
// key row of a call at once, so the SDK can run them in as few passes as it allows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "opusim/context.hpp"
#include "opusim/kernels/projection.hpp"
#include "opusim/opu.hpp"

namespace opusim::kernels {

// u = sqrt(2) M x from the device's linear mode (docs/reference/device.md §5): M is the device's
// real Gaussian matrix with N(0, 1/2) entries, so sqrt(2) M stands for the N(0, 1) W of
// docs/reference/favor.md §3 (i.i.d., not orthogonal). The device is opened at construction and
// fitted to d features, m outputs.
class DeviceLinearProjection : public Projection {
  public:
    // DEVICE: URI ("" = $OPUSIM_DEVICE, else the SDK's default sim:gen2). Throws
    // std::invalid_argument if m or d are 0 or beyond the device.
    DeviceLinearProjection(std::size_t m, std::size_t d, const std::string& device,
                           const LinearSettings& linear = {});

    std::size_t input_dim() const override { return d_; }
    std::size_t output_dim() const override { return m_; }
    ProjectionOutput output_kind() const override { return ProjectionOutput::Linear; }
    ProjectionBatching batching() const override { return ProjectionBatching::WholeCall; }
    std::string describe() const override;

    // The most outputs this device's linear mode can give: its camera pixels divided by the
    // candidate pixels read per output.
    std::size_t max_features() const { return max_features_; }

    // The context of the last device call (input layout, output pixels, timing), for oracles.
    const std::optional<Context>& last_context() const { return last_context_; }
    // Reports the device frames of each projection call as it runs (Opu::set_progress).
    void set_progress(ProgressCallback progress) { opu_.set_progress(std::move(progress)); }

  protected:
    ProjectionCost do_project(ConstMatrix x, Matrix out) override;

  private:
    std::size_t m_;
    std::size_t d_;
    Opu opu_;
    std::size_t max_features_ = 0;
    std::optional<Context> last_context_;
};

// Intensities |R e(x)|^2 from the device's native mode (transform_rescaled: camera values minus
// the dark level, in units of one lit mirror's mean intensity, so E|R_ji|^2 = 1 as on the CPU
// model). The DMD shows binary frames, so real rows are encoded first, row by row with fixed
// thresholds (no fitting, so a row's features do not depend on the other rows of the call):
// e(x) has d x T bits, e(x)[t d + i] = x_i > thresholds[t] (threshold-major, a thermometer code;
// the default {0} is the sign pattern). The kernel this gives is the degree-2 polynomial kernel of
// the codes, kappa = (|e_q|^2 |e_k|^2 + (e_q . e_k)^2) (up to scale), not that of x itself:
// magnitudes below the thresholds' resolution are lost. One frame per row.
class DeviceIntensityProjection : public Projection {
  public:
    DeviceIntensityProjection(std::size_t m, std::size_t d, const std::string& device,
                              std::vector<float> thresholds = {0.0f});

    std::size_t input_dim() const override { return d_; }
    std::size_t output_dim() const override { return m_; }
    ProjectionOutput output_kind() const override { return ProjectionOutput::Intensity; }
    ProjectionBatching batching() const override { return ProjectionBatching::WholeCall; }
    std::string describe() const override;

    // The binary code of rows X (rows x d) as shown on the DMD (rows x d T).
    std::vector<std::uint8_t> encode(ConstMatrix x) const;
    const std::optional<Context>& last_context() const { return last_context_; }
    void set_progress(ProgressCallback progress) { opu_.set_progress(std::move(progress)); }

  protected:
    ProjectionCost do_project(ConstMatrix x, Matrix out) override;

  private:
    std::size_t m_;
    std::size_t d_;
    std::vector<float> thresholds_;
    Opu opu_;
    std::optional<Context> last_context_;
};

}  // namespace opusim::kernels
