// The medium as one input layout and one output ROI see it: a matrix of n_pixels x n_features
// effective columns, and the intensities |field|^2 of chunks of binary frames through it.
//
// A feature replicated over k mirrors has as effective column the sum of its mirrors' columns;
// off mirrors leak amplitude 1/sqrt(contrast_ratio), so
//   field_j = (1 - a) * sum_f x_f C_jf + a * (sum_f C_jf + background_j),  a = 1/sqrt(CR),
// where background_j is the field of the mirrors outside the layout. For binary frames the first
// sum is one exact integer GEMM on the int8 medium (oneDNN u8 x s8 -> s32).
//
// Column sums (ColumnSum):
//   Shortcut (default): C_jf = sqrt(k) R(j, mirror_of(f, 0)), background_j = sqrt(n_out)
//     R(j, m_out) with n_out the mirrors outside the layout and m_out the first of them (mirror 0
//     if the layout does not start at 0, else the mirror right after it). Equal in distribution to
//     the sums (a sum of k i.i.d. circular Gaussians of variance 1 is circular Gaussian of variance
//     k), exact for k == 1, deterministic, and it keeps the int8 GEMM exact with one global scale
//     sqrt(k) / steps_per_unit.
//   Exact: the true sums over every mirror. With int8 storage and k > 1 the integer sums no longer
//     fit int8; they are held as doubles (integers below 2^53, so cblas_dgemm sums them exactly and
//     the result is still bit-identical whatever the threads). Costs k times the generation.
// With float32 storage the GEMM is cblas_sgemm: deterministic for a fixed OpenBLAS thread count,
// but not guaranteed bit-identical across thread counts (float sums depend on blocking).
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "opusim/contract/input_layout.hpp"
#include "opusim/physics/medium.hpp"

namespace opusim::physics {

enum class ColumnSum { Shortcut, Exact };

class EffectiveMedium {
  public:
    // PIXELS: camera pixel indices (y * camera width + x) of the output ROI, in output order.
    // Throws std::invalid_argument naming `layout`, `pixels` or `contrast_ratio` when unusable.
    EffectiveMedium(const Medium& medium, const contract::InputLayout& layout,
                    std::vector<std::uint64_t> pixels, double contrast_ratio,
                    ColumnSum column_sum = ColumnSum::Shortcut);

    std::size_t n_pixels() const;
    std::size_t n_features() const;

    // Intensities for N_FRAMES binary frames (row-major n_frames x n_features, each 0 or 1) into
    // OUT (row-major n_frames x n_pixels), in units where E|R_ji|^2 = 1. Deterministic and
    // independent of how frames are chunked. Throws std::invalid_argument naming `frames` for a
    // value other than 0 or 1.
    void intensities(const std::uint8_t* frames, std::size_t n_frames, float* out) const;
    // The complex fields behind those intensities, (1 - a) C x + leakage, row-major
    // n_frames x n_pixels into OUT (medium_drift.hpp mixes the fields of two media).
    void fields(const std::uint8_t* frames, std::size_t n_frames, std::complex<double>* out) const;

    // Oracle only (tests and tools, never the SDK path): the effective complex matrix
    // (n_pixels x n_features, row-major) and the constant leakage field per pixel,
    // a * (sum_f C_jf + background_j), so that field = (1 - a) * matrix * x + leakage.
    std::vector<std::complex<float>> oracle_matrix() const;
    std::vector<std::complex<float>> oracle_leakage_field() const;

    ColumnSum column_sum() const { return column_sum_; }
    double leakage_amplitude() const { return leak_amplitude_; }  // a = 1/sqrt(contrast_ratio)

  private:
    // Which representation of the effective matrix the GEMM uses.
    enum class Path { Int8, IntegerDouble, Float };

    void build_shortcut();
    void build_exact();
    void build_leakage(const std::vector<std::complex<double>>& background);
    std::vector<std::complex<double>> shortcut_background() const;
    std::vector<std::complex<double>> exact_background() const;
    // Effective value (re or im plane, pixel row, feature) in true units.
    double value(std::size_t plane_row, std::size_t feature) const;
    struct Workspace;  // GEMM inputs and sums of one chunk, reused across chunks
    // The GEMM of one chunk; FINISH(sums) turns its sums (2 n_pixels per frame) into output.
    template <class Finish>
    void multiply_chunk(const std::uint8_t* frames, std::size_t n_frames, Workspace& workspace,
                        Finish finish) const;
    template <class Sum>
    void combine(const Sum* sums, std::size_t n_frames, float* out) const;
    template <class Sum>
    void combine_fields(const Sum* sums, std::size_t n_frames, std::complex<double>* out) const;
    template <class Out, class Finish>
    void for_each_chunk(const std::uint8_t* frames, std::size_t n_frames, Out* out,
                        Finish finish) const;
    std::size_t frames_per_chunk() const;

    Medium medium_;
    contract::InputLayout layout_;
    std::vector<std::uint64_t> pixels_;
    double leak_amplitude_;
    ColumnSum column_sum_;
    Path path_ = Path::Int8;
    double scale_ = 1;  // true value = scale_ * stored effective value
    // Effective matrix, (2 n_pixels) x n_features row-major: rows [0, n_pixels) real parts,
    // rows [n_pixels, 2 n_pixels) imaginary parts. Only the one for path_ is filled.
    std::vector<std::int8_t> int8_matrix_;
    std::vector<double> double_matrix_;
    std::vector<float> float_matrix_;
    std::vector<std::complex<double>> leakage_;  // a * (sum_f C_jf + background_j) per pixel
};

}  // namespace opusim::physics
