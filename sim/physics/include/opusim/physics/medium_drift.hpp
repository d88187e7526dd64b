// Medium drift: a scattering medium that decorrelates slowly (temperature, mechanical creep), as
// a rotation between independent counter-based matrices. docs/device-physics.md ("Medium drift")
// has the model and its derivations.
//
// The device's frames are numbered by their sequence number s (the job descriptor's
// first_sequence + k, the same number that keys the camera noise), and the medium a frame sees is
//   R(s) = cos(theta) A_k + sin(theta) A_{k+1},  k = p / L,  theta = (pi/2) (p mod L) / L,
// with p = s mod 2^62 the drift position (the SDK's calibration stream sets bit 62 of its
// sequence numbers; its frames sit at the position of their low bits), L the segment length in
// frames and A_k independent matrices of the medium's statistics (A_0 the undrifted medium, A_k
// keyed by the medium seed and k). cos^2 + sin^2 = 1, so every entry of R(s) has exactly the
// statistics of one entry of A_k at every s, and the correlation of R at two positions of one
// segment is cos(delta theta). Being a pure function of s, the drift is the same whatever the
// batching, tiling, threads or retries.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "opusim/contract/input_layout.hpp"
#include "opusim/physics/effective_medium.hpp"
#include "opusim/physics/medium.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::physics {

// Where a frame sits in the drift and the rotation angle there.
class DriftSchedule {
  public:
    // Throws std::invalid_argument naming `segment_frames` when it is 0.
    explicit DriftSchedule(std::uint64_t segment_frames);

    // The profile's schedule, or nullopt when medium.decorrelation_time_s is 0 (no drift).
    static std::optional<DriftSchedule> from_profile(const DeviceProfile& profile);
    // Frames of one segment for a decorrelation time (correlation 1/e after it) and a frame
    // period: theta grows by acos(1/e) over the decorrelation time, pi/2 over a segment.
    static std::uint64_t segment_frames_for(double decorrelation_time_s, double frame_period_us);

    static std::uint64_t position(std::uint64_t sequence);  // sequence mod 2^62
    std::uint64_t segment(std::uint64_t sequence) const;
    double angle(std::uint64_t sequence) const;  // theta in [0, pi/2)
    std::uint64_t segment_frames() const { return segment_frames_; }

    // The seed of A_k: the medium seed itself for k = 0, an independent mix of both otherwise.
    static std::uint64_t segment_seed(std::uint64_t medium_seed, std::uint64_t segment);

  private:
    std::uint64_t segment_frames_;
};

// The effective medium of one layout and output ROI under drift: intensities of frames keyed by
// their sequence numbers. Segment matrices are generated on demand and a few are kept.
class DriftingMedium {
  public:
    // Throws std::invalid_argument as EffectiveMedium does.
    DriftingMedium(const Medium& medium, const contract::InputLayout& layout,
                   std::vector<std::uint64_t> pixels, double contrast_ratio,
                   DriftSchedule schedule);

    std::size_t n_pixels() const { return pixels_.size(); }
    std::size_t n_features() const { return static_cast<std::size_t>(layout_.n_features); }
    const DriftSchedule& schedule() const { return schedule_; }

    // As EffectiveMedium::intensities, frame f being sequence FIRST_SEQUENCE + f. Not
    // thread-safe (the segment cache), like the model stage that owns it.
    void intensities(const std::uint8_t* frames, std::size_t n_frames, std::uint64_t first_sequence,
                     float* out) const;

    // Oracle only (tests, tools): the effective matrix and leakage field at SEQUENCE.
    std::vector<std::complex<float>> oracle_matrix(std::uint64_t sequence) const;
    std::vector<std::complex<float>> oracle_leakage_field(std::uint64_t sequence) const;
    // The undrifted effective medium (segment 0 at angle 0).
    const EffectiveMedium& undrifted() const { return segment_medium(0); }

  private:
    const EffectiveMedium& segment_medium(std::uint64_t segment) const;
    // Frames [begin, end) of one segment (the caller splits at boundaries).
    void mix_segment(const std::uint8_t* frames, std::size_t n_frames, std::uint64_t first_sequence,
                     float* out) const;

    Medium medium_;
    contract::InputLayout layout_;
    std::vector<std::uint64_t> pixels_;
    double contrast_ratio_;
    DriftSchedule schedule_;
    // Most recently used first; at most kCachedSegments.
    mutable std::list<std::pair<std::uint64_t, std::unique_ptr<EffectiveMedium>>> cache_;
    mutable std::vector<std::complex<double>> fields_a_, fields_b_;
};

}  // namespace opusim::physics
