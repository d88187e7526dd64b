// Benchmarks of the device physics. Sections:
//   1. Medium generation (entries per second, int8 and float32, 1 and 2 threads).
//   2. Intensities through EffectiveMedium against a bare dnnl_gemm_u8s8s32 and a bare
//      cblas_sgemm of the same shape, in the same run (the ratio is the figure to read).
//   3. Camera chain: the camera model alone and the whole capture chain (intensities + camera).
// Shapes are sized for seconds on a 2-core machine: 1000 frames x 1024 features x 8000 pixels
// (GEMM N = 2 x 8000 for the real and imaginary parts).
#include <benchmark/benchmark.h>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <cstdint>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "opusim/contract/dmd_format.hpp"
#include "opusim/physics/camera.hpp"
#include "opusim/physics/capture.hpp"
#include "opusim/physics/device_geometry.hpp"
#include "opusim/physics/effective_medium.hpp"
#include "opusim/physics/medium.hpp"
#include "opusim/physics/profile.hpp"

namespace {

using opusim::contract::InputLayout;
using opusim::physics::ColumnSum;
using opusim::physics::EffectiveMedium;
using opusim::physics::Medium;
using opusim::physics::MediumParams;

constexpr std::size_t kFrames = 1000;
constexpr std::size_t kFeatures = 1024;
constexpr std::size_t kPixels = 8000;

MediumParams params_with(const char* storage) {
    MediumParams params;
    params.storage = storage;
    return params;
}

std::vector<std::uint8_t> random_frames(std::size_t n_frames, std::size_t n_features) {
    std::mt19937_64 engine(1);
    std::vector<std::uint8_t> frames(n_frames * n_features);
    for (auto& x : frames) x = static_cast<std::uint8_t>(engine() >> 63);
    return frames;
}

opusim::contract::InputLayout full_layout(std::size_t n_features, std::uint64_t replication) {
    opusim::contract::InputLayout layout;
    layout.n_features = n_features;
    layout.replication = replication;
    layout.first_mirror = 0;
    layout.total_mirrors = n_features * replication;
    return layout;
}

std::vector<std::uint64_t> first_pixels(std::size_t n) {
    std::vector<std::uint64_t> pixels(n);
    std::iota(pixels.begin(), pixels.end(), std::uint64_t{0});
    return pixels;
}

void set_gemm_ops(benchmark::State& state, double m, double n, double k) {
    state.counters["GOP/s"] =
        benchmark::Counter(2 * m * n * k * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// ---- 1. Medium generation --------------------------------------------------------------------

// Args: storage (0 int8, 1 float32), threads. A 256 x 16384 block per iteration.
void BM_MediumBlock(benchmark::State& state) {
    Medium medium(params_with(state.range(0) == 0 ? "int8" : "float32"), 7);
    medium.set_generation_options({static_cast<unsigned>(state.range(1)), 0});
    const std::uint64_t rows = 256, cols = 16384;
    std::vector<std::complex<float>> block(rows * cols);
    for (auto _ : state) {
        medium.block(0, rows, 0, cols, block.data());
        benchmark::DoNotOptimize(block.data());
    }
    state.counters["entries/s"] = benchmark::Counter(static_cast<double>(rows * cols),
                                                     benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_MediumBlock)
    ->ArgNames({"float32", "threads"})
    ->Args({0, 1})
    ->Args({0, 2})
    ->Args({1, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The effective int8 matrix of the intensity benchmark below (8000 pixels x 1024 features,
// shortcut columns), i.e. the generation cost of one EffectiveMedium.
void BM_EffectiveMediumBuild(benchmark::State& state) {
    const Medium medium(MediumParams{}, 7);
    for (auto _ : state) {
        EffectiveMedium effective(medium, full_layout(kFeatures, 4), first_pixels(kPixels), 2000);
        benchmark::DoNotOptimize(&effective);
    }
    state.counters["entries/s"] = benchmark::Counter(static_cast<double>(kFeatures * kPixels),
                                                     benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EffectiveMediumBuild)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- 2. Intensities against bare GEMMs of the same shape --------------------------------------

// Args: frames, features, pixels (the GEMM is frames x features times features x 2 pixels).
void BM_BareDnnlGemmU8S8S32(benchmark::State& state) {
    const auto n_frames = static_cast<std::size_t>(state.range(0));
    const auto n_features = static_cast<std::size_t>(state.range(1));
    const auto n_pixels = static_cast<std::size_t>(state.range(2));
    const auto frames = random_frames(n_frames, n_features);
    std::vector<std::int8_t> matrix(2 * n_pixels * n_features, 3);
    std::vector<std::int32_t> sums(n_frames * 2 * n_pixels);
    const std::int32_t zero = 0;
    const auto m = static_cast<dnnl_dim_t>(n_frames), n = static_cast<dnnl_dim_t>(2 * n_pixels),
               k = static_cast<dnnl_dim_t>(n_features);
    for (auto _ : state) {
        if (dnnl_gemm_u8s8s32('N', 'T', 'F', m, n, k, 1.0f, frames.data(), k, 0, matrix.data(), k,
                              0, 0.0f, sums.data(), n, &zero) != dnnl_success) {
            state.SkipWithError("dnnl_gemm_u8s8s32 failed");
        }
        benchmark::DoNotOptimize(sums.data());
    }
    set_gemm_ops(state, double(n_frames), double(2 * n_pixels), double(n_features));
}
// The intensity shape of this file, and `opusim run`'s (3000 x 10,000 -> 1,000 pixels: the bare
// GEMM the main job is measured against, docs/performance.md).
BENCHMARK(BM_BareDnnlGemmU8S8S32)
    ->ArgNames({"frames", "features", "pixels"})
    ->Args({kFrames, kFeatures, kPixels})
    ->Args({3000, 10000, 1000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_BareSgemm(benchmark::State& state) {
    std::vector<float> frames(kFrames * kFeatures, 1.0f);
    std::vector<float> matrix(2 * kPixels * kFeatures, 0.5f);
    std::vector<float> sums(kFrames * 2 * kPixels);
    const int m = kFrames, n = 2 * kPixels, k = kFeatures;
    for (auto _ : state) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, frames.data(), k,
                    matrix.data(), k, 0.0f, sums.data(), n);
        benchmark::DoNotOptimize(sums.data());
    }
    set_gemm_ops(state, kFrames, 2 * kPixels, kFeatures);
}
BENCHMARK(BM_BareSgemm)->Unit(benchmark::kMillisecond)->UseRealTime();

// Args: storage (0 int8 -> dnnl u8s8s32, 1 float32 -> cblas_sgemm), threads of the |field|^2
// pass (0 = all cores; the GEMM libraries follow OMP_NUM_THREADS / OPENBLAS_NUM_THREADS).
// Validation of the frames, the GEMM and the |field|^2 with leakage, in chunks.
void BM_EffectiveIntensities(benchmark::State& state) {
    Medium medium(params_with(state.range(0) == 0 ? "int8" : "float32"), 7);
    medium.set_generation_options({static_cast<unsigned>(state.range(1)), 0});
    const EffectiveMedium effective(medium, full_layout(kFeatures, 4), first_pixels(kPixels), 2000);
    const auto frames = random_frames(kFrames, kFeatures);
    std::vector<float> out(kFrames * kPixels);
    for (auto _ : state) {
        effective.intensities(frames.data(), kFrames, out.data());
        benchmark::DoNotOptimize(out.data());
    }
    set_gemm_ops(state, kFrames, 2 * kPixels, kFeatures);
    state.counters["frames/s"] = benchmark::Counter(static_cast<double>(kFrames),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EffectiveIntensities)
    ->ArgNames({"float32", "threads"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- 3. Camera chain (owned by the camera code, sim/physics/src/camera.cpp) --------------------
// The camera model on the same kFrames x kPixels intensities that BM_EffectiveIntensities makes,
// to compare against it and against BM_BareDnnlGemmU8S8S32 above. Intensities are speckle
// (exponential) with the mean of a half-lit gen2 frame, so pixels span the exact-Poisson and
// approximated ranges as they do on the device. Arg: noise (1 on, 0 off = noiseless).

std::vector<float> speckle_intensities(std::size_t count, double mean) {
    std::mt19937_64 engine(3);
    std::exponential_distribution<double> exponential(1.0 / mean);
    std::vector<float> values(count);
    for (auto& v : values) v = static_cast<float>(exponential(engine));
    return values;
}

void BM_CameraGrab(benchmark::State& state) {
    const auto profile = opusim::physics::DeviceProfile::load("gen2");
    const opusim::physics::Camera camera(profile.camera, 2002, 1, state.range(0) != 0,
                                         first_pixels(kPixels));
    const auto intensities =
        speckle_intensities(kFrames * kPixels, static_cast<double>(profile.dmd.mirrors()) / 2);
    std::vector<std::uint8_t> out(kFrames * kPixels);
    std::uint64_t first_frame = 0;
    for (auto _ : state) {
        camera.grab(intensities.data(), kFrames, first_frame, profile.camera.exposure_us,
                    profile.medium.photons_per_unit_intensity_per_us, out.data());
        first_frame += kFrames;
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["pixels/s"] = benchmark::Counter(static_cast<double>(kFrames * kPixels),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_CameraGrab)
    ->ArgNames({"noise"})
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The whole chain of one chunk as the device runs it: intensities (int8 GEMM) then the camera.
void BM_CaptureChain(benchmark::State& state) {
    auto profile = opusim::physics::DeviceProfile::load("gen2");
    const auto layout =
        opusim::contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), kFeatures,
                                            opusim::contract::InputRoiStrategy::Full);
    auto settings = opusim::physics::CaptureSettings::from_profile(profile);
    const opusim::physics::CaptureChain chain(profile, layout, first_pixels(kPixels), settings);
    const auto frames = random_frames(kFrames, kFeatures);
    std::vector<std::uint8_t> out(kFrames * kPixels);
    for (auto _ : state) {
        chain.capture(frames.data(), kFrames, 0, profile.camera.exposure_us, out.data());
        benchmark::DoNotOptimize(out.data());
    }
    set_gemm_ops(state, kFrames, 2 * kPixels, kFeatures);
    state.counters["frames/s"] = benchmark::Counter(static_cast<double>(kFrames),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_CaptureChain)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
