#include "opusim/kernels/validation.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace opusim::kernels {
namespace {

std::string describe_value(float value) {
    if (std::isnan(value)) return "NaN";
    return value > 0 ? "+inf" : "-inf";
}

// True when every value is finite. Tests the exponent bits (all ones for inf and NaN) with
// integer operations the compiler vectorises; the caller searches for the position only on
// failure.
bool all_finite(const float* values, std::size_t count) {
    constexpr std::uint32_t kExponent = 0x7f800000u;
    std::uint32_t bad = 0;
    for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, values + i, sizeof bits);
        bad |= static_cast<std::uint32_t>((bits & kExponent) == kExponent);
    }
    return bad == 0;
}

}  // namespace

void require_finite(const std::string& name, const Tensor4& tensor) {
    const Shape4& s = tensor.shape();
    const float* values = tensor.data();
    if (all_finite(values, tensor.size())) return;
    for (std::size_t i = 0; i < tensor.size(); ++i) {
        if (std::isfinite(values[i])) continue;
        const std::size_t dim = i % s.dim;
        const std::size_t pos = (i / s.dim) % s.length;
        const std::size_t head = (i / (s.dim * s.length)) % s.heads;
        const std::size_t batch = i / (s.dim * s.length * s.heads);
        std::ostringstream message;
        message << name << ": expected finite values, got " << describe_value(values[i]) << " at ["
                << batch << ", " << head << ", " << pos << ", " << dim << "]";
        throw std::invalid_argument(message.str());
    }
}

void require_finite(const std::string& name, ConstMatrix matrix) {
    bool finite = true;
    for (std::size_t r = 0; r < matrix.rows; ++r)
        finite = finite && all_finite(matrix.row(r), matrix.cols);
    if (finite) return;
    for (std::size_t r = 0; r < matrix.rows; ++r) {
        for (std::size_t c = 0; c < matrix.cols; ++c) {
            const float value = matrix.at(r, c);
            if (std::isfinite(value)) continue;
            std::ostringstream message;
            message << name << ": expected finite values, got " << describe_value(value) << " at ["
                    << r << ", " << c << "]";
            throw std::invalid_argument(message.str());
        }
    }
}

void require_equal(const std::string& name, const std::string& what, std::size_t actual,
                   std::size_t expected, const std::string& why) {
    if (actual == expected) return;
    throw std::invalid_argument(name + ": expected " + what + " " + std::to_string(expected) +
                                (why.empty() ? "" : " (" + why + ")") + ", got " +
                                std::to_string(actual));
}

}  // namespace opusim::kernels
