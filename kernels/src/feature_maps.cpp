#include "opusim/kernels/feature_maps.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "opusim/kernels/fast_exp.hpp"

namespace opusim::kernels {

FeatureKernel parse_feature_kernel(const std::string& name) {
    if (name == "softmax") return FeatureKernel::Softmax;
    if (name == "relu") return FeatureKernel::Relu;
    if (name == "trig" || name == "trigonometric") return FeatureKernel::Trigonometric;
    if (name == "optical") return FeatureKernel::Optical;
    throw std::invalid_argument("kernel: expected softmax, relu, trig or optical, got '" + name +
                                "'");
}

std::string to_string(FeatureKernel kernel) {
    switch (kernel) {
        case FeatureKernel::Softmax:
            return "softmax";
        case FeatureKernel::Relu:
            return "relu";
        case FeatureKernel::Trigonometric:
            return "trig";
        case FeatureKernel::Optical:
            return "optical";
    }
    return "unknown";
}

std::size_t feature_count(FeatureKernel kernel, std::size_t projections) {
    return kernel == FeatureKernel::Trigonometric ? 2 * projections : projections;
}

double data_normalizer(std::size_t d) {
    return std::pow(static_cast<double>(d), -0.25);
}

float row_max(const float* row, std::size_t n) {
    // Eight independent running maxima, selected by value (not std::max's reference) so the loop
    // vectorises; max is exact, so the order does not change the result.
    constexpr std::size_t kLanes = 8;
    float lanes[kLanes];
    for (std::size_t l = 0; l < kLanes; ++l) lanes[l] = row[0];
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (std::size_t l = 0; l < kLanes; ++l) {
            const float x = row[i + l];
            lanes[l] = x > lanes[l] ? x : lanes[l];
        }
    }
    for (; i < n; ++i) lanes[0] = row[i] > lanes[0] ? row[i] : lanes[0];
    float best = lanes[0];
    for (std::size_t l = 1; l < kLanes; ++l) best = lanes[l] > best ? lanes[l] : best;
    return best;
}

double half_scaled_norm(const float* x, std::size_t d) {
    double sum = 0.0;
    for (std::size_t i = 0; i < d; ++i) sum += static_cast<double>(x[i]) * x[i];
    return sum / (2.0 * std::sqrt(static_cast<double>(d)));
}

float max_element(ConstMatrix u) {
    float best = -std::numeric_limits<float>::infinity();
    for (std::size_t r = 0; r < u.rows; ++r) best = std::max(best, row_max(u.row(r), u.cols));
    return best;
}

namespace {

// out = m^(-1/2) (exp(u - h - stabiliser) + epsilon) for one row. The shift h + stabiliser is
// formed in double and rounded once; the exponent and the rest are float, as in
// performer-pytorch (float32 throughout), with a vectorised exp.
void positive_row(const float* u, std::size_t m, double h, double stabiliser, double epsilon,
                  float* out) {
    const float shift = static_cast<float>(h + stabiliser);
    for (std::size_t j = 0; j < m; ++j) out[j] = u[j] - shift;
    exp_in_place(out, m);
    const float ratio = static_cast<float>(1.0 / std::sqrt(static_cast<double>(m)));
    const float eps = static_cast<float>(epsilon);
    for (std::size_t j = 0; j < m; ++j) out[j] = ratio * (out[j] + eps);
}

}  // namespace

void softmax_query_features(ConstMatrix q, ConstMatrix u, double epsilon, Matrix out) {
    for (std::size_t r = 0; r < u.rows; ++r) {
        const float* row = u.row(r);
        positive_row(row, u.cols, half_scaled_norm(q.row(r), q.cols), row_max(row, u.cols), epsilon,
                     out.row(r));
    }
}

void softmax_key_features(ConstMatrix k, ConstMatrix u, double key_max, double epsilon,
                          Matrix out) {
    for (std::size_t r = 0; r < u.rows; ++r) {
        positive_row(u.row(r), u.cols, half_scaled_norm(k.row(r), k.cols), key_max, epsilon,
                     out.row(r));
    }
}

void trigonometric_features(ConstMatrix x, ConstMatrix u, double h_max, Matrix out) {
    const std::size_t m = u.cols;
    const double ratio = 1.0 / std::sqrt(static_cast<double>(m));
    for (std::size_t r = 0; r < u.rows; ++r) {
        const double scale = ratio * std::exp(half_scaled_norm(x.row(r), x.cols) - h_max);
        const float* in = u.row(r);
        float* row = out.row(r);
        for (std::size_t j = 0; j < m; ++j) {
            row[j] = static_cast<float>(scale * std::cos(static_cast<double>(in[j])));
            row[m + j] = static_cast<float>(scale * std::sin(static_cast<double>(in[j])));
        }
    }
}

void relu_features(ConstMatrix u, double epsilon, Matrix out) {
    for (std::size_t r = 0; r < u.rows; ++r) {
        const float* in = u.row(r);
        float* row = out.row(r);
        for (std::size_t j = 0; j < u.cols; ++j) {
            row[j] = static_cast<float>(std::max(static_cast<double>(in[j]), 0.0) + epsilon);
        }
    }
}

void optical_features(ConstMatrix intensities, Matrix out) {
    const double ratio = 1.0 / std::sqrt(static_cast<double>(intensities.cols));
    for (std::size_t r = 0; r < intensities.rows; ++r) {
        const float* in = intensities.row(r);
        float* row = out.row(r);
        for (std::size_t j = 0; j < intensities.cols; ++j) {
            row[j] = static_cast<float>(ratio * in[j]);
        }
    }
}

}  // namespace opusim::kernels
