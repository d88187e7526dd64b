// Streaming latency percentiles (issue 13, finding 5; issue 10): exact order statistics while at
// most kExactValues distinct latencies occurred, whatever the number of frames; log-linear
// histogram estimates beyond it, in memory that does not grow.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "../../sim/model/src/controller/latency_quantiles.hpp"

namespace opusim::model {
namespace {

// The order statistic of rank round(p (n - 1)) of VALUES, by sorting: the definition.
double order_statistic(std::vector<std::uint64_t> values, double p) {
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return static_cast<double>(values[rank]);
}

TEST(LatencyQuantiles, ExactWhileTheSampleFits) {
    LatencyQuantiles q;
    EXPECT_EQ(q.p50_ps(), 0.0);
    for (std::uint64_t v = 1; v <= 101; ++v) q.add(v * 1000);  // 1000 .. 101000
    EXPECT_EQ(q.p50_ps(), 51000.0);                            // rank round(0.5 * 100) = 50
    EXPECT_EQ(q.p99_ps(), 100000.0);                           // rank round(0.99 * 100) = 99
    EXPECT_EQ(q.max_ps(), 101000.0);
    q.clear();
    EXPECT_EQ(q.count(), 0u);
    EXPECT_EQ(q.max_ps(), 0.0);
}

// A steady pipeline repeats few latencies: the percentiles stay exact order statistics however
// many frames run, where a streaming estimator would interpolate between the values.
TEST(LatencyQuantiles, ExactForFewDistinctLatenciesAtAnyLength) {
    LatencyQuantiles q;
    std::vector<std::uint64_t> all;
    std::mt19937_64 random(10);
    std::uniform_int_distribution<std::uint64_t> pick(0, 999);
    for (int i = 0; i < 200000; ++i) {
        const std::uint64_t value = 500'000'000 + pick(random) * 1'000'003;  // 1000 values
        q.add(value);
        all.push_back(value);
    }
    EXPECT_FALSE(q.approximate());
    EXPECT_LE(q.stored_counters(), LatencyQuantiles::kExactValues);
    EXPECT_EQ(q.p50_ps(), order_statistic(all, 0.50));
    EXPECT_EQ(q.p99_ps(), order_statistic(all, 0.99));
    EXPECT_EQ(q.max_ps(), static_cast<double>(*std::max_element(all.begin(), all.end())));
}

// 10^6 latencies uniform on [0, 10^6) ps (fixed seed), far more distinct values than are
// counted exactly. Tolerance: the bucket's half width (2^-9 of the value) plus three standard
// deviations of the sample quantile around the true one, sqrt(p (1 - p) / n) of the range.
TEST(LatencyQuantiles, HistogramEstimatesInFixedMemory) {
    LatencyQuantiles q;
    std::mt19937_64 random(13);
    std::uniform_int_distribution<std::uint64_t> latency(0, 999999);
    for (int i = 0; i < 1000000; ++i) q.add(latency(random));
    EXPECT_EQ(q.count(), 1000000u);
    EXPECT_TRUE(q.approximate());
    const std::size_t counters = q.stored_counters();
    for (int i = 0; i < 1000; ++i) q.add(latency(random) * 1'000'000'000);  // wider range
    EXPECT_EQ(q.stored_counters(), counters);
    const auto tolerance = [](double p, double value) {
        return value / 512 + 3 * std::sqrt(p * (1 - p) / 1e6) * 1e6;
    };
    EXPECT_NEAR(q.p50_ps(), 500000.0, tolerance(0.50, 500000.0));
    EXPECT_NEAR(q.p99_ps(), 990000.0, tolerance(0.99, 990000.0));
}

// One value repeated after the switch: every percentile lies in that value's bucket.
TEST(LatencyQuantiles, HistogramBucketHoldsItsValue) {
    for (const std::uint64_t value : {std::uint64_t{7}, std::uint64_t{511}, std::uint64_t{512},
                                      std::uint64_t{123'456'789}, ~std::uint64_t{0} >> 1}) {
        LatencyQuantiles q;
        for (std::uint64_t i = 0; i <= LatencyQuantiles::kExactValues; ++i) q.add(i + 1);
        for (int i = 0; i < 100000; ++i) q.add(value);
        ASSERT_TRUE(q.approximate());
        const double v = static_cast<double>(value);
        EXPECT_NEAR(q.p50_ps(), v, v / 512) << value;
    }
}

// The same latencies in another order give the same percentiles, exact or estimated.
TEST(LatencyQuantiles, IndependentOfTheOrderOfLatencies) {
    for (const std::uint64_t distinct : {std::uint64_t{1000}, std::uint64_t{100003}}) {
        std::vector<std::uint64_t> values;
        for (std::uint64_t i = 0; i < 20000; ++i) values.push_back((i * 2654435761u) % distinct);
        LatencyQuantiles forward;
        LatencyQuantiles backward;
        for (const auto v : values) forward.add(v);
        std::for_each(values.rbegin(), values.rend(), [&](std::uint64_t v) { backward.add(v); });
        EXPECT_EQ(forward.p50_ps(), backward.p50_ps());
        EXPECT_EQ(forward.p99_ps(), backward.p99_ps());
    }
}

}  // namespace
}  // namespace opusim::model
