// Issue 12 item 8: a result's energy is the device's stated power (CAP_POWER_*, from the
// profile's power section) times the call's device time, and per frame.
#include <gtest/gtest.h>

#include <vector>

#include "opusim/opusim.hpp"
#include "opusim/physics/profile.hpp"

namespace {

TEST(Energy, ContextEnergyIsThePowerOverTheDeviceTime) {
    const auto profile = opusim::physics::DeviceProfile::load("gen2");
    opusim::OpuSettings settings;
    settings.device = "sim:gen2?seed=2";
    settings.n_components = 50;
    opusim::Opu opu(settings);
    opu.fit1d(100);
    std::vector<std::uint8_t> x(20 * 100);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i * 5) % 7 < 3;
    const auto result = opu.transform(opusim::ArrayView<std::uint8_t>(x, {20, 100}));
    const auto& c = result.context;
    // The device reports its parts' power in whole milliwatts: the profile's 30 W exactly.
    EXPECT_DOUBLE_EQ(opu.device_info().power_w(), profile.power->total_w());
    EXPECT_DOUBLE_EQ(c.power_w, 30.0);
    EXPECT_GT(c.device_time_s(), 0.0);
    EXPECT_DOUBLE_EQ(c.energy_j, 30.0 * c.device_time_s());
    EXPECT_DOUBLE_EQ(c.energy_per_frame_j, c.energy_j / double(c.frames));
    // At gen2's 2 kHz a frame takes at least 500 us: at least 15 mJ.
    EXPECT_GE(c.energy_per_frame_j, 30.0 * 500e-6 * 0.999);
}

}  // namespace
