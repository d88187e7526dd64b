// The scattering medium: a transmission matrix R (camera pixels x DMD mirrors) of i.i.d. circular
// complex Gaussian entries, E|R_ji|^2 = 1. Entry (j, i) is a pure function of (seed, j, i), so
// the medium is defined by its seed and never stored whole. The random numbers and the Gaussian
// transform are in philox_gaussian.hpp; docs/device-physics.md ("Medium") has the derivations.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "opusim/physics/profile.hpp"

namespace opusim::physics {

// How the device's true matrix is stored: Int8 is the Gaussian quantised at
// MediumParams::int8_steps_per_unit (the default, exact integer GEMM); Float32 keeps it
// unquantised.
enum class MediumStorage { Int8, Float32 };

// "int8" or "float32"; throws std::invalid_argument naming ARGUMENT otherwise.
MediumStorage parse_medium_storage(const std::string& text,
                                   const std::string& argument = "medium.storage");
std::string to_string(MediumStorage storage);

// How generation is spread over threads and tiles. Neither changes any value, only speed and
// peak memory.
struct GenerationOptions {
    unsigned threads = 0;        // worker threads; 0 = std::thread::hardware_concurrency()
    std::size_t tile_bytes = 0;  // bytes of one tile over all workers; 0 = tile_memory_mb MiB
};

// One generated tile: entries [pixel_begin, pixel_end) x [mirror_begin, mirror_end), row-major.
struct MediumTile {
    std::uint64_t pixel_begin;
    std::uint64_t pixel_end;
    std::uint64_t mirror_begin;
    std::uint64_t mirror_end;
    const std::complex<float>* values;
};

class Medium {
  public:
    // Throws std::invalid_argument naming the bad medium.* parameter (storage, steps, tile size).
    Medium(const MediumParams& params, std::uint64_t seed);

    // The device's true entry (quantised to the int8 grid when storage is "int8").
    std::complex<float> entry(std::uint64_t pixel, std::uint64_t mirror) const;
    // The true matrix block [pixel_begin, pixel_end) x [mirror_begin, mirror_end), row-major
    // complex64 into OUT. Bit-identical whatever the tiling or thread count.
    void block(std::uint64_t pixel_begin, std::uint64_t pixel_end, std::uint64_t mirror_begin,
               std::uint64_t mirror_end, std::complex<float>* out) const;

    // Generates the block tile by tile, each tile at most tile_bytes() / thread_count() bytes,
    // and hands each to VISIT. Tiles are disjoint and VISIT is called from up to thread_count()
    // threads at once, so it must only write to places that depend on the tile.
    void for_each_tile(std::uint64_t pixel_begin, std::uint64_t pixel_end,
                       std::uint64_t mirror_begin, std::uint64_t mirror_end,
                       const std::function<void(const MediumTile&)>& visit) const;

    // Strided rows: for r < n_pixels and c < count, entry (pixels[r], first_mirror + c * stride)
    // into re[r * ld + c] and im[r * ld + c]. The int8 form gives the quantised integers q
    // (value = q / steps_per_unit(); int8 storage only, else std::logic_error); the float form
    // gives the true values for either storage. Rows are spread over thread_count() threads.
    void gather_int8(const std::uint64_t* pixels, std::size_t n_pixels, std::uint64_t first_mirror,
                     std::uint64_t stride, std::size_t count, std::int8_t* re, std::int8_t* im,
                     std::size_t ld) const;
    void gather_float(const std::uint64_t* pixels, std::size_t n_pixels, std::uint64_t first_mirror,
                      std::uint64_t stride, std::size_t count, float* re, float* im,
                      std::size_t ld) const;

    const MediumParams& params() const { return params_; }
    std::uint64_t seed() const { return seed_; }
    MediumStorage storage() const { return storage_; }
    double steps_per_unit() const { return params_.int8_steps_per_unit; }

    void set_generation_options(const GenerationOptions& options);
    unsigned thread_count() const;   // resolved from GenerationOptions
    std::size_t tile_bytes() const;  // resolved from GenerationOptions / tile_memory_mb

  private:
    MediumParams params_;
    std::uint64_t seed_;
    MediumStorage storage_ = MediumStorage::Int8;
    GenerationOptions options_;
};

}  // namespace opusim::physics
