// The driver's errors. Everything the driver throws derives from DriverError, so an application
// can catch one type; device-reported failures derive from DeviceError and carry the ABI error
// code, its detail word and, for DMA faults, the faulting address (docs/device-abi.md).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "opusim/contract/errors.hpp"

namespace opusim::driver {

class DriverError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A device URI or option that cannot be used (names the part and what was expected).
class UriError : public DriverError {
  public:
    using DriverError::DriverError;
};

// Another process (or another handle in this process) holds the device.
class DeviceBusyError : public DriverError {
  public:
    DeviceBusyError(const std::string& message, long holder_pid)
        : DriverError(message), holder_pid_(holder_pid) {}
    long holder_pid() const { return holder_pid_; }  // -1 when unknown

  private:
    long holder_pid_;
};

// A call the driver rejects before touching the device (bad buffer range, closed device...).
class UsageError : public DriverError {
  public:
    using DriverError::DriverError;
};

// A failure the device reported (ERROR_CODE / a descriptor's write-back status), or the absence
// of the completion it owed (TimeoutError).
class DeviceError : public DriverError {
  public:
    DeviceError(contract::DeviceError code, std::uint32_t detail, std::uint64_t address,
                const std::string& message)
        : DriverError(message), code_(code), detail_(detail), address_(address) {}
    contract::DeviceError code() const { return code_; }
    std::uint32_t detail() const { return detail_; }
    std::uint64_t address() const { return address_; }

  private:
    contract::DeviceError code_;
    std::uint32_t detail_;
    std::uint64_t address_;
};

// No completion interrupt within the timeout, or the device stalled (ABORT found no progress).
class TimeoutError : public DeviceError {
  public:
    using DeviceError::DeviceError;
};
// DMA read or write of an address the host never mapped (or a buffer not synced to the device).
class DmaError : public DeviceError {
  public:
    using DeviceError::DeviceError;
};
// An input frame lit only part of a feature's mirrors, or mirrors outside the input layout.
class InputFormatError : public DeviceError {
  public:
    using DeviceError::DeviceError;
};
// A configuration register or a descriptor/ring the device rejected (a driver or caller bug).
class ConfigurationError : public DeviceError {
  public:
    using DeviceError::DeviceError;
};
// A frame was lost between camera and output DMA: the job's output is incomplete.
class FrameDroppedError : public DeviceError {
  public:
    using DeviceError::DeviceError;
};
// The host aborted the job.
class AbortedError : public DeviceError {
  public:
    using DeviceError::DeviceError;
};

// Throws the DeviceError subclass for CODE with a message naming the code, CONTEXT (e.g. "job 7")
// and the detail/address (a plain DeviceError for a code the driver does not know).
[[noreturn]] void throw_device_error(contract::DeviceError code, std::uint32_t detail,
                                     std::uint64_t address, const std::string& context);

}  // namespace opusim::driver
