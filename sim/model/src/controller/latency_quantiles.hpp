// The per-frame latency percentiles the device reports (STAT_LATENCY_P50/P99/MAX), in memory
// that does not grow with the number of frames. Latencies are counted exactly, value by value,
// while at most kExactValues distinct values have occurred: a steady pipeline produces few, so
// its percentiles are exact order statistics however long it runs. Past that bound the counts
// move into a log-linear histogram (256 buckets per octave, as HDR histograms lay them out):
// each percentile is then the middle of its bucket, within 2^-9 of the value relative, and the
// memory stays fixed. The maximum is always exact. Deterministic: the result depends only on
// the multiset of latencies, not on their order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/container/flat_map.hpp>

namespace opusim::model {

class LatencyQuantiles {
  public:
    static constexpr std::size_t kExactValues = 4096;

    LatencyQuantiles() { clear(); }
    void clear();
    void add(std::uint64_t latency_ps) {
        if (latency_ps == last_value_ && last_count_ != nullptr) {
            ++*last_count_;  // the steady pipeline's common case: the same latency again
        } else {
            add_value(latency_ps);
        }
        max_ = latency_ps > max_ ? latency_ps : max_;
        ++count_;
    }

    std::uint64_t count() const { return count_; }
    // Percentile P (0.5 or 0.99) in picoseconds: the value of rank round(P (count - 1)); 0
    // before any latency.
    double p50_ps() const { return quantile(0.50); }
    double p99_ps() const { return quantile(0.99); }
    double max_ps() const { return static_cast<double>(max_); }
    // True once more than kExactValues distinct latencies made the percentiles approximate.
    bool approximate() const { return !histogram_.empty(); }
    // Counters held: at most kExactValues, or the histogram's fixed bucket count.
    std::size_t stored_counters() const {
        return approximate() ? histogram_.size() : exact_.size();
    }

  private:
    void add_value(std::uint64_t latency_ps);
    void move_counts_to_histogram();
    double quantile(double p) const;
    double exact_quantile(std::uint64_t rank) const;
    double histogram_quantile(std::uint64_t rank) const;

    boost::container::flat_map<std::uint64_t, std::uint64_t> exact_;
    std::vector<std::uint64_t> histogram_;  // empty while the counts are exact
    std::uint64_t last_value_ = 0;
    std::uint64_t* last_count_ = nullptr;  // counter of last_value_, or null
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
};

}  // namespace opusim::model
