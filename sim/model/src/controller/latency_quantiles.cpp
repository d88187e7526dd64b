#include "latency_quantiles.hpp"

#include <algorithm>

namespace opusim::model {
namespace {

// Log-linear buckets: values below 2^9 have a bucket each; above, a value's octave and the 8
// bits after its leading one name its bucket, so a bucket spans 2^-8 of its octave's start.
constexpr unsigned kSubBucketBits = 8;
constexpr std::uint64_t kExactBelow = std::uint64_t{1} << (kSubBucketBits + 1);
constexpr std::size_t kSubBuckets = std::size_t{1} << kSubBucketBits;
constexpr std::size_t kBucketCount = kExactBelow + (64 - kSubBucketBits - 1) * kSubBuckets;

std::size_t bucket_of(std::uint64_t value) {
    if (value < kExactBelow) return static_cast<std::size_t>(value);
    const unsigned octave = 63u - static_cast<unsigned>(__builtin_clzll(value));  // value > 0
    const unsigned shift = octave - kSubBucketBits;
    const auto sub_bucket = static_cast<std::size_t>((value >> shift) & (kSubBuckets - 1));
    return kExactBelow + (octave - kSubBucketBits - 1) * kSubBuckets + sub_bucket;
}

// The middle of bucket INDEX's value range.
double bucket_middle(std::size_t index) {
    if (index < kExactBelow) return static_cast<double>(index);
    const std::size_t above = index - kExactBelow;
    const unsigned shift = static_cast<unsigned>(above / kSubBuckets) + 1;
    const std::uint64_t lower = (kSubBuckets + above % kSubBuckets) << shift;
    const std::uint64_t width = std::uint64_t{1} << shift;
    return static_cast<double>(lower) + static_cast<double>(width - 1) / 2;
}

}  // namespace

void LatencyQuantiles::clear() {
    exact_.clear();
    exact_.reserve(kExactValues);  // no reallocation while counting exactly
    histogram_.clear();
    histogram_.shrink_to_fit();
    last_count_ = nullptr;
    count_ = 0;
    max_ = 0;
}

void LatencyQuantiles::add_value(std::uint64_t latency_ps) {
    if (approximate()) {
        last_count_ = &histogram_[bucket_of(latency_ps)];
    } else {
        auto found = exact_.find(latency_ps);
        if (found == exact_.end()) {
            if (exact_.size() == kExactValues) {
                move_counts_to_histogram();
                add_value(latency_ps);
                return;
            }
            found = exact_.emplace(latency_ps, 0).first;
        }
        last_count_ = &found->second;
    }
    last_value_ = latency_ps;
    ++*last_count_;
}

void LatencyQuantiles::move_counts_to_histogram() {
    histogram_.assign(kBucketCount, 0);
    for (const auto& [value, count] : exact_) histogram_[bucket_of(value)] += count;
    exact_.clear();
    last_count_ = nullptr;
}

double LatencyQuantiles::quantile(double p) const {
    if (count_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(p * static_cast<double>(count_ - 1) + 0.5);
    return approximate() ? histogram_quantile(rank) : exact_quantile(rank);
}

double LatencyQuantiles::exact_quantile(std::uint64_t rank) const {
    std::uint64_t below = 0;
    for (const auto& [value, count] : exact_) {
        below += count;
        if (rank < below) return static_cast<double>(value);
    }
    return static_cast<double>(max_);
}

double LatencyQuantiles::histogram_quantile(std::uint64_t rank) const {
    std::uint64_t below = 0;
    for (std::size_t index = 0; index < histogram_.size(); ++index) {
        below += histogram_[index];
        if (rank < below) return std::min(bucket_middle(index), static_cast<double>(max_));
    }
    return static_cast<double>(max_);
}

}  // namespace opusim::model
