#include "linear_dither.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace opusim::sdk_detail {

namespace {

// n choose k, saturating (only compared against couple indices).
std::size_t choose(std::size_t n, std::size_t k) {
    if (k > n) return 0;
    std::size_t result = 1;
    for (std::size_t i = 1; i <= k; ++i) {
        result = result * (n - k + i) / i;
    }
    return result;
}

}  // namespace

std::size_t dither_feature_count(std::size_t max_couples) {
    return std::min(max_couples, kMaxDitherFeatures);
}

std::vector<std::size_t> dither_pattern(std::size_t couple, std::size_t n_dither) {
    std::size_t rank = couple;
    for (std::size_t size = 1; size <= n_dither; ++size) {
        const std::size_t count = choose(n_dither, size);
        if (rank >= count) {
            rank -= count;
            continue;
        }
        // The rank-th SIZE-subset of [0, n_dither) in lexicographic order.
        std::vector<std::size_t> subset;
        std::size_t next = 0;
        for (std::size_t left = size; left > 0; --left) {
            for (;; ++next) {
                const std::size_t with_next = choose(n_dither - next - 1, left - 1);
                if (rank < with_next) break;
                rank -= with_next;
            }
            subset.push_back(next++);
        }
        return subset;
    }
    throw std::invalid_argument("linear dither: couple " + std::to_string(couple) +
                                " exceeds the distinct patterns of " + std::to_string(n_dither) +
                                " dither features");
}

std::size_t dither_max_lit(std::size_t couples, std::size_t n_dither) {
    if (couples == 0 || n_dither == 0) return 0;
    return dither_pattern(couples - 1, n_dither).size();
}

}  // namespace opusim::sdk_detail
