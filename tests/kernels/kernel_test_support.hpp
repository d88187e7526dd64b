// Helpers shared by the kernel tests: golden-file loading, random tensors, elementwise comparison.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "opusim/io/npy.hpp"
#include "opusim/kernels/random_matrices.hpp"
#include "opusim/kernels/tensor.hpp"

namespace opusim::kernels::testing {

inline std::string golden_path(const std::string& name) {
    return std::string(OPUSIM_TEST_DATA_DIR) + "/favor/" + name;
}

// A (B, H, L, d) golden tensor.
inline Tensor4 load_tensor(const std::string& name) {
    const io::NpyArray array = io::read_npy(golden_path(name));
    if (array.shape.size() != 4) throw std::runtime_error(name + ": expected 4 dimensions");
    return Tensor4({array.shape[0], array.shape[1], array.shape[2], array.shape[3]},
                   array.to_float());
}

// N(0, sigma^2) values, deterministic in SEED.
inline Tensor4 random_tensor(Shape4 shape, double sigma, std::uint64_t seed) {
    const std::vector<double> values = gaussian_values(seed, 7, shape.size());
    std::vector<float> scaled(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        scaled[i] = static_cast<float>(sigma * values[i]);
    return Tensor4(shape, std::move(scaled));
}

// The inputs of one attention call: q, k, v of shape (1, HEADS, LENGTH, D).
struct AttentionInputs {
    Tensor4 q;
    Tensor4 k;
    Tensor4 v;
};

// q and k N(0, QK_SIGMA^2) (small enough for exp features), v N(0, 1); seeds FIRST_SEED, +1, +2.
inline AttentionInputs random_attention_inputs(std::size_t heads, std::size_t length, std::size_t d,
                                               double qk_sigma, std::uint64_t first_seed) {
    const Shape4 shape{1, heads, length, d};
    return {random_tensor(shape, qk_sigma, first_seed),
            random_tensor(shape, qk_sigma, first_seed + 1),
            random_tensor(shape, 1.0, first_seed + 2)};
}

// Every element within atol + rtol |expected|; reports the worst one.
inline ::testing::AssertionResult all_close(const Tensor4& actual, const Tensor4& expected,
                                            double rtol, double atol) {
    if (actual.shape() != expected.shape()) {
        return ::testing::AssertionFailure() << "shapes differ: " << to_string(actual.shape())
                                             << " vs " << to_string(expected.shape());
    }
    std::size_t worst = 0;
    double worst_excess = -1.0;
    std::size_t failures = 0;
    for (std::size_t i = 0; i < actual.size(); ++i) {
        const double a = actual.data()[i];
        const double e = expected.data()[i];
        const double excess = std::abs(a - e) - (atol + rtol * std::abs(e));
        if (excess > 0) ++failures;
        if (excess > worst_excess || !std::isfinite(a)) {
            worst_excess = std::isfinite(a) ? excess : 1e300;
            worst = i;
        }
    }
    if (failures == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << failures << " of " << actual.size() << " elements outside rtol " << rtol << " / atol "
           << atol << "; worst at flat index " << worst << ": " << actual.data()[worst] << " vs "
           << expected.data()[worst];
}

}  // namespace opusim::kernels::testing
