#include "opusim/physics/medium_drift.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace opusim::physics {
namespace {

constexpr double kQuarterTurn = 1.57079632679489661923;  // pi / 2: theta over a segment
// The SDK's calibration stream sets bit 62 of its sequence numbers (sdk/src/opu.cpp); the drift
// clock is the sequence without it, so both streams count frames from the same origin.
constexpr std::uint64_t kPositionMask = (std::uint64_t{1} << 62) - 1;
// Segment matrices kept: the two of the current segment and the next one's successor.
constexpr std::size_t kCachedSegments = 3;
// Frames mixed at once (bounds the two field buffers).
constexpr std::size_t kMixFrames = 256;

// splitmix64's finaliser: a bijective mix, so distinct (seed, segment) give distinct seeds.
std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace

DriftSchedule::DriftSchedule(std::uint64_t segment_frames) : segment_frames_(segment_frames) {
    if (segment_frames == 0) {
        throw std::invalid_argument("segment_frames: expected at least 1 frame per drift segment");
    }
}

std::uint64_t DriftSchedule::segment_frames_for(double decorrelation_time_s,
                                                double frame_period_us) {
    if (!(decorrelation_time_s > 0) || !std::isfinite(decorrelation_time_s)) {
        throw std::invalid_argument(
            "medium.decorrelation_time_s: expected a finite time > 0 for a drifting medium, got " +
            std::to_string(decorrelation_time_s));
    }
    if (!(frame_period_us > 0) || !std::isfinite(frame_period_us)) {
        throw std::invalid_argument("camera.frametime_us: expected > 0 to time the drift, got " +
                                    std::to_string(frame_period_us));
    }
    // cos(theta) = 1/e after the decorrelation time; theta spans pi/2 over a segment.
    const double frames = decorrelation_time_s * 1e6 / frame_period_us;
    const double segment = frames * kQuarterTurn / std::acos(std::exp(-1.0));
    const double max = static_cast<double>(kPositionMask);
    return static_cast<std::uint64_t>(std::max(1.0, std::min(max, std::round(segment))));
}

std::optional<DriftSchedule> DriftSchedule::from_profile(const DeviceProfile& profile) {
    if (profile.medium.decorrelation_time_s == 0) return std::nullopt;
    return DriftSchedule(
        segment_frames_for(profile.medium.decorrelation_time_s, profile.camera.frametime_us));
}

std::uint64_t DriftSchedule::position(std::uint64_t sequence) {
    return sequence & kPositionMask;
}

std::uint64_t DriftSchedule::segment(std::uint64_t sequence) const {
    return position(sequence) / segment_frames_;
}

double DriftSchedule::angle(std::uint64_t sequence) const {
    const double into = static_cast<double>(position(sequence) % segment_frames_);
    return kQuarterTurn * into / static_cast<double>(segment_frames_);
}

std::uint64_t DriftSchedule::segment_seed(std::uint64_t medium_seed, std::uint64_t segment) {
    if (segment == 0) return medium_seed;
    return mix64(mix64(medium_seed) ^ mix64(segment ^ 0x9e3779b97f4a7c15ULL));
}

DriftingMedium::DriftingMedium(const Medium& medium, const contract::InputLayout& layout,
                               std::vector<std::uint64_t> pixels, double contrast_ratio,
                               DriftSchedule schedule)
    : medium_(medium),
      layout_(layout),
      pixels_(std::move(pixels)),
      contrast_ratio_(contrast_ratio),
      schedule_(schedule) {
    segment_medium(0);  // validates the arguments now, as EffectiveMedium's constructor does
}

const EffectiveMedium& DriftingMedium::segment_medium(std::uint64_t segment) const {
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
        if (it->first == segment) {
            cache_.splice(cache_.begin(), cache_, it);
            return *cache_.front().second;
        }
    }
    Medium segment_matrix(medium_.params(), DriftSchedule::segment_seed(medium_.seed(), segment));
    GenerationOptions options;
    options.threads = medium_.thread_count();
    options.tile_bytes = medium_.tile_bytes();
    segment_matrix.set_generation_options(options);
    cache_.emplace_front(segment, std::make_unique<EffectiveMedium>(segment_matrix, layout_,
                                                                    pixels_, contrast_ratio_));
    if (cache_.size() > kCachedSegments) cache_.pop_back();
    return *cache_.front().second;
}

void DriftingMedium::mix_segment(const std::uint8_t* frames, std::size_t n_frames,
                                 std::uint64_t first_sequence, float* out) const {
    const std::uint64_t k = schedule_.segment(first_sequence);
    const std::size_t np = n_pixels();
    fields_a_.resize(n_frames * np);
    fields_b_.resize(n_frames * np);
    segment_medium(k).fields(frames, n_frames, fields_a_.data());
    segment_medium(k + 1).fields(frames, n_frames, fields_b_.data());
    for (std::size_t f = 0; f < n_frames; ++f) {
        const double theta = schedule_.angle(first_sequence + f);
        const double c = std::cos(theta);
        const double s = std::sin(theta);
        for (std::size_t j = 0; j < np; ++j) {
            const std::complex<double> field =
                c * fields_a_[f * np + j] + s * fields_b_[f * np + j];
            out[f * np + j] = static_cast<float>(std::norm(field));
        }
    }
}

void DriftingMedium::intensities(const std::uint8_t* frames, std::size_t n_frames,
                                 std::uint64_t first_sequence, float* out) const {
    if (n_frames == 0) return;
    if (frames == nullptr || out == nullptr) {
        throw std::invalid_argument("frames/out: expected buffers for " + std::to_string(n_frames) +
                                    " frames, got null");
    }
    const std::size_t nf = n_features();
    std::size_t done = 0;
    while (done < n_frames) {
        const std::uint64_t sequence = first_sequence + done;
        // Up to the segment's end (or the calibration stream's wrap of the position).
        const std::uint64_t left_in_segment =
            schedule_.segment_frames() -
            DriftSchedule::position(sequence) % schedule_.segment_frames();
        const std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>({left_in_segment, kMixFrames, n_frames - done}));
        mix_segment(frames + done * nf, n, sequence, out + done * n_pixels());
        done += n;
    }
}

namespace {
// cos(theta) A + sin(theta) B, entry by entry.
std::vector<std::complex<float>> rotate(const std::vector<std::complex<float>>& a,
                                        const std::vector<std::complex<float>>& b, double theta) {
    std::vector<std::complex<float>> mixed(a.size());
    for (std::size_t e = 0; e < a.size(); ++e) {
        const std::complex<double> v = std::cos(theta) * std::complex<double>(a[e]) +
                                       std::sin(theta) * std::complex<double>(b[e]);
        mixed[e] = {static_cast<float>(v.real()), static_cast<float>(v.imag())};
    }
    return mixed;
}
}  // namespace

std::vector<std::complex<float>> DriftingMedium::oracle_matrix(std::uint64_t sequence) const {
    const std::uint64_t k = schedule_.segment(sequence);
    return rotate(segment_medium(k).oracle_matrix(), segment_medium(k + 1).oracle_matrix(),
                  schedule_.angle(sequence));
}

std::vector<std::complex<float>> DriftingMedium::oracle_leakage_field(
    std::uint64_t sequence) const {
    const std::uint64_t k = schedule_.segment(sequence);
    return rotate(segment_medium(k).oracle_leakage_field(),
                  segment_medium(k + 1).oracle_leakage_field(), schedule_.angle(sequence));
}

}  // namespace opusim::physics
