// FAVOR+ over heads on several threads (FavorOptions::threads): each head is computed alone, so
// the output is bit-identical whatever the thread count; progress is reported on the calling
// thread, once per head in order; the projection's cost adds up the same.
#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "kernel_test_support.hpp"
#include "opusim/kernels/favor_attention.hpp"

namespace opusim::kernels {
namespace {

using testing::random_tensor;

bool same_bits(const Tensor4& a, const Tensor4& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(FavorThreads, OutputIsBitIdenticalForAnyThreadCount) {
    const Shape4 shape{2, 4, 200, 16};
    const Tensor4 q = random_tensor(shape, 0.5, 1);
    const Tensor4 k = random_tensor(shape, 0.5, 2);
    const Tensor4 v = random_tensor(shape, 1.0, 3);
    auto projection = make_orthogonal_projection(64, 16, 9);
    for (bool causal : {false, true}) {
        FavorOptions options;
        options.causal = causal;
        options.threads = 1;
        FavorReport one_report;
        const Tensor4 one = favor_attention(q, k, v, *projection, options, &one_report);
        for (unsigned threads : {2u, 3u, 8u}) {
            options.threads = threads;
            const std::thread::id caller = std::this_thread::get_id();
            std::vector<std::pair<std::size_t, std::size_t>> told;
            bool on_caller = true;
            options.progress = [&](std::size_t done, std::size_t total) {
                told.emplace_back(done, total);
                on_caller = on_caller && std::this_thread::get_id() == caller;
            };
            FavorReport report;
            const Tensor4 many = favor_attention(q, k, v, *projection, options, &report);
            EXPECT_TRUE(same_bits(one, many)) << "causal " << causal << ", threads " << threads;
            ASSERT_EQ(told.size(), 8u);
            for (std::size_t i = 0; i < told.size(); ++i) {
                EXPECT_EQ(told[i], std::make_pair(i + 1, std::size_t{8}));
            }
            EXPECT_TRUE(on_caller);
            EXPECT_EQ(report.projection.rows, one_report.projection.rows);
            EXPECT_EQ(report.projection.calls, one_report.projection.calls);
            options.progress = nullptr;
        }
    }
}

}  // namespace
}  // namespace opusim::kernels
