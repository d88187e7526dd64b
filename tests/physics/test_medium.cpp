// The transmission matrix: Gaussian entries with E|R|^2 = 1, the int8 grid, no correlations,
// determinism across tilings and threads. Statistical tests use fixed seeds; each tolerance says
// where it comes from. Critical values come from Boost.Math at significance 1e-6, so a correct
// generator fails a given test with probability 1e-6 for a fresh seed (and never for ours).
#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>

#include <Random123/philox.h>
#include <Random123/uniform.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "opusim/physics/medium.hpp"
#include "opusim/physics/philox_gaussian.hpp"
#include "test_medium_support.hpp"

namespace opusim::physics {
namespace {

using testing::chi_square_critical;
using testing::params_with;

constexpr long double kPi = 3.141592653589793238462643383279502884L;

std::vector<std::complex<float>> sample_block(const Medium& medium, std::uint64_t pixels,
                                              std::uint64_t mirrors, std::uint64_t pixel0 = 0,
                                              std::uint64_t mirror0 = 0) {
    std::vector<std::complex<float>> values(pixels * mirrors);
    medium.block(pixel0, pixel0 + pixels, mirror0, mirror0 + mirrors, values.data());
    return values;
}

// Pearson chi-square of VALUES against N(0, 1/2) in BINS equal-probability bins.
double chi_square_vs_normal(const std::vector<double>& values, int bins) {
    const boost::math::normal normal(0, std::sqrt(0.5));
    std::vector<double> edges;
    for (int b = 1; b < bins; ++b) edges.push_back(boost::math::quantile(normal, double(b) / bins));
    std::vector<double> counts(static_cast<std::size_t>(bins), 0);
    for (double v : values) {
        counts[static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), v) -
                                        edges.begin())] += 1;
    }
    const double expected = static_cast<double>(values.size()) / bins;
    double chi2 = 0;
    for (double c : counts) chi2 += (c - expected) * (c - expected) / expected;
    return chi2;
}

TEST(Medium, Float32PartsAreNormalWithVarianceHalf) {
    const Medium medium(params_with("float32"), 11);
    const auto values = sample_block(medium, 200, 1000);  // n = 200,000 entries
    std::vector<double> re, im;
    for (const auto& v : values) {
        re.push_back(v.real());
        im.push_back(v.imag());
    }
    // 50 equal-probability bins: 49 degrees of freedom, expected count 4000 per bin.
    const double critical = chi_square_critical(49);
    EXPECT_LT(chi_square_vs_normal(re, 50), critical);
    EXPECT_LT(chi_square_vs_normal(im, 50), critical);
}

TEST(Medium, Int8EntriesFollowTheQuantisedNormal) {
    const Medium medium(MediumParams{}, 12);
    const double steps = medium.steps_per_unit();
    const auto values = sample_block(medium, 200, 1000);
    std::map<int, double> counts;
    for (const auto& v : values) {
        for (double part : {double(v.real()), double(v.imag())}) {
            const double q = part * steps;
            ASSERT_EQ(q, std::round(q)) << "entry off the int8 grid";
            ASSERT_LE(std::abs(q), 127);
            counts[static_cast<int>(q)] += 1;
        }
    }
    // Exact cell probabilities of round(steps * N(0, 1/2)) clamped to [-127, 127]; cells with
    // fewer than 20 expected counts are pooled so the chi-square approximation holds.
    const boost::math::normal normal(0, std::sqrt(0.5));
    const double n = 2.0 * static_cast<double>(values.size());
    double chi2 = 0, pooled_observed = 0, pooled_expected = 0;
    int cells = 0;
    for (int q = -127; q <= 127; ++q) {
        const double lo = q == -127 ? 0 : boost::math::cdf(normal, (q - 0.5) / steps);
        const double hi = q == 127 ? 1 : boost::math::cdf(normal, (q + 0.5) / steps);
        const double expected = n * (hi - lo);
        const double observed = counts.count(q) ? counts[q] : 0;
        if (expected < 20) {
            pooled_observed += observed;
            pooled_expected += expected;
            continue;
        }
        chi2 += (observed - expected) * (observed - expected) / expected;
        ++cells;
    }
    if (pooled_expected > 0) {
        chi2 += (pooled_observed - pooled_expected) * (pooled_observed - pooled_expected) /
                pooled_expected;
        ++cells;
    }
    EXPECT_LT(chi2, chi_square_critical(cells - 1)) << cells << " cells";
}

TEST(Medium, MeanIntensityIsOne) {
    for (const char* storage : {"int8", "float32"}) {
        const Medium medium(params_with(storage), 13);
        const auto values = sample_block(medium, 300, 1000);
        double sum = 0;
        for (const auto& v : values) sum += std::norm(std::complex<double>(v));
        const double n = static_cast<double>(values.size());
        // |R|^2 is Exp(1) (std 1) up to the int8 rounding variance 2 (1/32)^2/12 = 1.6e-4:
        // 5 sigma of the sample mean is 5 / sqrt(n) = 0.0091 for n = 300,000.
        const double expected = std::string(storage) == "int8" ? 1 + 2.0 / (12 * 32 * 32) : 1;
        EXPECT_NEAR(sum / n, expected, 5 / std::sqrt(n)) << storage;
    }
}

// Sample correlation of the real parts (or real vs imaginary) of pairs of entries.
double correlation(const std::vector<std::pair<double, double>>& pairs) {
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (const auto& [x, y] : pairs) {
        sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
    }
    const double n = static_cast<double>(pairs.size());
    const double cov = sxy / n - sx / n * sy / n;
    return cov / std::sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
}

TEST(Medium, NoCorrelationBetweenRowsColumnsOrParts) {
    const Medium medium(params_with("float32"), 14);
    const std::uint64_t rows = 300, cols = 1000;
    const auto v =
        sample_block(medium, rows, cols, 5, 7);  // odd start: pairs straddle Philox calls
    auto at = [&](std::uint64_t r, std::uint64_t c) { return v[r * cols + c]; };
    std::vector<std::pair<double, double>> rows_re, cols_re, cols_im_re, parts;
    for (std::uint64_t r = 0; r + 1 < rows; ++r) {
        for (std::uint64_t c = 0; c + 1 < cols; ++c) {
            rows_re.emplace_back(at(r, c).real(), at(r + 1, c).real());
            cols_re.emplace_back(at(r, c).real(), at(r, c + 1).real());  // shares a Philox call
            cols_im_re.emplace_back(at(r, c).imag(), at(r, c + 1).real());
            parts.emplace_back(at(r, c).real(), at(r, c).imag());
        }
    }
    // Under independence the sample correlation is ~ N(0, 1/n): allow 5 / sqrt(n).
    const double tolerance = 5 / std::sqrt(static_cast<double>(rows_re.size()));
    EXPECT_NEAR(correlation(rows_re), 0, tolerance);
    EXPECT_NEAR(correlation(cols_re), 0, tolerance);
    EXPECT_NEAR(correlation(cols_im_re), 0, tolerance);
    EXPECT_NEAR(correlation(parts), 0, tolerance);
    // Circularity: |R|^2 is uncorrelated with the sign pattern of neighbours in the next row.
    std::vector<std::pair<double, double>> intensities;
    for (std::uint64_t r = 0; r + 1 < rows; ++r) {
        for (std::uint64_t c = 0; c < cols; ++c) {
            intensities.emplace_back(std::norm(at(r, c)), std::norm(at(r + 1, c)));
        }
    }
    EXPECT_NEAR(correlation(intensities), 0, 5 / std::sqrt(double(intensities.size())));
}

TEST(Medium, DifferentSeedsGiveIndependentMatrices) {
    const Medium a(params_with("float32"), 1), b(params_with("float32"), 2);
    const auto va = sample_block(a, 100, 1000), vb = sample_block(b, 100, 1000);
    std::vector<std::pair<double, double>> pairs;
    for (std::size_t e = 0; e < va.size(); ++e) pairs.emplace_back(va[e].real(), vb[e].real());
    EXPECT_NEAR(correlation(pairs), 0, 5 / std::sqrt(double(pairs.size())));
}

TEST(Medium, BlocksAreBitIdenticalWhateverTheTilingAndThreads) {
    for (const char* storage : {"int8", "float32"}) {
        Medium medium(params_with(storage), 15);
        const std::uint64_t p0 = 3, p1 = 70, m0 = 1001, m1 = 1390;  // odd edges on purpose
        const auto reference = sample_block(medium, p1 - p0, m1 - m0, p0, m0);
        for (unsigned threads : {1u, 2u, 3u, 5u}) {
            for (std::size_t tile_bytes :
                 {std::size_t{8}, std::size_t{8 * 37}, std::size_t{4096}, std::size_t{1} << 20}) {
                medium.set_generation_options({threads, tile_bytes});
                const auto values = sample_block(medium, p1 - p0, m1 - m0, p0, m0);
                ASSERT_EQ(0, std::memcmp(values.data(), reference.data(),
                                         values.size() * sizeof(values[0])))
                    << storage << " threads " << threads << " tile_bytes " << tile_bytes;
            }
        }
        // And each entry on its own is the same pure function of (seed, pixel, mirror).
        for (std::uint64_t p = p0; p < p1; p += 7) {
            for (std::uint64_t m = m0; m < m1; m += 13) {
                const auto e = medium.entry(p, m);
                const auto b = reference[(p - p0) * (m1 - m0) + (m - m0)];
                ASSERT_EQ(e, b) << storage << " entry (" << p << ", " << m << ")";
            }
        }
    }
}

TEST(Medium, TilesRespectTheBudget) {
    Medium medium(MediumParams{}, 16);
    medium.set_generation_options({2, 4096});
    std::size_t visited = 0;
    std::mutex mutex;
    medium.for_each_tile(0, 50, 0, 300, [&](const MediumTile& tile) {
        const std::size_t entries =
            (tile.pixel_end - tile.pixel_begin) * (tile.mirror_end - tile.mirror_begin);
        EXPECT_LE(entries * sizeof(std::complex<float>), 4096 / 2);
        std::lock_guard<std::mutex> lock(mutex);
        visited += entries;
    });
    EXPECT_EQ(visited, 50u * 300u);
}

TEST(Medium, HugeIndicesWork) {
    // Pixels and mirrors beyond 2^32 use the high counter words: still valid and distinct.
    const Medium medium(MediumParams{}, 17);
    const std::uint64_t big = (std::uint64_t{1} << 40) + 3;
    EXPECT_NE(medium.entry(big, 5), medium.entry(3, 5));
    EXPECT_NE(medium.entry(3, big), medium.entry(3, 3));
    EXPECT_EQ(medium.entry(big, big), medium.entry(big, big));
}

// The documented mapping (philox_gaussian.hpp, docs/device-physics.md), written out independently:
// a change to the key, counter, word choice or transform changes every device and must fail here.
TEST(Medium, EntryIsTheDocumentedPhiloxBoxMuller) {
    const std::uint64_t seed = 0x0123456789abcdefULL;
    for (std::uint64_t pixel : {std::uint64_t{0}, std::uint64_t{3}, (std::uint64_t{1} << 33) + 9}) {
        for (std::uint64_t mirror : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{10},
                                     std::uint64_t{11}, (std::uint64_t{1} << 35) + 1}) {
            const std::uint64_t pair = mirror / 2;
            r123::Philox4x32::key_type key = {
                {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
            r123::Philox4x32::ctr_type counter = {
                {static_cast<std::uint32_t>(pair), static_cast<std::uint32_t>(pair >> 32),
                 static_cast<std::uint32_t>(pixel), static_cast<std::uint32_t>(pixel >> 32)}};
            const auto words = r123::Philox4x32()(counter, key);
            const unsigned first = mirror % 2 == 0 ? 0 : 2;
            // The mathematical formula in long double; the generator must agree to ~1 ulp.
            const long double radius = std::sqrt(-std::log(r123::u01<long double>(words.v[first])));
            const long double angle = 2 * kPi * r123::u01<long double>(words.v[first + 1]);
            const GaussianPair g = medium_gaussian(seed, pixel, mirror);
            EXPECT_NEAR(g.re, double(radius * std::cos(angle)), 1e-15) << pixel << ", " << mirror;
            EXPECT_NEAR(g.im, double(radius * std::sin(angle)), 1e-15) << pixel << ", " << mirror;
            const Medium medium(MediumParams{}, seed);
            EXPECT_EQ(medium.entry(pixel, mirror),
                      std::complex<float>(float(quantise_int8(g.re, 32)) / 32.0f,
                                          float(quantise_int8(g.im, 32)) / 32.0f));
        }
    }
}

TEST(Medium, CosSinOfTurnIsAccurate) {
    // Against long double (64-bit mantissa) on a dense sweep that includes every octant edge: the
    // Taylor truncation is < 3e-18 and the double rounding a few 1e-17, so 3e-16 absolute bounds
    // the error (about 2 ulp of values near 1) with margin.
    double worst = 0;
    for (std::uint32_t k = 0; k < (1u << 20); ++k) {
        const double turns = (k + 0.5) / double(1u << 20);
        const CosSin cs = cos_sin_of_turn(turns);
        const long double angle = 2 * kPi * static_cast<long double>(turns);
        worst = std::max(worst, double(std::abs(cs.cos - std::cos(angle))));
        worst = std::max(worst, double(std::abs(cs.sin - std::sin(angle))));
    }
    EXPECT_LT(worst, 3e-16);
    for (double turns : {0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875}) {
        const CosSin cs = cos_sin_of_turn(turns);
        const long double angle = 2 * kPi * static_cast<long double>(turns);
        EXPECT_NEAR(cs.cos, double(std::cos(angle)), 3e-16) << turns;
        EXPECT_NEAR(cs.sin, double(std::sin(angle)), 3e-16) << turns;
    }
}

TEST(Medium, QuantisationRoundsAndClamps) {
    EXPECT_EQ(quantise_int8(0.0, 32), 0);
    EXPECT_EQ(quantise_int8(1.0, 32), 32);
    EXPECT_EQ(quantise_int8(-1.0 / 64, 32), -1);  // half away from zero
    EXPECT_EQ(quantise_int8(10.0, 32), 127);
    EXPECT_EQ(quantise_int8(-10.0, 32), -127);
    EXPECT_EQ(quantise_int8(0.49999999999999994 / 32, 32), 0);  // x + 0.5 would round up
    EXPECT_EQ(quantise_int8(127.5 / 32, 32), 127);
    EXPECT_EQ(quantise_int8(-126.5 / 32, 32), -127);
    EXPECT_EQ(quantise_int8(1e300, 32), 127);
    // The documented rule, clamp(std::round(steps * x), -127, 127), over a dense sweep.
    for (double x = -4.5; x <= 4.5; x += 1.0 / 4096) {
        for (double steps : {32.0, 20.0, 7.5}) {
            const double expected = std::clamp(std::round(steps * x), -127.0, 127.0);
            ASSERT_EQ(quantise_int8(x, steps), static_cast<int>(expected)) << x << " " << steps;
        }
    }
}

TEST(Medium, BadParametersAreNamed) {
    auto message_of = [](const MediumParams& params) {
        try {
            Medium medium(params, 0);
        } catch (const std::invalid_argument& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    MediumParams params;
    params.storage = "int4";
    EXPECT_NE(message_of(params).find("medium.storage"), std::string::npos);
    params = MediumParams{};
    params.int8_steps_per_unit = 0;
    EXPECT_NE(message_of(params).find("medium.int8_steps_per_unit"), std::string::npos);
    params = MediumParams{};
    params.int8_steps_per_unit = std::nan("");
    EXPECT_NE(message_of(params).find("medium.int8_steps_per_unit"), std::string::npos);
    params = MediumParams{};
    params.tile_memory_mb = 0;
    EXPECT_NE(message_of(params).find("medium.tile_memory_mb"), std::string::npos);

    Medium medium(MediumParams{}, 0);
    EXPECT_THROW(medium.set_generation_options({1, 3}), std::invalid_argument);
    std::complex<float> out[1];
    EXPECT_THROW(medium.block(5, 4, 0, 1, out), std::invalid_argument);
}

}  // namespace
}  // namespace opusim::physics
