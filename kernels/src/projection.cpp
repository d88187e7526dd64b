#include "opusim/kernels/projection.hpp"

#include <chrono>
#include <cmath>
#include <mutex>
#include <stdexcept>

#include "opusim/kernels/validation.hpp"
#include "opusim/kernels/workspace.hpp"
#include "rowwise_product.hpp"

namespace opusim::kernels {

ProjectionCost& ProjectionCost::operator+=(const ProjectionCost& other) {
    calls += other.calls;
    rows += other.rows;
    frames += other.frames;
    device_time_s += other.device_time_s;
    host_time_s += other.host_time_s;
    return *this;
}

ProjectionCost Projection::project(ConstMatrix x, Matrix out) {
    require_equal("x", "columns (the projection's input dim)", x.cols, input_dim(), "");
    require_equal("out", "rows (those of x)", out.rows, x.rows, "");
    require_equal("out", "columns (the projection's output dim)", out.cols, output_dim(), "");
    if (x.stride < x.cols || out.stride < out.cols) {
        throw std::invalid_argument("x/out: row stride smaller than the row length");
    }
    const auto start = std::chrono::steady_clock::now();
    ProjectionCost cost = x.rows == 0 ? ProjectionCost{} : do_project(x, out);
    cost.host_time_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    cost.calls = 1;
    cost.rows = x.rows;
    // favor_attention projects the heads of a call on several threads.
    static std::mutex total_mutex;
    const std::lock_guard<std::mutex> lock(total_mutex);
    total_ += cost;
    return cost;
}

MatrixProjection::MatrixProjection(std::vector<float> w, std::size_t m, std::size_t d,
                                   std::string label, ProjectionBatching batching)
    : w_(std::move(w)), m_(m), d_(d), label_(std::move(label)), batching_(batching) {
    if (m == 0 || d == 0) throw std::invalid_argument("W: expected m >= 1 rows and d >= 1 columns");
    require_equal("W", "m * d values", w_.size(), m * d, "");
    require_finite("W", dense(w_.data(), m, d));
    w_transposed_ = padded_transpose(w_, m, d);
}

std::string MatrixProjection::describe() const {
    return label_ + ", m=" + std::to_string(m_) + ", d=" + std::to_string(d_);
}

ProjectionCost MatrixProjection::do_project(ConstMatrix x, Matrix out) {
    rowwise_product(x, w_transposed_, m_, out);
    return {};
}

ComplexIntensityProjection::ComplexIntensityProjection(std::size_t m, std::size_t d,
                                                       std::uint64_t seed,
                                                       ProjectionBatching batching)
    : m_(m), d_(d), batching_(batching) {
    if (m == 0 || d == 0) throw std::invalid_argument("R: expected m >= 1 rows and d >= 1 columns");
    // N(0, 1) scaled by sqrt(1/2): real and imaginary parts of variance 1/2 each.
    const double scale = std::sqrt(0.5);
    for (auto [stream, target] : {std::pair{kIntensityRealStream, &re_transposed_},
                                  std::pair{kIntensityImagStream, &im_transposed_}}) {
        const std::vector<double> values = gaussian_values(seed, stream, m * d);
        std::vector<float> r(m * d);
        for (std::size_t i = 0; i < m * d; ++i) r[i] = static_cast<float>(values[i] * scale);
        *target = padded_transpose(r, m, d);
    }
}

std::string ComplexIntensityProjection::describe() const {
    return "cpu complex Gaussian intensities |Rx|^2, m=" + std::to_string(m_) +
           ", d=" + std::to_string(d_);
}

ProjectionCost ComplexIntensityProjection::do_project(ConstMatrix x, Matrix out) {
    Buffer<float> imaginary(x.rows * m_);
    const Matrix imag_part = dense(imaginary.data(), x.rows, m_);
    rowwise_product(x, re_transposed_, m_, out);
    rowwise_product(x, im_transposed_, m_, imag_part);
    for (std::size_t r = 0; r < x.rows; ++r) {
        float* row = out.row(r);
        const float* imag_row = imag_part.row(r);
        for (std::size_t j = 0; j < m_; ++j) row[j] = row[j] * row[j] + imag_row[j] * imag_row[j];
    }
    return {};
}

std::unique_ptr<MatrixProjection> make_iid_projection(std::size_t m, std::size_t d,
                                                      std::uint64_t seed,
                                                      ProjectionBatching batching) {
    return std::make_unique<MatrixProjection>(
        iid_gaussian_matrix(m, d, seed), m, d,
        "cpu iid Gaussian (seed " + std::to_string(seed) + ")", batching);
}

std::unique_ptr<MatrixProjection> make_orthogonal_projection(std::size_t m, std::size_t d,
                                                             std::uint64_t seed, RowNorms row_norms,
                                                             ProjectionBatching batching) {
    const std::string norms = row_norms == RowNorms::Chi ? "chi norms" : "sqrt(d) norms";
    return std::make_unique<MatrixProjection>(
        orthogonal_gaussian_matrix(m, d, seed, row_norms), m, d,
        "cpu orthogonal (" + norms + ", seed " + std::to_string(seed) + ")", batching);
}

}  // namespace opusim::kernels
