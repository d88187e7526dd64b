#include "rowwise_product.hpp"

#include <algorithm>
#include <cstring>

namespace opusim::kernels {
namespace {

// The block kernel: kRowBlock rows x kColumnBlock columns, its 12 sums in vector registers (with
// the two loaded W^T vectors and a broadcast, 15 of AVX's 16).
constexpr std::size_t kRowBlock = 6;
constexpr std::size_t kLanes = 8;
constexpr std::size_t kColumnBlock = 2 * kLanes;

using Lanes = float __attribute__((vector_size(kLanes * sizeof(float))));

std::size_t padded_columns(std::size_t m) {
    return (m + kColumnBlock - 1) / kColumnBlock * kColumnBlock;
}

// block[r][c] = sum over k of rows[r][k] * w_transposed[k][j0 + c], k ascending. The sums
// are named so they stay in registers. Always inlined so each target clone of rowwise_product()
// compiles it for its own instruction set.
inline __attribute__((always_inline)) void block_kernel(const float* const rows[kRowBlock],
                                                        std::size_t d, const float* w_transposed,
                                                        std::size_t row_stride, std::size_t j0,
                                                        float block[kRowBlock][kColumnBlock]) {
    const float* x0 = rows[0];
    const float* x1 = rows[1];
    const float* x2 = rows[2];
    const float* x3 = rows[3];
    const float* x4 = rows[4];
    const float* x5 = rows[5];
    Lanes s00{}, s01{}, s10{}, s11{}, s20{}, s21{}, s30{}, s31{}, s40{}, s41{}, s50{}, s51{};
    const float* w = w_transposed + j0;
    for (std::size_t k = 0; k < d; ++k, w += row_stride) {
        Lanes low, high;  // unaligned loads (memcpy compiles to one vector load each)
        std::memcpy(&low, w, sizeof low);
        std::memcpy(&high, w + kLanes, sizeof high);
        s00 += x0[k] * low;
        s01 += x0[k] * high;
        s10 += x1[k] * low;
        s11 += x1[k] * high;
        s20 += x2[k] * low;
        s21 += x2[k] * high;
        s30 += x3[k] * low;
        s31 += x3[k] * high;
        s40 += x4[k] * low;
        s41 += x4[k] * high;
        s50 += x5[k] * low;
        s51 += x5[k] * high;
    }
    const Lanes sums[kRowBlock][2] = {{s00, s01}, {s10, s11}, {s20, s21},
                                      {s30, s31}, {s40, s41}, {s50, s51}};
    std::memcpy(block, sums, sizeof sums);
}

}  // namespace

std::vector<float> padded_transpose(const std::vector<float>& w, std::size_t m, std::size_t d) {
    const std::size_t stride = padded_columns(m);
    std::vector<float> result(d * stride, 0.0f);
    for (std::size_t j = 0; j < m; ++j) {
        for (std::size_t k = 0; k < d; ++k) result[k * stride + j] = w[j * d + k];
    }
    return result;
}

__attribute__((target_clones("fma", "default"))) void rowwise_product(
    ConstMatrix x, const std::vector<float>& w_transposed, std::size_t m, Matrix out) {
    const std::size_t d = x.cols;
    const std::size_t stride = padded_columns(m);
    const std::vector<float> zero_row(d, 0.0f);  // stands in for the rows a last block lacks
    for (std::size_t r0 = 0; r0 < x.rows; r0 += kRowBlock) {
        const std::size_t rows = std::min(kRowBlock, x.rows - r0);
        const float* row_data[kRowBlock];
        for (std::size_t r = 0; r < kRowBlock; ++r) {
            row_data[r] = r < rows ? x.row(r0 + r) : zero_row.data();
        }
        for (std::size_t j0 = 0; j0 < m; j0 += kColumnBlock) {
            float block[kRowBlock][kColumnBlock];
            block_kernel(row_data, d, w_transposed.data(), stride, j0, block);
            const std::size_t columns = std::min(kColumnBlock, m - j0);
            for (std::size_t r = 0; r < rows; ++r) {
                std::memcpy(out.row(r0 + r) + j0, block[r], columns * sizeof(float));
            }
        }
    }
}

}  // namespace opusim::kernels
