#include "opusim/kernels/exact_attention.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "blas.hpp"
#include "opusim/kernels/fast_exp.hpp"
#include "opusim/kernels/feature_maps.hpp"
#include "opusim/kernels/validation.hpp"
#include "opusim/kernels/workspace.hpp"

namespace opusim::kernels {
namespace {

void validate(const Tensor4& q, const Tensor4& k, const Tensor4& v, const ExactOptions& options) {
    if (options.row_block == 0) {
        throw std::invalid_argument("options.row_block: expected at least 1 row, got 0");
    }
    const Shape4& qs = q.shape();
    const Shape4& ks = k.shape();
    const Shape4& vs = v.shape();
    if (qs.dim == 0) throw std::invalid_argument("q: expected dim d >= 1, got " + to_string(qs));
    require_equal("k", "batch", ks.batch, qs.batch, "that of q");
    require_equal("k", "heads", ks.heads, qs.heads, "that of q");
    require_equal("k", "dim", ks.dim, qs.dim, "that of q");
    if (ks.length == 0)
        throw std::invalid_argument("k: expected length >= 1, got " + to_string(ks));
    require_equal("v", "batch", vs.batch, ks.batch, "that of k");
    require_equal("v", "heads", vs.heads, ks.heads, "that of k");
    require_equal("v", "length", vs.length, ks.length, "that of k");
    if (options.causal) require_equal("k", "length", ks.length, qs.length, "causal: that of q");
    require_finite("q", q);
    require_finite("k", k);
    require_finite("v", v);
}

// The sum of VALUES[0, n) in double, in eight interleaved partial sums (so the loop vectorises;
// the order is fixed, so the result is deterministic).
double sum_as_double(const float* values, std::size_t n) {
    constexpr std::size_t kLanes = 8;
    double lanes[kLanes] = {};
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (std::size_t l = 0; l < kLanes; ++l) lanes[l] += values[i + l];
    }
    for (; i < n; ++i) lanes[0] += values[i];
    double sum = 0.0;
    for (double lane : lanes) sum += lane;
    return sum;
}

// Replaces row[0, limit) by exp(row - max) (the vectorised float exp of the feature maps) and
// zeroes row[limit, cols); returns the sum of the exponentials (double).
double exponentiate_row(float* row, std::size_t limit, std::size_t cols) {
    const float max = row_max(row, limit);
    for (std::size_t j = 0; j < limit; ++j) row[j] -= max;
    exp_in_place(row, limit);
    std::fill(row + limit, row + cols, 0.0f);
    return sum_as_double(row, limit);
}

void exact_head(ConstMatrix q, ConstMatrix k, ConstMatrix v, Matrix out,
                const ExactOptions& options, Buffer<float>& scores) {
    const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(q.cols)));
    for (std::size_t first = 0; first < q.rows; first += options.row_block) {
        const std::size_t count = std::min(options.row_block, q.rows - first);
        const std::size_t keys = options.causal ? first + count : k.rows;
        const Matrix s = dense(scores.data(), count, keys);
        blas::gemm_abt(scale, q.rows_slice(first, count), k.rows_slice(0, keys), 0.0f, s);
        std::vector<double> sums(count);
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t limit = options.causal ? first + i + 1 : keys;
            sums[i] = exponentiate_row(s.row(i), limit, keys);
        }
        const Matrix out_rows = out.rows_slice(first, count);
        blas::gemm_ab(1.0f, s, v.rows_slice(0, keys), 0.0f, out_rows);
        for (std::size_t i = 0; i < count; ++i) {
            float* row = out_rows.row(i);
            for (std::size_t j = 0; j < out_rows.cols; ++j) {
                row[j] = static_cast<float>(row[j] / sums[i]);
            }
        }
    }
}

}  // namespace

Tensor4 exact_attention(const Tensor4& q, const Tensor4& k, const Tensor4& v,
                        const ExactOptions& options) {
    validate(q, k, v, options);
    const Shape4& qs = q.shape();
    Tensor4 out({qs.batch, qs.heads, qs.length, v.shape().dim});
    Buffer<float> scores(std::min(options.row_block, qs.length) * k.shape().length);
    for (std::size_t b = 0; b < qs.batch; ++b) {
        for (std::size_t h = 0; h < qs.heads; ++h) {
            exact_head(q.head(b, h), k.head(b, h), v.head(b, h), out.head(b, h), options, scores);
        }
    }
    return out;
}

double relative_error(const Tensor4& a, const Tensor4& b) {
    if (a.shape() != b.shape()) {
        throw std::invalid_argument("relative_error: shapes differ, " + to_string(a.shape()) +
                                    " vs " + to_string(b.shape()));
    }
    double diff = 0.0;
    double norm = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double x = a.data()[i];
        const double y = b.data()[i];
        diff += (x - y) * (x - y);
        norm += y * y;
    }
    return std::sqrt(diff / norm);
}

}  // namespace opusim::kernels
