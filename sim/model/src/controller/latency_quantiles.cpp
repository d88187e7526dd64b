#include "latency_quantiles.hpp"

#include <algorithm>

namespace opusim::model {

void LatencyQuantiles::clear() {
    exact_.clear();
    exact_.reserve(kExactSamples);
    p50_ = Estimator(boost::accumulators::quantile_probability = 0.50);
    p99_ = Estimator(boost::accumulators::quantile_probability = 0.99);
    count_ = 0;
    max_ = 0;
}

void LatencyQuantiles::add(std::uint64_t latency_ps) {
    if (exact_.size() < kExactSamples) exact_.push_back(latency_ps);
    p50_(static_cast<double>(latency_ps));
    p99_(static_cast<double>(latency_ps));
    max_ = std::max(max_, latency_ps);
    ++count_;
}

double LatencyQuantiles::quantile(double p, const Estimator& estimator) const {
    if (count_ == 0) return 0;
    if (count_ <= kExactSamples) {
        // Every latency is here: the order statistic of rank round(p (n - 1)), as before.
        std::vector<std::uint64_t> sorted = exact_;
        const auto rank =
            static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(rank),
                         sorted.end());
        return static_cast<double>(sorted[rank]);
    }
    return boost::accumulators::p_square_quantile(estimator);
}

}  // namespace opusim::model
