// The errors an SDK call can throw. Bad arguments: std::invalid_argument (the message names the
// argument and what was expected). Device-side failures: the driver's typed errors, re-exported
// here so applications need not include driver headers.
#pragma once

#include <stdexcept>

#include "opusim/driver/errors.hpp"

namespace opusim {

using driver::AbortedError;
using driver::ConfigurationError;
using driver::DeviceBusyError;
using driver::DeviceError;
using driver::DmaError;
using driver::DriverError;
using driver::FrameDroppedError;
using driver::InputFormatError;
using driver::TimeoutError;
using driver::UriError;

}  // namespace opusim
