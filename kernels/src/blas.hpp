// Thin row-major wrappers over cblas_sgemm for the kernels (private to opusim_kernels).
#pragma once

#include "opusim/kernels/tensor.hpp"

namespace opusim::kernels::blas {

// c = alpha * a * b^T + beta * c   (a: n x k, b: p x k, c: n x p)
void gemm_abt(float alpha, ConstMatrix a, ConstMatrix b, float beta, Matrix c);
// c = alpha * a * b + beta * c     (a: n x k, b: k x p, c: n x p)
void gemm_ab(float alpha, ConstMatrix a, ConstMatrix b, float beta, Matrix c);
// c = alpha * a^T * b + beta * c   (a: k x n, b: k x p, c: n x p)
void gemm_atb(float alpha, ConstMatrix a, ConstMatrix b, float beta, Matrix c);

}  // namespace opusim::kernels::blas
