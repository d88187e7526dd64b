#include "opusim/physics/device_geometry.hpp"

#include <stdexcept>

#include "opusim/contract/output_roi.hpp"

namespace opusim::physics {

contract::DmdGeometry dmd_geometry(const DmdParams& dmd) {
    return contract::DmdGeometry{dmd.columns, dmd.rows};
}

contract::SensorGeometry sensor_geometry(const CameraParams& camera) {
    contract::SensorGeometry sensor;
    sensor.width = camera.width;
    sensor.height = camera.height;
    sensor.roi_increment = camera.roi_increment;
    try {
        sensor.roi_strategy =
            contract::parse_output_roi_strategy(camera.roi_strategy, "camera.roi_strategy");
    } catch (const std::invalid_argument& error) {
        throw ProfileError(error.what());
    }
    return sensor;
}

}  // namespace opusim::physics
