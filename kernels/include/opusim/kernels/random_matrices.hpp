// The random matrices of the CPU projections, as pure functions of (seed, stream, index).
//
// Entry i (row-major) of the N(0, 1) stream (seed, stream) comes from Random123's Philox4x64-10:
//   key     = (seed, stream)
//   counter = (i div 4, 0, 0, 0)
//   words   = philox4x64(counter, key); Box-Muller on (w0, w1) gives entries 4n, 4n + 1 and on
//             (w2, w3) entries 4n + 2, 4n + 3 (r123::boxmuller, double precision).
// So a matrix does not depend on how it is generated (whole, by rows, on how many threads).
//
// The streams used by the projections (one seed, several independent streams):
//   kIidStream                 the m x d matrix of the i.i.d. projection
//   kRowNormStream             the m x d Gaussian whose row norms rescale the orthogonal rows
//   kOrthogonalBlockStream + b the d x d Gaussian of orthogonal block b
//   kIntensityRealStream / kIntensityImagStream  real and imaginary parts of the CPU intensity R
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace opusim::kernels {

inline constexpr std::uint64_t kIidStream = 0;
inline constexpr std::uint64_t kRowNormStream = 1;
inline constexpr std::uint64_t kIntensityRealStream = 2;
inline constexpr std::uint64_t kIntensityImagStream = 3;
inline constexpr std::uint64_t kOrthogonalBlockStream = 1024;

// COUNT standard normal values of stream (SEED, STREAM), entries [first, first + count).
std::vector<double> gaussian_values(std::uint64_t seed, std::uint64_t stream, std::size_t count,
                                    std::size_t first = 0);

// A square matrix factored as A = Q R by Householder reflections (in double), with the signs fixed
// so that diag(R) >= 0: then Q of a Gaussian A is Haar-distributed (uniform on O(n)).
struct QrFactors {
    std::size_t n = 0;
    std::vector<double> q;  // n x n, row-major, orthogonal
    std::vector<double> r;  // n x n, row-major, upper triangular, diag(R) >= 0
};
QrFactors householder_qr(const std::vector<double>& a, std::size_t n);

enum class RowNorms {
    Chi,      // each row has the norm of a fresh N(0, I_d) vector (chi(d) lengths); the default
    SqrtDim,  // each row has norm sqrt(d)
};

// The m x d i.i.d. N(0, 1) matrix of stream kIidStream, row-major, float.
std::vector<float> iid_gaussian_matrix(std::size_t m, std::size_t d, std::uint64_t seed);

// The m x d orthogonal random features matrix (ORF): ceil(m / d) blocks; block b is Q^T from the
// QR of the d x d Gaussian of stream kOrthogonalBlockStream + b (its rows are orthonormal), the
// last block truncated to the rows still needed; then row i is scaled by ROW_NORMS (for Chi: the
// norm of row i of the m x d Gaussian of stream kRowNormStream).
std::vector<float> orthogonal_gaussian_matrix(std::size_t m, std::size_t d, std::uint64_t seed,
                                              RowNorms row_norms = RowNorms::Chi);

// The chi(d) row lengths orthogonal_gaussian_matrix uses: norms of the rows of the m x d Gaussian
// of stream kRowNormStream (double).
std::vector<double> chi_row_norms(std::size_t m, std::size_t d, std::uint64_t seed);

}  // namespace opusim::kernels
