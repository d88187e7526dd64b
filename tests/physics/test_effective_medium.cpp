// The medium seen through an input layout: the effective columns (shortcut vs exact sums), the
// leakage, and intensities from the integer GEMM, checked against a naive double-precision
// reference and against the speckle statistics of |R x|^2. Fixed seeds; each tolerance says
// where it comes from.
#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "opusim/physics/effective_medium.hpp"
#include "test_medium_support.hpp"

namespace opusim::physics {
namespace {

using testing::chi_square_critical;
using testing::params_with;

contract::InputLayout layout_of(std::uint64_t n_features, std::uint64_t replication,
                      std::uint64_t first_mirror, std::uint64_t total_mirrors) {
    contract::InputLayout layout;
    layout.n_features = n_features;
    layout.replication = replication;
    layout.first_mirror = first_mirror;
    layout.total_mirrors = total_mirrors;
    return layout;
}

std::vector<std::uint64_t> pixel_range(std::uint64_t begin, std::uint64_t count) {
    std::vector<std::uint64_t> pixels(count);
    std::iota(pixels.begin(), pixels.end(), begin);
    return pixels;
}

// Binary frames from a fixed-seed Bernoulli(p); std::mt19937_64 output is specified by the
// standard, and we threshold its raw words, so the frames are the same on every platform.
std::vector<std::uint8_t> random_frames(std::size_t n_frames, std::size_t n_features, double p,
                                        std::uint64_t seed) {
    std::mt19937_64 engine(seed);
    const auto threshold = static_cast<std::uint64_t>(p * 18446744073709551615.0);
    std::vector<std::uint8_t> frames(n_frames * n_features);
    for (auto& x : frames) x = engine() < threshold ? 1 : 0;
    return frames;
}

// Naive reference: field_j = (1 - a) sum_f x_f C_jf + leak_j in double from the oracle.
std::vector<double> reference_intensities(const EffectiveMedium& effective,
                                          const std::vector<std::uint8_t>& frames,
                                          double leak_amplitude) {
    const auto matrix = effective.oracle_matrix();
    const auto leak = effective.oracle_leakage_field();
    const std::size_t np = effective.n_pixels(), nf = effective.n_features();
    const std::size_t n_frames = frames.size() / nf;
    std::vector<double> out(n_frames * np);
    for (std::size_t i = 0; i < n_frames; ++i) {
        for (std::size_t j = 0; j < np; ++j) {
            std::complex<double> field = 0;
            for (std::size_t f = 0; f < nf; ++f) {
                if (frames[i * nf + f]) field += std::complex<double>(matrix[j * nf + f]);
            }
            field = (1 - leak_amplitude) * field + std::complex<double>(leak[j]);
            out[i * np + j] = std::norm(field);
        }
    }
    return out;
}

void expect_matches_reference(const EffectiveMedium& effective,
                              const std::vector<std::uint8_t>& frames) {
    const std::size_t n_frames = frames.size() / effective.n_features();
    std::vector<float> out(n_frames * effective.n_pixels());
    effective.intensities(frames.data(), n_frames, out.data());
    const auto reference = reference_intensities(effective, frames, effective.leakage_amplitude());
    // The GEMM sums are exact; what differs is rounding: the oracle's float entries and leakage
    // (relative 2^-24 each) and the float output. 1e-5 relative to (y + 1) bounds all of them
    // with a wide margin for sums of up to a few hundred terms.
    for (std::size_t e = 0; e < out.size(); ++e) {
        ASSERT_NEAR(out[e], reference[e], 1e-5 * (reference[e] + 1)) << "element " << e;
    }
}

TEST(EffectiveMedium, Int8GemmMatchesNaiveReference) {
    const Medium medium(MediumParams{}, 21);
    const EffectiveMedium effective(medium, layout_of(37, 1, 11, 400), pixel_range(100, 23), 2000);
    expect_matches_reference(effective, random_frames(29, 37, 0.5, 1));
}

TEST(EffectiveMedium, ReplicatedShortcutMatchesReference) {
    const Medium medium(MediumParams{}, 22);
    const EffectiveMedium effective(medium, layout_of(40, 5, 0, 1000), pixel_range(0, 31), 1000);
    expect_matches_reference(effective, random_frames(17, 40, 0.3, 2));
    // Shortcut column: sqrt(k) times the entry of the feature's first mirror.
    const auto matrix = effective.oracle_matrix();
    for (std::size_t j = 0; j < 31; ++j) {
        for (std::size_t f = 0; f < 40; ++f) {
            const std::complex<double> expected =
                std::sqrt(5.0) * std::complex<double>(medium.entry(j, f * 5));
            ASSERT_EQ(matrix[j * 40 + f], std::complex<float>(expected));
        }
    }
}

TEST(EffectiveMedium, ExactColumnsAreTheSumsOfTheirMirrors) {
    for (const char* storage : {"int8", "float32"}) {
        const Medium medium(params_with(storage), 23);
        const contract::InputLayout layout = layout_of(20, 3, 7, 100);
        const EffectiveMedium effective(medium, layout, pixel_range(50, 9), 500, ColumnSum::Exact);
        const auto matrix = effective.oracle_matrix();
        const auto leak = effective.oracle_leakage_field();
        const double a = 1 / std::sqrt(500.0);
        for (std::size_t j = 0; j < 9; ++j) {
            std::complex<double> all = 0;  // every mirror of the DMD: layout + background
            for (std::uint64_t m = 0; m < 100; ++m)
                all += std::complex<double>(medium.entry(50 + j, m));
            for (std::size_t f = 0; f < 20; ++f) {
                std::complex<double> sum = 0;
                for (std::uint64_t c = 0; c < 3; ++c) {
                    sum += std::complex<double>(medium.entry(50 + j, layout.mirror_of(f, c)));
                }
                // int8: sums of multiples of 1/32 are exact in float; float32: one rounding.
                ASSERT_NEAR(std::abs(std::complex<double>(matrix[j * 20 + f]) - sum), 0,
                            1e-6 * (1 + std::abs(sum)))
                    << storage;
            }
            EXPECT_NEAR(std::abs(std::complex<double>(leak[j]) - a * all), 0, 1e-5) << storage;
        }
        expect_matches_reference(effective, random_frames(13, 20, 0.5, 3));
    }
}

TEST(EffectiveMedium, ExactBackgroundWithOneMirrorPerFeature) {
    // k = 1: the columns are the entries themselves, but Exact still sums every outside mirror.
    const Medium medium(MediumParams{}, 32);
    const EffectiveMedium exact(medium, layout_of(10, 1, 5, 60), pixel_range(0, 4), 100,
                                ColumnSum::Exact);
    const auto leak = exact.oracle_leakage_field();
    for (std::size_t j = 0; j < 4; ++j) {
        std::complex<double> all = 0;
        for (std::uint64_t m = 0; m < 60; ++m) all += std::complex<double>(medium.entry(j, m));
        EXPECT_NEAR(std::abs(std::complex<double>(leak[j]) - 0.1 * all), 0, 1e-5);
    }
}

TEST(EffectiveMedium, Float32StorageMatchesReference) {
    const Medium medium(params_with("float32"), 24);
    const EffectiveMedium effective(medium, layout_of(33, 2, 4, 200), pixel_range(7, 19), 1500);
    expect_matches_reference(effective, random_frames(21, 33, 0.5, 4));
}

// Chi-square homogeneity of two samples over equal-probability bins of N(0, variance).
double chi_square_homogeneity(const std::vector<double>& a, const std::vector<double>& b,
                              double variance, int bins) {
    const boost::math::normal normal(0, std::sqrt(variance));
    std::vector<double> edges;
    for (int i = 1; i < bins; ++i) edges.push_back(boost::math::quantile(normal, double(i) / bins));
    auto histogram = [&](const std::vector<double>& values) {
        std::vector<double> counts(static_cast<std::size_t>(bins), 0);
        for (double v : values) {
            counts[static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), v) -
                                            edges.begin())] += 1;
        }
        return counts;
    };
    const auto ca = histogram(a), cb = histogram(b);
    const double na = double(a.size()), nb = double(b.size());
    double chi2 = 0;
    for (std::size_t i = 0; i < ca.size(); ++i) {
        const double total = ca[i] + cb[i];
        const double ea = total * na / (na + nb), eb = total * nb / (na + nb);
        chi2 += (ca[i] - ea) * (ca[i] - ea) / ea + (cb[i] - eb) * (cb[i] - eb) / eb;
    }
    return chi2;
}

TEST(EffectiveMedium, ShortcutAndExactColumnsAreEqualInDistribution) {
    const std::uint64_t k = 8, n_features = 250, n_pixels = 400;  // 100,000 columns entries
    const contract::InputLayout layout = layout_of(n_features, k, 0, n_features * k);
    for (const char* storage : {"float32", "int8"}) {
        const Medium medium(params_with(storage), 25);
        const EffectiveMedium shortcut(medium, layout, pixel_range(0, n_pixels), 1e6);
        const EffectiveMedium exact(medium, layout, pixel_range(0, n_pixels), 1e6,
                                    ColumnSum::Exact);
        std::vector<double> s_re, e_re, s_im, e_im;
        double s_power = 0, e_power = 0;
        for (const auto& c : shortcut.oracle_matrix()) {
            s_re.push_back(c.real()), s_im.push_back(c.imag()), s_power += std::norm(c);
        }
        for (const auto& c : exact.oracle_matrix()) {
            e_re.push_back(c.real()), e_im.push_back(c.imag()), e_power += std::norm(c);
        }
        const double n = double(s_re.size());
        // Variance k: |C|^2 / k is Exp(1) (std 1), so 5 sigma of the mean is 5 / sqrt(n); int8
        // rounding adds at most 2 k (1/32)^2 / 12 = 1.6e-4 k (exact) or the same (shortcut).
        EXPECT_NEAR(s_power / n / double(k), 1, 5 / std::sqrt(n) + 2e-4) << storage;
        EXPECT_NEAR(e_power / n / double(k), 1, 5 / std::sqrt(n) + 2e-4) << storage;
        if (std::string(storage) == "int8") continue;  // the lattices differ; binning would not
        // Same distribution: chi-square homogeneity, 40 bins, 39 degrees of freedom.
        const double critical = chi_square_critical(39);
        EXPECT_LT(chi_square_homogeneity(s_re, e_re, k / 2.0, 40), critical);
        EXPECT_LT(chi_square_homogeneity(s_im, e_im, k / 2.0, 40), critical);
    }
}

TEST(EffectiveMedium, IntensitiesAreBitIdenticalWhateverChunkingAndThreads) {
    Medium medium(MediumParams{}, 26);
    const contract::InputLayout layout = layout_of(64, 3, 10, 300);
    const auto frames = random_frames(40, 64, 0.5, 5);
    const EffectiveMedium reference_medium(medium, layout, pixel_range(0, 50), 2000);
    std::vector<float> reference(40 * 50);
    reference_medium.intensities(frames.data(), 40, reference.data());
    for (unsigned threads : {1u, 3u}) {
        for (std::size_t tile_bytes : {std::size_t{8}, std::size_t{5000}, std::size_t{1} << 22}) {
            medium.set_generation_options({threads, tile_bytes});
            const EffectiveMedium effective(medium, layout, pixel_range(0, 50), 2000);
            std::vector<float> out(40 * 50);
            effective.intensities(frames.data(), 40, out.data());
            ASSERT_EQ(0, std::memcmp(out.data(), reference.data(), out.size() * sizeof(float)))
                << threads << " threads, tile " << tile_bytes;
            // Frame by frame and in uneven chunks through the same object.
            std::vector<float> piecewise(40 * 50);
            for (std::size_t first = 0; first < 40;) {
                const std::size_t count = std::min<std::size_t>(first % 7 + 1, 40 - first);
                effective.intensities(frames.data() + first * 64, count,
                                      piecewise.data() + first * 50);
                first += count;
            }
            ASSERT_EQ(0, std::memcmp(piecewise.data(), reference.data(),
                                     piecewise.size() * sizeof(float)));
        }
    }
}

TEST(EffectiveMedium, LargeChunksAreBitIdenticalWhateverThreads) {
    // 300 frames x 1000 pixels: large enough for the threaded |field|^2 pass and several chunks.
    const auto frames = random_frames(300, 16, 0.5, 7);
    std::vector<std::vector<float>> results;
    for (unsigned threads : {1u, 2u, 3u}) {
        Medium medium(MediumParams{}, 31);
        medium.set_generation_options({threads, 0});
        const EffectiveMedium effective(medium, layout_of(16, 2, 0, 40), pixel_range(0, 1000),
                                        2000);
        results.emplace_back(300 * 1000);
        effective.intensities(frames.data(), 300, results.back().data());
    }
    for (const auto& result : results) {
        ASSERT_EQ(0, std::memcmp(result.data(), results[0].data(), result.size() * sizeof(float)));
    }
}

TEST(EffectiveMedium, SpeckleContrastIsOneAndMeanFollowsLitMirrors) {
    const std::uint64_t n_features = 256, n_pixels = 8000, k = 2, outside = 100;
    const Medium medium(MediumParams{}, 27);
    const double contrast_ratio = 1000;
    const EffectiveMedium effective(medium, layout_of(n_features, k, 0, n_features * k + outside),
                                    pixel_range(0, n_pixels), contrast_ratio);
    const double a = 1 / std::sqrt(contrast_ratio);
    for (double p : {0.1, 0.5, 0.9}) {
        const auto frames = random_frames(4, n_features, p, 6);
        std::vector<float> out(4 * n_pixels);
        effective.intensities(frames.data(), 4, out.data());
        for (std::size_t i = 0; i < 4; ++i) {
            // field_j = sum_f ((1 - a) x_f + a) C_jf + a bg_j, a sum of independent circular
            // Gaussians: variance k sum_f ((1 - a) x_f + a)^2 + a^2 n_out, i.e. the mirrors lit.
            double expected_mean = a * a * double(outside);
            for (std::size_t f = 0; f < n_features; ++f) {
                const double weight = (1 - a) * frames[i * n_features + f] + a;
                expected_mean += double(k) * weight * weight;
            }
            double sum = 0, sum_sq = 0;
            for (std::size_t j = 0; j < n_pixels; ++j) {
                const double y = out[i * n_pixels + j];
                sum += y, sum_sq += y * y;
            }
            const double n = double(n_pixels);
            const double mean = sum / n;
            const double contrast = std::sqrt(sum_sq / n - mean * mean) / mean;
            // y is exponential with mean mu across pixels (independent rows): the sample mean
            // has std mu / sqrt(n); the contrast std/mean has std 1 / sqrt(n) (delta method for
            // the exponential: 1/n + 8/(4n) - 2 * 2/(2n) = 1/n). 5 sigma each.
            EXPECT_NEAR(mean / expected_mean, 1, 5 / std::sqrt(n)) << "p " << p;
            EXPECT_NEAR(contrast, 1, 5 / std::sqrt(n)) << "p " << p;
        }
    }
}

TEST(EffectiveMedium, OpuKernelIsDegreeTwoPolynomial) {
    // E[y(x) y(x')] = |x|^2 |x'|^2 + (x . x')^2 for circular Gaussian rows with E|R|^2 = 1 and
    // real x. Negligible leakage (a = 1e-6) and no mirrors outside the layout.
    const std::size_t n_features = 64, n_pixels = 32000;
    const Medium medium(MediumParams{}, 28);
    const EffectiveMedium effective(medium, layout_of(n_features, 1, 0, n_features),
                                    pixel_range(0, n_pixels), 1e12);
    // x: first 32 features; x' overlapping it by 0, 16 and 32 features (|x|^2 = |x'|^2 = 32).
    std::vector<std::uint8_t> frames(4 * n_features, 0);
    auto light = [&](std::size_t frame, std::size_t begin) {
        for (std::size_t f = begin; f < begin + 32; ++f) frames[frame * n_features + f] = 1;
    };
    light(0, 0), light(1, 32), light(2, 16), light(3, 0);
    std::vector<float> out(4 * n_pixels);
    effective.intensities(frames.data(), 4, out.data());
    for (std::size_t other = 1; other < 4; ++other) {
        const double overlap = other == 1 ? 0 : other == 2 ? 16 : 32;
        double sum = 0;
        for (std::size_t j = 0; j < n_pixels; ++j) {
            sum += double(out[j]) * double(out[other * n_pixels + j]);
        }
        const double kernel = 32.0 * 32.0 + overlap * overlap;
        // Var(y y') <= E[y^2 y'^2] <= sqrt(E y^4 E y'^4) = 24 mu^2 mu'^2 (exponential:
        // E y^4 = 24 mu^4; Cauchy-Schwarz), so 5 sigma of the mean over n independent pixels is
        // at most 5 sqrt(24) mu mu' / sqrt(n), mu = mu' = 32: 140 against steps of 256.
        const double tolerance = 5 * std::sqrt(24.0) * 32.0 * 32.0 / std::sqrt(double(n_pixels));
        EXPECT_NEAR(sum / double(n_pixels), kernel, tolerance) << "overlap " << overlap;
    }
}

TEST(EffectiveMedium, RejectsNonBinaryFrames) {
    const Medium medium(MediumParams{}, 29);
    const EffectiveMedium effective(medium, layout_of(8, 1, 0, 8), pixel_range(0, 4), 2000);
    std::vector<std::uint8_t> frames(2 * 8, 1);
    frames[11] = 2;
    std::vector<float> out(2 * 4);
    try {
        effective.intensities(frames.data(), 2, out.data());
        FAIL() << "accepted a 2";
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find("frames"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("frame 1, feature 3"), std::string::npos)
            << error.what();
    }
}

TEST(EffectiveMedium, RejectsBadLayoutPixelsAndContrast) {
    const Medium medium(MediumParams{}, 30);
    auto message_of = [&](const contract::InputLayout& layout, std::vector<std::uint64_t> pixels,
                          double contrast) {
        try {
            EffectiveMedium effective(medium, layout, std::move(pixels), contrast);
        } catch (const std::invalid_argument& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message_of(layout_of(0, 1, 0, 8), {0}, 10).find("layout.n_features"),
              std::string::npos);
    EXPECT_NE(message_of(layout_of(4, 0, 0, 8), {0}, 10).find("layout.replication"),
              std::string::npos);
    EXPECT_NE(message_of(layout_of(4, 3, 0, 8), {0}, 10).find("layout"), std::string::npos);
    EXPECT_NE(message_of(layout_of(4, 1, 6, 8), {0}, 10).find("total_mirrors"), std::string::npos);
    EXPECT_NE(message_of(layout_of(4, 1, 0, 8), {}, 10).find("pixels"), std::string::npos);
    EXPECT_NE(message_of(layout_of(4, 1, 0, 8), {0}, 0.5).find("contrast_ratio"),
              std::string::npos);
    EXPECT_NE(message_of(layout_of(4, 1, 0, 8), {0}, std::nan("")).find("contrast_ratio"),
              std::string::npos);
}

}  // namespace
}  // namespace opusim::physics
