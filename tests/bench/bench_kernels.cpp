// CPU attention kernels: FAVOR+ (bidirectional and causal, orthogonal projection, softmax
// features) against exact softmax attention, d = 64, m = 256, L = 256 .. 16k
// (256 and 512 locate the crossover below 1k).
//
// Every case reports s_per_head (time per (batch, head); the kernels loop over heads, so this is
// the figure to compare) and workspace_MiB (the peak of the kernels' counted scratch buffers during
// one call; inputs and outputs excluded, they are the same for every method). FAVOR+ runs 8 heads;
// exact attention runs 2 heads (it is O(L^2 d) per head: 8 heads at 16k would take minutes) and
// its time per head is what to scale. The baseline is a bare cblas_sgemm of one head's projection,
// (L x d) * (d x m), measured in the same run: read the ratios against it.
//
// Run (docs/performance.md, "Attention kernels (CPU)"):
//   OPENBLAS_NUM_THREADS=1 build/<dir>/bin/bench_kernels --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <memory>
#include <vector>

#include "opusim/kernels/exact_attention.hpp"
#include "opusim/kernels/favor_attention.hpp"
#include "opusim/kernels/random_matrices.hpp"
#include "opusim/kernels/workspace.hpp"

namespace {

using namespace opusim::kernels;

constexpr std::size_t kDim = 64;
constexpr std::size_t kFeatures = 256;
constexpr std::size_t kFavorHeads = 8;
constexpr std::size_t kExactHeads = 2;
constexpr double kSigma = 0.25;

Tensor4 random_tensor(Shape4 shape, double sigma, std::uint64_t stream) {
    const std::vector<double> values = gaussian_values(2024, stream, shape.size());
    std::vector<float> scaled(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        scaled[i] = static_cast<float>(sigma * values[i]);
    }
    return Tensor4(shape, std::move(scaled));
}

struct Workload {
    Tensor4 q, k, v;
};

Workload make_workload(std::size_t heads, std::size_t length) {
    const Shape4 shape{1, heads, length, kDim};
    return {random_tensor(shape, kSigma, 1), random_tensor(shape, kSigma, 2),
            random_tensor(shape, 1.0, 3)};
}

void report(benchmark::State& state, std::size_t heads, std::size_t workspace_bytes) {
    state.counters["heads"] = static_cast<double>(heads);
    state.counters["s_per_head"] = benchmark::Counter(
        static_cast<double>(heads),
        benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
    state.counters["workspace_MiB"] = static_cast<double>(workspace_bytes) / (1 << 20);
}

void favor(benchmark::State& state, bool causal, unsigned threads = 1) {
    const std::size_t length = static_cast<std::size_t>(state.range(0));
    const Workload w = make_workload(kFavorHeads, length);
    auto projection = make_orthogonal_projection(kFeatures, kDim, 7);
    FavorOptions options;
    options.causal = causal;
    // One thread: these cases time the calling thread's CPU (per head); BM_FavorThreads below
    // measures the threads over heads in wall time.
    options.threads = threads;
    std::size_t peak = 0;
    for (auto _ : state) {
        WorkspaceCounter::reset_peak();
        const std::size_t base = WorkspaceCounter::current_bytes();
        Tensor4 out = favor_attention(w.q, w.k, w.v, *projection, options);
        benchmark::DoNotOptimize(out.data());
        peak = WorkspaceCounter::peak_bytes() - base;
    }
    report(state, kFavorHeads, peak);
}

void exact(benchmark::State& state, bool causal) {
    const std::size_t length = static_cast<std::size_t>(state.range(0));
    const Workload w = make_workload(kExactHeads, length);
    ExactOptions options;
    options.causal = causal;
    std::size_t peak = 0;
    for (auto _ : state) {
        WorkspaceCounter::reset_peak();
        const std::size_t base = WorkspaceCounter::current_bytes();
        Tensor4 out = exact_attention(w.q, w.k, w.v, options);
        benchmark::DoNotOptimize(out.data());
        peak = WorkspaceCounter::peak_bytes() - base;
    }
    report(state, kExactHeads, peak);
}

void BM_FavorBidirectional(benchmark::State& state) {
    favor(state, false);
}
void BM_FavorCausal(benchmark::State& state) {
    favor(state, true);
}
// Args: L, threads over the 8 heads (wall time).
void BM_FavorThreads(benchmark::State& state) {
    favor(state, state.range(2) != 0, static_cast<unsigned>(state.range(1)));
}
void BM_ExactBidirectional(benchmark::State& state) {
    exact(state, false);
}
void BM_ExactCausal(benchmark::State& state) {
    exact(state, true);
}

// Baseline: the projection GEMM of one head, (L x d) * (d x m)^T, bare cblas_sgemm.
void BM_SgemmProjectionBaseline(benchmark::State& state) {
    const std::size_t length = static_cast<std::size_t>(state.range(0));
    const std::vector<double> x_values = gaussian_values(1, 1, length * kDim);
    const std::vector<float> x(x_values.begin(), x_values.end());
    const std::vector<float> w = orthogonal_gaussian_matrix(kFeatures, kDim, 7);
    std::vector<float> u(length * kFeatures);
    for (auto _ : state) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(length),
                    static_cast<int>(kFeatures), static_cast<int>(kDim), 1.0f, x.data(),
                    static_cast<int>(kDim), w.data(), static_cast<int>(kDim), 0.0f, u.data(),
                    static_cast<int>(kFeatures));
        benchmark::DoNotOptimize(u.data());
    }
    report(state, 1, 0);
}

// The same product through MatrixProjection (the row-wise kernel whose bits do not depend on the
// batching): its ratio to the baseline above is the price of that promise.
void BM_MatrixProjection(benchmark::State& state) {
    const std::size_t length = static_cast<std::size_t>(state.range(0));
    const std::vector<double> x_values = gaussian_values(1, 1, length * kDim);
    const std::vector<float> x(x_values.begin(), x_values.end());
    auto projection = make_orthogonal_projection(kFeatures, kDim, 7);
    std::vector<float> u(length * kFeatures);
    for (auto _ : state) {
        projection->project(dense(x.data(), length, kDim), dense(u.data(), length, kFeatures));
        benchmark::DoNotOptimize(u.data());
    }
    report(state, 1, 0);
}

void lengths(benchmark::internal::Benchmark* b) {
    for (long length : {256, 512, 1024, 2048, 4096, 8192, 16384}) b->Arg(length);
    b->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_SgemmProjectionBaseline)->Apply(lengths);
BENCHMARK(BM_MatrixProjection)->Apply(lengths);
BENCHMARK(BM_FavorBidirectional)->Apply(lengths);
BENCHMARK(BM_FavorCausal)->Apply(lengths);
BENCHMARK(BM_FavorThreads)
    ->ArgNames({"L", "threads", "causal"})
    ->Args({4096, 1, 0})
    ->Args({4096, 2, 0})
    ->Args({4096, 1, 1})
    ->Args({4096, 2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ExactBidirectional)->Apply(lengths);
BENCHMARK(BM_ExactCausal)->Apply(lengths);

}  // namespace

BENCHMARK_MAIN();
