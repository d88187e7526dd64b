// The geometry the host formats for: the DMD's mirror grid and the camera sensor. Both come from
// capability registers (CAP_DMD_*, CAP_CAMERA_*, CAP_ROI_INCREMENT, CAP_ROI_STRATEGY) on the host
// side and from the profile on the device side, so the two compute the same layouts.
#pragma once

#include <cstdint>

namespace opusim::contract {

struct DmdGeometry {
    std::uint32_t columns = 0;  // mirrors per DMD row
    std::uint32_t rows = 0;     // DMD rows
    std::uint64_t mirrors() const { return std::uint64_t{columns} * rows; }
};

enum class OutputRoiStrategy { MidWidth, MidSquare };

struct SensorGeometry {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::uint32_t roi_increment = 1;  // ROI width/height granularity in pixels
    // The device's own ROI placement (CAP_ROI_STRATEGY), used when a caller names none.
    OutputRoiStrategy roi_strategy = OutputRoiStrategy::MidWidth;
};

}  // namespace opusim::contract
