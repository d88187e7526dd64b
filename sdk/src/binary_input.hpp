// Checking and flattening the binary inputs of Opu::transform: dimensions (batch dims kept),
// feature axes matching the fit, 0/1 values, bit-packed rows unpacked. Internal to the SDK.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "opusim/array.hpp"

namespace opusim::sdk_detail {

struct FeatureShape {
    std::size_t feature_dims = 1;  // 1 (fit1d) or 2 (fit2d)
    std::size_t rows = 0;          // fit2d: rows of one sample; fit1d: 1
    std::size_t cols = 0;          // fit2d: columns; fit1d: n_features
    bool packed = false;
    std::size_t n_features() const { return rows * cols; }
};

struct Batch {
    Shape batch_shape;  // the batch dims of the input (empty for one sample)
    std::size_t samples = 0;
    std::vector<std::uint8_t> bits;  // samples x n_features, each 0 or 1
};

// Throws std::invalid_argument naming the argument ARG for a bad shape or a non-binary value.
Batch flatten_binary(const ArrayView<std::uint8_t>& x, const FeatureShape& features,
                     const char* arg);

// Batch dims of a real-valued input (same dimension rules, never packed); checks finiteness.
Shape checked_real_batch(const ArrayView<float>& x, const FeatureShape& features, const char* arg,
                         std::size_t* samples);

Shape output_shape(const Shape& batch_shape, std::size_t n_components);

}  // namespace opusim::sdk_detail
