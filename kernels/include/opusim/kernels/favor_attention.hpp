// FAVOR+ attention on (batch, heads, length, dim) tensors (docs/reference/favor.md).
//
// Bidirectional: out = Q' (K'^T V) / (Q' (K'^T 1))  (no epsilon in the denominator, as
//   performer-pytorch). Per head: the key rows are projected once and kept (L x m), K'^T V and
//   K'^T 1 are summed chunk by chunk in double, then the queries stream through in chunks.
// Causal: out_i = q'_i^T S_i / (q'_i^T (z_i + delta 1)), S_i = sum_{j<=i} k'_j v_j^T,
//   z_i = sum_{j<=i} k'_j, in chunks of `chunk` rows: the prefix state (S, z) is carried in double
//   between chunks, and inside a chunk a masked Q'_c K'_c^T supplies the in-chunk terms. Memory per
//   head is O(m d + chunk m + chunk^2) whatever L. The key features use the global key max of the
//   head (as performer-pytorch), so with a Streamed projection the keys are projected twice (once
//   for the max); a WholeCall projection projects every row once and keeps all of them.
//
// float64 accumulation is used where sums run over the sequence: K'^T V and K'^T 1 (bidirectional)
// and the prefix state S, z (causal) are summed chunk by chunk into double, so their rounding
// does not grow with L. Products inside a chunk (over m features or chunk rows) are float32 BLAS;
// the denominators come out of the same GEMM as the numerators (a column of ones appended to V).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "opusim/kernels/feature_maps.hpp"
#include "opusim/kernels/projection.hpp"
#include "opusim/kernels/tensor.hpp"

namespace opusim::kernels {

struct FavorOptions {
    FeatureKernel kernel = FeatureKernel::Softmax;
    bool causal = false;
    double softmax_epsilon = 1e-4;  // favor.md §2: part of the contract (performer-pytorch value)
    double relu_epsilon = 1e-3;     // performer-pytorch's kernel_epsilon
    double causal_delta = 1e-6;     // added to every element of the running key sum
    std::size_t chunk = 64;  // causal: rows per chunk; bidirectional: blocks of max(chunk, 512)
    // favor_attention: worker threads over the (batch, head) pairs (each head is computed alone,
    // so results do not depend on it); 0 = std::thread::hardware_concurrency(). A WholeCall
    // (device) projection runs on the calling thread: its one call already holds every row.
    unsigned threads = 0;
    // favor_attention: told the (batch, head) pairs done and in all after each one (on the
    // calling thread, in order 1, 2, ...), for a progress display; empty: not told. Never changes
    // a result.
    std::function<void(std::size_t heads_done, std::size_t heads_total)> progress;
};

// What an attention call cost beyond its arithmetic: the projection's calls, rows, frames and
// simulated device time (frames and device time are 0 for CPU projections).
struct FavorReport {
    ProjectionCost projection;
    std::size_t features = 0;  // feature count m' (2m for trigonometric)
};

// FAVOR+ attention. q: (B, H, Lq, d), k: (B, H, Lk, d), v: (B, H, Lk, dv); returns (B, H, Lq, dv).
// Causal needs Lq == Lk. The projection's input dim must be d; its output kind must be Intensity
// for the optical kernel and Linear otherwise. Throws std::invalid_argument naming the argument
// (q, k, v, projection, options.*) on bad shapes, non-finite values or bad options.
Tensor4 favor_attention(const Tensor4& q, const Tensor4& k, const Tensor4& v,
                        Projection& projection, const FavorOptions& options,
                        FavorReport* report = nullptr);

// The feature maps the attention uses, as whole tensors (B, H, L, m'), for tests and tools:
// query features of Q and key features of K (key stabiliser over each head's keys).
Tensor4 favor_query_features(const Tensor4& q, Projection& projection, const FavorOptions& options);
Tensor4 favor_key_features(const Tensor4& k, Projection& projection, const FavorOptions& options);

}  // namespace opusim::kernels
