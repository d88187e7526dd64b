#include "opusim/physics/camera.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

#include "camera_noise.hpp"
#include "opusim/physics/simd_level.hpp"
#include "parallel_for.hpp"
#include "philox_avx2.hpp"

namespace opusim::physics {
namespace {

using camera_noise::philox4x32;
constexpr std::uint32_t kAllOnes = 0xFFFFFFFFu;
constexpr std::uint64_t kLaserPixel = std::numeric_limits<std::uint64_t>::max();
// Pixels handled per stage of a frame: the stages' scratch lives on the stack (~7 KiB).
constexpr std::size_t kBlock = 256;
// Poisson inversion never needs more terms: P(N > 200) < 1e-80 for a mean below 16.
constexpr int kMaxInversionTerms = 200;
// Below this many values a grab stays on the calling thread (thread start-up would dominate).
constexpr std::size_t kMinValuesPerThread = 1u << 16;

unsigned worker_threads(unsigned requested) {
    if (requested != 0) return requested;
    return std::max(1u, std::thread::hardware_concurrency());
}

// Float-to-int conversions below stay far inside int32; anything this large is clipped at the
// full well anyway.
constexpr float kMaxElectrons = 1e9f;

std::uint32_t low_word(std::uint64_t value) {
    return static_cast<std::uint32_t>(value);
}
std::uint32_t high_word(std::uint64_t value) {
    return static_cast<std::uint32_t>(value >> 32);
}

camera_noise::Words noise_words(std::uint64_t seed, std::uint64_t pixel, std::uint64_t frame) {
    return philox4x32(low_word(pixel), high_word(pixel), low_word(frame), high_word(frame),
                      low_word(seed), high_word(seed));
}

// Value-returning min/max/clamp (std:: ones return references, which blocks if-conversion and so
// vectorisation). NaN propagates to the lower bound.
[[gnu::always_inline]] inline float min_value(float a, float b) {
    return b < a ? b : a;
}
[[gnu::always_inline]] inline float clamp_value(float x, float low, float high) {
    const float above = x > low ? x : low;
    return above < high ? above : high;
}

// floor(x) for 0 <= x <= kMaxElectrons, by truncation (SSE2 has it; floorf needs SSE4.1).
[[gnu::always_inline]] inline float floor_non_negative(float x) {
    return static_cast<float>(static_cast<std::int32_t>(x));
}

double standard_normal_cdf(double x) {
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

template <class Out>
void check_output_type(const CameraParams& params) {
    if (sizeof(Out) == 1 && params.bits > 8) {
        throw std::invalid_argument("out: an 8-bit output buffer cannot hold " +
                                    std::to_string(params.bits) +
                                    "-bit camera frames; use a uint16 buffer");
    }
}

void check_exposure(double exposure_us) {
    if (!std::isfinite(exposure_us) || exposure_us <= 0) {
        throw std::invalid_argument("exposure_us: expected a finite number > 0, got " +
                                    std::to_string(exposure_us));
    }
}

}  // namespace

void gaussian_pair(std::uint32_t first, std::uint32_t second, float& z0, float& z1) {
    camera_noise::box_muller(first, second, z0, z1);
}

namespace {
// The large-mean branch, shared by sample_poisson and the vectorised grab (same float operations,
// so both give the same counts). Meaningful for mean >= kPoissonExactBelow.
[[gnu::always_inline]] inline float poisson_approximation(float mean, float gaussian) {
    const float root = std::sqrt(mean > 1.0f ? mean : 1.0f);
    const float corrected = gaussian + (gaussian * gaussian - 1.0f) / (6.0f * root);
    return floor_non_negative(clamp_value(mean + root * corrected + 0.5f, 0.0f, kMaxElectrons));
}

float poisson_inversion(float mean, std::uint32_t uniform_word) {
    // The smallest k with CDF(k) >= u.
    const double u = (static_cast<double>(uniform_word) + 0.5) * 0x1p-32;
    double term = std::exp(-static_cast<double>(mean));
    double cdf = term;
    int k = 0;
    while (u > cdf && k < kMaxInversionTerms) {
        ++k;
        term *= static_cast<double>(mean) / k;
        cdf += term;
    }
    return static_cast<float>(k);
}
// The exact inversion of up to kInversionLanes dark pixels (INDEX) in lockstep: each lane runs
// poisson_inversion's recurrence, the same double operations in the same order, until its CDF
// reaches its uniform, so the counts equal the scalar function's; the lanes vectorise, and a
// pixel's branch no longer waits on the one before (the scalar loop's exit mispredicted often).
constexpr std::size_t kInversionLanes = 8;
[[gnu::always_inline]] inline void poisson_inversion_lanes(const float* mean,
                                                           const std::uint32_t* uniform,
                                                           const std::uint16_t* index,
                                                           std::size_t lanes, float* electrons) {
    alignas(64) double lane_mean[kInversionLanes];
    alignas(64) double u[kInversionLanes];
    alignas(64) double term[kInversionLanes];
    alignas(64) double cdf[kInversionLanes];
    alignas(64) std::int32_t count[kInversionLanes];
    for (std::size_t l = 0; l < kInversionLanes; ++l) {
        // Unused lanes and means <= 0 start finished (u = 0 <= cdf = 1) and count 0.
        const bool used = l < lanes && mean[index[l]] > 0;
        lane_mean[l] = used ? static_cast<double>(mean[index[l]]) : 0.0;
        u[l] = used ? (static_cast<double>(uniform[index[l]]) + 0.5) * 0x1p-32 : 0.0;
        term[l] = used ? std::exp(-lane_mean[l]) : 1.0;
        cdf[l] = term[l];
        count[l] = 0;
    }
    for (std::int32_t k = 1; k <= kMaxInversionTerms; ++k) {
        std::int32_t running = 0;
#pragma omp simd reduction(+ : running)
        for (std::size_t l = 0; l < kInversionLanes; ++l) {
            const bool go = u[l] > cdf[l];
            const double next = term[l] * (lane_mean[l] / k);
            term[l] = go ? next : term[l];
            cdf[l] = go ? cdf[l] + next : cdf[l];
            count[l] = go ? k : count[l];
            running += go ? 1 : 0;
        }
        if (running == 0) break;
    }
    for (std::size_t l = 0; l < lanes; ++l) electrons[index[l]] = static_cast<float>(count[l]);
}

// Stage 3b: the exact inversion where the mean is small (rare on a lit sensor; every pixel of a
// dark frame), replacing the approximation's count there.
[[gnu::always_inline]] inline void exact_poisson_where_dark(const float* mean,
                                                            const std::uint32_t* uniform,
                                                            std::size_t n, float* electrons) {
    std::uint16_t dark[kBlock];
    std::size_t n_dark = 0;
    // Eight pixels at a time (one compare and mask per group): dark pixels are rare when lit.
    for (std::size_t group = 0; group < n; group += 8) {
        const std::size_t width = std::min<std::size_t>(8, n - group);
        unsigned mask = 0;
        for (std::size_t j = 0; j < width; ++j) {
            mask |= (mean[group + j] < kPoissonExactBelow ? 1u : 0u) << j;
        }
        for (; mask != 0; mask &= mask - 1) {
            dark[n_dark++] = static_cast<std::uint16_t>(group + std::size_t(__builtin_ctz(mask)));
        }
    }
    for (std::size_t first = 0; first < n_dark; first += kInversionLanes) {
        poisson_inversion_lanes(mean, uniform, dark + first,
                                std::min(kInversionLanes, n_dark - first), electrons);
    }
}

// Stage 2a: the Philox words of each pixel of the frame (Box-Muller's two, the inversion's
// uniform). The generic loop is vectorised by the compiler; the AVX2 one is written by hand
// (philox_avx2.hpp). All give the scalar function's words.
#define OPUSIM_NOISE_WORDS(suffix)                                                                 \
    void noise_words_##suffix(const std::uint64_t* pixel, std::size_t n, std::uint32_t frame0,     \
                              std::uint32_t frame1, std::uint32_t key0, std::uint32_t key1,        \
                              std::uint32_t* first, std::uint32_t* second, std::uint32_t* third) { \
        _Pragma("omp simd") for (std::size_t i = 0; i < n; ++i) {                                  \
            const auto words =                                                                     \
                philox4x32(low_word(pixel[i]), high_word(pixel[i]), frame0, frame1, key0, key1);   \
            first[i] = words.v[0];                                                                 \
            second[i] = words.v[1];                                                                \
            third[i] = words.v[2];                                                                 \
        }                                                                                          \
    }
OPUSIM_NOISE_WORDS(baseline)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl")
OPUSIM_NOISE_WORDS(avx512)
#pragma GCC pop_options
#undef OPUSIM_NOISE_WORDS

[[gnu::target("avx2")]] void noise_words_avx2(const std::uint64_t* pixel, std::size_t n,
                                              std::uint32_t frame0, std::uint32_t frame1,
                                              std::uint32_t key0, std::uint32_t key1,
                                              std::uint32_t* first, std::uint32_t* second,
                                              std::uint32_t* third) {
    const __m256i frame_low = _mm256_set1_epi32(static_cast<int>(frame0));
    const __m256i frame_high = _mm256_set1_epi32(static_cast<int>(frame1));
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i pixel_low;
        __m256i pixel_high;
        philox_avx2::split_words(pixel + i, pixel_low, pixel_high);
        const philox_avx2::Lanes8 words =
            philox_avx2::philox4x32(pixel_low, pixel_high, frame_low, frame_high, key0, key1);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(first + i), words.v[0]);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(second + i), words.v[1]);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(third + i), words.v[2]);
    }
    for (; i < n; ++i) {
        const auto words =
            philox4x32(low_word(pixel[i]), high_word(pixel[i]), frame0, frame1, key0, key1);
        first[i] = words.v[0];
        second[i] = words.v[1];
        third[i] = words.v[2];
    }
}

// Stages 2b-3 of a grab over N <= kBlock pixels: Gaussians from the words, Poisson counts by the
// approximation. Compiled for AVX-512, AVX2 and the baseline, picked per call by the active SIMD
// level (simd_level.hpp); all give identical bits (integer Philox, IEEE float ops without
// contraction; a test forces each level).
#define OPUSIM_NOISE_STAGE(suffix)                                                             \
    void noise_stage_##suffix(const std::uint64_t* pixel, std::size_t n, std::uint32_t frame0, \
                              std::uint32_t frame1, std::uint32_t key0, std::uint32_t key1,    \
                              const float* mean, float* electrons, float* z_read,              \
                              std::uint32_t* uniform) {                                        \
        alignas(64) std::uint32_t first[kBlock];                                               \
        alignas(64) std::uint32_t second[kBlock];                                              \
        alignas(64) float z_shot[kBlock];                                                      \
        noise_words_##suffix(pixel, n, frame0, frame1, key0, key1, first, second, uniform);    \
        _Pragma("omp simd") for (std::size_t i = 0; i < n; ++i)                                \
            camera_noise::box_muller(first[i], second[i], z_shot[i], z_read[i]);               \
        _Pragma("omp simd") for (std::size_t i = 0; i < n; ++i) electrons[i] =                 \
            poisson_approximation(mean[i], z_shot[i]);                                         \
        exact_poisson_where_dark(mean, uniform, n, electrons);                                 \
    }
OPUSIM_NOISE_STAGE(baseline)
#pragma GCC push_options
#pragma GCC target("avx2")
OPUSIM_NOISE_STAGE(avx2)
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl")
OPUSIM_NOISE_STAGE(avx512)
#pragma GCC pop_options
#undef OPUSIM_NOISE_STAGE

// What the signal stages of one block need besides its pixels' own data.
struct BlockConstants {
    float qe, photon_scale, dark_mean;          // stage 1
    float gain, offset, full_well, read_noise;  // stages 4-5 (offset includes the 1/2 of rounding)
    float max_dn;
    std::uint32_t frame0, frame1, key0, key1;  // the noise's counter and key
    bool noise;
};
struct BlockData {
    const float* intensity;  // null: a flat field of photon_scale
    const float* gain_map;   // PRNU
    const float* dsnu_map;
    const std::uint64_t* pixel;
};
using NoiseStage = void (*)(const std::uint64_t*, std::size_t, std::uint32_t, std::uint32_t,
                            std::uint32_t, std::uint32_t, const float*, float*, float*,
                            std::uint32_t*);

// Stages 1-5 of a grab over N <= kBlock pixels into DN (integers in [0, max_dn] as floats);
// returns how many saturate. Inlined into one function per SIMD level below, so every loop is
// compiled for that level (IEEE float operations without contraction: the same bits on each).
[[gnu::always_inline]] inline std::uint32_t signal_stages(NoiseStage noise_stage_of_level,
                                                          const BlockConstants& c,
                                                          const BlockData& data, std::size_t n,
                                                          float* dn) {
    alignas(64) float mean[kBlock];
    alignas(64) float electrons[kBlock];
    alignas(64) float z_read[kBlock];
    alignas(64) std::uint32_t uniform[kBlock];
    // Stage 1: mean electrons (photons from the intensity, or the flat field when null).
    if (data.intensity != nullptr) {
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i) {
            mean[i] = c.qe * (data.intensity[i] * c.photon_scale) * data.gain_map[i] + c.dark_mean;
        }
    } else {
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i) {
            mean[i] = c.qe * c.photon_scale * data.gain_map[i] + c.dark_mean;
        }
    }
    if (c.noise) {
        // Stages 2-3: Philox words, Gaussians, Poisson counts by the approximation for every
        // pixel, then by the exact inversion where the mean is small.
        noise_stage_of_level(data.pixel, n, c.frame0, c.frame1, c.key0, c.key1, mean, electrons,
                             z_read, uniform);
        // Stage 4: DSNU and read noise.
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i) {
            electrons[i] += data.dsnu_map[i] + c.read_noise * z_read[i];
        }
    } else {
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i) electrons[i] = mean[i];
    }
    // Stage 5: full well, ADC, rounding, clipping.
    std::uint32_t saturated = 0;
#pragma omp simd reduction(+ : saturated)
    for (std::size_t i = 0; i < n; ++i) {
        const float e = min_value(electrons[i], c.full_well);
        const float value = clamp_value(c.gain * e + c.offset, 0.0f, c.max_dn + 0.5f);
        dn[i] = min_value(floor_non_negative(value), c.max_dn);
        saturated += dn[i] == c.max_dn ? 1u : 0u;
    }
    return saturated;
}

std::uint32_t signal_stages_baseline(const BlockConstants& c, const BlockData& data, std::size_t n,
                                     float* dn) {
    return signal_stages(noise_stage_baseline, c, data, n, dn);
}
#pragma GCC push_options
#pragma GCC target("avx2")
std::uint32_t signal_stages_avx2(const BlockConstants& c, const BlockData& data, std::size_t n,
                                 float* dn) {
    return signal_stages(noise_stage_avx2, c, data, n, dn);
}
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl")
std::uint32_t signal_stages_avx512(const BlockConstants& c, const BlockData& data, std::size_t n,
                                   float* dn) {
    return signal_stages(noise_stage_avx512, c, data, n, dn);
}
#pragma GCC pop_options

std::uint32_t signal_stages(const BlockConstants& c, const BlockData& data, std::size_t n,
                            float* dn) {
    switch (active_simd_level()) {
        case SimdLevel::Avx512:
            return signal_stages_avx512(c, data, n, dn);
        case SimdLevel::Avx2:
            return signal_stages_avx2(c, data, n, dn);
        case SimdLevel::Baseline:
            break;
    }
    return signal_stages_baseline(c, data, n, dn);
}
}  // namespace

float sample_poisson(float mean, std::uint32_t uniform_word, float gaussian) {
    if (!(mean > 0)) return 0;
    if (mean < kPoissonExactBelow) return poisson_inversion(mean, uniform_word);
    return poisson_approximation(mean, gaussian);
}

double poisson_approximation_cdf(double mean, double k) {
    // N <= k  <=>  mean + sqrt(mean) (z + a (z^2 - 1)) < k + 1/2, a = 1 / (6 sqrt(mean)): solve the
    // quadratic a z^2 + z - (a + t) = 0 on its increasing branch (z > -1 / (2a)).
    const double root = std::sqrt(mean);
    const double a = 1.0 / (6.0 * root);
    const double t = (k + 0.5 - mean) / root;
    const double discriminant = 1.0 + 4.0 * a * (a + t);
    if (discriminant <= 0) return 0;
    return standard_normal_cdf((-1.0 + std::sqrt(discriminant)) / (2.0 * a));
}

Camera::Camera(const CameraParams& params, std::uint64_t device_seed, std::uint64_t noise_seed,
               bool noise, std::vector<std::uint64_t> pixels)
    : params_(params),
      noise_seed_(noise_seed),
      noise_(noise),
      pixels_(std::move(pixels)),
      prnu_gain_(pixels_.size(), 1.0f),
      dsnu_electrons_(pixels_.size(), 0.0f),
      max_dn_((1u << params.bits) - 1u) {
    const std::uint64_t sensor = std::uint64_t{params.width} * params.height;
    for (std::size_t i = 0; i < pixels_.size(); ++i) {
        if (pixels_[i] >= sensor) {
            throw std::invalid_argument("pixels: index " + std::to_string(pixels_[i]) + " at " +
                                        std::to_string(i) + " is outside the " +
                                        std::to_string(params.width) + " x " +
                                        std::to_string(params.height) + " sensor");
        }
    }
    if (!noise_) return;
    const float prnu = static_cast<float>(params_.prnu_percent / 100.0);
    const float dsnu = static_cast<float>(params_.dsnu_electrons);
    for (std::size_t i = 0; i < pixels_.size(); ++i) {
        const auto words = philox4x32(low_word(pixels_[i]), high_word(pixels_[i]), kAllOnes,
                                      kAllOnes, low_word(device_seed), high_word(device_seed));
        float z_prnu = 0;
        float z_dsnu = 0;
        gaussian_pair(words.v[0], words.v[1], z_prnu, z_dsnu);
        prnu_gain_[i] = std::max(0.0f, 1.0f + prnu * z_prnu);
        dsnu_electrons_[i] = dsnu * z_dsnu;
    }
}

double Camera::laser_factor(std::uint64_t frame) const {
    if (!noise_ || params_.laser_power_fluctuation == 0) return 1.0;
    const auto words = noise_words(noise_seed_, kLaserPixel, frame);
    float z = 0;
    float unused = 0;
    gaussian_pair(words.v[0], words.v[1], z, unused);
    return std::max(0.0, 1.0 + params_.laser_power_fluctuation * static_cast<double>(z));
}

template <class Out>
std::uint64_t Camera::grab_frame(const float* intensities, float photon_scale, float dark_mean,
                                 std::uint64_t frame, Out* out) const {
    BlockConstants constants{};
    constants.qe = static_cast<float>(params_.quantum_efficiency);
    constants.photon_scale = photon_scale;
    constants.dark_mean = dark_mean;
    constants.gain = static_cast<float>(params_.system_gain_dn_per_electron);
    constants.offset = static_cast<float>(params_.offset_dn) + 0.5f;  // + 1/2: round by floor
    constants.full_well = static_cast<float>(params_.full_well_electrons);
    constants.read_noise = static_cast<float>(params_.read_noise_electrons);
    constants.max_dn = static_cast<float>(max_dn_);
    constants.frame0 = low_word(frame);
    constants.frame1 = high_word(frame);
    constants.key0 = low_word(noise_seed_);
    constants.key1 = high_word(noise_seed_);
    constants.noise = noise_;
    std::uint64_t saturated = 0;
    alignas(64) float dn[kBlock];
    for (std::size_t begin = 0; begin < pixels_.size(); begin += kBlock) {
        const std::size_t n = std::min(kBlock, pixels_.size() - begin);
        const BlockData data{intensities != nullptr ? intensities + begin : nullptr,
                             prnu_gain_.data() + begin, dsnu_electrons_.data() + begin,
                             pixels_.data() + begin};
        saturated += signal_stages(constants, data, n, dn);
        // Through int32 (dn is an integer in [0, max_dn]): float -> uint8 does not vectorise.
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i) {
            out[begin + i] = static_cast<Out>(static_cast<std::int32_t>(dn[i]));
        }
    }
    return saturated;
}

template <class Out>
GrabStats Camera::grab_frames(const float* intensities, double flat_photons, std::size_t n_frames,
                              std::uint64_t first_frame, double exposure_us,
                              double photons_per_unit_intensity_per_us, Out* out) const {
    check_output_type<Out>(params_);
    check_exposure(exposure_us);
    const float dark_mean =
        static_cast<float>(params_.dark_current_electrons_per_s * exposure_us * 1e-6);
    // Frames are independent (noise keyed by frame and pixel), so they run on worker threads;
    // each writes its own rows and its own saturation count, summed in frame order.
    std::vector<std::uint64_t> saturated(n_frames, 0);
    const std::size_t values = n_frames * pixels_.size();
    const unsigned threads = values < kMinValuesPerThread ? 1u : worker_threads(threads_);
    detail::parallel_for(n_frames, threads, [&](std::size_t f, unsigned) {
        const std::uint64_t frame = first_frame + f;
        const float photon_scale =
            intensities ? static_cast<float>(exposure_us * photons_per_unit_intensity_per_us *
                                             laser_factor(frame))
                        : static_cast<float>(flat_photons);
        const float* row = intensities ? intensities + f * pixels_.size() : nullptr;
        saturated[f] = grab_frame(row, photon_scale, dark_mean, frame, out + f * pixels_.size());
    });
    GrabStats stats;
    for (const auto count : saturated) stats.saturated += count;
    return stats;
}

namespace {
void check_photon_scale(double photons_per_unit_intensity_per_us) {
    if (!std::isfinite(photons_per_unit_intensity_per_us) ||
        photons_per_unit_intensity_per_us <= 0) {
        throw std::invalid_argument(
            "photons_per_unit_intensity_per_us: expected a finite number > 0, got " +
            std::to_string(photons_per_unit_intensity_per_us));
    }
}
void check_flat_photons(double photons) {
    if (!std::isfinite(photons) || photons < 0 || photons > kMaxFlatPhotons) {
        throw std::invalid_argument("photons: expected a finite number in [0, 1e15], got " +
                                    std::to_string(photons));
    }
}
}  // namespace

template <class Out>
GrabStats Camera::grab_intensities(const float* intensities, std::size_t n_frames,
                                   std::uint64_t first_frame, double exposure_us,
                                   double photons_per_unit_intensity_per_us, Out* out) const {
    check_photon_scale(photons_per_unit_intensity_per_us);
    return grab_frames(intensities, 0.0, n_frames, first_frame, exposure_us,
                       photons_per_unit_intensity_per_us, out);
}

GrabStats Camera::grab(const float* intensities, std::size_t n_frames, std::uint64_t first_frame,
                       double exposure_us, double photons_per_unit_intensity_per_us,
                       std::uint16_t* out) const {
    return grab_intensities(intensities, n_frames, first_frame, exposure_us,
                            photons_per_unit_intensity_per_us, out);
}

GrabStats Camera::grab(const float* intensities, std::size_t n_frames, std::uint64_t first_frame,
                       double exposure_us, double photons_per_unit_intensity_per_us,
                       std::uint8_t* out) const {
    return grab_intensities(intensities, n_frames, first_frame, exposure_us,
                            photons_per_unit_intensity_per_us, out);
}

GrabStats Camera::grab_flat_field(double photons, std::size_t n_frames, std::uint64_t first_frame,
                                  double exposure_us, std::uint16_t* out) const {
    check_flat_photons(photons);
    return grab_frames(static_cast<const float*>(nullptr), photons, n_frames, first_frame,
                       exposure_us, 1.0, out);
}

GrabStats Camera::grab_flat_field(double photons, std::size_t n_frames, std::uint64_t first_frame,
                                  double exposure_us, std::uint8_t* out) const {
    check_flat_photons(photons);
    return grab_frames(static_cast<const float*>(nullptr), photons, n_frames, first_frame,
                       exposure_us, 1.0, out);
}

}  // namespace opusim::physics
