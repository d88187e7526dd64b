// How a job (or one step of it) failed: the error code and the ERROR_DETAIL / ERROR_ADDRESS words
// the host reads (docs/device-abi.md, "Errors"). The default value is "no error".
#pragma once

#include <cstdint>

#include "opusim/contract/errors.hpp"

namespace opusim::model {

struct JobError {
    contract::DeviceError error = contract::DeviceError::None;
    std::uint32_t detail = 0;
    std::uint64_t address = 0;

    bool failed() const { return error != contract::DeviceError::None; }
};

}  // namespace opusim::model
