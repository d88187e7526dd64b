// Faults from outside (the sim transport's faults= and fault_seed= URI options): the device meets
// DMA read and write errors, dropped frames and hangs at random jobs, and the SDK answers every
// input row exactly once, bit-identical to a fault-free run, with the retries' cost in the
// context. A fault that cannot be recovered (every attempt fails) is a typed error, never a
// result. Each case runs many jobs over several passes and calls.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "opusim.h"
#include "opusim/opusim.hpp"

namespace {

using opusim::ArrayView;
using opusim::Opu;
using opusim::OpuSettings;

constexpr std::size_t kFeatures = 48;
constexpr std::size_t kComponents = 32;
const std::string kDevice = "sim:gen2?seed=11&noise_seed=12";

OpuSettings settings_for(const std::string& uri) {
    OpuSettings settings;
    settings.device = uri;
    settings.n_components = kComponents;
    settings.max_n_features = kFeatures;
    // Passes of 600 frames run as jobs of 256 + 256 + 88 frames: several jobs per pass.
    settings.n_samples_by_pass = 600;
    return settings;
}

std::vector<std::uint8_t> input_bits(std::size_t rows, unsigned salt) {
    std::vector<std::uint8_t> bits(rows * kFeatures);
    for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = ((i * 2654435761u + salt) >> 7) & 1u;
    return bits;
}

// The calls each run makes: rows per call (1500 rows: passes of 600, 600, 300).
const std::vector<std::size_t> kCallRows = {1500, 700, 1300};

struct Calls {
    std::vector<std::vector<std::uint16_t>> outputs;
    std::vector<opusim::Context> contexts;
    std::size_t retries = 0;
};

Calls run_calls(const std::string& uri) {
    Calls run;
    Opu opu(settings_for(uri));
    opu.fit1d(kFeatures);
    for (std::size_t call = 0; call < kCallRows.size(); ++call) {
        const auto bits = input_bits(kCallRows[call], static_cast<unsigned>(call));
        const auto result =
            opu.transform(ArrayView<std::uint8_t>(bits, {kCallRows[call], kFeatures}));
        run.outputs.push_back(result.output.values);
        run.contexts.push_back(result.context);
        run.retries += result.context.retries;
    }
    return run;
}

const Calls& fault_free() {
    static const Calls run = run_calls(kDevice);
    return run;
}

class RandomFaults : public ::testing::TestWithParam<std::string> {};

// Per job: 0.15. A pass of 3 jobs fails with probability 1 - 0.85^3 = 0.39; all 6 attempts fail
// with probability 0.39^6 = 0.004, so max_retries = 5 recovers every pass of these seeds (the
// draws are reproducible: the same seed and jobs give the same faults).
TEST_P(RandomFaults, EveryRowOnceAndBitIdenticalToAFaultFreeRun) {
    const Calls& clean = fault_free();
    const Calls faulty = run_calls(kDevice + "&faults=" + GetParam() + ":0.15&fault_seed=5");
    ASSERT_EQ(faulty.outputs.size(), clean.outputs.size());
    for (std::size_t call = 0; call < clean.outputs.size(); ++call) {
        SCOPED_TRACE("call " + std::to_string(call));
        EXPECT_EQ(faulty.outputs[call].size(), kCallRows[call] * kComponents);
        EXPECT_EQ(faulty.outputs[call], clean.outputs[call]);
        const opusim::Context& c = faulty.contexts[call];
        const opusim::Context& reference = clean.contexts[call];
        EXPECT_EQ(reference.retries, 0u);
        EXPECT_EQ(reference.retry_frames, 0u);
        EXPECT_EQ(c.passes, reference.passes);
        // The failed attempts' frames and time are counted on top of what a fault-free call costs.
        EXPECT_EQ(c.frames, reference.frames + c.retry_frames);
        EXPECT_EQ(c.retries > 0, c.retry_frames > 0);
        EXPECT_EQ(c.retries > 0, c.retry_time_s > 0);
        // The successful attempts take the device time a fault-free call takes (timing never
        // depends on data); 1 ms covers the host's register traffic between them.
        EXPECT_GE(c.device_time_s(), reference.device_time_s() + c.retry_time_s - 1e-3);
    }
    EXPECT_GE(faulty.retries, 2u) << "the seed should make this fault happen in several jobs";
    RecordProperty("retries", static_cast<int>(faulty.retries));  // in --gtest_output=xml
}

INSTANTIATE_TEST_SUITE_P(EachFaultType, RandomFaults,
                         ::testing::Values("dma_read", "dma_write", "dropped_frame", "hang"),
                         [](const auto& test) { return test.param; });

TEST(RandomFaults, AllTypesAtOnceAndTheSameSeedGivesTheSameRetries) {
    const std::string uri =
        kDevice + "&faults=dma_read:0.05,dma_write:0.05,dropped_frame:0.05,hang:0.05&fault_seed=9";
    const Calls first = run_calls(uri);
    const Calls second = run_calls(uri);
    EXPECT_EQ(first.outputs, fault_free().outputs);
    EXPECT_EQ(second.outputs, fault_free().outputs);
    EXPECT_GT(first.retries, 0u);
    for (std::size_t call = 0; call < kCallRows.size(); ++call) {
        EXPECT_EQ(first.contexts[call].retries, second.contexts[call].retries);
        EXPECT_EQ(first.contexts[call].retry_frames, second.contexts[call].retry_frames);
        EXPECT_EQ(first.contexts[call].device_time_s(), second.contexts[call].device_time_s());
    }
}

// Every job fails: the retries are spent and the application gets the fault's typed error, no
// result.
TEST(RandomFaults, AFaultEveryJobIsATypedErrorNeverAResult) {
    const auto transform = [](Opu& opu, const std::vector<std::uint8_t>& bits) {
        return opu.transform(ArrayView<std::uint8_t>(bits, {bits.size() / kFeatures, kFeatures}));
    };
    const auto bits = input_bits(20, 0);
    {
        Opu opu(settings_for(kDevice + "&faults=dma_write:1"));
        try {
            opu.fit1d(kFeatures);  // its calibration jobs (automatic exposure, defects) fail first
            transform(opu, bits);
            ADD_FAILURE() << "a result from a device that fails every job";
        } catch (const opusim::DmaError& error) {
            EXPECT_NE(std::string(error.what()).find("failed on all 6 attempts"), std::string::npos)
                << error.what();
            EXPECT_EQ(error.code(), opusim::contract::DeviceError::DmaWrite);
        }
    }
    {
        auto settings = settings_for(kDevice + "&faults=dropped_frame:1");
        settings.max_retries = 2;
        Opu opu(settings);
        EXPECT_THROW((opu.fit1d(kFeatures), transform(opu, bits)), opusim::FrameDroppedError);
    }
    {
        Opu opu(settings_for(kDevice + "&faults=hang:1"));
        EXPECT_THROW((opu.fit1d(kFeatures), transform(opu, bits)), opusim::TimeoutError);
    }
    {
        Opu opu(settings_for(kDevice + "&faults=dma_read:1"));
        EXPECT_THROW((opu.fit1d(kFeatures), transform(opu, bits)), opusim::DmaError);
    }
}

// The C API opens the same URI: the same outputs, and the retries in its context. Its default
// pass (3000 frames) is one pass of 6 jobs here; 0.08 per job fails it with probability 0.39.
TEST(RandomFaults, ThroughTheCApi) {
    const auto bits = input_bits(kCallRows[0], 0);
    const auto run = [&](const std::string& uri, opusim_context& context) {
        opusim_opu* opu = nullptr;
        EXPECT_EQ(opusim_open(uri.c_str(), kComponents, &opu), OPUSIM_OK) << opusim_last_error();
        EXPECT_EQ(opusim_fit1d(opu, kFeatures), OPUSIM_OK) << opusim_last_error();
        std::vector<std::uint16_t> out(kCallRows[0] * kComponents);
        EXPECT_EQ(opusim_transform(opu, bits.data(), kCallRows[0], kFeatures, out.data(), &context),
                  OPUSIM_OK)
            << opusim_last_error();
        opusim_close(opu);
        return out;
    };
    opusim_context clean{};
    opusim_context faulty{};
    const auto expected = run(kDevice, clean);
    const auto got = run(kDevice + "&faults=dropped_frame:0.05,hang:0.03&fault_seed=3", faulty);
    EXPECT_EQ(got, expected);
    EXPECT_EQ(clean.retries, 0u);
    EXPECT_GT(faulty.retries, 0u);
    EXPECT_EQ(faulty.frames, clean.frames + faulty.retry_frames);
    EXPECT_GT(faulty.retry_time_s, 0.0);

    opusim_opu* opu = nullptr;
    EXPECT_EQ(opusim_open((kDevice + "&faults=dma_read:2").c_str(), kComponents, &opu),
              OPUSIM_ERROR_URI);
    EXPECT_NE(std::string(opusim_last_error()).find("faults"), std::string::npos);
}

}  // namespace
