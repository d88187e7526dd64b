// Random projections behind one interface, so the attention kernels do not care whether u = W x
// comes from a CPU matrix or from the simulated OPU.
//
// A projection maps rows of an input matrix (rows x input_dim) to rows of an output matrix
// (rows x output_dim) and reports what each call cost. Two kinds of output exist:
//   - Linear:    out = x W^T, W real (m x d): the CPU matrices, the device's linear mode.
//   - Intensity: out = |x R^T|^2 elementwise, R complex (m x d): the device's native intensities
//                (and a CPU model of them).
// Contract for every implementation: deterministic (same inputs, same call sequence -> same
// bits) and row-independent (a row's output does not depend on which other rows share the call),
// so callers may batch rows however they like. The device projections are row-independent up to
// the camera noise, which is keyed by the frame sequence: with noise on, a row's noise depends on
// where it falls in the device's frame stream (still deterministic for a given call sequence).
//
// Batching preference: CPU projections are cheap to call per chunk (Streamed); a device
// projection pays per pass and wants every query and key of an attention call in one go
// (WholeCall): the attention kernels then project everything first and keep the result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "opusim/kernels/random_matrices.hpp"
#include "opusim/kernels/tensor.hpp"

namespace opusim::kernels {

enum class ProjectionOutput { Linear, Intensity };
enum class ProjectionBatching { Streamed, WholeCall };

// What projecting cost. Added up over calls by Projection::total_cost().
struct ProjectionCost {
    std::uint64_t calls = 0;     // project() calls (device: passes)
    std::uint64_t rows = 0;      // vectors projected
    std::uint64_t frames = 0;    // camera frames used (0 on the CPU)
    double device_time_s = 0.0;  // simulated device time (0 on the CPU)
    double host_time_s = 0.0;    // wall time spent inside project()

    ProjectionCost& operator+=(const ProjectionCost& other);
};

class Projection {
  public:
    virtual ~Projection() = default;

    virtual std::size_t input_dim() const = 0;   // d
    virtual std::size_t output_dim() const = 0;  // m
    virtual ProjectionOutput output_kind() const = 0;
    virtual ProjectionBatching batching() const = 0;
    virtual std::string describe() const = 0;  // e.g. "cpu orthogonal (chi norms), m=256, d=64"

    // Projects every row of X into OUT (x.rows x output_dim()). Checks the shapes (throws
    // std::invalid_argument naming "x" or "out"), times the call, adds its cost to total_cost()
    // and returns the cost of this call.
    ProjectionCost project(ConstMatrix x, Matrix out);

    const ProjectionCost& total_cost() const { return total_; }
    void reset_cost() { total_ = {}; }

  protected:
    // Fills OUT; returns frames and device time (rows, calls and host time are filled in by
    // project()).
    virtual ProjectionCost do_project(ConstMatrix x, Matrix out) = 0;

  private:
    ProjectionCost total_;
};

// u = x W^T with a given real W (m x d, row-major); each row's result depends on that row alone
// (the same bits whatever the batching or thread count).
class MatrixProjection : public Projection {
  public:
    // LABEL says where W came from (for describe()). Throws if w.size() != m * d or W has a
    // non-finite entry (naming "W").
    MatrixProjection(std::vector<float> w, std::size_t m, std::size_t d, std::string label,
                     ProjectionBatching batching = ProjectionBatching::Streamed);

    std::size_t input_dim() const override { return d_; }
    std::size_t output_dim() const override { return m_; }
    ProjectionOutput output_kind() const override { return ProjectionOutput::Linear; }
    ProjectionBatching batching() const override { return batching_; }
    std::string describe() const override;
    const std::vector<float>& matrix() const { return w_; }

  protected:
    ProjectionCost do_project(ConstMatrix x, Matrix out) override;

  private:
    std::vector<float> w_;
    std::vector<float> w_transposed_;  // W^T, padded, as the row-wise product reads it
    std::size_t m_;
    std::size_t d_;
    std::string label_;
    ProjectionBatching batching_;
};

// out = |x R^T|^2 with R complex Gaussian (real and imaginary parts i.i.d. N(0, 1/2), so
// E|R_ji|^2 = 1, as the device's medium): the CPU model of the optical intensity features.
class ComplexIntensityProjection : public Projection {
  public:
    ComplexIntensityProjection(std::size_t m, std::size_t d, std::uint64_t seed,
                               ProjectionBatching batching = ProjectionBatching::Streamed);

    std::size_t input_dim() const override { return d_; }
    std::size_t output_dim() const override { return m_; }
    ProjectionOutput output_kind() const override { return ProjectionOutput::Intensity; }
    ProjectionBatching batching() const override { return batching_; }
    std::string describe() const override;

  protected:
    ProjectionCost do_project(ConstMatrix x, Matrix out) override;

  private:
    std::size_t m_;
    std::size_t d_;
    std::vector<float> re_transposed_;  // R^T's real parts, padded (rowwise_product.hpp)
    std::vector<float> im_transposed_;  // R^T's imaginary parts, padded
    ProjectionBatching batching_;
};

// The CPU projections (seeded, deterministic; matrices from random_matrices.hpp).
std::unique_ptr<MatrixProjection> make_iid_projection(
    std::size_t m, std::size_t d, std::uint64_t seed,
    ProjectionBatching batching = ProjectionBatching::Streamed);
std::unique_ptr<MatrixProjection> make_orthogonal_projection(
    std::size_t m, std::size_t d, std::uint64_t seed, RowNorms row_norms = RowNorms::Chi,
    ProjectionBatching batching = ProjectionBatching::Streamed);

}  // namespace opusim::kernels
