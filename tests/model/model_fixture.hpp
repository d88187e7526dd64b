// Shared helpers of the model tests: the process's one device (SystemC elaborates once), powered
// with a profile, and a fresh TestHost (device reset, ring set up) for every test.
#pragma once

#include <memory>
#include <string>

#include "opusim/model/analytic_timing.hpp"
#include "opusim/model/simulated_device.hpp"
#include "opusim/model/test_host.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model::testing {

inline physics::DeviceProfile profile(const std::string& name) {
    return physics::DeviceProfile::load(std::string(OPUSIM_PROFILE_DIR) + "/" + name + ".json");
}

// The device powered with PROFILE (power-on resets it) and a fresh host.
inline TestHost& host_for(const physics::DeviceProfile& device_profile) {
    static std::unique_ptr<TestHost> host;
    auto& device = SimulatedDevice::instance();
    device.power_on(device_profile);
    host = std::make_unique<TestHost>(device);
    return *host;
}

inline TestHost& host_for(const std::string& profile_name) {
    return host_for(profile(profile_name));
}

inline TimingPoint timing_point(const JobSettings& settings) {
    TimingPoint point;
    point.n_features = settings.n_features;
    point.replication = settings.replication;
    point.first_mirror = settings.first_mirror;
    point.roi_height = settings.roi_height;
    point.n_components = settings.n_components;
    point.exposure_us = settings.exposure_ns * 1e-3;
    point.frametime_us = settings.frametime_ns * 1e-3;
    return point;
}

// Runs a timing-only job of FRAMES frames with SETTINGS; returns the device's statistics.
inline DeviceStatistics run_timing_job(TestHost& host, JobSettings settings, std::uint64_t frames) {
    settings.timing_only = true;
    host.configure(settings);
    const JobOutcome outcome = host.run(nullptr, frames);
    if (!outcome.interrupted || outcome.error != contract::DeviceError::None) {
        throw std::runtime_error(std::string("timing job failed: ") +
                                 contract::to_string(outcome.error));
    }
    return host.device().statistics();
}

}  // namespace opusim::model::testing
