// The cost of the whole stack around the physics: Opu::transform (SDK formatting, driver DMA
// buffers and ring, the SystemC device with its timing) against the bare physics capture chain
// (medium GEMM + camera) on the same frames, in the same run. Both produce identical frames.
//
//   bench_sdk --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/opusim.hpp"
#include "opusim/physics/capture.hpp"
#include "opusim/physics/device_geometry.hpp"

namespace {

namespace contract = opusim::contract;

std::vector<std::uint8_t> random_bits(std::size_t n) {
    std::mt19937_64 generator(7);
    std::vector<std::uint8_t> bits(n);
    for (std::size_t i = 0; i < n; i += 64) {
        const std::uint64_t word = generator();
        for (std::size_t k = 0; k < 64 && i + k < n; ++k) bits[i + k] = (word >> k) & 1u;
    }
    return bits;
}

// Arguments: frames, n_features, n_components.
void BM_PhysicsCapture(benchmark::State& state) {
    namespace physics = opusim::physics;
    const auto frames = static_cast<std::size_t>(state.range(0));
    const auto n = static_cast<std::size_t>(state.range(1));
    const auto m = static_cast<std::size_t>(state.range(2));
    const auto profile = physics::DeviceProfile::load("gen2");
    const physics::CaptureChain chain(
        profile,
        contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), n,
                                    contract::InputRoiStrategy::Full),
        contract::make_output_roi(opusim::physics::sensor_geometry(profile.camera), m).pixels,
        physics::CaptureSettings::from_profile(profile));
    const auto bits = random_bits(frames * n);
    std::vector<std::uint8_t> out(frames * m);
    std::uint64_t first = 0;
    for (auto _ : state) {
        chain.capture(bits.data(), frames, first, profile.camera.exposure_us, out.data());
        first += frames;
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["frames/s"] =
        benchmark::Counter(double(frames), benchmark::Counter::kIsIterationInvariantRate);
}

// Through the stack; HOST_FORMATTING: whole DMD patterns formatted by the SDK instead of packed
// features expanded by the device (docs/device-abi.md, "Data formats").
void sdk_transform(benchmark::State& state, bool host_formatting) {
    const auto frames = static_cast<std::size_t>(state.range(0));
    const auto n = static_cast<std::size_t>(state.range(1));
    const auto m = static_cast<std::size_t>(state.range(2));
    opusim::OpuSettings settings;
    settings.device = "sim:gen2?lock_wait=60";
    settings.n_components = m;
    settings.max_n_features = n;
    settings.host_formatting = host_formatting;
    opusim::Opu opu(settings);
    opu.fit1d(n);
    const auto bits = random_bits(frames * n);
    const opusim::ArrayView<std::uint8_t> x(bits, {frames, n});
    // Warm-up: the device builds its effective medium at the first job of a configuration, as
    // the physics chain does at construction (outside the timed loop there too).
    opu.transform(x);
    for (auto _ : state) {
        const auto result = opu.transform(x);
        benchmark::DoNotOptimize(result.output.values.data());
    }
    state.counters["frames/s"] =
        benchmark::Counter(double(frames), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_SdkTransform(benchmark::State& state) {
    sdk_transform(state, false);
}
void BM_SdkTransformHostFormatting(benchmark::State& state) {
    sdk_transform(state, true);
}

// The last shape is issue 10's functional frame rate: 64 features -> 2,040 pixels (one sensor
// row), many frames per call.
void shapes(benchmark::internal::Benchmark* b) {
    b->Args({256, 1000, 1000})->Args({256, 10000, 1000})->Args({256, 10000, 10000});
    b->Args({8192, 64, 2040});
    b->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_PhysicsCapture)->Apply(shapes);
BENCHMARK(BM_SdkTransform)->Apply(shapes);
BENCHMARK(BM_SdkTransformHostFormatting)->Apply(shapes);

}  // namespace

BENCHMARK_MAIN();
