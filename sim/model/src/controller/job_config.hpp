// The configuration registers as latched when a job starts, checked against the device.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "opusim/contract/errors.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/input_layout.hpp"
#include "opusim/physics/profile.hpp"
#include "register_access.hpp"

namespace opusim::model {

struct JobConfig {
    contract::InputLayout layout;
    std::uint32_t roi_x = 0, roi_y = 0, roi_width = 0, roi_height = 0;
    std::uint32_t n_components = 0;
    std::uint64_t exposure_ns = 0;
    std::uint64_t frametime_ns = 0;
    std::uint64_t medium_seed = 0;
    std::uint64_t noise_seed = 0;
    bool noise = true;
    bool timing_only = false;

    // Camera pixel indices of the outputs: the first n_components pixels of the ROI, row-major.
    std::vector<std::uint64_t> output_pixels(std::uint32_t sensor_width) const;
};

struct ConfigFault {
    contract::DeviceError error;
    std::uint32_t detail;  // register offset or descriptor byte offset
};

// Reads and checks the configuration registers; a fault names the first bad register.
std::optional<ConfigFault> latch_config(const RegisterAccess& registers,
                                        const physics::DeviceProfile& profile, JobConfig& config);
// Checks a descriptor against the configuration; a fault names the first bad field.
std::optional<ConfigFault> check_descriptor(const contract::JobDescriptor& descriptor,
                                            const JobConfig& config,
                                            const physics::DeviceProfile& profile);

}  // namespace opusim::model
