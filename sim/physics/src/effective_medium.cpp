#include "opusim/physics/effective_medium.hpp"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "opusim/physics/philox_gaussian.hpp"
#include "parallel_for.hpp"

namespace opusim::physics {
namespace {

// Mirrors generated at once when summing columns exactly (per worker).
constexpr std::size_t kSumBlockMirrors = 1 << 14;
// Frames per GEMM call at most (see frames_per_chunk).
constexpr std::size_t kMaxChunkFrames = 256;
// Intensities below which the |field|^2 pass stays on the calling thread.
constexpr std::size_t kMinParallelIntensities = std::size_t{1} << 18;

void check_layout(const contract::InputLayout& layout) {
    if (layout.n_features == 0) {
        throw std::invalid_argument("layout.n_features: expected at least 1, got 0");
    }
    if (layout.replication == 0) {
        throw std::invalid_argument("layout.replication: expected at least 1, got 0");
    }
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    if (layout.n_features > max / layout.replication ||
        layout.first_mirror > layout.total_mirrors ||
        layout.used_mirrors() > layout.total_mirrors - layout.first_mirror) {
        throw std::invalid_argument(
            "layout: expected first_mirror + n_features * replication <= total_mirrors (" +
            std::to_string(layout.total_mirrors) + "), got first_mirror " +
            std::to_string(layout.first_mirror) + ", n_features " +
            std::to_string(layout.n_features) + ", replication " +
            std::to_string(layout.replication));
    }
    if (layout.n_features > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
        throw std::invalid_argument("layout.n_features: expected at most 2^31 - 1, got " +
                                    std::to_string(layout.n_features));
    }
}

double leak_amplitude_of(double contrast_ratio) {
    if (!std::isfinite(contrast_ratio) || contrast_ratio < 1) {
        throw std::invalid_argument("contrast_ratio: expected a finite number >= 1, got " +
                                    std::to_string(contrast_ratio));
    }
    return 1 / std::sqrt(contrast_ratio);
}

void check_binary(const std::uint8_t* frames, std::size_t n_frames, std::size_t n_features) {
    const std::size_t n = n_frames * n_features;
    for (std::size_t e = 0; e < n; ++e) {
        if (frames[e] > 1) {
            throw std::invalid_argument("frames: expected binary values 0 or 1, got " +
                                        std::to_string(frames[e]) + " at frame " +
                                        std::to_string(e / n_features) + ", feature " +
                                        std::to_string(e % n_features));
        }
    }
}

// Sums of the medium row of PIXEL over mirrors [begin, begin + count) in blocks, as integers
// (int8 storage) or doubles (float32 storage): SUMS[g] += entries of group g, where mirror m
// belongs to group (m - begin) / group_size. Exact for integers; fixed order for floats.
template <class Sum>
void sum_row_groups(const Medium& medium, std::uint64_t pixel, std::uint64_t begin,
                    std::uint64_t count, std::uint64_t group_size, Sum* re_sums, Sum* im_sums) {
    const bool quantised = medium.storage() == MediumStorage::Int8;
    std::vector<std::int8_t> re8(quantised ? kSumBlockMirrors : 0);
    std::vector<std::int8_t> im8(quantised ? kSumBlockMirrors : 0);
    std::vector<float> re(quantised ? 0 : kSumBlockMirrors);
    std::vector<float> im(quantised ? 0 : kSumBlockMirrors);
    for (std::uint64_t done = 0; done < count; done += kSumBlockMirrors) {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(kSumBlockMirrors, count - done));
        if (quantised) {
            medium_row_int8(medium.seed(), pixel, begin + done, 1, n, medium.steps_per_unit(),
                            re8.data(), im8.data());
        } else {
            medium_row_float(medium.seed(), pixel, begin + done, 1, n, re.data(), im.data());
        }
        for (std::size_t c = 0; c < n; ++c) {
            const std::size_t group = static_cast<std::size_t>((done + c) / group_size);
            re_sums[group] += quantised ? Sum(re8[c]) : Sum(re[c]);
            im_sums[group] += quantised ? Sum(im8[c]) : Sum(im[c]);
        }
    }
}

}  // namespace

EffectiveMedium::EffectiveMedium(const Medium& medium, const contract::InputLayout& layout,
                                 std::vector<std::uint64_t> pixels, double contrast_ratio,
                                 ColumnSum column_sum)
    : medium_(medium),
      layout_(layout),
      pixels_(std::move(pixels)),
      leak_amplitude_(leak_amplitude_of(contrast_ratio)),
      column_sum_(column_sum) {
    check_layout(layout_);
    if (pixels_.empty()) {
        throw std::invalid_argument("pixels: expected at least one output pixel, got none");
    }
    // The GEMMs take int dimensions and the real and imaginary rows make 2 n_pixels of them.
    if (pixels_.size() > static_cast<std::size_t>(std::numeric_limits<int>::max() / 2)) {
        throw std::invalid_argument(
            "pixels: expected at most 2^30 - 1 output pixels per "
            "effective medium (shard larger ROIs), got " +
            std::to_string(pixels_.size()));
    }
    // With one mirror per feature the shortcut columns are the exact ones (and stay int8).
    if (column_sum_ == ColumnSum::Shortcut || layout_.replication == 1) {
        build_shortcut();
    } else {
        build_exact();
    }
    build_leakage(column_sum_ == ColumnSum::Exact ? exact_background() : shortcut_background());
}

std::size_t EffectiveMedium::n_pixels() const {
    return pixels_.size();
}
std::size_t EffectiveMedium::n_features() const {
    return static_cast<std::size_t>(layout_.n_features);
}

void EffectiveMedium::build_shortcut() {
    const std::size_t np = n_pixels();
    const std::size_t nf = n_features();
    const double sqrt_k = std::sqrt(static_cast<double>(layout_.replication));
    if (medium_.storage() == MediumStorage::Int8) {
        path_ = Path::Int8;
        scale_ = sqrt_k / medium_.steps_per_unit();
        int8_matrix_.resize(2 * np * nf);
        medium_.gather_int8(pixels_.data(), np, layout_.first_mirror, layout_.replication, nf,
                            int8_matrix_.data(), int8_matrix_.data() + np * nf, nf);
    } else {
        path_ = Path::Float;
        scale_ = sqrt_k;
        float_matrix_.resize(2 * np * nf);
        medium_.gather_float(pixels_.data(), np, layout_.first_mirror, layout_.replication, nf,
                             float_matrix_.data(), float_matrix_.data() + np * nf, nf);
    }
}

void EffectiveMedium::build_exact() {
    const std::size_t np = n_pixels();
    const std::size_t nf = n_features();
    const bool quantised = medium_.storage() == MediumStorage::Int8;
    path_ = quantised ? Path::IntegerDouble : Path::Float;
    scale_ = quantised ? 1 / medium_.steps_per_unit() : 1;
    std::vector<double> sums(2 * np * nf, 0.0);
    detail::parallel_for(np, medium_.thread_count(), [&](std::size_t r, unsigned) {
        sum_row_groups(medium_, pixels_[r], layout_.first_mirror, layout_.used_mirrors(),
                       layout_.replication, sums.data() + r * nf, sums.data() + (np + r) * nf);
    });
    if (quantised) {
        double_matrix_ = std::move(sums);
    } else {
        float_matrix_.resize(sums.size());
        for (std::size_t e = 0; e < sums.size(); ++e)
            float_matrix_[e] = static_cast<float>(sums[e]);
    }
}

std::vector<std::complex<double>> EffectiveMedium::shortcut_background() const {
    std::vector<std::complex<double>> background(n_pixels());
    const std::uint64_t outside = layout_.total_mirrors - layout_.used_mirrors();
    if (outside == 0) return background;
    const std::uint64_t mirror = layout_.first_mirror > 0 ? 0 : layout_.used_mirrors();
    const double sqrt_n = std::sqrt(static_cast<double>(outside));
    for (std::size_t r = 0; r < n_pixels(); ++r) {
        const std::complex<float> entry = medium_.entry(pixels_[r], mirror);
        background[r] = sqrt_n * std::complex<double>(entry.real(), entry.imag());
    }
    return background;
}

std::vector<std::complex<double>> EffectiveMedium::exact_background() const {
    std::vector<std::complex<double>> background(n_pixels());
    const std::uint64_t after = layout_.first_mirror + layout_.used_mirrors();
    const std::uint64_t tail = layout_.total_mirrors - after;
    const bool quantised = medium_.storage() == MediumStorage::Int8;
    detail::parallel_for(n_pixels(), medium_.thread_count(), [&](std::size_t r, unsigned) {
        if (quantised) {
            std::int64_t re = 0, im = 0;
            if (layout_.first_mirror > 0) {
                sum_row_groups(medium_, pixels_[r], 0, layout_.first_mirror, layout_.first_mirror,
                               &re, &im);
            }
            if (tail > 0) sum_row_groups(medium_, pixels_[r], after, tail, tail, &re, &im);
            background[r] = std::complex<double>(static_cast<double>(re), static_cast<double>(im)) /
                            medium_.steps_per_unit();
        } else {
            double re = 0, im = 0;
            if (layout_.first_mirror > 0) {
                sum_row_groups(medium_, pixels_[r], 0, layout_.first_mirror, layout_.first_mirror,
                               &re, &im);
            }
            if (tail > 0) sum_row_groups(medium_, pixels_[r], after, tail, tail, &re, &im);
            background[r] = {re, im};
        }
    });
    return background;
}

double EffectiveMedium::value(std::size_t plane_row, std::size_t feature) const {
    const std::size_t e = plane_row * n_features() + feature;
    switch (path_) {
        case Path::Int8:
            return scale_ * int8_matrix_[e];
        case Path::IntegerDouble:
            return scale_ * double_matrix_[e];
        case Path::Float:
            break;
    }
    return scale_ * static_cast<double>(float_matrix_[e]);
}

void EffectiveMedium::build_leakage(const std::vector<std::complex<double>>& background) {
    const std::size_t np = n_pixels();
    leakage_.resize(np);
    for (std::size_t r = 0; r < np; ++r) {
        double re = 0, im = 0;
        for (std::size_t f = 0; f < n_features(); ++f) {
            re += value(r, f);
            im += value(np + r, f);
        }
        leakage_[r] = leak_amplitude_ * (std::complex<double>(re, im) + background[r]);
    }
}

struct EffectiveMedium::Workspace {
    std::vector<std::int32_t> int_sums;
    std::vector<double> double_in, double_sums;
    std::vector<float> float_in, float_sums;
};

std::size_t EffectiveMedium::frames_per_chunk() const {
    // Workspace per frame: GEMM sums (2 n_pixels) and, for the BLAS paths, the frame converted.
    const std::size_t element = path_ == Path::Int8    ? sizeof(std::int32_t)
                                : path_ == Path::Float ? sizeof(float)
                                                       : sizeof(double);
    const std::size_t per_frame = element * (2 * n_pixels() + n_features());
    const std::size_t by_budget = std::max<std::size_t>(1, medium_.tile_bytes() / per_frame);
    // Large enough for GEMM efficiency, small enough that the sums stay warm in cache for the
    // |field|^2 pass and the workspace is not re-faulted for every call.
    return std::min(by_budget, kMaxChunkFrames);
}

// I = ((1 - a) scale S_re + L_re)^2 + ((1 - a) scale S_im + L_im)^2, frames spread over threads.
template <class Sum>
void EffectiveMedium::combine(const Sum* sums, std::size_t n_frames, float* out) const {
    const std::size_t np = n_pixels();
    const double on = (1 - leak_amplitude_) * scale_;
    const std::complex<double>* leak = leakage_.data();
    // Small chunks (the model calling frame by frame) are not worth starting threads for.
    const unsigned threads = n_frames * np < kMinParallelIntensities ? 1 : medium_.thread_count();
    detail::parallel_for(n_frames, threads, [&](std::size_t i, unsigned) {
        const Sum* re_sums = sums + i * 2 * np;
        const Sum* im_sums = re_sums + np;
        float* row = out + i * np;
        for (std::size_t j = 0; j < np; ++j) {
            const double re = on * static_cast<double>(re_sums[j]) + leak[j].real();
            const double im = on * static_cast<double>(im_sums[j]) + leak[j].imag();
            row[j] = static_cast<float>(re * re + im * im);
        }
    });
}

template <class Sum>
void EffectiveMedium::combine_fields(const Sum* sums, std::size_t n_frames,
                                     std::complex<double>* out) const {
    const std::size_t np = n_pixels();
    const double on = (1 - leak_amplitude_) * scale_;
    for (std::size_t i = 0; i < n_frames; ++i) {
        const Sum* re_sums = sums + i * 2 * np;
        const Sum* im_sums = re_sums + np;
        for (std::size_t j = 0; j < np; ++j) {
            out[i * np + j] = {on * static_cast<double>(re_sums[j]) + leakage_[j].real(),
                               on * static_cast<double>(im_sums[j]) + leakage_[j].imag()};
        }
    }
}

template <class Finish>
void EffectiveMedium::multiply_chunk(const std::uint8_t* frames, std::size_t n_frames, Workspace& w,
                                     Finish finish) const {
    const std::size_t nf = n_features();
    const std::size_t width = 2 * n_pixels();
    const auto m = static_cast<int>(n_frames);
    const auto n = static_cast<int>(width);
    const auto k = static_cast<int>(nf);
    if (path_ == Path::Int8) {
        w.int_sums.resize(n_frames * width);
        const std::int32_t zero = 0;
        const dnnl_status_t status =
            dnnl_gemm_u8s8s32('N', 'T', 'F', m, n, k, 1.0f, frames, k, 0, int8_matrix_.data(), k, 0,
                              0.0f, w.int_sums.data(), n, &zero);
        if (status != dnnl_success) {
            throw std::runtime_error("dnnl_gemm_u8s8s32 failed with status " +
                                     std::to_string(static_cast<int>(status)));
        }
        finish(w.int_sums.data());
    } else if (path_ == Path::IntegerDouble) {
        w.double_in.assign(frames, frames + n_frames * nf);
        w.double_sums.resize(n_frames * width);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0, w.double_in.data(), k,
                    double_matrix_.data(), k, 0.0, w.double_sums.data(), n);
        finish(w.double_sums.data());
    } else {
        w.float_in.assign(frames, frames + n_frames * nf);
        w.float_sums.resize(n_frames * width);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, w.float_in.data(), k,
                    float_matrix_.data(), k, 0.0f, w.float_sums.data(), n);
        finish(w.float_sums.data());
    }
}

// Checks the arguments and runs FINISH(chunk frames, count, chunk output) chunk by chunk.
template <class Out, class Finish>
void EffectiveMedium::for_each_chunk(const std::uint8_t* frames, std::size_t n_frames, Out* out,
                                     Finish finish) const {
    if (n_frames == 0) return;
    if (frames == nullptr || out == nullptr) {
        throw std::invalid_argument("frames/out: expected buffers for " + std::to_string(n_frames) +
                                    " frames, got null");
    }
    const std::size_t nf = n_features();
    check_binary(frames, n_frames, nf);
    const std::size_t chunk = std::min<std::size_t>(
        frames_per_chunk(),
        static_cast<std::size_t>(std::numeric_limits<int>::max()) / (2 * n_pixels()));
    Workspace workspace;
    for (std::size_t first = 0; first < n_frames; first += chunk) {
        const std::size_t count = std::min(chunk, n_frames - first);
        Out* chunk_out = out + first * n_pixels();
        multiply_chunk(frames + first * nf, count, workspace,
                       [&](const auto* sums) { finish(sums, count, chunk_out); });
    }
}

void EffectiveMedium::intensities(const std::uint8_t* frames, std::size_t n_frames,
                                  float* out) const {
    for_each_chunk(frames, n_frames, out,
                   [this](const auto* sums, std::size_t n, float* o) { combine(sums, n, o); });
}

void EffectiveMedium::fields(const std::uint8_t* frames, std::size_t n_frames,
                             std::complex<double>* out) const {
    for_each_chunk(frames, n_frames, out,
                   [this](const auto* sums, std::size_t n, std::complex<double>* o) {
                       combine_fields(sums, n, o);
                   });
}

std::vector<std::complex<float>> EffectiveMedium::oracle_matrix() const {
    const std::size_t np = n_pixels();
    const std::size_t nf = n_features();
    std::vector<std::complex<float>> matrix(np * nf);
    for (std::size_t r = 0; r < np; ++r) {
        for (std::size_t f = 0; f < nf; ++f) {
            matrix[r * nf + f] = {static_cast<float>(value(r, f)),
                                  static_cast<float>(value(np + r, f))};
        }
    }
    return matrix;
}

std::vector<std::complex<float>> EffectiveMedium::oracle_leakage_field() const {
    std::vector<std::complex<float>> field(leakage_.size());
    for (std::size_t r = 0; r < leakage_.size(); ++r) {
        field[r] = {static_cast<float>(leakage_[r].real()), static_cast<float>(leakage_[r].imag())};
    }
    return field;
}

}  // namespace opusim::physics
