// The linear mode's rounding dither (docs/device-physics.md "Linear mode: noise limit"). Internal
// to the SDK.
//
// A noiseless camera rounds identical frames identically, so a plane's repeated (p, ~p) couples
// would carry the same rounding error and averaging them would gain nothing. Each couple of a
// plane therefore lights its own subset v of a few extra DMD features (the dither features, after
// the signal and the reference) in all four of its frames. Their field adds to every frame of the
// couple alike, so it cancels exactly in d(p) - d(~p) = 2 s Re(conj(r) C (2p - 1)), yet it moves
// each frame's intensity by the cross term 2 s Re(conj(u + r) v), several DN at typical levels:
// the couples' rounding errors become independent. Unlike an exposure step it costs no signal.
#pragma once

#include <cstddef>
#include <vector>

namespace opusim::sdk_detail {

// At most this many dither features: beyond it, couples light two, three, ... of them.
inline constexpr std::size_t kMaxDitherFeatures = 16;

// The dither features a scheme with at most MAX_COUPLES couples per plane needs: one per couple
// up to kMaxDitherFeatures.
std::size_t dither_feature_count(std::size_t max_couples);

// The dither features (indices in [0, N_DITHER)) couple COUPLE lights: subsets in order of size,
// then lexicographically (couple 0 lights feature 0, ...): distinct for every couple below
// 2^N_DITHER - 1, and as few lit features as possible (each adds intensity).
std::vector<std::size_t> dither_pattern(std::size_t couple, std::size_t n_dither);

// The most features any of the first COUPLES couples lights.
std::size_t dither_max_lit(std::size_t couples, std::size_t n_dither);

}  // namespace opusim::sdk_detail
