// Rate-aware `auto` layout (opusim/layout_choice.hpp): the most replication that keeps the
// device's frame rate, measured through the device. Checked against the analytic timing model
// (sim/model analytic_timing, the oracle docs/timing.md checks the simulation against).
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/model/analytic_timing.hpp"
#include "opusim/opusim.hpp"
#include "opusim/physics/profile.hpp"

namespace {

namespace contract = opusim::contract;
namespace driver = opusim::driver;

struct Probed {
    opusim::LayoutChoice choice;
    driver::DeviceConfig config;  // the ROI, exposure and frametime it was chosen under
};

Probed choose(const std::string& profile, std::uint64_t n_features, std::uint64_t n_components) {
    auto device = driver::Device::open("sim:" + profile);
    const auto roi = contract::make_output_roi(device->info().sensor, n_components);
    Probed probed;
    probed.config = contract::with_geometry(
        device->config(), contract::make_replicated_layout(device->info().dmd, n_features, 1), roi);
    probed.choice = opusim::choose_auto_layout(*device, probed.config, n_features,
                                               contract::InputFormat::DmdPattern);
    return probed;
}

double analytic_period_us(const std::string& profile, driver::DeviceConfig config,
                          std::uint64_t replication) {
    const auto device_profile = opusim::physics::DeviceProfile::load(profile);
    const auto layout = contract::make_replicated_layout(
        contract::DmdGeometry{device_profile.dmd.columns, device_profile.dmd.rows},
        config.n_features, replication);
    config.replication = layout.replication;
    config.first_mirror = layout.first_mirror;
    return opusim::model::analytic_timing(device_profile, config).period_us;
}

// gen3 at the rate table's first row: the whole DMD (7 mirrors a feature) makes the DMD load the
// bottleneck at 2.39 kHz; one mirror a feature keeps the readout-bound 7.6 kHz (table: 8 kHz).
TEST(AutoLayout, Gen3KeepsItsRateTableRate) {
    const auto probed = choose("gen3", 145000, 81000);
    std::printf("gen3: %s\n", probed.choice.reason.c_str());
    EXPECT_EQ(probed.choice.layout.replication, 1u);
    EXPECT_EQ(probed.choice.full_replication, 7u);
    // The measured periods against the analytic model (docs/timing.md: within 1 %).
    EXPECT_NEAR(probed.choice.rate_hz, 1e6 / analytic_period_us("gen3", probed.config, 1),
                0.01 * probed.choice.rate_hz);
    EXPECT_NEAR(probed.choice.full_rate_hz, 1e6 / analytic_period_us("gen3", probed.config, 7),
                0.01 * probed.choice.full_rate_hz);
    EXPECT_NEAR(probed.choice.rate_hz, 8000, 0.10 * 8000);  // the rate table, within 10 %
    EXPECT_LT(probed.choice.full_rate_hz, 2500);
}

// gen2 is frametime-bound at 2 kHz whatever the rows loaded: the whole DMD keeps the rate.
TEST(AutoLayout, Gen2KeepsWholeDmdReplicationAt2kHz) {
    const auto probed = choose("gen2", 10000, 10000);
    EXPECT_EQ(probed.choice.layout.replication, probed.choice.full_replication);
    EXPECT_EQ(probed.choice.layout.replication, 103u);  // 1,039,680 mirrors / 10,000 features
    EXPECT_NEAR(probed.choice.rate_hz, 2000, 2);
}

// Between the two: the largest replication whose analytic period stays within the tolerance of
// one mirror per feature's, and one more would not.
TEST(AutoLayout, PartialReplicationIsTheLargestThatKeepsTheRate) {
    const auto probed = choose("gen3", 30000, 81000);
    const std::uint64_t r = probed.choice.layout.replication;
    std::printf("gen3, 30000 features: %s\n", probed.choice.reason.c_str());
    ASSERT_GT(r, 1u);
    ASSERT_LT(r, probed.choice.full_replication);
    const double small = analytic_period_us("gen3", probed.config, 1);
    // Analytic and simulated periods agree within 1 % (docs/timing.md), so compare with that slack.
    EXPECT_LE(analytic_period_us("gen3", probed.config, r), small * 1.01);
    EXPECT_GT(analytic_period_us("gen3", probed.config, r + 1),
              small * (1 + opusim::kRateTolerance));
}

// Through the Opu: auto on gen2 resolves to the whole DMD, so its frames are those of `full`,
// bit for bit, and the context says why.
TEST(AutoLayout, OpuAutoOnGen2EqualsFullAndSaysWhy) {
    std::vector<std::uint8_t> x(4 * 300);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i * 7 + i / 13) % 3 == 0;
    std::vector<std::vector<std::uint16_t>> outputs;
    std::string choice;
    for (const auto strategy : {opusim::InputRoiStrategy::Full, opusim::InputRoiStrategy::Auto}) {
        opusim::OpuSettings settings;
        settings.device = "sim:gen2?seed=3&noise_seed=4";
        settings.n_components = 100;
        settings.input_roi_strategy = strategy;
        opusim::Opu opu(settings);
        opu.fit1d(300);
        const auto result = opu.transform(opusim::ArrayView<std::uint8_t>(x, {4, 300}));
        outputs.push_back(result.output.values);
        if (strategy == opusim::InputRoiStrategy::Auto) {
            choice = result.context.input_roi.choice;
            EXPECT_EQ(result.context.input_roi.replication, 1039680u / 300u);
        } else {
            EXPECT_TRUE(result.context.input_roi.choice.empty());
        }
    }
    EXPECT_EQ(outputs[0], outputs[1]);
    EXPECT_NE(choice.find("auto: replicated over the whole DMD"), std::string::npos) << choice;
}

}  // namespace
