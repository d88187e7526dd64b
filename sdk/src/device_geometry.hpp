// The device configuration for one input layout and one output ROI: the geometry registers the
// SDK sets before every job, shared by transform and linear_transform.
#pragma once

#include <cstdint>

#include "opusim/driver/device.hpp"
#include "opusim/contract/input_layout.hpp"
#include "opusim/contract/output_roi.hpp"

namespace opusim::sdk_detail {

inline driver::DeviceConfig with_geometry(driver::DeviceConfig config,
                                          const contract::InputLayout& layout,
                                          const contract::OutputRoi& roi) {
    config.n_features = layout.n_features;
    config.replication = layout.replication;
    config.first_mirror = layout.first_mirror;
    config.roi_x = roi.x;
    config.roi_y = roi.y;
    config.roi_width = roi.width;
    config.roi_height = roi.height;
    config.n_components = static_cast<std::uint32_t>(roi.pixels.size());
    return config;
}

}  // namespace opusim::sdk_detail
