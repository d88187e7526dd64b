#include "opusim/kernels/random_matrices.hpp"

#include <Random123/philox.h>
#include <Random123/boxmuller.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace opusim::kernels {
namespace {

void require_positive(const char* name, std::size_t value) {
    if (value == 0) {
        throw std::invalid_argument(std::string(name) + ": expected a positive size, got 0");
    }
}

}  // namespace

std::vector<double> gaussian_values(std::uint64_t seed, std::uint64_t stream, std::size_t count,
                                    std::size_t first) {
    using Philox = r123::Philox4x64;
    Philox generator;
    const Philox::key_type key = {{seed, stream}};
    std::vector<double> values(count);
    std::size_t i = first;
    while (i < first + count) {
        const std::uint64_t block = i / 4;
        const Philox::ctr_type counter = {{block, 0, 0, 0}};
        const Philox::ctr_type words = generator(counter, key);
        const r123::double2 low = r123::boxmuller(words[0], words[1]);
        const r123::double2 high = r123::boxmuller(words[2], words[3]);
        const double four[4] = {low.x, low.y, high.x, high.y};
        for (std::size_t lane = i % 4; lane < 4 && i < first + count; ++lane, ++i) {
            values[i - first] = four[lane];
        }
    }
    return values;
}

QrFactors householder_qr(const std::vector<double>& a, std::size_t n) {
    if (a.size() != n * n) {
        throw std::invalid_argument("householder_qr: a has " + std::to_string(a.size()) +
                                    " values, expected n * n = " + std::to_string(n * n));
    }
    std::vector<double> r = a;
    std::vector<std::vector<double>> reflectors(n);
    for (std::size_t k = 0; k < n; ++k) {
        // The reflector H = I - 2 v v^T that maps column k below the diagonal onto e_k.
        double norm2 = 0.0;
        for (std::size_t i = k; i < n; ++i) norm2 += r[i * n + k] * r[i * n + k];
        const double norm = std::sqrt(norm2);
        std::vector<double> v(n - k);
        for (std::size_t i = k; i < n; ++i) v[i - k] = r[i * n + k];
        // alpha takes the sign opposite to the pivot, so v0 = x0 - alpha never cancels.
        const double alpha = v[0] >= 0.0 ? -norm : norm;
        v[0] -= alpha;
        double v_norm2 = 0.0;
        for (double x : v) v_norm2 += x * x;
        if (v_norm2 > 0.0) {
            const double inv = 1.0 / std::sqrt(v_norm2);
            for (double& x : v) x *= inv;
            for (std::size_t j = k; j < n; ++j) {
                double dot = 0.0;
                for (std::size_t i = k; i < n; ++i) dot += v[i - k] * r[i * n + j];
                for (std::size_t i = k; i < n; ++i) r[i * n + j] -= 2.0 * v[i - k] * dot;
            }
        }
        for (std::size_t i = k + 1; i < n; ++i) r[i * n + k] = 0.0;
        reflectors[k] = std::move(v);
    }
    // Q = H_0 H_1 ... H_{n-1}: apply the reflectors to the identity, the last one first.
    std::vector<double> q(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) q[i * n + i] = 1.0;
    for (std::size_t k = n; k-- > 0;) {
        const std::vector<double>& v = reflectors[k];
        for (std::size_t j = 0; j < n; ++j) {
            double dot = 0.0;
            for (std::size_t i = k; i < n; ++i) dot += v[i - k] * q[i * n + j];
            for (std::size_t i = k; i < n; ++i) q[i * n + j] -= 2.0 * v[i - k] * dot;
        }
    }
    // Make diag(R) non-negative: A = (Q D)(D R) with D = diag(sign R_kk).
    for (std::size_t k = 0; k < n; ++k) {
        if (r[k * n + k] >= 0.0) continue;
        for (std::size_t j = k; j < n; ++j) r[k * n + j] = -r[k * n + j];
        for (std::size_t i = 0; i < n; ++i) q[i * n + k] = -q[i * n + k];
    }
    return {n, std::move(q), std::move(r)};
}

std::vector<float> iid_gaussian_matrix(std::size_t m, std::size_t d, std::uint64_t seed) {
    require_positive("m (features)", m);
    require_positive("d (dim)", d);
    const std::vector<double> values = gaussian_values(seed, kIidStream, m * d);
    return std::vector<float>(values.begin(), values.end());
}

std::vector<double> chi_row_norms(std::size_t m, std::size_t d, std::uint64_t seed) {
    const std::vector<double> values = gaussian_values(seed, kRowNormStream, m * d);
    std::vector<double> norms(m);
    for (std::size_t i = 0; i < m; ++i) {
        double sum = 0.0;
        for (std::size_t j = 0; j < d; ++j) sum += values[i * d + j] * values[i * d + j];
        norms[i] = std::sqrt(sum);
    }
    return norms;
}

std::vector<float> orthogonal_gaussian_matrix(std::size_t m, std::size_t d, std::uint64_t seed,
                                              RowNorms row_norms) {
    require_positive("m (features)", m);
    require_positive("d (dim)", d);
    const std::vector<double> norms = row_norms == RowNorms::Chi
                                          ? chi_row_norms(m, d, seed)
                                          : std::vector<double>(m, std::sqrt(double(d)));
    std::vector<float> w(m * d);
    const std::size_t blocks = (m + d - 1) / d;
    for (std::size_t b = 0; b < blocks; ++b) {
        const QrFactors qr =
            householder_qr(gaussian_values(seed, kOrthogonalBlockStream + b, d * d), d);
        // Row r of Q^T is column r of Q.
        for (std::size_t r = 0; r < d && b * d + r < m; ++r) {
            const std::size_t row = b * d + r;
            for (std::size_t j = 0; j < d; ++j) {
                w[row * d + j] = static_cast<float>(qr.q[j * d + r] * norms[row]);
            }
        }
    }
    return w;
}

}  // namespace opusim::kernels
