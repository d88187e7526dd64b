// What the simulated device can represent, as a check of a profile: the physics check
// (DeviceProfile::from_json) bounds each value by what it means; this bounds it by what the
// device holds. Nothing here is a per-key number: every bound is derived from the register map
// (each register the profile fills must hold its value untruncated) and from the model (its FIFO
// history window, its controller clock, the time each stage takes for the largest frame).
#pragma once

#include "opusim/physics/profile.hpp"

namespace opusim::model {

// Throws physics::ProfileError naming the profile keys the device cannot represent. The device
// runs it before it powers on, and `opusim` runs it wherever it loads a profile, so a profile
// `opusim profile show` accepts is one the device accepts.
void check_profile_fits_device(const physics::DeviceProfile& profile);

// Loads NAME_OR_PATH (DeviceProfile::load) and checks it against the device.
physics::DeviceProfile load_device_profile(const std::string& name_or_path);

}  // namespace opusim::model
