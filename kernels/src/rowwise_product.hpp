// x W^T computed so that every row's result depends on that row alone (private to
// opusim_kernels).
//
// Why not cblas_sgemm: OpenBLAS chooses its micro-kernels by the call's shape and thread count,
// and the tail tiles round differently from the full ones, so the same row projected in a call of
// 24 rows and in a call of 600 rows can differ in the last bits (measured on an AMD EPYC with
// OpenBLAS 0.3.21: a third of the values differed, by up to 2.4e-3 relative). The attention
// kernels promise the same bits whatever the batching or thread count, so every element here is
// computed by the same instruction sequence: u[r][j] = sum over k = 0 .. d-1 of x[r][k] * W[j][k],
// added in that order, in float, by one 6-row x 16-column block kernel (partial blocks are padded
// with zeros, never handled by other code). On a processor with FMA (AVX + FMA3, chosen at run
// time) the multiply-adds are fused; elsewhere they are not, so two machines of those two kinds may
// differ in the last bit; on any one machine the bits never depend on the call's shape.
#pragma once

#include <cstddef>
#include <vector>

#include "opusim/kernels/tensor.hpp"

namespace opusim::kernels {

// W (m x d, row-major) as the d x m_padded matrix W^T that rowwise_product() reads (m_padded:
// m rounded up to the kernel's column block, the extra columns zero).
std::vector<float> padded_transpose(const std::vector<float>& w, std::size_t m, std::size_t d);

// out (x.rows x m) = x (x.rows x d) W^T, from W_TRANSPOSED = padded_transpose(W, m, d). Shapes
// are the caller's to check.
void rowwise_product(ConstMatrix x, const std::vector<float>& w_transposed, std::size_t m,
                     Matrix out);

}  // namespace opusim::kernels
