// The kernels' data: row-major float32 matrices (views) and (batch, heads, length, dim) tensors.
// Deliberately tiny: a view is a pointer, a shape and a leading dimension, so BLAS can take it
// as is; a Tensor4 owns its values and hands out one (length x dim) matrix per (batch, head).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace opusim::kernels {

// A rows x cols row-major matrix; row r starts at data + r * stride (stride >= cols).
template <class T>
struct MatrixView {
    T* data = nullptr;
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::size_t stride = 0;

    T* row(std::size_t r) const { return data + r * stride; }
    T& at(std::size_t r, std::size_t c) const { return data[r * stride + c]; }
    // Rows [first, first + count) of this matrix.
    MatrixView rows_slice(std::size_t first, std::size_t count) const {
        return {data + first * stride, count, cols, stride};
    }
    operator MatrixView<const T>() const { return {data, rows, cols, stride}; }
};

using Matrix = MatrixView<float>;
using ConstMatrix = MatrixView<const float>;

// A dense, contiguous matrix view of DATA.
inline Matrix dense(float* data, std::size_t rows, std::size_t cols) {
    return {data, rows, cols, cols};
}
inline ConstMatrix dense(const float* data, std::size_t rows, std::size_t cols) {
    return {data, rows, cols, cols};
}

struct Shape4 {
    std::size_t batch = 0;
    std::size_t heads = 0;
    std::size_t length = 0;
    std::size_t dim = 0;

    std::size_t size() const { return batch * heads * length * dim; }
    bool operator==(const Shape4& other) const {
        return batch == other.batch && heads == other.heads && length == other.length &&
               dim == other.dim;
    }
    bool operator!=(const Shape4& other) const { return !(*this == other); }
};

// "(B, H, L, d) = (1, 2, 128, 32)", for error messages.
std::string to_string(const Shape4& shape);

// An owning (batch, heads, length, dim) float32 tensor in C order.
class Tensor4 {
  public:
    Tensor4() = default;
    explicit Tensor4(Shape4 shape);                    // zero-filled
    Tensor4(Shape4 shape, std::vector<float> values);  // throws if the sizes disagree

    const Shape4& shape() const { return shape_; }
    float* data() { return values_.data(); }
    const float* data() const { return values_.data(); }
    const std::vector<float>& values() const { return values_; }
    std::size_t size() const { return values_.size(); }

    // The (length x dim) matrix of one (batch, head).
    Matrix head(std::size_t batch, std::size_t head);
    ConstMatrix head(std::size_t batch, std::size_t head) const;

  private:
    std::size_t head_offset(std::size_t batch, std::size_t head) const;

    Shape4 shape_;
    std::vector<float> values_;
};

}  // namespace opusim::kernels
