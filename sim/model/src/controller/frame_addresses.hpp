// Where frame K of a job lives in host memory: the descriptor's base address plus K strides.
#pragma once

#include <cstdint>

#include "opusim/contract/job_descriptor.hpp"

namespace opusim::model {

inline std::uint64_t input_frame_address(const contract::JobDescriptor& descriptor,
                                         std::uint64_t frame) {
    return descriptor.input_address + frame * descriptor.input_stride;
}

inline std::uint64_t output_frame_address(const contract::JobDescriptor& descriptor,
                                          std::uint64_t frame) {
    return descriptor.output_address + frame * descriptor.output_stride;
}

}  // namespace opusim::model
