// The SystemC device model's speed: timing-only simulation in simulated frames per wall second,
// and functional mode (device model + physics) against the physics capture chain alone on the
// same frames. Commands and results: docs/performance.md, section "SystemC model".
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <vector>

#include "opusim/physics/device_geometry.hpp"
#include "opusim/model/simulated_device.hpp"
#include "opusim/model/test_host.hpp"
#include "opusim/physics/capture.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"

namespace {

using namespace opusim;

constexpr std::uint64_t kFeatures = 1024;
constexpr std::uint64_t kComponents = 8000;
constexpr std::uint64_t kFunctionalFrames = 512;

physics::DeviceProfile gen2() {
    return physics::DeviceProfile::load("gen2");  // the built-in profile
}

model::TestHost& host() {
    static model::TestHost* instance = [] {
        auto& device = model::SimulatedDevice::instance();
        device.power_on(gen2());
        return new model::TestHost(device);
    }();
    return *instance;
}

struct Workload {
    physics::DeviceProfile profile = gen2();
    contract::InputLayout layout =
        contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), kFeatures, contract::InputRoiStrategy::Auto);
    std::vector<std::uint8_t> features;
    std::vector<std::uint8_t> packed;
    Workload() {
        std::mt19937 generator(1);
        std::bernoulli_distribution bit(0.5);
        features.resize(kFunctionalFrames * kFeatures);
        for (auto& value : features) value = bit(generator) ? 1 : 0;
        packed = contract::format_frames(layout, features.data(), kFunctionalFrames);
    }
};

const Workload& workload() {
    static const Workload instance;
    return instance;
}

// Timing-only jobs of FRAMES frames (gen2 geometry, frametime 0 so the stages set the rate).
void BM_ModelTimingOnly(benchmark::State& state) {
    auto& test_host = host();
    auto settings =
        model::JobSettings::for_sizes(test_host.device().profile(), kFeatures, kComponents);
    settings.timing_only = true;
    settings.frametime_ns = 0;
    test_host.configure(settings);
    const auto frames = static_cast<std::uint64_t>(state.range(0));
    for (auto _ : state) {
        const auto outcome = test_host.run(nullptr, frames, 0, 1e6);
        if (outcome.frames_done != frames) state.SkipWithError("job failed");
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));  // simulated frames
    state.counters["sim_s_per_wall_s"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(frames) *
                               test_host.device().statistics().frame_period_s,
                           benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ModelTimingOnly)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Baseline: the physics capture chain alone on the same frames (what functional mode computes).
void BM_PhysicsCapture(benchmark::State& state) {
    const auto& w = workload();
    const auto roi = contract::make_output_roi(opusim::physics::sensor_geometry(w.profile.camera), kComponents);
    const physics::CaptureChain chain(w.profile, w.layout, roi.pixels,
                                      physics::CaptureSettings::from_profile(w.profile));
    std::vector<std::uint8_t> out(kFunctionalFrames * kComponents);
    for (auto _ : state) {
        chain.capture(w.features.data(), kFunctionalFrames, 0, w.profile.camera.exposure_us,
                      out.data());
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kFunctionalFrames));
}
BENCHMARK(BM_PhysicsCapture)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same frames through the device: registers, descriptor, input DMA of packed DMD frames,
// unpack/check, medium, camera, output DMA, interrupt.
void BM_ModelFunctional(benchmark::State& state) {
    auto& test_host = host();
    const auto& w = workload();
    const auto settings = model::JobSettings::for_sizes(w.profile, kFeatures, kComponents);
    test_host.configure(settings);
    test_host.run(w.packed.data(), 1, 0, 1e6);  // builds the effective medium outside the loop
    // Input and output buffers stay in host memory, as a driver's DMA buffers would.
    auto& memory = test_host.memory();
    const std::uint64_t input = memory.allocate(w.packed.size());
    const std::uint64_t output = memory.allocate(kFunctionalFrames * kComponents);
    std::memcpy(memory.data(input), w.packed.data(), w.packed.size());
    for (auto _ : state) {
        const auto outcome = test_host.run_in_place(input, output, kFunctionalFrames, 0, 1e6);
        if (outcome.frames_done != kFunctionalFrames) state.SkipWithError("job failed");
        benchmark::DoNotOptimize(memory.data(output));
    }
    memory.release(input);
    memory.release(output);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kFunctionalFrames));
}
BENCHMARK(BM_ModelFunctional)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
