// Argument checks shared by the kernels and the `opusim` commands. Every failure throws
// std::invalid_argument whose message starts with the argument's name and says what was expected.
#pragma once

#include <cstddef>
#include <string>

#include "opusim/kernels/tensor.hpp"

namespace opusim::kernels {

// Throws when any value is NaN or infinite, naming NAME and the first bad element's position.
void require_finite(const std::string& name, const Tensor4& tensor);
void require_finite(const std::string& name, ConstMatrix matrix);

// Throws unless ACTUAL == EXPECTED, e.g. "k: expected dim 32 (that of q), got 16".
void require_equal(const std::string& name, const std::string& what, std::size_t actual,
                   std::size_t expected, const std::string& why);

}  // namespace opusim::kernels
