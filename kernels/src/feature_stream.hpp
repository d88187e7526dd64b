// Random features of the rows of one attention call, head by head (private to opusim_kernels).
// Hides the projection's batching: a Streamed projection is called per block of rows (inputs
// scaled by c = d^(-1/4) into a scratch block); a WholeCall projection gets every query and key
// row of the call in one project() call up front, and the results are kept.
#pragma once

#include <cstddef>

#include "opusim/kernels/favor_attention.hpp"
#include "opusim/kernels/workspace.hpp"

namespace opusim::kernels {

enum class Role { Query, Key };

class FeatureStream {
  public:
    // Q or K may be null (feature extraction of one role only). MAX_ROWS bounds `count` below.
    FeatureStream(const Tensor4* q, const Tensor4* k, Projection& projection,
                  const FavorOptions& options, std::size_t max_rows);

    std::size_t features() const { return features_; }

    // Computes the head's stabilisers (the key max needs every key row's projection). With
    // KEEP_KEYS a Streamed projection keeps the head's key projections (L x m) so the keys are
    // projected once; without it they are projected again when asked for (flat memory).
    void begin_head(std::size_t batch, std::size_t head, bool keep_keys);

    // Features of rows [first, first + count) of ROLE in the current head, into OUT
    // (count x features()); count <= max_rows.
    void compute(Role role, std::size_t first, std::size_t count, Matrix out);

  private:
    const Tensor4& input(Role role) const;
    // The projections u of rows [first, first + count) of ROLE in the current head.
    ConstMatrix projected(Role role, std::size_t first, std::size_t count);
    void project_block(Role role, std::size_t first, std::size_t count, Matrix out);
    void project_whole_call();

    const Tensor4* q_;
    const Tensor4* k_;
    Projection& projection_;
    FavorOptions options_;
    std::size_t max_rows_;
    std::size_t m_;
    std::size_t features_;
    bool whole_call_;

    std::size_t batch_ = 0;
    std::size_t head_ = 0;
    double key_max_ = 0.0;
    double query_h_max_ = 0.0;
    double key_h_max_ = 0.0;
    bool keys_kept_ = false;

    Buffer<float> scaled_;     // max_rows x d: c x of one block
    Buffer<float> block_u_;    // max_rows x m: u of one block
    Buffer<float> head_keys_;  // L x m: u of the head's keys (keep_keys, Streamed)
    Buffer<float> all_u_;      // every query row then every key row of the call (WholeCall)
};

}  // namespace opusim::kernels
