// Attention properties: chunking does not change the causal answer, the kernels equal a naive
// double-precision evaluation of the formulas, projection batching is invisible, FAVOR+
// approximates exact attention as docs/reference/favor.md §5 expects, and bad input gets clear
// errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "kernel_test_support.hpp"
#include "opusim/kernels/exact_attention.hpp"
#include "opusim/kernels/fast_exp.hpp"
#include "opusim/kernels/favor_attention.hpp"
#include "opusim/kernels/workspace.hpp"

namespace opusim::kernels {
namespace {

using testing::all_close;
using testing::random_tensor;

// The formulas of favor.md §4 evaluated literally, in double, from the feature tensors:
// out_i = sum_j (q'_i . k'_j) v_j / (q'_i . (sum_j k'_j + delta)), j over all keys or j <= i.
Tensor4 naive_linear_attention(const Tensor4& qf, const Tensor4& kf, const Tensor4& v, bool causal,
                               double delta) {
    const Shape4& s = qf.shape();
    const std::size_t dv = v.shape().dim, lk = kf.shape().length, mf = s.dim;
    Tensor4 out({s.batch, s.heads, s.length, dv});
    for (std::size_t b = 0; b < s.batch; ++b) {
        for (std::size_t h = 0; h < s.heads; ++h) {
            const ConstMatrix q = qf.head(b, h), k = kf.head(b, h), vv = v.head(b, h);
            for (std::size_t i = 0; i < s.length; ++i) {
                const std::size_t keys = causal ? i + 1 : lk;
                std::vector<double> num(dv, 0.0);
                double den = 0.0;
                for (std::size_t j = 0; j < keys; ++j) {
                    double w = 0.0;
                    for (std::size_t f = 0; f < mf; ++f) w += double(q.at(i, f)) * k.at(j, f);
                    for (std::size_t e = 0; e < dv; ++e) num[e] += w * vv.at(j, e);
                    den += w;
                }
                if (causal) {
                    for (std::size_t f = 0; f < mf; ++f) den += delta * q.at(i, f);
                }
                for (std::size_t e = 0; e < dv; ++e) {
                    out.head(b, h).at(i, e) = static_cast<float>(num[e] / den);
                }
            }
        }
    }
    return out;
}

// Float32 BLAS products of <= m + L terms against double: relative error well below 1e-5.
constexpr double kRtol = 1e-5;
constexpr double kAtol = 1e-6;

struct Inputs {
    Tensor4 q, k, v;
};

Inputs random_inputs(Shape4 shape, double sigma, std::uint64_t seed, std::size_t k_length = 0) {
    Shape4 ks = shape;
    if (k_length != 0) ks.length = k_length;
    return {random_tensor(shape, sigma, seed), random_tensor(ks, sigma, seed + 1),
            random_tensor(ks, 1.0, seed + 2)};
}

TEST(CausalFavor, ChunkSizeDoesNotChangeTheAnswer) {
    const Inputs in = random_inputs({2, 2, 150, 16}, 0.5, 100);
    auto projection = make_orthogonal_projection(48, 16, 5);
    FavorOptions options;
    options.causal = true;
    options.chunk = 150;  // one block: the unchunked masked evaluation
    const Tensor4 whole = favor_attention(in.q, in.k, in.v, *projection, options);
    for (std::size_t chunk : {1, 7, 64}) {
        options.chunk = chunk;
        EXPECT_TRUE(
            all_close(favor_attention(in.q, in.k, in.v, *projection, options), whole, kRtol, kAtol))
            << "chunk " << chunk;
    }
}

TEST(FavorProgress, ToldEachHeadInOrderAndChangesNoValue) {
    const Inputs in = random_inputs({2, 3, 40, 8}, 0.5, 300);
    auto projection = make_orthogonal_projection(16, 8, 6);
    FavorOptions options;
    const Tensor4 quiet = favor_attention(in.q, in.k, in.v, *projection, options);
    std::vector<std::pair<std::size_t, std::size_t>> told;
    options.progress = [&](std::size_t done, std::size_t total) { told.emplace_back(done, total); };
    const Tensor4 reported = favor_attention(in.q, in.k, in.v, *projection, options);
    EXPECT_EQ(reported.values(), quiet.values());
    ASSERT_EQ(told.size(), 6u);
    for (std::size_t i = 0; i < told.size(); ++i) {
        EXPECT_EQ(told[i], (std::pair<std::size_t, std::size_t>{i + 1, 6}));
    }
}

TEST(CausalFavor, EqualsThePrefixSumFormula) {
    const Inputs in = random_inputs({1, 3, 130, 16}, 0.5, 200);
    auto projection = make_iid_projection(40, 16, 6);
    for (FeatureKernel kernel :
         {FeatureKernel::Softmax, FeatureKernel::Relu, FeatureKernel::Trigonometric}) {
        FavorOptions options;
        options.kernel = kernel;
        options.causal = true;
        options.chunk = 32;
        const Tensor4 expected = naive_linear_attention(
            favor_query_features(in.q, *projection, options),
            favor_key_features(in.k, *projection, options), in.v, true, options.causal_delta);
        // Trigonometric denominators can come close to 0 (features go negative): compare the
        // positive kernels tightly and the trigonometric one only where it is well conditioned.
        const double rtol = kernel == FeatureKernel::Trigonometric ? 1e-3 : kRtol;
        EXPECT_TRUE(all_close(favor_attention(in.q, in.k, in.v, *projection, options), expected,
                              rtol, kAtol))
            << to_string(kernel);
    }
}

TEST(BidirectionalFavor, EqualsTheFormulaIncludingCrossAttention) {
    const Inputs in = random_inputs({2, 2, 70, 16}, 0.5, 300, /*k_length=*/90);
    auto projection = make_orthogonal_projection(40, 16, 7);
    FavorOptions options;
    options.chunk = 16;
    const Tensor4 expected =
        naive_linear_attention(favor_query_features(in.q, *projection, options),
                               favor_key_features(in.k, *projection, options), in.v, false, 0.0);
    EXPECT_TRUE(
        all_close(favor_attention(in.q, in.k, in.v, *projection, options), expected, kRtol, kAtol));
}

TEST(FavorProjection, WholeCallBatchingGivesTheSameBitsAndOneCall) {
    const Inputs in = random_inputs({2, 3, 100, 16}, 0.5, 400);
    auto streamed = make_iid_projection(32, 16, 9, ProjectionBatching::Streamed);
    auto whole = make_iid_projection(32, 16, 9, ProjectionBatching::WholeCall);
    for (bool causal : {false, true}) {
        FavorOptions options;
        options.causal = causal;
        options.chunk = 24;
        FavorReport streamed_report, whole_report;
        const Tensor4 a = favor_attention(in.q, in.k, in.v, *streamed, options, &streamed_report);
        const Tensor4 b = favor_attention(in.q, in.k, in.v, *whole, options, &whole_report);
        EXPECT_EQ(a.values(), b.values()) << (causal ? "causal" : "bidirectional");
        EXPECT_EQ(whole_report.projection.calls, 1u);
        EXPECT_EQ(whole_report.projection.rows, 2u * 2 * 3 * 100);
        // Streamed: bidirectional projects each row once; causal projects the keys twice (once
        // for the global key max), to keep memory flat in L.
        EXPECT_EQ(streamed_report.projection.rows, (causal ? 3u : 2u) * 2 * 3 * 100);
        EXPECT_EQ(whole_report.features, 32u);
    }
}

// favor.md §5 (performer-pytorch, float64, d = 64, L = 512, m = 266, sigma = 0.25): relative
// error 0.057 (orthogonal) / 0.069 (iid), one draw of W each. At m = 256 the 1/sqrt(m) scaling
// makes that 2 % larger. We average four draws of W and require the mean within +-20 % of the
// table (the spread of one draw is about 7 % of the value: sd 0.004 over 20 seeds, so the mean of
// four is within +-4 %; the table value itself is one draw), every single draw below 1.5x the
// table, and orthogonal below iid on average (Performer, Theorem 2). Causal uses the same bounds
// scaled by the golden data's causal/bidirectional ratio (0.09 / 0.11) for the mean.
TEST(FavorApproximation, WithinTheExpectedErrorOfExactAttention) {
    const std::size_t d = 64, length = 512, m = 256, draws = 4;
    const Inputs in = random_inputs({1, 2, length, d}, 0.25, 500);
    const double table_orthogonal = 0.057 * 1.02, table_iid = 0.069 * 1.02;
    for (bool causal : {false, true}) {
        ExactOptions exact_options;
        exact_options.causal = causal;
        const Tensor4 exact = exact_attention(in.q, in.k, in.v, exact_options);
        FavorOptions options;
        options.causal = causal;
        const char* mode = causal ? "causal" : "bidirectional";
        const double expected_ratio = causal ? 0.09 / 0.11 : 1.0;
        double mean_orthogonal = 0.0, mean_iid = 0.0;
        for (std::size_t seed = 0; seed < draws; ++seed) {
            auto orthogonal = make_orthogonal_projection(m, d, 12 + seed);
            auto iid = make_iid_projection(m, d, 12 + seed);
            const double e_orthogonal =
                relative_error(favor_attention(in.q, in.k, in.v, *orthogonal, options), exact);
            const double e_iid =
                relative_error(favor_attention(in.q, in.k, in.v, *iid, options), exact);
            EXPECT_LT(e_orthogonal, 1.5 * table_orthogonal) << mode << " seed " << seed;
            EXPECT_LT(e_iid, 1.5 * table_iid) << mode << " seed " << seed;
            mean_orthogonal += e_orthogonal / draws;
            mean_iid += e_iid / draws;
        }
        EXPECT_NEAR(mean_orthogonal, expected_ratio * table_orthogonal,
                    0.2 * expected_ratio * table_orthogonal)
            << mode;
        EXPECT_NEAR(mean_iid, expected_ratio * table_iid, 0.2 * expected_ratio * table_iid) << mode;
        EXPECT_LT(mean_orthogonal, mean_iid) << mode;
    }
}

// Trigonometric features are unbiased for exp(c^2 q.k): E cos(w.(a - b)) = exp(-|a - b|^2 / 2).
// Each feature's cos has variance (1 + e^(-2s))/2 - e^(-s) with s = |a - b|^2 ~ 2 sigma^2 sqrt(d)
// = 1 here, i.e. a relative sd of sqrt(0.20) / e^(-1/2) = 0.74 per feature and 0.74 / sqrt(m) per
// kernel value. The output error (numerator and denominator) stays below 3x that.
TEST(FavorApproximation, TrigonometricFeaturesConvergeToExactAttention) {
    const std::size_t d = 64, length = 256, m = 1024;
    const Inputs in = random_inputs({1, 1, length, d}, 0.25, 600);
    auto projection = make_iid_projection(m, d, 13);
    FavorOptions options;
    options.kernel = FeatureKernel::Trigonometric;
    const double error = relative_error(favor_attention(in.q, in.k, in.v, *projection, options),
                                        exact_attention(in.q, in.k, in.v));
    EXPECT_LT(error, 3.0 * 0.74 / std::sqrt(double(m)));
}

// Optical intensity features estimate kappa(q, k) = (|q|^2 |k|^2 + (q.k)^2) / d (complex Gaussian
// R, E|R|^2 = 1). A kernel value is a mean of m products of two Exp-like intensities, relative
// variance at most 5 (q = k: E|a|^8 / (E|a|^4)^2 - 1 = 24/4 - 1), so relative sd <= sqrt(5/m)
// per kernel value; the output (ratio of two such means) is allowed 3x that.
TEST(FavorApproximation, OpticalFeaturesEstimateThePolynomialKernel) {
    const std::size_t d = 16, length = 64, m = 4096;
    const Inputs in = random_inputs({1, 2, length, d}, 1.0, 700);
    ComplexIntensityProjection projection(m, d, 14);
    FavorOptions options;
    options.kernel = FeatureKernel::Optical;
    // The exact kernel attention with kappa, in double.
    Tensor4 expected(in.q.shape());
    for (std::size_t h = 0; h < 2; ++h) {
        const ConstMatrix q = in.q.head(0, h), k = in.k.head(0, h), v = in.v.head(0, h);
        for (std::size_t i = 0; i < length; ++i) {
            std::vector<double> num(d, 0.0);
            double den = 0.0;
            for (std::size_t j = 0; j < length; ++j) {
                double qq = 0, kk = 0, qk = 0;
                for (std::size_t e = 0; e < d; ++e) {
                    qq += double(q.at(i, e)) * q.at(i, e);
                    kk += double(k.at(j, e)) * k.at(j, e);
                    qk += double(q.at(i, e)) * k.at(j, e);
                }
                const double kappa = (qq * kk + qk * qk) / double(d);
                for (std::size_t e = 0; e < d; ++e) num[e] += kappa * v.at(j, e);
                den += kappa;
            }
            for (std::size_t e = 0; e < d; ++e) expected.head(0, h).at(i, e) = float(num[e] / den);
        }
    }
    const double error =
        relative_error(favor_attention(in.q, in.k, in.v, projection, options), expected);
    EXPECT_LT(error, 3.0 * std::sqrt(5.0 / double(m)));
}

TEST(FavorMemory, CausalWorkspaceIsFlatInLength) {
    auto projection = make_iid_projection(64, 16, 15);
    FavorOptions options;
    options.causal = true;
    options.chunk = 32;
    std::vector<std::size_t> peaks;
    for (std::size_t length : {256, 1024, 4096}) {
        const Inputs in = random_inputs({1, 1, length, 16}, 0.5, 800);
        WorkspaceCounter::reset_peak();
        const std::size_t base = WorkspaceCounter::current_bytes();
        favor_attention(in.q, in.k, in.v, *projection, options);
        peaks.push_back(WorkspaceCounter::peak_bytes() - base);
    }
    EXPECT_GT(peaks[0], 0u);
    EXPECT_EQ(peaks[0], peaks[1]);
    EXPECT_EQ(peaks[1], peaks[2]);
}

TEST(FastExp, WithinAFewUlpOfLibm) {
    // The feature maps' exp: relative error below 4e-7 (~3 float ulp) on [-87, 88], checked on a
    // dense grid against double-precision exp; below -87 it returns exp(-87).
    std::vector<float> x;
    for (double t = -87.0; t <= 88.0; t += 0.001) x.push_back(static_cast<float>(t));
    std::vector<float> y = x;
    exp_in_place(y.data(), y.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double expected = std::exp(static_cast<double>(x[i]));
        worst = std::max(worst, std::abs(y[i] - expected) / expected);
    }
    EXPECT_LT(worst, 4e-7);
    float below[3] = {-100.0f, -1e30f, -87.5f};
    exp_in_place(below, 3);
    for (float v : below) EXPECT_FLOAT_EQ(v, std::exp(-87.0f));
}

// ---- bad input ----

std::string error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no std::invalid_argument thrown)";
}

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.rfind(prefix, 0) == 0;
}

TEST(FavorInput, BadShapesAndValuesAreNamed) {
    const Inputs in = random_inputs({1, 2, 20, 8}, 0.5, 900);
    auto projection = make_iid_projection(16, 8, 1);
    const FavorOptions bidirectional;
    FavorOptions causal;
    causal.causal = true;

    const Tensor4 k_wrong_dim = random_tensor({1, 2, 20, 4}, 0.5, 1);
    std::string message =
        error_of([&] { favor_attention(in.q, k_wrong_dim, in.v, *projection, bidirectional); });
    EXPECT_TRUE(starts_with(message, "k: expected dim 8")) << message;

    const Tensor4 v_wrong_length = random_tensor({1, 2, 19, 8}, 0.5, 2);
    message =
        error_of([&] { favor_attention(in.q, in.k, v_wrong_length, *projection, bidirectional); });
    EXPECT_TRUE(starts_with(message, "v: expected length 20")) << message;

    const Tensor4 k_short = random_tensor({1, 2, 19, 8}, 0.5, 3);
    message =
        error_of([&] { favor_attention(in.q, k_short, v_wrong_length, *projection, causal); });
    EXPECT_TRUE(starts_with(message, "k: expected length 20")) << message;

    const Tensor4 k_heads = random_tensor({1, 3, 20, 8}, 0.5, 4);
    message = error_of([&] { favor_attention(in.q, k_heads, in.v, *projection, bidirectional); });
    EXPECT_TRUE(starts_with(message, "k: expected heads 2")) << message;

    Tensor4 v_nan = in.v;
    v_nan.head(0, 1).at(3, 5) = std::nanf("");
    message = error_of([&] { favor_attention(in.q, in.k, v_nan, *projection, bidirectional); });
    EXPECT_EQ(message, "v: expected finite values, got NaN at [0, 1, 3, 5]");

    Tensor4 q_inf = in.q;
    q_inf.data()[0] = INFINITY;
    message = error_of([&] { exact_attention(q_inf, in.k, in.v); });
    EXPECT_TRUE(starts_with(message, "q: expected finite values, got +inf")) << message;

    auto wrong_dim_projection = make_iid_projection(16, 6, 1);
    message =
        error_of([&] { favor_attention(in.q, in.k, in.v, *wrong_dim_projection, bidirectional); });
    EXPECT_TRUE(starts_with(message, "projection: expected input dim")) << message;

    FavorOptions optical;
    optical.kernel = FeatureKernel::Optical;
    message = error_of([&] { favor_attention(in.q, in.k, in.v, *projection, optical); });
    EXPECT_TRUE(starts_with(message, "projection: the optical kernel needs an intensity"))
        << message;

    FavorOptions zero_chunk;
    zero_chunk.chunk = 0;
    message = error_of([&] { favor_attention(in.q, in.k, in.v, *projection, zero_chunk); });
    EXPECT_TRUE(starts_with(message, "options.chunk")) << message;

    FavorOptions negative_epsilon;
    negative_epsilon.softmax_epsilon = -1.0;
    message = error_of([&] { favor_attention(in.q, in.k, in.v, *projection, negative_epsilon); });
    EXPECT_TRUE(starts_with(message, "options.softmax_epsilon")) << message;

    message = error_of([] { parse_feature_kernel("gelu"); });
    EXPECT_TRUE(starts_with(message, "kernel: expected softmax, relu, trig or optical")) << message;
}

}  // namespace
}  // namespace opusim::kernels
