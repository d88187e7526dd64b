// `opusim run --linear --drift-checkpoints K`: the drift report's table and JSON, and its usage
// errors (docs/device-physics.md "Medium drift").
#include <cmath>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"

namespace opusim::cli_testing {
namespace {

TEST(CliDrift, OptionsNeedTheLinearModeAndACheckpointCount) {
    CliRun run = run_opusim("run --n-features 8 --n-components 8 --batch 4 --drift-checkpoints 2");
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("--drift-checkpoints"), std::string::npos) << run.output;
    run = run_opusim("run --linear --n-features 8 --batch 4 --recalibration-bound 0.2");
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("--recalibration-bound"), std::string::npos) << run.output;
}

// A drifting medium (2 s: 5,260 frames a segment) over 120 vectors (48 frames each: ~3,000 frames
// a checkpoint): the run that checks recalibrates and ends closer to a fresh calibration than the
// run that does not.
TEST(CliDrift, ReportsTheLinearErrorAgainstTimeWithAndWithoutRecalibration) {
    const CliRun run = run_opusim(
        "run --linear --n-features 32 --n-components 32 --batch 120 --drift-checkpoints 2 "
        "--recalibration-bound 0.3 --set medium.decorrelation_time_s=2 --json --quiet");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto report = nlohmann::json::parse(run.output);
    const auto& drift = report.at("drift");
    ASSERT_EQ(drift.at("checkpoints").size(), 2u);
    EXPECT_GE(drift.at("recalibrations").get<int>(), 1);
    for (const auto& row : drift.at("checkpoints")) {
        for (const char* series : {"without_recalibration", "with_recalibration"}) {
            const double error = row.at(series).at("error").get<double>();
            EXPECT_TRUE(std::isfinite(error) && error >= 0) << series;
            // Every output is compared with the reference's on its camera pixel, even once the
            // medium has decorrelated and the calibrations prefer other pixels.
            EXPECT_EQ(row.at(series).at("shared_outputs").get<int>(), 32) << series;
        }
    }
    const auto& last = drift.at("checkpoints").back();
    EXPECT_LT(last.at("with_recalibration").at("error").get<double>(),
              last.at("without_recalibration").at("error").get<double>());
}

}  // namespace
}  // namespace opusim::cli_testing
