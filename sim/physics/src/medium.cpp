#include "opusim/physics/medium.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

#include "opusim/physics/philox_gaussian.hpp"
#include "parallel_for.hpp"

namespace opusim::physics {
namespace {

constexpr std::size_t kEntryBytes = sizeof(std::complex<float>);
constexpr std::size_t kMiB = std::size_t{1} << 20;
// Rows handed to one gather task: enough work to amortise the task, few enough to balance.
constexpr std::size_t kGatherRowsPerTask = 16;
// Tiles per worker a block is cut into at least (when it has enough rows).
constexpr unsigned kTilesPerWorker = 4;

void check_params(const MediumParams& params) {
    if (!std::isfinite(params.int8_steps_per_unit) || params.int8_steps_per_unit <= 0) {
        throw std::invalid_argument(
            "medium.int8_steps_per_unit: expected a finite number > 0, got " +
            std::to_string(params.int8_steps_per_unit));
    }
    if (params.tile_memory_mb == 0) {
        throw std::invalid_argument("medium.tile_memory_mb: expected at least 1, got 0");
    }
}

void check_range(const char* name, std::uint64_t begin, std::uint64_t end) {
    if (begin > end) {
        throw std::invalid_argument(std::string(name) + ": expected begin <= end, got " +
                                    std::to_string(begin) + " > " + std::to_string(end));
    }
}

std::complex<float> stored_value(std::int8_t re, std::int8_t im, double steps) {
    return {static_cast<float>(re / steps), static_cast<float>(im / steps)};
}

// Tile shape for a per-worker budget: rows as wide as the block (long Philox runs), then as
// many rows as fit.
struct TileShape {
    std::size_t rows;
    std::size_t cols;
};

// Rows are also capped so that a block gives every worker several tiles (load balance).
TileShape tile_shape(std::size_t budget_bytes, std::uint64_t height, std::uint64_t width,
                     unsigned threads) {
    const std::size_t entries = std::max<std::size_t>(1, budget_bytes / kEntryBytes);
    const std::size_t cols = static_cast<std::size_t>(std::min<std::uint64_t>(width, entries));
    const std::uint64_t balanced = std::max<std::uint64_t>(1, height / (kTilesPerWorker * threads));
    const std::size_t rows = static_cast<std::size_t>(
        std::min<std::uint64_t>(balanced, std::max<std::size_t>(1, entries / cols)));
    return {rows, std::max<std::size_t>(cols, 1)};
}

std::size_t ceil_div(std::uint64_t a, std::uint64_t b) {
    return static_cast<std::size_t>((a + b - 1) / b);
}

}  // namespace

MediumStorage parse_medium_storage(const std::string& text, const std::string& argument) {
    if (text == "int8") return MediumStorage::Int8;
    if (text == "float32") return MediumStorage::Float32;
    throw std::invalid_argument(argument + ": expected int8 or float32, got '" + text + "'");
}

std::string to_string(MediumStorage storage) {
    return storage == MediumStorage::Int8 ? "int8" : "float32";
}

Medium::Medium(const MediumParams& params, std::uint64_t seed)
    : params_(params), seed_(seed), storage_(parse_medium_storage(params.storage)) {
    check_params(params_);
}

void Medium::set_generation_options(const GenerationOptions& options) {
    if (options.tile_bytes != 0 && options.tile_bytes < kEntryBytes) {
        throw std::invalid_argument(
            "tile_bytes: expected 0 (use medium.tile_memory_mb) or at least " +
            std::to_string(kEntryBytes) + ", got " + std::to_string(options.tile_bytes));
    }
    options_ = options;
}

unsigned Medium::thread_count() const {
    if (options_.threads != 0) return options_.threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

std::size_t Medium::tile_bytes() const {
    if (options_.tile_bytes != 0) return options_.tile_bytes;
    return static_cast<std::size_t>(params_.tile_memory_mb) * kMiB;
}

std::complex<float> Medium::entry(std::uint64_t pixel, std::uint64_t mirror) const {
    const GaussianPair g = medium_gaussian(seed_, pixel, mirror);
    if (storage_ == MediumStorage::Float32) {
        return {static_cast<float>(g.re), static_cast<float>(g.im)};
    }
    const double steps = steps_per_unit();
    return stored_value(quantise_int8(g.re, steps), quantise_int8(g.im, steps), steps);
}

void Medium::for_each_tile(std::uint64_t pixel_begin, std::uint64_t pixel_end,
                           std::uint64_t mirror_begin, std::uint64_t mirror_end,
                           const std::function<void(const MediumTile&)>& visit) const {
    check_range("pixels", pixel_begin, pixel_end);
    check_range("mirrors", mirror_begin, mirror_end);
    const std::uint64_t height = pixel_end - pixel_begin;
    const std::uint64_t width = mirror_end - mirror_begin;
    if (height == 0 || width == 0) return;
    const unsigned threads = thread_count();
    const TileShape shape =
        tile_shape(std::max(kEntryBytes, tile_bytes() / threads), height, width, threads);
    const std::size_t tile_rows = ceil_div(height, shape.rows);
    const std::size_t tile_cols = ceil_div(width, shape.cols);

    struct Scratch {
        std::vector<std::complex<float>> tile;
        std::vector<std::int8_t> re8, im8;
        std::vector<float> re, im;
    };
    std::vector<Scratch> scratch(std::min<std::size_t>(threads, tile_rows * tile_cols));
    const double steps = steps_per_unit();

    detail::parallel_for(tile_rows * tile_cols, threads, [&](std::size_t task, unsigned worker) {
        Scratch& s = scratch[worker];
        const std::uint64_t p0 = pixel_begin + (task / tile_cols) * shape.rows;
        const std::uint64_t m0 = mirror_begin + (task % tile_cols) * shape.cols;
        const std::uint64_t p1 = std::min<std::uint64_t>(pixel_end, p0 + shape.rows);
        const std::uint64_t m1 = std::min<std::uint64_t>(mirror_end, m0 + shape.cols);
        const std::size_t cols = static_cast<std::size_t>(m1 - m0);
        s.tile.resize(static_cast<std::size_t>(p1 - p0) * cols);
        for (std::uint64_t p = p0; p < p1; ++p) {
            std::complex<float>* row = s.tile.data() + static_cast<std::size_t>(p - p0) * cols;
            if (storage_ == MediumStorage::Int8) {
                s.re8.resize(cols);
                s.im8.resize(cols);
                medium_row_int8(seed_, p, m0, 1, cols, steps, s.re8.data(), s.im8.data());
                for (std::size_t c = 0; c < cols; ++c)
                    row[c] = stored_value(s.re8[c], s.im8[c], steps);
            } else {
                s.re.resize(cols);
                s.im.resize(cols);
                medium_row_float(seed_, p, m0, 1, cols, s.re.data(), s.im.data());
                for (std::size_t c = 0; c < cols; ++c) row[c] = {s.re[c], s.im[c]};
            }
        }
        visit(MediumTile{p0, p1, m0, m1, s.tile.data()});
    });
}

void Medium::block(std::uint64_t pixel_begin, std::uint64_t pixel_end, std::uint64_t mirror_begin,
                   std::uint64_t mirror_end, std::complex<float>* out) const {
    check_range("pixels", pixel_begin, pixel_end);
    check_range("mirrors", mirror_begin, mirror_end);
    const std::uint64_t width = mirror_end - mirror_begin;
    if (out == nullptr && width * (pixel_end - pixel_begin) != 0) {
        throw std::invalid_argument("out: expected a buffer for the block, got null");
    }
    for_each_tile(pixel_begin, pixel_end, mirror_begin, mirror_end, [&](const MediumTile& tile) {
        const std::size_t cols = static_cast<std::size_t>(tile.mirror_end - tile.mirror_begin);
        for (std::uint64_t p = tile.pixel_begin; p < tile.pixel_end; ++p) {
            const std::complex<float>* src =
                tile.values + static_cast<std::size_t>(p - tile.pixel_begin) * cols;
            std::complex<float>* dst =
                out + static_cast<std::size_t>((p - pixel_begin) * width +
                                               (tile.mirror_begin - mirror_begin));
            std::copy(src, src + cols, dst);
        }
    });
}

void Medium::gather_int8(const std::uint64_t* pixels, std::size_t n_pixels,
                         std::uint64_t first_mirror, std::uint64_t stride, std::size_t count,
                         std::int8_t* re, std::int8_t* im, std::size_t ld) const {
    if (storage_ != MediumStorage::Int8) {
        throw std::logic_error("Medium::gather_int8: the medium is stored as " +
                               to_string(storage_) + ", not int8");
    }
    const double steps = steps_per_unit();
    detail::parallel_for(ceil_div(n_pixels, kGatherRowsPerTask), thread_count(),
                         [&](std::size_t task, unsigned) {
                             const std::size_t r0 = task * kGatherRowsPerTask;
                             const std::size_t r1 = std::min(n_pixels, r0 + kGatherRowsPerTask);
                             for (std::size_t r = r0; r < r1; ++r) {
                                 medium_row_int8(seed_, pixels[r], first_mirror, stride, count,
                                                 steps, re + r * ld, im + r * ld);
                             }
                         });
}

void Medium::gather_float(const std::uint64_t* pixels, std::size_t n_pixels,
                          std::uint64_t first_mirror, std::uint64_t stride, std::size_t count,
                          float* re, float* im, std::size_t ld) const {
    const double steps = steps_per_unit();
    const bool quantised = storage_ == MediumStorage::Int8;
    detail::parallel_for(
        ceil_div(n_pixels, kGatherRowsPerTask), thread_count(), [&](std::size_t task, unsigned) {
            std::vector<std::int8_t> re8(quantised ? count : 0);
            std::vector<std::int8_t> im8(quantised ? count : 0);
            const std::size_t r0 = task * kGatherRowsPerTask;
            const std::size_t r1 = std::min(n_pixels, r0 + kGatherRowsPerTask);
            for (std::size_t r = r0; r < r1; ++r) {
                if (!quantised) {
                    medium_row_float(seed_, pixels[r], first_mirror, stride, count, re + r * ld,
                                     im + r * ld);
                    continue;
                }
                medium_row_int8(seed_, pixels[r], first_mirror, stride, count, steps, re8.data(),
                                im8.data());
                for (std::size_t c = 0; c < count; ++c) {
                    const std::complex<float> v = stored_value(re8[c], im8[c], steps);
                    re[r * ld + c] = v.real();
                    im[r * ld + c] = v.imag();
                }
            }
        });
}

}  // namespace opusim::physics
