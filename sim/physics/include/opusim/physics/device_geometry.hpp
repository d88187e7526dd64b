// The profile's geometry as the contract states it (contract/geometry.hpp): what the device
// reports in its capability registers, and what the simulator formats and checks with.
#pragma once

#include "opusim/contract/geometry.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::physics {

contract::DmdGeometry dmd_geometry(const DmdParams& dmd);
// Throws ProfileError naming camera.roi_strategy when it is not mid_width or mid_square.
contract::SensorGeometry sensor_geometry(const CameraParams& camera);

}  // namespace opusim::physics
