#include "opusim/encoders.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace opusim {

namespace {

// Rows and columns of X seen as (rows, d), d the last axis; checks every value is finite.
struct Matrix {
    std::size_t rows = 0;
    std::size_t cols = 0;
};

Matrix checked_matrix(const ArrayView<float>& x, const char* who) {
    if (x.shape.empty()) {
        throw std::invalid_argument(std::string(who) + ": x must have at least one dimension");
    }
    if (x.data == nullptr && x.size() > 0) {
        throw std::invalid_argument(std::string(who) + ": x has no data");
    }
    Matrix m;
    m.cols = x.shape.back();
    m.rows = m.cols == 0 ? 0 : x.size() / m.cols;
    if (m.cols == 0) throw std::invalid_argument(std::string(who) + ": x has 0 features");
    for (std::size_t i = 0; i < m.rows * m.cols; ++i) {
        if (!std::isfinite(x.data[i])) {
            throw std::invalid_argument(std::string(who) + ": x[" + std::to_string(i / m.cols) +
                                        ", " + std::to_string(i % m.cols) +
                                        "] is not finite (NaN or infinity)");
        }
    }
    return m;
}

// A shape like X's with the last axis replaced by NEW_LAST.
Shape with_last(const Shape& shape, std::size_t new_last) {
    Shape out = shape;
    out.back() = new_last;
    return out;
}

void require_fitted(bool fitted, const char* who) {
    if (!fitted) throw std::logic_error(std::string(who) + ": transform before fit");
}

// numpy.median of VALUES (reordered): the middle value, or the mean of the two middle ones.
float median(std::vector<float>& values) {
    const std::size_t half = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(half), values.end());
    const float upper = values[half];
    if (values.size() % 2 == 1) return upper;
    const float lower = *std::max_element(values.begin(), values.begin() + std::ptrdiff_t(half));
    return (lower + upper) / 2.0f;
}

std::pair<float, float> min_max(const ArrayView<float>& x, std::size_t n) {
    const auto [lo, hi] = std::minmax_element(x.data, x.data + n);
    return {*lo, *hi};
}

}  // namespace

// ---- BinaryThresholdEncoder ----

BinaryThresholdEncoder::BinaryThresholdEncoder(float threshold) : learned_(false) {
    if (!std::isfinite(threshold)) {
        throw std::invalid_argument("BinaryThresholdEncoder: threshold must be finite");
    }
    thresholds_.assign(1, threshold);
}

BinaryThresholdEncoder& BinaryThresholdEncoder::fit(const ArrayView<float>& x) {
    const Matrix m = checked_matrix(x, "BinaryThresholdEncoder.fit");
    if (m.rows == 0) throw std::invalid_argument("BinaryThresholdEncoder.fit: x has no rows");
    if (!learned_) return *this;  // a given threshold stays
    std::vector<float> thresholds(m.cols);
    std::vector<float> column(m.rows);
    for (std::size_t i = 0; i < m.cols; ++i) {
        for (std::size_t r = 0; r < m.rows; ++r) column[r] = x.data[r * m.cols + i];
        thresholds[i] = median(column);
    }
    thresholds_ = std::move(thresholds);
    return *this;
}

const std::vector<float>& BinaryThresholdEncoder::thresholds() const {
    require_fitted(fitted(), "BinaryThresholdEncoder");
    return thresholds_;
}

Array<std::uint8_t> BinaryThresholdEncoder::transform(const ArrayView<float>& x) const {
    require_fitted(fitted(), "BinaryThresholdEncoder");
    const Matrix m = checked_matrix(x, "BinaryThresholdEncoder.transform");
    const bool per_feature = thresholds_.size() > 1 || learned_;
    if (per_feature && thresholds_.size() != m.cols) {
        throw std::invalid_argument("BinaryThresholdEncoder.transform: x has " +
                                    std::to_string(m.cols) + " features, fitted on " +
                                    std::to_string(thresholds_.size()));
    }
    Array<std::uint8_t> out{x.shape, std::vector<std::uint8_t>(m.rows * m.cols)};
    for (std::size_t i = 0; i < out.values.size(); ++i) {
        const float threshold = thresholds_[per_feature ? i % m.cols : 0];
        out.values[i] = x.data[i] > threshold ? 1 : 0;
    }
    return out;
}

Array<std::uint8_t> BinaryThresholdEncoder::fit_transform(const ArrayView<float>& x) {
    return fit(x).transform(x);
}

// ---- MultiThresholdEncoder ----

MultiThresholdEncoder::MultiThresholdEncoder(unsigned n_bins) : n_bins_(n_bins) {
    if (n_bins < 2 || n_bins > 256) {
        throw std::invalid_argument("MultiThresholdEncoder: n_bins must be in [2, 256], got " +
                                    std::to_string(n_bins));
    }
}

MultiThresholdEncoder& MultiThresholdEncoder::fit(const ArrayView<float>& x) {
    const Matrix m = checked_matrix(x, "MultiThresholdEncoder.fit");
    if (m.rows == 0) throw std::invalid_argument("MultiThresholdEncoder.fit: x has no rows");
    const auto [lo, hi] = min_max(x, m.rows * m.cols);
    thresholds_.clear();
    for (unsigned k = 1; k < n_bins_; ++k) {
        thresholds_.push_back(
            static_cast<float>(double(lo) + (double(hi) - double(lo)) * k / double(n_bins_)));
    }
    return *this;
}

Array<std::uint8_t> MultiThresholdEncoder::transform(const ArrayView<float>& x) const {
    require_fitted(!thresholds_.empty(), "MultiThresholdEncoder");
    const Matrix m = checked_matrix(x, "MultiThresholdEncoder.transform");
    const std::size_t t = thresholds_.size();
    Array<std::uint8_t> out{with_last(x.shape, m.cols * t),
                            std::vector<std::uint8_t>(m.rows * m.cols * t)};
    for (std::size_t r = 0; r < m.rows; ++r) {
        const float* row = x.data + r * m.cols;
        std::uint8_t* dst = out.values.data() + r * m.cols * t;
        for (std::size_t k = 0; k < t; ++k) {
            for (std::size_t i = 0; i < m.cols; ++i) {
                dst[k * m.cols + i] = row[i] > thresholds_[k] ? 1 : 0;
            }
        }
    }
    return out;
}

Array<std::uint8_t> MultiThresholdEncoder::fit_transform(const ArrayView<float>& x) {
    return fit(x).transform(x);
}

// ---- SequentialBaseTwoEncoder ----

SequentialBaseTwoEncoder::SequentialBaseTwoEncoder(unsigned n_gray_levels)
    : n_gray_levels_(n_gray_levels) {
    const bool power_of_two = n_gray_levels >= 2 && (n_gray_levels & (n_gray_levels - 1)) == 0;
    if (!power_of_two || n_gray_levels > 256) {
        throw std::invalid_argument(
            "SequentialBaseTwoEncoder: n_gray_levels must be a power of two in [2, 256], got " +
            std::to_string(n_gray_levels));
    }
}

SequentialBaseTwoEncoder& SequentialBaseTwoEncoder::fit(const ArrayView<float>& x) {
    const Matrix m = checked_matrix(x, "SequentialBaseTwoEncoder.fit");
    if (m.rows == 0) throw std::invalid_argument("SequentialBaseTwoEncoder.fit: x has no rows");
    const auto [lo, hi] = min_max(x, m.rows * m.cols);
    min_ = lo;
    max_ = hi;
    return *this;
}

Array<std::uint8_t> SequentialBaseTwoEncoder::transform(const ArrayView<float>& x) const {
    require_fitted(min_.has_value(), "SequentialBaseTwoEncoder");
    const Matrix m = checked_matrix(x, "SequentialBaseTwoEncoder.transform");
    const unsigned width = n_gray_levels_ - 1;
    unsigned n_bits = 0;
    while ((1u << n_bits) < n_gray_levels_) ++n_bits;
    const float span = *max_ - *min_;
    Array<std::uint8_t> out{with_last(x.shape, m.cols * width),
                            std::vector<std::uint8_t>(m.rows * m.cols * width)};
    for (std::size_t v = 0; v < m.rows * m.cols; ++v) {
        // As numpy on float32: (G - 1) * (x - min) / span, rounded half to even, then clipped.
        const float level =
            span > 0 ? std::nearbyint(float(width) * (x.data[v] - *min_) / span) : 0.0f;
        const auto q = static_cast<unsigned>(std::clamp(level, 0.0f, float(width)));
        std::uint8_t* dst = out.values.data() + v * width;
        for (unsigned bit = n_bits; bit-- > 0;) {
            const std::uint8_t value = (q >> bit) & 1u;
            dst = std::fill_n(dst, 1u << bit, value);
        }
    }
    return out;
}

Array<std::uint8_t> SequentialBaseTwoEncoder::fit_transform(const ArrayView<float>& x) {
    return fit(x).transform(x);
}

// ---- SeparatedBitPlanEncoder / Decoder ----

SeparatedBitPlanEncoder::SeparatedBitPlanEncoder(unsigned precision) : precision_(precision) {
    if (precision < 1 || precision > 16) {
        throw std::invalid_argument("SeparatedBitPlanEncoder: precision must be in [1, 16], got " +
                                    std::to_string(precision));
    }
}

SeparatedBitPlanEncoder& SeparatedBitPlanEncoder::fit(const ArrayView<float>& x) {
    const Matrix m = checked_matrix(x, "SeparatedBitPlanEncoder.fit");
    if (m.rows == 0) throw std::invalid_argument("SeparatedBitPlanEncoder.fit: x has no rows");
    float pos = 0;
    float neg = 0;
    for (std::size_t i = 0; i < m.rows * m.cols; ++i) {
        pos = std::max(pos, x.data[i]);
        neg = std::max(neg, -x.data[i]);
    }
    positive_max_ = pos;
    negative_max_ = neg;
    return *this;
}

float SeparatedBitPlanEncoder::positive_max() const {
    require_fitted(positive_max_.has_value(), "SeparatedBitPlanEncoder");
    return *positive_max_;
}
float SeparatedBitPlanEncoder::negative_max() const {
    require_fitted(negative_max_.has_value(), "SeparatedBitPlanEncoder");
    return *negative_max_;
}

Array<std::uint8_t> SeparatedBitPlanEncoder::transform(const ArrayView<float>& x) const {
    require_fitted(positive_max_.has_value(), "SeparatedBitPlanEncoder");
    const Matrix m = checked_matrix(x, "SeparatedBitPlanEncoder.transform");
    const unsigned p = precision_;
    const double levels = double((1u << p) - 1u);
    Array<std::uint8_t> out{Shape{2 * p * m.rows, m.cols},
                            std::vector<std::uint8_t>(2 * p * m.rows * m.cols)};
    for (std::size_t r = 0; r < m.rows; ++r) {
        for (std::size_t i = 0; i < m.cols; ++i) {
            const float v = x.data[r * m.cols + i];
            const bool negative = v < 0;
            const float magnitude = negative ? -v : v;
            const float limit = negative ? *negative_max_ : *positive_max_;
            if (magnitude == 0 || limit == 0) continue;
            const float clipped = std::min(magnitude, limit);  // beyond the fitted range
            const auto q = static_cast<unsigned>(std::lround(clipped / limit * levels));
            const std::size_t sign_block = negative ? p : 0;
            for (unsigned k = 0; k < p; ++k) {
                const std::uint8_t bit = (q >> (p - 1 - k)) & 1u;
                out.values[((sign_block + k) * m.rows + r) * m.cols + i] = bit;
            }
        }
    }
    return out;
}

Array<std::uint8_t> SeparatedBitPlanEncoder::fit_transform(const ArrayView<float>& x) {
    return fit(x).transform(x);
}

SeparatedBitPlanDecoder::SeparatedBitPlanDecoder(const SeparatedBitPlanEncoder& encoder)
    : precision_(encoder.precision()),
      positive_max_(encoder.positive_max()),
      negative_max_(encoder.negative_max()) {}

Array<float> SeparatedBitPlanDecoder::transform(const ArrayView<float>& y) const {
    if (y.shape.size() != 2 || y.shape[0] % (2 * precision_) != 0) {
        throw std::invalid_argument("SeparatedBitPlanDecoder.transform: y must have shape (2 x " +
                                    std::to_string(precision_) + " x n, m)");
    }
    const std::size_t n = y.shape[0] / (2 * precision_);
    const std::size_t m = y.shape[1];
    const double levels = double((1u << precision_) - 1u);
    Array<float> out{Shape{n, m}, std::vector<float>(n * m, 0.0f)};
    for (unsigned k = 0; k < precision_; ++k) {
        const double weight = double(1u << (precision_ - 1 - k)) / levels;
        for (std::size_t r = 0; r < n; ++r) {
            const float* pos = y.data + (k * n + r) * m;
            const float* neg = y.data + ((precision_ + k) * n + r) * m;
            float* dst = out.values.data() + r * m;
            for (std::size_t j = 0; j < m; ++j) {
                dst[j] += static_cast<float>(
                    weight * (positive_max_ * double(pos[j]) - negative_max_ * double(neg[j])));
            }
        }
    }
    return out;
}

}  // namespace opusim
