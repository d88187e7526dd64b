#include "feature_stream.hpp"

#include <algorithm>
#include <limits>

namespace opusim::kernels {
namespace {

// Writes c x for rows [first, first + count) of X into OUT (count x d).
void scale_rows(ConstMatrix x, std::size_t first, std::size_t count, double c, float* out) {
    for (std::size_t r = 0; r < count; ++r) {
        const float* row = x.row(first + r);
        for (std::size_t j = 0; j < x.cols; ++j) {
            out[r * x.cols + j] = static_cast<float>(c * row[j]);
        }
    }
}

double max_half_scaled_norm(ConstMatrix x) {
    double best = 0.0;
    for (std::size_t r = 0; r < x.rows; ++r)
        best = std::max(best, half_scaled_norm(x.row(r), x.cols));
    return best;
}

}  // namespace

FeatureStream::FeatureStream(const Tensor4* q, const Tensor4* k, Projection& projection,
                             const FavorOptions& options, std::size_t max_rows)
    : q_(q),
      k_(k),
      projection_(projection),
      options_(options),
      max_rows_(max_rows),
      m_(projection.output_dim()),
      features_(feature_count(options.kernel, projection.output_dim())),
      whole_call_(projection.batching() == ProjectionBatching::WholeCall) {
    if (whole_call_) {
        project_whole_call();
    } else {
        scaled_ = Buffer<float>(max_rows_ * projection_.input_dim());
        block_u_ = Buffer<float>(max_rows_ * m_);
    }
}

const Tensor4& FeatureStream::input(Role role) const {
    return role == Role::Query ? *q_ : *k_;
}

void FeatureStream::project_whole_call() {
    const std::size_t d = projection_.input_dim();
    const double c = data_normalizer(d);
    std::size_t rows = 0;
    for (const Tensor4* t : {q_, k_}) {
        if (t != nullptr) rows += t->shape().batch * t->shape().heads * t->shape().length;
    }
    Buffer<float> scaled(rows * d);
    std::size_t row = 0;
    for (const Tensor4* t : {q_, k_}) {
        if (t == nullptr) continue;
        const std::size_t count = t->shape().batch * t->shape().heads * t->shape().length;
        scale_rows(dense(t->data(), count, d), 0, count, c, scaled.data() + row * d);
        row += count;
    }
    all_u_ = Buffer<float>(rows * m_);
    projection_.project(dense(scaled.data(), rows, d), dense(all_u_.data(), rows, m_));
}

void FeatureStream::project_block(Role role, std::size_t first, std::size_t count, Matrix out) {
    const ConstMatrix x = input(role).head(batch_, head_);
    const std::size_t d = x.cols;
    scale_rows(x, first, count, data_normalizer(d), scaled_.data());
    projection_.project(dense(scaled_.data(), count, d), out);
}

ConstMatrix FeatureStream::projected(Role role, std::size_t first, std::size_t count) {
    if (whole_call_) {
        const Shape4& s = input(role).shape();
        std::size_t offset = (batch_ * s.heads + head_) * s.length + first;
        if (role == Role::Key && q_ != nullptr) {
            offset += q_->shape().batch * q_->shape().heads * q_->shape().length;
        }
        return dense(all_u_.data() + offset * m_, count, m_);
    }
    if (role == Role::Key && keys_kept_) return dense(head_keys_.data() + first * m_, count, m_);
    const Matrix out = dense(block_u_.data(), count, m_);
    project_block(role, first, count, out);
    return out;
}

void FeatureStream::begin_head(std::size_t batch, std::size_t head, bool keep_keys) {
    batch_ = batch;
    head_ = head;
    keys_kept_ = false;
    if (options_.kernel == FeatureKernel::Trigonometric) {
        if (q_ != nullptr) query_h_max_ = max_half_scaled_norm(q_->head(batch, head));
        if (k_ != nullptr) key_h_max_ = max_half_scaled_norm(k_->head(batch, head));
    }
    if (options_.kernel != FeatureKernel::Softmax || k_ == nullptr) return;
    const std::size_t length = k_->shape().length;
    if (keep_keys && !whole_call_) {
        if (head_keys_.size() != length * m_) {
            head_keys_ = Buffer<float>();  // free the previous head's before allocating
            head_keys_ = Buffer<float>(length * m_);
        }
        for (std::size_t first = 0; first < length; first += max_rows_) {
            const std::size_t count = std::min(max_rows_, length - first);
            project_block(Role::Key, first, count,
                          dense(head_keys_.data() + first * m_, count, m_));
        }
        keys_kept_ = true;
    }
    // The stabiliser: max over all positions and features of the head's key projections.
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t first = 0; first < length; first += max_rows_) {
        const std::size_t count = std::min(max_rows_, length - first);
        best = std::max(best, static_cast<double>(max_element(projected(Role::Key, first, count))));
    }
    key_max_ = best;
}

void FeatureStream::compute(Role role, std::size_t first, std::size_t count, Matrix out) {
    const ConstMatrix u = projected(role, first, count);
    const ConstMatrix x = input(role).head(batch_, head_).rows_slice(first, count);
    switch (options_.kernel) {
        case FeatureKernel::Softmax:
            if (role == Role::Query) {
                softmax_query_features(x, u, options_.softmax_epsilon, out);
            } else {
                softmax_key_features(x, u, key_max_, options_.softmax_epsilon, out);
            }
            return;
        case FeatureKernel::Relu:
            relu_features(u, options_.relu_epsilon, out);
            return;
        case FeatureKernel::Trigonometric:
            trigonometric_features(x, u, role == Role::Query ? query_h_max_ : key_h_max_, out);
            return;
        case FeatureKernel::Optical:
            optical_features(u, out);
            return;
    }
}

}  // namespace opusim::kernels
