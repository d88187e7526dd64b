#include "opusim/kernels/tensor.hpp"

#include <stdexcept>

namespace opusim::kernels {

std::string to_string(const Shape4& shape) {
    return "(B, H, L, d) = (" + std::to_string(shape.batch) + ", " + std::to_string(shape.heads) +
           ", " + std::to_string(shape.length) + ", " + std::to_string(shape.dim) + ")";
}

Tensor4::Tensor4(Shape4 shape) : shape_(shape), values_(shape.size(), 0.0f) {}

Tensor4::Tensor4(Shape4 shape, std::vector<float> values)
    : shape_(shape), values_(std::move(values)) {
    if (values_.size() != shape_.size()) {
        throw std::invalid_argument("Tensor4: " + std::to_string(values_.size()) +
                                    " values do not fill shape " + to_string(shape_));
    }
}

std::size_t Tensor4::head_offset(std::size_t batch, std::size_t head) const {
    if (batch >= shape_.batch || head >= shape_.heads) {
        throw std::out_of_range("Tensor4::head: (" + std::to_string(batch) + ", " +
                                std::to_string(head) + ") outside " + to_string(shape_));
    }
    return (batch * shape_.heads + head) * shape_.length * shape_.dim;
}

Matrix Tensor4::head(std::size_t batch, std::size_t head) {
    return dense(values_.data() + head_offset(batch, head), shape_.length, shape_.dim);
}

ConstMatrix Tensor4::head(std::size_t batch, std::size_t head) const {
    return dense(values_.data() + head_offset(batch, head), shape_.length, shape_.dim);
}

}  // namespace opusim::kernels
