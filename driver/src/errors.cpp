#include "opusim/driver/errors.hpp"

#include <sstream>

namespace opusim::driver {

namespace {

std::string describe(contract::DeviceError code, std::uint32_t detail, std::uint64_t address,
                     const std::string& context) {
    std::ostringstream out;
    out << context << ": device error " << contract::to_string(code) << " ("
        << static_cast<std::uint32_t>(code) << ")";
    switch (code) {
        case contract::DeviceError::DmaRead:
        case contract::DeviceError::DmaWrite:
            out << " at device address 0x" << std::hex << address << std::dec
                << " (unmapped, freed, or not synced to the device)";
            break;
        case contract::DeviceError::BadConfig:
        case contract::DeviceError::BadRing:
            out << ", register offset 0x" << std::hex << detail << std::dec;
            break;
        case contract::DeviceError::BadDescriptor:
            out << ", descriptor word offset " << detail;
            break;
        case contract::DeviceError::FrameDropped:
            out << ", frame " << detail << " was dropped";
            break;
        case contract::DeviceError::InputFormat:
            out << ", input frame " << detail
                << " lights part of a feature's mirrors or a mirror outside the layout";
            break;
        case contract::DeviceError::Stalled:
            out << ", the sequencer made no progress (at frame " << detail << ")";
            break;
        case contract::DeviceError::Aborted:
            out << " after " << detail << " frames";
            break;
        case contract::DeviceError::Internal:
            out << ", the device failed inside (out of memory or a model error); it was reset";
            break;
        case contract::DeviceError::None:
            break;
    }
    return out.str();
}

}  // namespace

void throw_device_error(contract::DeviceError code, std::uint32_t detail, std::uint64_t address,
                        const std::string& context) {
    const std::string message = describe(code, detail, address, context);
    switch (code) {
        case contract::DeviceError::DmaRead:
        case contract::DeviceError::DmaWrite:
            throw DmaError(code, detail, address, message);
        case contract::DeviceError::InputFormat:
            throw InputFormatError(code, detail, address, message);
        case contract::DeviceError::BadConfig:
        case contract::DeviceError::BadDescriptor:
        case contract::DeviceError::BadRing:
            throw ConfigurationError(code, detail, address, message);
        case contract::DeviceError::FrameDropped:
            throw FrameDroppedError(code, detail, address, message);
        case contract::DeviceError::Stalled:
            throw TimeoutError(code, detail, address, message);
        case contract::DeviceError::Aborted:
            throw AbortedError(code, detail, address, message);
        case contract::DeviceError::Internal:
        case contract::DeviceError::None:
            break;
    }
    throw DeviceError(code, detail, address, message);
}

}  // namespace opusim::driver
