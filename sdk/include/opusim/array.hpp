// N-dimensional arrays as the SDK takes and returns them: a shape and row-major (C order) values.
// Inputs are taken as views (no copy); results own their values.
#pragma once

#include <cstddef>
#include <functional>
#include <numeric>
#include <vector>

namespace opusim {

using Shape = std::vector<std::size_t>;

inline std::size_t shape_size(const Shape& shape) {
    return std::accumulate(shape.begin(), shape.end(), std::size_t{1},
                           std::multiplies<std::size_t>());
}

// A read-only view of row-major data: DATA holds shape_size(SHAPE) values.
template <class T>
struct ArrayView {
    const T* data = nullptr;
    Shape shape;

    ArrayView() = default;
    ArrayView(const T* values, Shape dims) : data(values), shape(std::move(dims)) {}
    // A matrix view: ROWS x COLS.
    ArrayView(const T* values, std::size_t rows, std::size_t cols)
        : data(values), shape{rows, cols} {}
    // Views a whole vector with SHAPE (its size must match; checked where it is used).
    ArrayView(const std::vector<T>& values, Shape dims)
        : data(values.data()), shape(std::move(dims)) {}

    std::size_t size() const { return shape_size(shape); }
};

// An owning row-major array.
template <class T>
struct Array {
    Shape shape;
    std::vector<T> values;

    std::size_t size() const { return values.size(); }
    ArrayView<T> view() const { return ArrayView<T>(values.data(), shape); }
    // Row I of the array seen as (size / last dim) rows of the last dimension.
    const T* row(std::size_t i) const { return values.data() + i * shape.back(); }
};

}  // namespace opusim
