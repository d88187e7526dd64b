// The per-frame latency percentiles the device reports (STAT_LATENCY_P50/P99/MAX), in memory
// that does not grow with the number of frames: the first kExactSamples latencies are kept and
// ranked exactly (short runs and tests see exact order statistics), and every latency also feeds
// a P-square estimator per percentile (Jain & Chlamtac 1985, Boost.Accumulators), five markers
// each, which answers once more frames than that have run. The maximum is always exact.
// Deterministic: the estimate depends only on the latencies and their order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/accumulators/accumulators.hpp>
#include <boost/accumulators/statistics/p_square_quantile.hpp>
#include <boost/accumulators/statistics/stats.hpp>

namespace opusim::model {

class LatencyQuantiles {
  public:
    static constexpr std::size_t kExactSamples = 4096;

    LatencyQuantiles() { clear(); }
    void clear();
    void add(std::uint64_t latency_ps);

    std::uint64_t count() const { return count_; }
    // Percentile P (0.5 or 0.99) in picoseconds; 0 before any latency.
    double p50_ps() const { return quantile(0.50, p50_); }
    double p99_ps() const { return quantile(0.99, p99_); }
    double max_ps() const { return static_cast<double>(max_); }
    std::size_t stored_samples() const { return exact_.size(); }  // at most kExactSamples

  private:
    using Estimator = boost::accumulators::accumulator_set<
        double, boost::accumulators::stats<boost::accumulators::tag::p_square_quantile>>;
    double quantile(double p, const Estimator& estimator) const;

    std::vector<std::uint64_t> exact_;
    Estimator p50_{boost::accumulators::quantile_probability = 0.50};
    Estimator p99_{boost::accumulators::quantile_probability = 0.99};
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
};

}  // namespace opusim::model
