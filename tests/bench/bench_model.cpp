// The SystemC device model's speed, reached as an application reaches it (driver::Device, the
// `sim:` transport: the model in a device process of its own): timing-only simulation in
// simulated frames per wall second, and functional mode (device model + physics, plus the device
// link) against the physics capture chain alone on the same frames. Commands and results:
// docs/performance.md, section "SystemC model".
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "opusim/contract/data_format.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/physics/capture.hpp"
#include "opusim/physics/device_geometry.hpp"

namespace {

using namespace opusim;

constexpr std::uint64_t kFeatures = 1024;
constexpr std::uint64_t kComponents = 8000;
constexpr std::uint64_t kFunctionalFrames = 512;
constexpr double kTimeoutS = 1e6;  // of device time

physics::DeviceProfile gen2() {
    return physics::DeviceProfile::load("gen2");  // the built-in profile
}

// One simulated gen2 for the whole run (sim:gen2), opened at first use.
driver::Device& device() {
    static const std::unique_ptr<driver::Device> instance = driver::Device::open("sim:gen2");
    return *instance;
}

// The configuration for kFeatures inputs and kComponents outputs, from the device's geometry.
driver::DeviceConfig config_for(driver::Device& dev, bool timing_only) {
    const auto layout =
        contract::make_input_layout(dev.info().dmd, kFeatures, contract::InputRoiStrategy::Auto);
    const auto roi = contract::make_output_roi(dev.info().sensor, kComponents);
    driver::DeviceConfig config = contract::with_geometry(dev.config(), layout, roi);
    config.timing_only = timing_only;
    return config;
}

struct Workload {
    physics::DeviceProfile profile = gen2();
    contract::InputLayout layout = contract::make_input_layout(
        physics::dmd_geometry(profile.dmd), kFeatures, contract::InputRoiStrategy::Auto);
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

// Timing-only jobs of FRAMES frames (gen2 geometry, frametime 0 so the stages set the rate);
// buffers of one frame, as no data moves.
void BM_ModelTimingOnly(benchmark::State& state) {
    auto& dev = device();
    auto config = config_for(dev, true);
    config.frametime_us = 0;
    dev.configure(config);
    const std::uint32_t in_frame = dev.info().input_frame_bytes;
    const auto out_frame = static_cast<std::uint32_t>(
        contract::output_frame_bytes(config.n_components, dev.info().bit_depth));
    driver::Buffer input = dev.allocate(in_frame);
    driver::Buffer output = dev.allocate(out_frame);
    input.sync(driver::SyncDirection::ToDevice);
    output.sync(driver::SyncDirection::ToDevice);
    const auto frames = static_cast<std::uint32_t>(state.range(0));
    const driver::Job job{&input, 0, in_frame, &output, 0, out_frame, frames, 0};
    for (auto _ : state) {
        if (dev.run(job, kTimeoutS).frames != frames) state.SkipWithError("job failed");
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));  // simulated frames
    state.counters["sim_s_per_wall_s"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(frames) *
                               dev.statistics().frame_period_s,
                           benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ModelTimingOnly)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Baseline: the physics capture chain alone on the same frames (what functional mode computes).
void BM_PhysicsCapture(benchmark::State& state) {
    const auto& w = workload();
    const auto roi =
        contract::make_output_roi(physics::sensor_geometry(w.profile.camera), kComponents);
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

// The same frames through the driver and the device: registers, descriptor, input DMA of packed
// DMD frames (shared memory with the device process), unpack/check, medium, camera, output DMA,
// interrupt, and the buffers' ownership hand-over each job as an application does it.
void BM_ModelFunctional(benchmark::State& state) {
    auto& dev = device();
    const auto& w = workload();
    const auto config = config_for(dev, false);
    dev.configure(config);
    const std::uint32_t in_frame = dev.info().input_frame_bytes;
    const auto out_frame = static_cast<std::uint32_t>(
        contract::output_frame_bytes(config.n_components, dev.info().bit_depth));
    // Input and output buffers stay allocated, as an application's DMA buffers would.
    driver::Buffer input = dev.allocate(w.packed.size());
    driver::Buffer output = dev.allocate(kFunctionalFrames * out_frame);
    std::memcpy(input.data(), w.packed.data(), w.packed.size());
    const auto frames = static_cast<std::uint32_t>(kFunctionalFrames);
    const driver::Job job{&input, 0, in_frame, &output, 0, out_frame, frames, 0};
    const driver::Job first{&input, 0, in_frame, &output, 0, out_frame, 1, 0};
    input.sync(driver::SyncDirection::ToDevice);
    output.sync(driver::SyncDirection::ToDevice);
    dev.run(first, kTimeoutS);  // builds the effective medium outside the loop
    output.sync(driver::SyncDirection::FromDevice);
    for (auto _ : state) {
        output.sync(driver::SyncDirection::ToDevice);
        if (dev.run(job, kTimeoutS).frames != frames) state.SkipWithError("job failed");
        output.sync(driver::SyncDirection::FromDevice);
        benchmark::DoNotOptimize(output.data());
    }
    input.sync(driver::SyncDirection::FromDevice);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kFunctionalFrames));
}
BENCHMARK(BM_ModelFunctional)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
