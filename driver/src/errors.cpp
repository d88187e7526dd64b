#include "opusim/driver/errors.hpp"

#include <sstream>

namespace opusim::driver {

namespace {

std::string describe(abi::DeviceError code, std::uint32_t detail, std::uint64_t address,
                     const std::string& context) {
    std::ostringstream out;
    out << context << ": device error " << abi::to_string(code) << " ("
        << static_cast<std::uint32_t>(code) << ")";
    switch (code) {
        case abi::DeviceError::DmaRead:
        case abi::DeviceError::DmaWrite:
            out << " at device address 0x" << std::hex << address << std::dec
                << " (unmapped, freed, or not synced to the device)";
            break;
        case abi::DeviceError::BadConfig:
        case abi::DeviceError::BadRing:
            out << ", register offset 0x" << std::hex << detail << std::dec;
            break;
        case abi::DeviceError::BadDescriptor:
            out << ", descriptor word offset " << detail;
            break;
        case abi::DeviceError::FrameDropped:
            out << ", frame " << detail << " was dropped";
            break;
        case abi::DeviceError::InputFormat:
            out << ", input frame " << detail
                << " lights part of a feature's mirrors or a mirror outside the layout";
            break;
        case abi::DeviceError::Stalled:
            out << ", the sequencer made no progress (at frame " << detail << ")";
            break;
        case abi::DeviceError::Aborted:
            out << " after " << detail << " frames";
            break;
        case abi::DeviceError::None:
            break;
    }
    return out.str();
}

}  // namespace

void throw_device_error(abi::DeviceError code, std::uint32_t detail, std::uint64_t address,
                        const std::string& context) {
    const std::string message = describe(code, detail, address, context);
    switch (code) {
        case abi::DeviceError::DmaRead:
        case abi::DeviceError::DmaWrite:
            throw DmaError(code, detail, address, message);
        case abi::DeviceError::InputFormat:
            throw InputFormatError(code, detail, address, message);
        case abi::DeviceError::BadConfig:
        case abi::DeviceError::BadDescriptor:
        case abi::DeviceError::BadRing:
            throw ConfigurationError(code, detail, address, message);
        case abi::DeviceError::FrameDropped:
            throw FrameDroppedError(code, detail, address, message);
        case abi::DeviceError::Stalled:
            throw TimeoutError(code, detail, address, message);
        case abi::DeviceError::Aborted:
            throw AbortedError(code, detail, address, message);
        case abi::DeviceError::None:
            break;
    }
    throw DeviceError(code, detail, address, message);
}

}  // namespace opusim::driver
