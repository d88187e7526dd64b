// Shared helpers of the model tests: the process's one device, powered with a profile.
#pragma once

#include <string>

#include "opusim/model/simulated_device.hpp"
#include "opusim/model/test_host.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model::testing {

inline physics::DeviceProfile profile(const std::string& name) {
    return physics::DeviceProfile::load(std::string(OPUSIM_PROFILE_DIR) + "/" + name + ".json");
}

// The device powered with PROFILE_NAME and a fresh host (reset, ring set up).
inline TestHost& host_for(const std::string& profile_name) {
    static std::string powered;
    static std::unique_ptr<TestHost> host;
    auto& device = SimulatedDevice::instance();
    if (powered != profile_name || !host) {
        device.power_on(profile(profile_name));
        powered = profile_name;
    }
    host = std::make_unique<TestHost>(device);
    return *host;
}

}  // namespace opusim::model::testing
