// Output ROI: which camera pixels carry the n_components outputs.
//
//   mid_width : full-width rows, height = ceil(M / width) rounded up to roi_increment, centred
//               vertically (y = (height_sensor - h) / 2, rounded down); x = 0.
//   mid_square: a square of side ceil(sqrt(M)) rounded up to roi_increment, centred on the sensor
//               (x = (width - side) / 2, y = (height - side) / 2, rounded down).
// The outputs are the first M pixels of the ROI in row-major order within it; output i is camera
// pixel (y + i / w) * sensor_width + (x + i % w).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "opusim/contract/geometry.hpp"

namespace opusim::contract {

std::string to_string(OutputRoiStrategy strategy);
// Throws std::invalid_argument naming ARGUMENT for anything but mid_width, mid_square.
OutputRoiStrategy parse_output_roi_strategy(const std::string& text, const std::string& argument);

struct OutputRoi {
    std::uint32_t x = 0;
    std::uint32_t y = 0;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::vector<std::uint64_t> pixels;  // camera pixel index of each output, in output order
};

// Throws std::invalid_argument naming n_components when it is 0 or does not fit the sensor with
// that strategy.
OutputRoi make_output_roi(const SensorGeometry& sensor, std::uint64_t n_components,
                          OutputRoiStrategy strategy);
// With the sensor's own strategy (sensor.roi_strategy).
OutputRoi make_output_roi(const SensorGeometry& sensor, std::uint64_t n_components);

// Largest n_components the strategy can serve on this camera.
std::uint64_t max_output_components(const SensorGeometry& sensor, OutputRoiStrategy strategy);
std::uint64_t max_output_components(const SensorGeometry& sensor);

}  // namespace opusim::contract
