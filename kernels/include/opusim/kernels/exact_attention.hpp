// Exact softmax attention, the reference FAVOR+ is measured against:
// out = softmax(Q K^T / sqrt(d)) V, causal with a lower-triangular mask.
//
// Computed in blocks of query rows, so memory is O(row_block x L) per call instead of the L x L
// score matrix: for each block, S = Q_b K^T / sqrt(d) (float32 BLAS), then per row the max is
// subtracted before exp (stable), the probabilities are stored unnormalised as float and their
// sum is accumulated in double, O_b = P V (float32 BLAS) is divided by that sum. Causal blocks
// only touch keys up to their last row. exp is the same vectorised float exp as the feature maps
// (relative error < 4e-7), so the reference FAVOR+ is timed against is not slowed by libm.
#pragma once

#include <cstddef>

#include "opusim/kernels/tensor.hpp"

namespace opusim::kernels {

struct ExactOptions {
    bool causal = false;
    std::size_t row_block = 256;  // query rows per block
};

// q: (B, H, Lq, d), k: (B, H, Lk, d), v: (B, H, Lk, dv) -> (B, H, Lq, dv). Causal needs Lq == Lk.
// Throws std::invalid_argument naming the argument on bad shapes or non-finite values.
Tensor4 exact_attention(const Tensor4& q, const Tensor4& k, const Tensor4& v,
                        const ExactOptions& options = {});

// Relative Frobenius error ||a - b|| / ||b|| (double), for comparing attention outputs.
double relative_error(const Tensor4& a, const Tensor4& b);

}  // namespace opusim::kernels
