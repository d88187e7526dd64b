// The configuration registers as latched when a job starts, checked against the device.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "opusim/contract/errors.hpp"
#include "opusim/contract/input_layout.hpp"
#include "opusim/contract/job_configuration.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/physics/profile.hpp"
#include "register_access.hpp"

namespace opusim::model {

// The job configuration as latched (the contract's one type), and what the device derives from
// it: the input layout and the register values of the times, in whole nanoseconds.
struct JobConfig : contract::JobConfiguration {
    contract::InputLayout layout;
    std::uint64_t exposure_ns = 0;
    std::uint64_t frametime_ns = 0;
    // The job's input format (its descriptor's PACKED_FEATURES flag), latched by check_descriptor.
    contract::InputFormat input_format = contract::InputFormat::DmdPattern;
    // Bytes of one input frame in that format: what the input DMA moves and the link charges.
    std::uint64_t input_frame_bytes() const {
        return contract::input_frame_bytes(input_format, layout.total_mirrors, layout.n_features);
    }

    // Bytes of one output frame: camera values, or float32 intensities in ideal mode.
    std::uint64_t output_frame_bytes(std::uint32_t bit_depth) const {
        return contract::output_frame_bytes(n_components, bit_depth, ideal);
    }

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
// Checks a descriptor against the configuration and latches its input format into CONFIG; a
// fault names the first bad field.
std::optional<ConfigFault> check_descriptor(const contract::JobDescriptor& descriptor,
                                            JobConfig& config,
                                            const physics::DeviceProfile& profile);

}  // namespace opusim::model
