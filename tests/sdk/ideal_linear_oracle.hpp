// Oracle only (tests): what the SDK's linear mode computes on an ideal device (noise=ideal: float
// intensities without noise, quantisation or clipping), derived from the true effective medium
// (physics EffectiveMedium, never used by the SDK), and the SDK's bit-plane encoding of real
// inputs. Shared by tests/sdk and tests/kernels.
//
// With field = A C x + L (A = 1 - a, a the off mirrors' leakage amplitude, L the leakage field),
// the reference r_j = sum of the reference features' columns, and c'_j = A^2 |r_j|^2 +
// 2 A Re(conj(r_j) L_j) (the reference's intensity step per unit camera gain), the scheme of
// docs/sdk.md gives exactly
//   y_j = A^2 Re(conj(r_j) C_j x_enc) / (sqrt(c'_j) sqrt(mean_k c'_k / n_ref)),
// the mean over every candidate pixel k read out. The camera gain cancels; nothing is fitted.
#pragma once

#include <cmath>
#include <complex>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "opusim/context.hpp"
#include "opusim/contract/input_layout.hpp"
#include "opusim/physics/effective_medium.hpp"
#include "opusim/physics/medium.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::testing_support {

// ROWS x COLS standard normal floats from SEED.
inline std::vector<float> gaussian_rows(std::size_t rows, std::size_t cols, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(rows * cols);
    for (auto& v : x) v = normal(rng);
    return x;
}

// The input layout of a call, from its context.
inline contract::InputLayout layout_of_context(const Context& context) {
    contract::InputLayout layout;
    layout.n_features = context.input_roi.n_features;
    layout.replication = context.input_roi.replication;
    layout.first_mirror = context.input_roi.first_mirror;
    layout.total_mirrors = context.input_roi.total_mirrors;
    layout.strategy = contract::parse_input_roi_strategy(context.input_roi.strategy, "strategy");
    return layout;
}

// The linear mode's matrix on an ideal device: n_outputs x n_features (signal features), row-major.
inline std::vector<double> ideal_linear_matrix(const Context& context,
                                               const std::string& profile_name,
                                               std::uint64_t medium_seed, std::size_t n_features) {
    const auto profile = physics::DeviceProfile::load(profile_name);
    const contract::InputLayout layout = layout_of_context(context);
    // The candidate pixels the SDK read out: the whole output ROI, row-major.
    const OutputRoi& roi = context.output_roi;
    std::vector<std::uint64_t> candidates;
    for (std::uint32_t y = 0; y < roi.height; ++y) {
        for (std::uint32_t x = 0; x < roi.width; ++x) {
            candidates.push_back(std::uint64_t{roi.y + y} * profile.camera.width + roi.x + x);
        }
    }
    const physics::Medium medium(profile.medium, medium_seed);
    const physics::EffectiveMedium effective(medium, layout, candidates,
                                             profile.dmd.contrast_ratio);
    const auto matrix = effective.oracle_matrix();
    const auto leakage = effective.oracle_leakage_field();
    const double a = 1.0 - effective.leakage_amplitude();
    const std::size_t total = layout.n_features;
    // The reference features follow the signal; the layout's dither features (noisy cameras
    // only) follow them.
    const std::size_t n_reference = context.input_roi.reference_features;
    std::vector<std::complex<double>> reference(candidates.size());
    std::vector<double> step(candidates.size());
    double mean_step = 0;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        for (std::size_t f = n_features; f < n_features + n_reference; ++f)
            reference[k] += std::complex<double>(matrix[k * total + f]);
        step[k] = a * a * std::norm(reference[k]) +
                  2 * a * (std::conj(reference[k]) * std::complex<double>(leakage[k])).real();
        mean_step += step[k] / double(candidates.size());
    }
    const double global = std::sqrt(mean_step / double(n_reference));
    std::vector<double> out;
    for (const std::uint64_t pixel : context.output_pixels) {
        std::size_t k = 0;
        while (candidates[k] != pixel) ++k;
        const double scale = a * a / (std::sqrt(step[k]) * global);
        for (std::size_t f = 0; f < n_features; ++f) {
            out.push_back(
                scale *
                (std::conj(reference[k]) * std::complex<double>(matrix[k * total + f])).real());
        }
    }
    return out;
}

// A row as the SDK's linear mode shows it (docs/sdk.md): z = (x / max|x| + 1) / 2 rounded to
// BITS bits, x_enc = max|x| (2 z_q - 1).
inline std::vector<float> sdk_encoded_rows(const std::vector<float>& x, std::size_t rows,
                                           std::size_t n, unsigned bits = 8) {
    const double levels = double((1u << bits) - 1u);
    std::vector<float> encoded(x.size(), 0.0f);
    for (std::size_t i = 0; i < rows; ++i) {
        double peak = 0;
        for (std::size_t f = 0; f < n; ++f) peak = std::max(peak, double(std::abs(x[i * n + f])));
        if (peak == 0) continue;
        for (std::size_t f = 0; f < n; ++f) {
            const double z = (double(x[i * n + f]) / peak + 1.0) / 2.0;
            const double q = double(std::lround(z * levels));
            encoded[i * n + f] = static_cast<float>(peak * (2.0 * q / levels - 1.0));
        }
    }
    return encoded;
}

// MATRIX (m x n) times each of ROWS rows of X (n values): rows x m.
inline std::vector<double> apply_matrix(const std::vector<double>& matrix, std::size_t m,
                                        const std::vector<float>& x, std::size_t rows,
                                        std::size_t n) {
    std::vector<double> y(rows * m, 0.0);
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < m; ++j) {
            double sum = 0;
            for (std::size_t f = 0; f < n; ++f) sum += matrix[j * n + f] * double(x[i * n + f]);
            y[i * m + j] = sum;
        }
    }
    return y;
}

}  // namespace opusim::testing_support
