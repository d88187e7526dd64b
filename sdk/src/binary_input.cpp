#include "binary_input.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace opusim::sdk_detail {

namespace {

std::string shape_text(const Shape& shape) {
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        text += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return text + (shape.size() == 1 ? ",)" : ")");
}

// Checks the dimension count and the feature axes; returns the batch dims.
Shape split_batch(const Shape& shape, const FeatureShape& f, bool packed, const char* arg) {
    const std::size_t max_dims = 4;
    const std::string expected_features =
        f.feature_dims == 1 ? std::to_string(packed ? (f.cols + 7) / 8 : f.cols) +
                                  (packed ? " packed bytes (ceil(n_features / 8))" : " features")
                            : "(" + std::to_string(f.rows) + ", " +
                                  std::to_string(packed ? (f.cols + 7) / 8 : f.cols) + ")" +
                                  (packed ? " with rows bit-packed" : "");
    if (shape.size() < f.feature_dims || shape.size() > max_dims) {
        throw std::invalid_argument(std::string(arg) + ": expected " +
                                    std::to_string(f.feature_dims) + " to " +
                                    std::to_string(max_dims) + " dimensions ending in " +
                                    expected_features + ", got shape " + shape_text(shape));
    }
    const std::size_t last = packed ? (f.cols + 7) / 8 : f.cols;
    const bool last_ok = shape.back() == last;
    const bool rows_ok = f.feature_dims == 1 || shape[shape.size() - 2] == f.rows;
    if (!last_ok || !rows_ok) {
        throw std::invalid_argument(std::string(arg) + ": the last axes must be " +
                                    expected_features + " as fitted, got shape " +
                                    shape_text(shape));
    }
    return Shape(shape.begin(), shape.end() - static_cast<long>(f.feature_dims));
}

}  // namespace

Shape output_shape(const Shape& batch_shape, std::size_t n_components) {
    Shape shape = batch_shape;
    shape.push_back(n_components);
    return shape;
}

Batch flatten_binary(const ArrayView<std::uint8_t>& x, const FeatureShape& f, const char* arg) {
    Batch batch;
    batch.batch_shape = split_batch(x.shape, f, f.packed, arg);
    batch.samples = shape_size(batch.batch_shape);
    const std::size_t n = f.n_features();
    if (x.data == nullptr && batch.samples > 0) {
        throw std::invalid_argument(std::string(arg) + ": no data");
    }
    batch.bits.resize(batch.samples * n);
    if (f.packed) {
        const std::size_t row_bytes = (f.cols + 7) / 8;
        const std::size_t rows = batch.samples * f.rows;
        for (std::size_t r = 0; r < rows; ++r) {
            const std::uint8_t* src = x.data + r * row_bytes;
            std::uint8_t* dst = batch.bits.data() + r * f.cols;
            for (std::size_t c = 0; c < f.cols; ++c) dst[c] = (src[c / 8] >> (7 - c % 8)) & 1u;
            // Pad bits beyond the last feature must be 0, as numpy.packbits writes them.
            for (std::size_t c = f.cols; c < row_bytes * 8; ++c) {
                if ((src[c / 8] >> (7 - c % 8)) & 1u) {
                    throw std::invalid_argument(std::string(arg) + ": packed row " +
                                                std::to_string(r) +
                                                " has a pad bit set beyond "
                                                "feature " +
                                                std::to_string(f.cols - 1));
                }
            }
        }
        return batch;
    }
    for (std::size_t i = 0; i < batch.samples * n; ++i) {
        const std::uint8_t v = x.data[i];
        if (v > 1) {
            throw std::invalid_argument(
                std::string(arg) + "[sample " + std::to_string(i / n) + ", feature " +
                std::to_string(i % n) + "] = " + std::to_string(v) +
                ": transform needs binary input (0 or 1); encode real values first (e.g. "
                "BinaryThresholdEncoder) or use linear_transform");
        }
        batch.bits[i] = v;
    }
    return batch;
}

Shape checked_real_batch(const ArrayView<float>& x, const FeatureShape& f, const char* arg,
                         std::size_t* samples) {
    FeatureShape unpacked = f;
    unpacked.packed = false;
    Shape batch_shape = split_batch(x.shape, unpacked, false, arg);
    *samples = shape_size(batch_shape);
    const std::size_t total = *samples * f.n_features();
    if (x.data == nullptr && total > 0) throw std::invalid_argument(std::string(arg) + ": no data");
    for (std::size_t i = 0; i < total; ++i) {
        if (!std::isfinite(x.data[i])) {
            throw std::invalid_argument(
                std::string(arg) + "[sample " + std::to_string(i / f.n_features()) + ", feature " +
                std::to_string(i % f.n_features()) + "] is not finite (NaN or infinity)");
        }
    }
    return batch_shape;
}

}  // namespace opusim::sdk_detail
