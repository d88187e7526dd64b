// Device defects and the SDK's handling (docs/sdk.md "Device defects", docs/device-physics.md
// "Defects"): hot and dead pixels are found and masked (the outputs skip them), the trigger lag
// is measured and compensated (the outputs equal a device without it, bit for bit), and stuck
// mirrors act on the features exactly as the profile's seeded draw says.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "ideal_linear_oracle.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/opusim.hpp"
#include "opusim/physics/device_defects.hpp"
#include "opusim/physics/device_geometry.hpp"
#include "opusim/physics/profile.hpp"
#include "random_bits.hpp"

namespace {

namespace physics = opusim::physics;
using opusim::ArrayView;
using opusim::Opu;
using opusim::OpuSettings;

using opusim::testing_support::random_bits;

constexpr std::uint64_t kSeed = 7;
const char* const kDevice = "sim:gen2?seed=7&noise_seed=3";

OpuSettings settings_for(const std::string& defects) {
    OpuSettings settings;
    settings.device = std::string(kDevice) + (defects.empty() ? "" : "&set=" + defects);
    settings.n_components = 1000;
    return settings;
}

TEST(Defects, HotAndDeadPixelsAreFoundExactlyAndTheOutputsSkipThem) {
    physics::DefectParams defects;
    defects.hot_pixel_fraction = 0.01;
    defects.dead_pixel_fraction = 0.01;
    const std::size_t rows = 12;
    const auto bits = random_bits(rows * 500, 2);
    const auto result = [&] {
        Opu opu(settings_for("defects.hot_pixel_fraction=0.01,defects.dead_pixel_fraction=0.01"));
        opu.fit1d(500);
        return opu.transform(ArrayView<std::uint8_t>(bits, {rows, 500}));
    }();
    const auto& c = result.context;

    // The device read a ROI's first pixels; every one the profile's draw makes hot (dead) is in
    // the context's hot (dead) list and nothing else is: the check is exact, not statistical
    // (a responding pixel's 8-frame mean under 1 % of the median has probability ~1e-17).
    const auto profile = physics::DeviceProfile::load("gen2");
    const auto sensor = physics::sensor_geometry(profile.camera);
    const std::size_t read = c.n_components + c.hot_pixels.size() + c.dead_pixels.size();
    const auto roi = opusim::contract::make_output_roi(sensor, read);
    std::set<std::uint64_t> hot, dead;
    for (std::size_t j = 0; j < read; ++j) {
        const auto state = physics::pixel_state(defects, kSeed, roi.pixels[j]);
        if (state == physics::PixelState::Hot) hot.insert(roi.pixels[j]);
        if (state == physics::PixelState::Dead) dead.insert(roi.pixels[j]);
    }
    EXPECT_EQ(std::set<std::uint64_t>(c.hot_pixels.begin(), c.hot_pixels.end()), hot);
    EXPECT_EQ(std::set<std::uint64_t>(c.dead_pixels.begin(), c.dead_pixels.end()), dead);
    EXPECT_FALSE(hot.empty());  // 1 % of 1,000+ pixels: about 10 each (P(none) = 4e-5)
    EXPECT_FALSE(dead.empty());
    ASSERT_EQ(c.output_pixels.size(), c.n_components);
    for (const auto pixel : c.output_pixels) {
        EXPECT_EQ(physics::pixel_state(defects, kSeed, pixel), physics::PixelState::Good);
    }
    // No output is stuck at 0 or at the maximum in every row any more.
    for (std::size_t j = 0; j < c.n_components; ++j) {
        bool varies = false;
        for (std::size_t i = 1; i < rows && !varies; ++i) {
            varies = result.output.values[i * c.n_components + j] != result.output.values[j];
        }
        EXPECT_TRUE(varies) << "output " << j << " is constant";
    }

    // Without the mask the defects reach the outputs: constant 255 and 0 columns.
    OpuSettings unmasked =
        settings_for("defects.hot_pixel_fraction=0.01,defects.dead_pixel_fraction=0.01");
    unmasked.mask_defective_pixels = false;
    Opu raw(unmasked);
    raw.fit1d(500);
    const auto plain = raw.transform(ArrayView<std::uint8_t>(bits, {rows, 500}));
    EXPECT_TRUE(plain.context.hot_pixels.empty());
    std::size_t constant_max = 0, constant_zero = 0;
    for (std::size_t j = 0; j < plain.context.n_components; ++j) {
        bool all_max = true, all_zero = true;
        for (std::size_t i = 0; i < rows; ++i) {
            const auto v = plain.output.values[i * plain.context.n_components + j];
            all_max = all_max && v == 255;
            all_zero = all_zero && v == 0;
        }
        constant_max += all_max;
        constant_zero += all_zero;
    }
    EXPECT_GT(constant_max, 0u);
    EXPECT_GT(constant_zero, 0u);
}

TEST(Defects, TheTriggerLagIsMeasuredAndCompensatedBitForBit) {
    const std::size_t n_features = 300;
    const std::size_t rows = 300;  // two device jobs (256 frames each at most)
    const auto bits = random_bits(rows * n_features, 5);
    const ArrayView<std::uint8_t> x(bits, {rows, n_features});
    auto run = [&](const std::string& defects, bool detect, std::size_t pass) {
        OpuSettings settings = settings_for(defects);
        settings.n_components = 200;
        settings.detect_trigger_lag = detect;
        settings.n_samples_by_pass = pass;
        Opu opu(settings);
        opu.fit1d(n_features);
        return opu.transform(x);
    };
    const auto clean = run("", true, 3000);
    EXPECT_EQ(clean.context.trigger_lag_frames, 0u);
    for (const std::size_t pass : {std::size_t{3000}, std::size_t{7}}) {
        const auto lagged = run("defects.trigger_lag_frames=1", true, pass);
        EXPECT_EQ(lagged.context.trigger_lag_frames, 1u);
        EXPECT_EQ(lagged.context.exposure_us, clean.context.exposure_us);
        EXPECT_EQ(lagged.output.values, clean.output.values) << "pass " << pass;
        EXPECT_GT(lagged.context.frames, clean.context.frames);  // one trailing frame per job
    }
    const auto two = run("defects.trigger_lag_frames=2", true, 3000);
    EXPECT_EQ(two.context.trigger_lag_frames, 2u);
    EXPECT_EQ(two.output.values, clean.output.values);
    // Uncompensated, every frame is its predecessor's pattern.
    const auto shifted = run("defects.trigger_lag_frames=1", false, 3000);
    EXPECT_NE(shifted.output.values, clean.output.values);
}

TEST(Defects, StuckMirrorsForceTheirFeatures) {
    // gen2's small layout: one mirror per feature, so a stuck mirror is a stuck feature. The
    // device's frames for X equal a defect-free device's frames for X with the profile's stuck
    // features forced (on or off), bit for bit.
    const std::size_t n_features = 2000;
    const std::size_t rows = 8;
    physics::DefectParams defects;
    defects.stuck_mirror_fraction = 0.05;
    const auto profile = physics::DeviceProfile::load("gen2");
    const auto layout = opusim::contract::make_input_layout(
        physics::dmd_geometry(profile.dmd), n_features, opusim::contract::InputRoiStrategy::Small);
    auto bits = random_bits(rows * n_features, 8);
    auto forced = bits;
    std::size_t stuck = 0;
    for (std::size_t f = 0; f < n_features; ++f) {
        const auto state = physics::mirror_state(defects, kSeed, layout.mirror_of(f, 0));
        if (state == physics::MirrorState::Working) continue;
        ++stuck;
        for (std::size_t i = 0; i < rows; ++i) {
            forced[i * n_features + f] = state == physics::MirrorState::StuckOn ? 1 : 0;
        }
    }
    EXPECT_GT(stuck, 50u);  // 5 % of 2,000: 100 +- 10
    auto run = [&](const std::string& set, const std::vector<std::uint8_t>& input) {
        OpuSettings settings = settings_for(set);
        settings.max_n_features = n_features;
        settings.input_roi_strategy = opusim::InputRoiStrategy::Small;
        opusim::Overrides exposure;  // fixed: the comparison is of the device, not the SDK
        exposure.exposure_us = 50000;
        Opu opu(settings);
        opu.fit1d(n_features, false, exposure);
        return opu.transform(ArrayView<std::uint8_t>(input, {rows, n_features}));
    };
    const auto defective = run("defects.stuck_mirror_fraction=0.05", bits);
    EXPECT_EQ(defective.output.values, run("", forced).output.values);
    EXPECT_NE(defective.output.values, run("", bits).output.values);
}

// Per row i of N_ROWS: ||y(a_i) - y(b_i)||^2 for the rows a = ROWS [A, A + N_ROWS) and b = [B, ...)
// of VALUES (rows x M), averaged over i.
double mean_squared_distance(const std::vector<std::uint16_t>& values, std::size_t m, std::size_t a,
                             std::size_t b, std::size_t n_rows) {
    double sum = 0;
    for (std::size_t i = 0; i < n_rows; ++i) {
        for (std::size_t j = 0; j < m; ++j) {
            const double d = double(values[(a + i) * m + j]) - double(values[(b + i) * m + j]);
            sum += d * d;
        }
    }
    return sum / double(n_rows);
}

TEST(Defects, StuckMirrorsAreFoundAndTheFeaturesMovedOffThem) {
    // gen2's full layout, 500 features (about 2,000 mirrors each; the model forces a feature
    // whose first mirror is stuck: docs/device-physics.md "Defects"), 2 % stuck: about 10.
    const std::size_t n_features = 500;
    const std::size_t rows = 8;
    const std::string stuck_set = "defects.stuck_mirror_fraction=0.02";
    physics::DefectParams defects;
    defects.stuck_mirror_fraction = 0.02;
    const auto profile = physics::DeviceProfile::load("gen2");
    const auto layout = opusim::contract::make_input_layout(
        physics::dmd_geometry(profile.dmd), n_features, opusim::contract::InputRoiStrategy::Full);
    std::vector<std::size_t> stuck_features;  // the truth for the fit's own layout
    for (std::size_t f = 0; f < n_features; ++f) {
        if (physics::mirror_state(defects, kSeed, layout.mirror_of(f, 0)) !=
            physics::MirrorState::Working)
            stuck_features.push_back(f);
    }
    ASSERT_GE(stuck_features.size(), 3u);  // 10 +- 3 expected

    // Rows x, then x with every stuck feature flipped, then x again (the noise floor).
    const auto x = random_bits(rows * n_features, 9);
    std::vector<std::uint8_t> input = x;
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t f = 0; f < n_features; ++f) {
            const bool flip = std::binary_search(stuck_features.begin(), stuck_features.end(), f);
            input.push_back(flip ? 1 - x[i * n_features + f] : x[i * n_features + f]);
        }
    }
    input.insert(input.end(), x.begin(), x.end());
    auto run = [&](const std::string& set, bool detect) {
        OpuSettings settings = settings_for(set);
        settings.input_roi_strategy = opusim::InputRoiStrategy::Full;
        settings.auto_exposure = false;  // the same exposure on every device
        settings.detect_stuck_mirrors = detect;
        Opu opu(settings);
        opu.fit1d(n_features);
        return opu.transform(ArrayView<std::uint8_t>(input, {3 * rows, n_features}));
    };
    const auto clean = run("", true);
    const auto unhandled = run(stuck_set, false);
    const auto handled = run(stuck_set, true);

    // Found exactly: the slots of the device's (grown) layout whose first mirror the profile's
    // draw makes stuck. A working slot's change energy sits about 9 spreads above the threshold
    // (half its mean; relative spread ~sqrt(8 / 1000) over 1,000 outputs), a stuck one's is the
    // camera noise's alone, so no slot is misjudged (not statistical in practice).
    const auto& c = handled.context;
    EXPECT_TRUE(clean.context.stuck_features.empty());
    EXPECT_TRUE(c.stuck_mirror_warning.empty()) << c.stuck_mirror_warning;
    EXPECT_GT(c.stuck_mirror_scan_frames, n_features);
    EXPECT_GT(c.input_roi.n_features, n_features);  // grown to keep 500 working slots
    const auto grown = opusim::testing_support::layout_of_context(c);
    std::vector<std::uint64_t> truth;
    for (std::uint64_t s = 0; s < grown.n_features; ++s) {
        if (physics::mirror_state(defects, kSeed, grown.mirror_of(s, 0)) !=
            physics::MirrorState::Working)
            truth.push_back(s);
    }
    EXPECT_EQ(c.stuck_features, truth);
    EXPECT_GE(grown.n_features - truth.size(), n_features);

    // The outputs' response to the stuck features: ||y(x) - y(x with them flipped)||^2 above the
    // noise floor ||y(x) - y(x again)||^2. The defect-free device responds (about 10 columns'
    // worth of field), the unhandled one not at all (those features are forced), the handled
    // one as the defect-free one up to the speckle: the two are sums over 1,000 outputs of the
    // same law on independent columns, relative spread ~sqrt(8 / 1000) = 0.09 each, so their
    // ratio is within 1 +- 0.4 (3 spreads of the difference); the unhandled response is noise
    // only: under 0.1 of the defect-free one (the noise floor's own spread is ~sqrt(2 / 8000)).
    const std::size_t m = c.n_components;
    auto response = [&](const opusim::Result<std::uint16_t>& r) {
        return mean_squared_distance(r.output.values, m, 0, rows, rows) -
               mean_squared_distance(r.output.values, m, 0, 2 * rows, rows);
    };
    const double clean_response = response(clean);
    const double handled_response = response(handled);
    const double unhandled_response = response(unhandled);
    EXPECT_GT(clean_response, 0);
    EXPECT_NEAR(handled_response / clean_response, 1.0, 0.4);
    EXPECT_LT(std::abs(unhandled_response) / clean_response, 0.1);
    EXPECT_LT(std::abs(handled_response - clean_response),
              std::abs(unhandled_response - clean_response));
}

TEST(Defects, StuckMirrorsInFramesTooDarkToTestAreAWarning) {
    // 20 features of one mirror each at gen2's default exposure: one toggled mirror changes the
    // frame by far less than a DN, under the camera noise's spread, so the check says it could
    // not test rather than calling every slot stuck (or none), and the layout stays as it was.
    OpuSettings settings = settings_for("defects.stuck_mirror_fraction=0.05");
    settings.n_components = 200;
    settings.input_roi_strategy = opusim::InputRoiStrategy::Small;
    settings.auto_exposure = false;
    settings.detect_stuck_mirrors = true;
    Opu opu(settings);
    opu.fit1d(20);
    const auto bits = random_bits(2 * 20, 6);
    const auto c = opu.transform(ArrayView<std::uint8_t>(bits, {2, 20})).context;
    EXPECT_NE(c.stuck_mirror_warning.find("too little light"), std::string::npos)
        << c.stuck_mirror_warning;
    EXPECT_TRUE(c.stuck_features.empty());
    EXPECT_EQ(c.input_roi.n_features, 20u);
    EXPECT_EQ(c.stuck_mirror_scan_frames, 24u);
}

TEST(Defects, BuiltInProfilesHaveNone) {
    for (const char* name : {"gen2", "gen3"}) {
        EXPECT_FALSE(physics::DeviceProfile::load(name).defects.any()) << name;
    }
}

}  // namespace
