// Encoders turn real-valued data into the binary inputs the DMD shows; decoders turn device
// outputs back. sklearn semantics as in lightonml: fit() learns from data (thresholds, ranges),
// transform() never changes the encoder's state. Inputs are row-major (rows..., d) with the last
// axis the features; NaN or infinite values are std::invalid_argument naming the row and column.
// Values outside the learned range are clipped to it (as lightonml's encoders do): test data
// beyond the training data's range is normal, not an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "opusim/array.hpp"

namespace opusim {

// x > threshold -> 1. The threshold is given (one for every feature; fit keeps it), or, "auto"
// as in lightonml, learned by fit as each feature's median over the training rows (the mean of
// the two middle values for an even count), so every feature is lit about half the time.
class BinaryThresholdEncoder {
  public:
    BinaryThresholdEncoder() = default;  // thresholds learned by fit ("auto")
    explicit BinaryThresholdEncoder(float threshold);
    BinaryThresholdEncoder& fit(const ArrayView<float>& x);
    // Throws std::invalid_argument naming x when learned thresholds do not match its features.
    Array<std::uint8_t> transform(const ArrayView<float>& x) const;
    Array<std::uint8_t> fit_transform(const ArrayView<float>& x);
    bool fitted() const { return !thresholds_.empty(); }
    // One threshold per feature (learned), or the one given.
    const std::vector<float>& thresholds() const;

  private:
    bool learned_ = true;
    std::vector<float> thresholds_;
};

// Thermometer code: n_bins - 1 thresholds evenly spaced strictly inside the learned [min, max];
// output (..., d * (n_bins - 1)) with out[..., k * d + i] = x[..., i] > t_k (threshold-major, so
// each block of d is one threshold's binary image).
class MultiThresholdEncoder {
  public:
    explicit MultiThresholdEncoder(unsigned n_bins = 8);
    MultiThresholdEncoder& fit(const ArrayView<float>& x);
    Array<std::uint8_t> transform(const ArrayView<float>& x) const;
    Array<std::uint8_t> fit_transform(const ArrayView<float>& x);
    const std::vector<float>& thresholds() const { return thresholds_; }

  private:
    unsigned n_bins_;
    std::vector<float> thresholds_;
};

// Gray levels in base two with repetition (lightonml's layout): x is mapped linearly from the
// learned [min, max] to a level q = round((G - 1) (x - min) / (max - min)) (float32 arithmetic,
// ties to even, as numpy), clipped to [0, G - 1]; bit k of q is repeated 2^k times, so the
// number of ones equals q. Output (..., d * (G - 1)), feature i's block at
// [i (G - 1), (i + 1)(G - 1)): the most significant bit first, 2^(n-1) times, ... bit 0 last,
// once. n_gray_levels G must be a power of two in [2, 256].
class SequentialBaseTwoEncoder {
  public:
    explicit SequentialBaseTwoEncoder(unsigned n_gray_levels = 16);
    SequentialBaseTwoEncoder& fit(const ArrayView<float>& x);
    Array<std::uint8_t> transform(const ArrayView<float>& x) const;
    Array<std::uint8_t> fit_transform(const ArrayView<float>& x);
    unsigned n_gray_levels() const { return n_gray_levels_; }

  private:
    unsigned n_gray_levels_;
    std::optional<float> min_;
    std::optional<float> max_;
};

// Signed values as bit-planes for linear_transform-style decoding: x = x+ - x-, each part scaled
// by its learned maximum (fit) and quantised to `precision` bits, q = round(x+/max+ (2^p - 1)).
// Input (n, d) -> output (2 * precision * n, d): plane k (k = 0 most significant) of the positive
// parts of all n rows at rows [k n, (k+1) n), then the negative parts' planes at [(p + k) n, ...).
// |x| beyond the learned maximum of its sign is clipped to it. (lightonml's encoder of the same
// name learns the maxima at every transform and orders the rows sample by sample: the Python
// module's opusim.encoding.base follows lightonml.)
class SeparatedBitPlanEncoder {
  public:
    explicit SeparatedBitPlanEncoder(unsigned precision = 6);
    SeparatedBitPlanEncoder& fit(const ArrayView<float>& x);
    Array<std::uint8_t> transform(const ArrayView<float>& x) const;
    Array<std::uint8_t> fit_transform(const ArrayView<float>& x);
    unsigned precision() const { return precision_; }
    float positive_max() const;
    float negative_max() const;

  private:
    unsigned precision_;
    std::optional<float> positive_max_;
    std::optional<float> negative_max_;
};

// Inverse of SeparatedBitPlanEncoder after a linear map: Y (2 * precision * n, m) ->
// (n, m) = max+/(2^p-1) sum_k 2^(p-1-k) Y+_k - max-/(2^p-1) sum_k 2^(p-1-k) Y-_k.
class SeparatedBitPlanDecoder {
  public:
    explicit SeparatedBitPlanDecoder(const SeparatedBitPlanEncoder& encoder);
    Array<float> transform(const ArrayView<float>& y) const;

  private:
    unsigned precision_;
    float positive_max_;
    float negative_max_;
};

}  // namespace opusim
