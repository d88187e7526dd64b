// The simulated frame period against the analytic pipeline model (docs/timing.md), the gen2
// rules, the gen3 rate table of docs/reference/device.md §2, and a link-bound configuration. The
// device runs timing-only jobs through the driver; the figures are its statistics registers.
#include <gtest/gtest.h>

#include <cmath>

#include "model_fixture.hpp"
#include "opusim/contract/dmd_format.hpp"

namespace opusim::model {
namespace {

using testing::job_config;
using testing::open_device;
using testing::profile;
using testing::run_timing_job;
using testing::timing_point;

constexpr std::uint64_t kFrames = 240;  // steady state is measured over the second half

// Analytic and simulated period within 1 % (the simulation rounds every duration up to whole
// controller cycles of 4 ns, far below 1 % of any period here; the rest is the model itself).
void expect_period_matches(driver::Device& device, const physics::DeviceProfile& device_profile,
                           const driver::DeviceConfig& settings, const std::string& what) {
    const auto stats = run_timing_job(device, settings, kFrames);
    const auto analytic = analytic_timing(device_profile, timing_point(settings));
    EXPECT_NEAR(stats.frame_period_s * 1e6, analytic.period_us, analytic.period_us * 0.01)
        << what << " (analytic bottleneck " << analytic.bottleneck << ", simulated "
        << stats.bottleneck << ")";
}

TEST(TimingCalibration, SimulatedPeriodMatchesTheAnalyticModelOverASweep) {
    for (const char* base : {"gen2", "gen3"}) {
        for (const bool slow_link : {false, true}) {
            auto device_profile = profile(base);
            if (slow_link) {  // a what-if link: quarter bandwidth, long latency
                device_profile.link.bandwidth_gb_per_s /= 4;
                device_profile.link.latency_us = 20;
            }
            auto device = slow_link ? open_device(device_profile) : open_device(base);
            const auto defaults = device->config();
            for (const auto strategy :
                 {contract::InputRoiStrategy::Small, contract::InputRoiStrategy::Full}) {
                for (const std::uint64_t features : {1000ull, 150000ull, 600000ull, 1039680ull}) {
                    if (strategy == contract::InputRoiStrategy::Full && features > 519840) continue;
                    for (const std::uint64_t components :
                         {500ull, 60000ull, 400000ull, 1500000ull}) {
                        for (const double exposure_us : {20.0, 150.0, 400.0}) {
                            auto settings = job_config(device->info(), defaults, features,
                                                       components, strategy);
                            settings.exposure_us = exposure_us;
                            settings.frametime_us = 0;
                            expect_period_matches(*device, device_profile, settings,
                                                  std::string(base) +
                                                      (slow_link ? " slow link" : "") +
                                                      " features " + std::to_string(features) +
                                                      " components " + std::to_string(components) +
                                                      " exposure " + std::to_string(exposure_us));
                        }
                    }
                }
            }
        }
    }
}

TEST(TimingCalibration, Gen2RunsAt2kHzForEveryRoiTheLinkCarries) {
    const auto device_profile = profile("gen2");
    auto device = open_device("gen2");
    const auto defaults = device->config();
    // The largest ROI whose output DMA fits the 500 us frametime on PCIe Gen2 x4 (~800k pixels).
    const double period_us = device_profile.camera.frametime_us;
    const double link_bytes_per_us = device_profile.link.bandwidth_gb_per_s * 1e3;
    const auto link_limit = static_cast<std::uint64_t>(
        (period_us - device_profile.link.latency_us) * link_bytes_per_us);
    EXPECT_GT(link_limit, 750000u);
    for (const std::uint64_t components :
         {std::uint64_t{1}, std::uint64_t{2040}, std::uint64_t{50000}, std::uint64_t{200000},
          std::uint64_t{500000}, std::uint64_t{700000}, link_limit}) {
        for (const std::uint64_t features : {100ull, 10000ull, 1039680ull}) {
            const auto settings = job_config(device->info(), defaults, features, components);
            const auto stats = run_timing_job(*device, settings, kFrames);
            EXPECT_NEAR(stats.frame_rate_hz, 2000.0, 2000.0 * 1e-3)
                << components << " components, " << features << " features";
            EXPECT_EQ(stats.bottleneck, "frametime");
        }
    }
}

TEST(TimingCalibration, Gen2MinimumFrametimeIsMaxOfReadoutAndExposurePlus50us) {
    const auto device_profile = profile("gen2");
    // Large ROIs exceed the link at this rate; a what-if wide link isolates the camera rule.
    auto wide = device_profile;
    wide.link.bandwidth_gb_per_s = 100;
    auto device = open_device(wide);
    const auto defaults = device->config();
    struct Case {
        std::uint64_t components;
        double exposure_us;
    };
    for (const Case c : {Case{2040 * 1088, 100.0}, Case{2040 * 900, 200.0}, Case{2040 * 100, 400.0},
                         Case{2040 * 700, 300.0}, Case{1000, 10.0}}) {
        auto settings = job_config(device->info(), defaults, 1000, c.components);
        settings.exposure_us = c.exposure_us;
        settings.frametime_us = 0;  // find the minimum the stages allow
        const auto stats = run_timing_job(*device, settings, kFrames);
        const double readout_us = settings.roi_height * device_profile.camera.row_time_us;
        const double rule_us = std::max(readout_us, c.exposure_us) + 50;
        EXPECT_NEAR(stats.frame_period_s * 1e6, rule_us, rule_us * 0.01)
            << c.components << " components, exposure " << c.exposure_us;
    }
}

struct RateRow {
    std::uint64_t input;
    std::uint64_t output;
    double rate_hz;
    const char* bottleneck;  // what the fit says limits the row (docs/timing.md)
};

TEST(TimingCalibration, Gen3ReproducesTheRateTableWithin10Percent) {
    // device.md §2, input = lit-mirror features (one mirror each: the `small` layout), output =
    // pixels. The table's last row ("larger / larger") gives no size; we take the full DMD and
    // 1.85M pixels (docs/timing.md discusses the choice).
    const RateRow rows[] = {{145000, 81000, 8000, "readout"},   {290000, 81000, 6300, "dmd"},
                            {583000, 163000, 3800, "dmd"},      {1000000, 326000, 1900, "readout"},
                            {1000000, 600000, 1000, "readout"}, {1039680, 1850000, 340, "readout"}};
    auto device = open_device("gen3");
    const auto defaults = device->config();
    for (const auto& row : rows) {
        const auto settings = job_config(device->info(), defaults, row.input, row.output,
                                         contract::InputRoiStrategy::Small);
        const auto stats = run_timing_job(*device, settings, kFrames);
        EXPECT_NEAR(stats.frame_rate_hz, row.rate_hz, row.rate_hz * 0.10)
            << row.input << " inputs, " << row.output << " outputs";
        EXPECT_EQ(stats.bottleneck, row.bottleneck)
            << row.input << " inputs, " << row.output << " outputs";
    }
}

TEST(TimingCalibration, LargeRoiOnGen2LinkIsReportedLinkBound) {
    const auto device_profile = profile("gen2");
    auto device = open_device("gen2");
    const std::uint64_t components = 2040 * 1088;  // the full sensor, 2.2 MB a frame
    const auto settings = job_config(device->info(), device->config(), 10000, components);
    const auto stats = run_timing_job(*device, settings, kFrames);
    EXPECT_EQ(stats.bottleneck, "link_out");
    const double link_rate_hz =
        device_profile.link.bandwidth_gb_per_s * 1e9 / static_cast<double>(components);
    EXPECT_LT(stats.frame_rate_hz, link_rate_hz);         // never faster than the link allows
    EXPECT_GT(stats.frame_rate_hz, 0.98 * link_rate_hz);  // and the link is what limits it
    double link_out_utilisation = 0;
    for (const auto& stage : stats.stages) {
        if (stage.name == "link_out") link_out_utilisation = stage.utilisation;
    }
    EXPECT_GT(link_out_utilisation, 0.95);
}

}  // namespace
}  // namespace opusim::model
