// The CPU projections: determinism, the Householder QR, orthogonal blocks and their row norms,
// the distributions of the random matrices. Statistical tolerances are stated where used.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "opusim/kernels/projection.hpp"
#include "opusim/kernels/random_matrices.hpp"

namespace opusim::kernels {
namespace {

double dot_rows(const std::vector<float>& w, std::size_t d, std::size_t a, std::size_t b) {
    double sum = 0.0;
    for (std::size_t j = 0; j < d; ++j) sum += double(w[a * d + j]) * w[b * d + j];
    return sum;
}

TEST(GaussianValues, DeterministicAndIndependentOfHowTheyAreCut) {
    const std::vector<double> whole = gaussian_values(42, 3, 103);
    EXPECT_EQ(whole, gaussian_values(42, 3, 103));
    const std::vector<double> tail = gaussian_values(42, 3, 50, 53);  // starts mid-counter
    EXPECT_TRUE(std::equal(tail.begin(), tail.end(), whole.begin() + 53));
    EXPECT_NE(whole, gaussian_values(43, 3, 103));
    EXPECT_NE(whole, gaussian_values(42, 4, 103));
}

TEST(GaussianValues, MeanAndVarianceOfStandardNormal) {
    const std::size_t n = 200000;
    const std::vector<double> x = gaussian_values(5, kIidStream, n);
    double mean = 0.0, square = 0.0;
    for (double v : x) mean += v, square += v * v;
    mean /= n;
    const double variance = square / n - mean * mean;
    // 5 sigma of the sample mean (sigma = 1/sqrt(n)) and of the sample variance (sqrt(2/n)).
    EXPECT_LT(std::abs(mean), 5.0 / std::sqrt(double(n)));
    EXPECT_LT(std::abs(variance - 1.0), 5.0 * std::sqrt(2.0 / n));
}

TEST(HouseholderQr, FactorsAGaussianMatrix) {
    const std::size_t n = 48;
    const std::vector<double> a = gaussian_values(9, 0, n * n);
    const QrFactors qr = householder_qr(a, n);
    for (std::size_t i = 0; i < n; ++i) {
        EXPECT_GE(qr.r[i * n + i], 0.0);
        for (std::size_t j = 0; j < i; ++j) EXPECT_EQ(qr.r[i * n + j], 0.0);
        for (std::size_t j = 0; j < n; ++j) {
            double qtq = 0.0, qr_ij = 0.0;
            for (std::size_t l = 0; l < n; ++l) {
                qtq += qr.q[l * n + i] * qr.q[l * n + j];
                qr_ij += qr.q[i * n + l] * qr.r[l * n + j];
            }
            // Householder QR in double is backward stable: errors of a few n * 2^-53.
            EXPECT_NEAR(qtq, i == j ? 1.0 : 0.0, 1e-12);
            EXPECT_NEAR(qr_ij, a[i * n + j], 1e-12);
        }
    }
}

TEST(HouseholderQr, RejectsWrongSize) {
    EXPECT_THROW(householder_qr(std::vector<double>(5), 2), std::invalid_argument);
}

TEST(OrthogonalProjection, BlocksAreOrthogonalWithChiRowNorms) {
    const std::size_t m = 200, d = 64;  // 4 blocks, the last truncated to 8 rows
    const std::vector<float> w = orthogonal_gaussian_matrix(m, d, 11, RowNorms::Chi);
    const std::vector<double> norms = chi_row_norms(m, d, 11);
    ASSERT_EQ(w.size(), m * d);
    for (std::size_t i = 0; i < m; ++i) {
        // Stored as float: relative rounding 2^-24 per entry.
        EXPECT_NEAR(std::sqrt(dot_rows(w, d, i, i)), norms[i], 1e-6 * norms[i]);
        for (std::size_t j = (i / d) * d; j < i; ++j) {
            // Same block: orthogonal directions, up to float rounding (sqrt(d) * 2^-24 ~ 5e-7).
            EXPECT_NEAR(dot_rows(w, d, i, j) / (norms[i] * norms[j]), 0.0, 5e-6)
                << "rows " << i << ", " << j;
        }
    }
    // Across blocks the rows are independent, not orthogonal: some cosine is clearly non-zero.
    double largest_cross = 0.0;
    for (std::size_t j = d; j < 2 * d; ++j) {
        largest_cross =
            std::max(largest_cross, std::abs(dot_rows(w, d, 0, j)) / (norms[0] * norms[j]));
    }
    EXPECT_GT(largest_cross, 0.1);
}

TEST(OrthogonalProjection, SqrtDimRowNormsAreExact) {
    const std::size_t m = 130, d = 32;
    const std::vector<float> w = orthogonal_gaussian_matrix(m, d, 3, RowNorms::SqrtDim);
    for (std::size_t i = 0; i < m; ++i) {
        EXPECT_NEAR(std::sqrt(dot_rows(w, d, i, i)), std::sqrt(double(d)), 1e-6 * std::sqrt(d));
    }
}

TEST(OrthogonalProjection, ChiNormsFollowTheChiDistribution) {
    const std::size_t m = 4000, d = 64;
    const std::vector<double> norms = chi_row_norms(m, d, 21);
    // E chi(d) = sqrt(2) Gamma((d+1)/2) / Gamma(d/2); Var = d - mean^2.
    const double mean = std::sqrt(2.0) * boost::math::tgamma_ratio((d + 1) / 2.0, d / 2.0);
    const double sd = std::sqrt(d - mean * mean);
    double sample = 0.0;
    for (double x : norms) sample += x;
    sample /= m;
    EXPECT_LT(std::abs(sample - mean), 5.0 * sd / std::sqrt(double(m)));  // 5 sigma of the mean
    // Kolmogorov-Smirnov of the squared norms against chi-squared(d); asymptotic critical value
    // sqrt(-ln(alpha / 2) / 2) / sqrt(m) at alpha = 1e-3.
    std::vector<double> squares(m);
    std::transform(norms.begin(), norms.end(), squares.begin(), [](double x) { return x * x; });
    std::sort(squares.begin(), squares.end());
    const boost::math::chi_squared chi2(static_cast<double>(d));
    double ks = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
        const double f = boost::math::cdf(chi2, squares[i]);
        ks = std::max({ks, f - double(i) / m, double(i + 1) / m - f});
    }
    EXPECT_LT(ks, std::sqrt(-std::log(1e-3 / 2) / 2) / std::sqrt(double(m)));
}

TEST(OrthogonalProjection, ChiScaledRowsHaveStandardNormalEntries) {
    // A uniform direction times a chi(d) length is an N(0, I_d) vector: entries have variance 1.
    const std::size_t m = 1024, d = 64, n = m * d;
    const std::vector<float> w = orthogonal_gaussian_matrix(m, d, 8);
    double square = 0.0;
    for (float x : w) square += double(x) * x;
    // 5 sigma of the mean of squares of (weakly dependent) unit normals, sigma = sqrt(2/n); the
    // dependence inside a block (fixed row norms) only reduces the spread.
    EXPECT_LT(std::abs(square / n - 1.0), 5.0 * std::sqrt(2.0 / n));
}

TEST(Projections, SeededAndDeterministic) {
    EXPECT_EQ(iid_gaussian_matrix(70, 16, 1), iid_gaussian_matrix(70, 16, 1));
    EXPECT_NE(iid_gaussian_matrix(70, 16, 1), iid_gaussian_matrix(70, 16, 2));
    EXPECT_EQ(orthogonal_gaussian_matrix(70, 16, 1), orthogonal_gaussian_matrix(70, 16, 1));
    EXPECT_NE(orthogonal_gaussian_matrix(70, 16, 1), orthogonal_gaussian_matrix(70, 16, 2));
}

TEST(Projections, MatrixProjectionComputesWx) {
    const std::size_t m = 5, d = 3;
    std::vector<float> w(m * d);
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = float(i) - 4.0f;
    MatrixProjection projection(w, m, d, "test");
    const std::vector<float> x = {1.0f, -2.0f, 0.5f, 0.0f, 1.0f, 3.0f};
    std::vector<float> u(2 * m);
    const ProjectionCost cost = projection.project(dense(x.data(), 2, d), dense(u.data(), 2, m));
    for (std::size_t r = 0; r < 2; ++r) {
        for (std::size_t i = 0; i < m; ++i) {
            float expected = 0.0f;
            for (std::size_t j = 0; j < d; ++j) expected += w[i * d + j] * x[r * d + j];
            EXPECT_FLOAT_EQ(u[r * m + i], expected);
        }
    }
    EXPECT_EQ(cost.rows, 2u);
    EXPECT_EQ(cost.calls, 1u);
    EXPECT_EQ(cost.frames, 0u);
    EXPECT_EQ(projection.total_cost().rows, 2u);
}

// A row's projection must not depend on the rows that share its call (sgemm's did: its tail tiles
// round differently). Shapes chosen so every case has partial row blocks and a partial column
// block: 37 features (not a multiple of 16), calls of 1, 5, 7 and all 101 rows.
TEST(Projections, ARowsResultDoesNotDependOnTheOtherRowsOfTheCall) {
    const std::size_t m = 37, d = 23, rows = 101;
    const std::vector<double> values = gaussian_values(5, 1, rows * d);
    const std::vector<float> x(values.begin(), values.end());
    for (auto projection :
         {std::shared_ptr<Projection>(make_iid_projection(m, d, 3)),
          std::shared_ptr<Projection>(std::make_shared<ComplexIntensityProjection>(m, d, 3))}) {
        std::vector<float> whole(rows * m);
        projection->project(dense(x.data(), rows, d), dense(whole.data(), rows, m));
        for (std::size_t block : {1u, 5u, 7u}) {
            std::vector<float> pieces(rows * m);
            for (std::size_t first = 0; first < rows; first += block) {
                const std::size_t count = std::min(block, rows - first);
                projection->project(dense(x.data() + first * d, count, d),
                                    dense(pieces.data() + first * m, count, m));
            }
            EXPECT_EQ(pieces, whole) << projection->describe() << ", calls of " << block;
        }
    }
}

TEST(Projections, RejectBadShapesNamingTheArgument) {
    auto projection = make_iid_projection(8, 4, 1);
    std::vector<float> x(12), u(24);
    try {
        projection->project(dense(x.data(), 4, 3), dense(u.data(), 4, 8));
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("x: expected columns"), std::string::npos) << e.what();
    }
    EXPECT_THROW(projection->project(dense(x.data(), 3, 4), dense(u.data(), 3, 7)),
                 std::invalid_argument);
    std::vector<float> w(8, 0.0f);
    w[3] = std::nanf("");
    try {
        MatrixProjection bad(w, 2, 4, "bad");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("W: expected finite"), std::string::npos) << e.what();
    }
    EXPECT_THROW(MatrixProjection(std::vector<float>(7), 2, 4, "short"), std::invalid_argument);
}

TEST(Projections, IntensityMeanIsTheSquaredNorm) {
    // E|r.x|^2 = ||x||^2 for complex Gaussian rows with E|R_ji|^2 = 1; |r.x|^2 / ||x||^2 is Exp(1)
    // (sd 1), so the mean over m outputs is within 5 / sqrt(m) of 1 (5 sigma).
    const std::size_t m = 8192, d = 16;
    ComplexIntensityProjection projection(m, d, 4);
    std::vector<float> x(d);
    double norm2 = 0.0;
    for (std::size_t j = 0; j < d; ++j) x[j] = 0.3f * float(j) - 2.0f, norm2 += double(x[j]) * x[j];
    std::vector<float> out(m);
    projection.project(dense(x.data(), 1, d), dense(out.data(), 1, m));
    double mean = 0.0;
    for (float y : out) {
        ASSERT_GE(y, 0.0f);
        mean += y;
    }
    mean /= m;
    EXPECT_LT(std::abs(mean / norm2 - 1.0), 5.0 / std::sqrt(double(m)));
}

}  // namespace
}  // namespace opusim::kernels
