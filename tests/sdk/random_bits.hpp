// Random binary inputs for the SDK tests: N bits, each 1 with probability P, from SEED (a fixed
// std::mt19937 stream, so every test's input is reproducible).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace opusim::testing_support {

inline std::vector<std::uint8_t> random_bits(std::size_t n, std::uint32_t seed, double p = 0.5) {
    std::mt19937 rng(seed);
    std::bernoulli_distribution bit(p);
    std::vector<std::uint8_t> bits(n);
    for (auto& b : bits) b = bit(rng) ? 1 : 0;
    return bits;
}

}  // namespace opusim::testing_support
