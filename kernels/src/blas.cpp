#include "blas.hpp"

#include <cblas.h>

#include <stdexcept>
#include <string>

namespace opusim::kernels::blas {
namespace {

int as_int(std::size_t value) {
    return static_cast<int>(value);
}

// c (n x p) = alpha * op(a) * op(b) + beta * c, inner dimension INNER; SHAPES_OK from the caller.
void sgemm(bool shapes_ok, const char* what, CBLAS_TRANSPOSE transpose_a,
           CBLAS_TRANSPOSE transpose_b, std::size_t inner, float alpha, ConstMatrix a,
           ConstMatrix b, float beta, Matrix c) {
    if (!shapes_ok) throw std::logic_error(std::string("gemm shape mismatch: ") + what);
    if (c.rows == 0 || c.cols == 0) return;
    cblas_sgemm(CblasRowMajor, transpose_a, transpose_b, as_int(c.rows), as_int(c.cols),
                as_int(inner), alpha, a.data, as_int(a.stride), b.data, as_int(b.stride), beta,
                c.data, as_int(c.stride));
}

}  // namespace

void gemm_abt(float alpha, ConstMatrix a, ConstMatrix b, float beta, Matrix c) {
    sgemm(a.cols == b.cols && c.rows == a.rows && c.cols == b.rows, "a b^T", CblasNoTrans,
          CblasTrans, a.cols, alpha, a, b, beta, c);
}

void gemm_ab(float alpha, ConstMatrix a, ConstMatrix b, float beta, Matrix c) {
    sgemm(a.cols == b.rows && c.rows == a.rows && c.cols == b.cols, "a b", CblasNoTrans,
          CblasNoTrans, a.cols, alpha, a, b, beta, c);
}

void gemm_atb(float alpha, ConstMatrix a, ConstMatrix b, float beta, Matrix c) {
    sgemm(a.rows == b.rows && c.rows == a.cols && c.cols == b.cols, "a^T b", CblasTrans,
          CblasNoTrans, a.rows, alpha, a, b, beta, c);
}

}  // namespace opusim::kernels::blas
