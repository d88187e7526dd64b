// The random feature maps of FAVOR+ (docs/reference/favor.md §2), one function each.
//
// Notation (one head): d the input dim, m the number of projections, c = d^(-1/4),
// u = W (c x) the projected row (what a Linear Projection returns for the input c x),
// h(x) = ||x||^2 / (2 sqrt d) = ||c x||^2 / 2.
// Every function maps ROWS rows: x is rows x d, u is rows x m, out is rows x (features).
// h(x) and the norm factors are evaluated in double; the features themselves in float (as
// performer-pytorch in float32).
#pragma once

#include <cstddef>
#include <string>

#include "opusim/kernels/tensor.hpp"

namespace opusim::kernels {

enum class FeatureKernel {
    Softmax,        // positive softmax features (the FAVOR+ default); m features
    Relu,           // ReLU(u) + epsilon (performer-pytorch's generalised kernel); m features
    Trigonometric,  // [cos u, sin u] times a norm factor; 2m features
    Optical,        // |R c x|^2 / sqrt(m) from an Intensity projection; m features
};

FeatureKernel parse_feature_kernel(
    const std::string& name);  // "softmax", "relu", "trig", "optical"
std::string to_string(FeatureKernel kernel);
std::size_t feature_count(FeatureKernel kernel, std::size_t projections);

// c = d^(-1/4), the factor inputs are scaled by before the projection.
double data_normalizer(std::size_t d);

// h(x) for one row of length D.
double half_scaled_norm(const float* x, std::size_t d);

// The largest of ROW[0, n), n >= 1.
float row_max(const float* row, std::size_t n);

// The largest entry of U (the key stabiliser: max over all positions and features of a head).
float max_element(ConstMatrix u);

// Query features: out = m^(-1/2) (exp(u - h(q) - max_j u_j) + epsilon), max over the row's m
// features. OUT may alias U.
void softmax_query_features(ConstMatrix q, ConstMatrix u, double epsilon, Matrix out);

// Key features: out = m^(-1/2) (exp(u - h(k) - key_max) + epsilon), KEY_MAX the max over all
// positions and features of the (batch, head) (max_element of all its key rows). OUT may alias U.
void softmax_key_features(ConstMatrix k, ConstMatrix u, double key_max, double epsilon, Matrix out);

// out = m^(-1/2) [cos u, sin u] exp(h(x) - h_max), H_MAX the max of h over the sequence; out has
// 2m columns (cos block first). Unbiased for the softmax kernel but can go negative.
void trigonometric_features(ConstMatrix x, ConstMatrix u, double h_max, Matrix out);

// out = ReLU(u) + epsilon (performer-pytorch: epsilon = 1e-3, no m^(-1/2)). OUT may alias U.
void relu_features(ConstMatrix u, double epsilon, Matrix out);

// out = intensities / sqrt(m), the intensities |R (c x)|^2 from an Intensity projection with
// E|R_ji|^2 = 1. Then phi(q).phi(k) estimates (||q||^2 ||k||^2 + (q.k)^2) / d: a non-negative
// degree-2 polynomial kernel whose scale does not grow with m. OUT may alias INTENSITIES.
void optical_features(ConstMatrix intensities, Matrix out);

}  // namespace opusim::kernels
