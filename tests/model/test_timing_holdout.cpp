// Held-out calibration of gen3's timing (docs/timing.md "gen3: held-out error"): the four fitted
// timing keys are fitted again on all rows of the rate table but one, and the left-out row's
// rate is predicted; leave-one-out over every row. The fit minimises the largest relative error
// (as the hand fit did) by a coarse-to-fine grid search over the analytic model
// (sim/model/analytic_timing.cpp, which the simulation matches within 1 %:
// TimingCalibration.SimulatedPeriodMatchesTheAnalyticModelOverASweep).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <vector>

#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/job_configuration.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/model/analytic_timing.hpp"
#include "opusim/physics/device_geometry.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {
namespace {

struct TableRow {
    std::uint64_t input;   // lit-mirror features, one mirror each (small layout)
    std::uint64_t output;  // pixels
    double rate_hz;
};

// docs/reference/device.md §2; the last row's sizes are our assumption (docs/timing.md).
constexpr std::array<TableRow, 6> kRateTable{{{145000, 81000, 8000},
                                              {290000, 81000, 6300},
                                              {583000, 163000, 3800},
                                              {1000000, 326000, 1900},
                                              {1000000, 600000, 1000},
                                              {1039680, 1850000, 340}}};

// The fitted keys: DMD row load time (us; load_clocks_per_row stays 114, the clock moves), DMD
// settle, camera row time, frame overhead.
using Keys = std::array<double, 4>;

physics::DeviceProfile with_keys(physics::DeviceProfile profile, const Keys& keys) {
    profile.dmd.load_clock_mhz = profile.dmd.load_clocks_per_row / keys[0];
    profile.dmd.settle_us = keys[1];
    profile.camera.row_time_us = keys[2];
    profile.camera.frame_overhead_us = keys[3];
    return profile;
}

// The job configuration of a row (geometry only: it does not depend on the fitted keys).
contract::JobConfiguration row_config(const physics::DeviceProfile& profile, const TableRow& row) {
    const contract::DmdGeometry dmd{profile.dmd.columns, profile.dmd.rows};
    const auto layout =
        contract::make_input_layout(dmd, row.input, contract::InputRoiStrategy::Small);
    const auto roi =
        contract::make_output_roi(physics::sensor_geometry(profile.camera), row.output);
    contract::JobConfiguration config = contract::with_geometry({}, layout, roi);
    config.exposure_us = profile.camera.exposure_us;
    config.frametime_us = profile.camera.frametime_us;
    return config;
}

struct Rows {
    std::vector<contract::JobConfiguration> configs;
    explicit Rows(const physics::DeviceProfile& profile) {
        for (const auto& row : kRateTable) configs.push_back(row_config(profile, row));
    }
};

double relative_error(const physics::DeviceProfile& profile, const Rows& rows, std::size_t r) {
    const double rate_hz = 1e6 / analytic_timing(profile, rows.configs[r]).period_us;
    return rate_hz / kRateTable[r].rate_hz - 1;
}

// The keys minimising the largest |relative error| over ROWS (all but LEFT_OUT).
Keys fit(const physics::DeviceProfile& base, const Rows& rows, std::size_t left_out) {
    Keys low{0.05, 0.0, 0.5, 0.0};
    Keys high{1.5, 200.0, 8.0, 40.0};
    Keys best{};
    double best_cost = 1e300;
    constexpr int kSteps = 8;
    for (int level = 0; level < 7; ++level) {
        Keys step;
        for (int k = 0; k < 4; ++k) step[k] = (high[k] - low[k]) / kSteps;
        for (int a = 0; a <= kSteps; ++a)
            for (int b = 0; b <= kSteps; ++b)
                for (int c = 0; c <= kSteps; ++c)
                    for (int d = 0; d <= kSteps; ++d) {
                        const Keys keys{low[0] + a * step[0], low[1] + b * step[1],
                                        low[2] + c * step[2], low[3] + d * step[3]};
                        if (keys[0] <= 0 || keys[2] <= 0) continue;
                        const auto profile = with_keys(base, keys);
                        double cost = 0;
                        for (std::size_t r = 0; r < kRateTable.size() && cost < best_cost; ++r) {
                            if (r == left_out) continue;
                            cost = std::max(cost, std::abs(relative_error(profile, rows, r)));
                        }
                        if (cost < best_cost) {
                            best_cost = cost;
                            best = keys;
                        }
                    }
        // Zoom in around the best point: two steps either side.
        for (int k = 0; k < 4; ++k) {
            low[k] = std::max(k == 0 || k == 2 ? 1e-3 : 0.0, best[k] - 2 * step[k]);
            high[k] = best[k] + 2 * step[k];
        }
    }
    return best;
}

TEST(TimingHoldout, Gen3LeaveOneOutOverTheRateTable) {
    const auto base = physics::DeviceProfile::load("gen3");
    const Rows rows(base);
    std::printf(
        "left out              fitted: row us, settle us, camera row us, FOT us   "
        "in-sample max   held-out error\n");
    double worst_held_out = 0;
    std::vector<double> held_out(kRateTable.size());
    for (std::size_t out = 0; out < kRateTable.size(); ++out) {
        const Keys keys = fit(base, rows, out);
        const auto profile = with_keys(base, keys);
        double in_sample = 0;
        for (std::size_t r = 0; r < kRateTable.size(); ++r) {
            if (r != out)
                in_sample = std::max(in_sample, std::abs(relative_error(profile, rows, r)));
        }
        held_out[out] = relative_error(profile, rows, out);
        worst_held_out = std::max(worst_held_out, std::abs(held_out[out]));
        std::printf("%9llu x %9llu   %.3f, %.1f, %.2f, %.1f   %+.1f %%   %+.1f %%\n",
                    static_cast<unsigned long long>(kRateTable[out].input),
                    static_cast<unsigned long long>(kRateTable[out].output), keys[0], keys[1],
                    keys[2], keys[3], 100 * in_sample, 100 * held_out[out]);
        RecordProperty("held_out_error_row_" + std::to_string(out + 1),
                       std::to_string(held_out[out]));
    }
    std::printf("worst held-out error %.1f %%\n", 100 * worst_held_out);
    for (std::size_t r = 2; r < kRateTable.size(); ++r) {
        // Rows 3 to 6: the others still bind every fitted key, and the held-out prediction stays
        // within the 10 % the in-sample calibration accepts (the table's rates have two
        // significant digits; the model has four keys for a piecewise-linear rate).
        EXPECT_LT(std::abs(held_out[r]), 0.10) << "row " << r + 1;
    }
    // Rows 1 and 2 are not bounded: the DMD stage has two keys (row time, settle) and only rows
    // 1 to 3 bind them (2 and 3 DMD-bound, 1 bounding it from below); without row 1 or 2 the fit
    // can trade settle for row time freely (docs/timing.md reports the errors).

    // The same search on every row reproduces at least the hand fit's largest error (5.0 %).
    const auto all = with_keys(base, fit(base, rows, kRateTable.size()));
    double in_sample = 0;
    for (std::size_t r = 0; r < kRateTable.size(); ++r)
        in_sample = std::max(in_sample, std::abs(relative_error(all, rows, r)));
    std::printf("all rows: largest error %.1f %% (hand fit 5.0 %%)\n", 100 * in_sample);
    EXPECT_LE(in_sample, 0.0501);
}

}  // namespace
}  // namespace opusim::model
