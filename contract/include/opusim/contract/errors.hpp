// Device error codes, as reported in the ERROR_CODE register and in a job descriptor's
// write-back status. Meanings and the driver's expected reaction: docs/device-abi.md.
#pragma once

#include <cstdint>

namespace opusim::contract {

enum class DeviceError : std::uint32_t {
    None = 0,
    DmaRead = 1,    // a DMA read (descriptor or input frame) hit an address the host never mapped
    DmaWrite = 2,   // a DMA write (output frame or descriptor write-back) failed
    BadConfig = 3,  // a configuration register is out of range; ERROR_DETAIL = its offset
    BadDescriptor =
        4,        // zero frames, stride too small, reserved flag bits set; DETAIL = word offset
    BadRing = 5,  // ring base/size/head/tail invalid; ERROR_DETAIL = the register's offset
    FrameDropped = 6,  // a frame was lost between camera and output DMA; DETAIL = frame index
    InputFormat = 7,   // an input frame lights only part of a feature's mirrors; DETAIL = frame
    Stalled = 8,       // ABORT found the sequencer making no progress (a hang); DETAIL = frame
    Aborted = 9,       // the host aborted a job that was progressing; DETAIL = frames completed
    Internal = 10,     // the device failed inside (e.g. out of memory); it needs a RESET
};

// Stable upper-case name, e.g. "DMA_READ"; "UNKNOWN" for a value outside the enum.
constexpr const char* to_string(DeviceError error) {
    switch (error) {
        case DeviceError::None:
            return "NONE";
        case DeviceError::DmaRead:
            return "DMA_READ";
        case DeviceError::DmaWrite:
            return "DMA_WRITE";
        case DeviceError::BadConfig:
            return "BAD_CONFIG";
        case DeviceError::BadDescriptor:
            return "BAD_DESCRIPTOR";
        case DeviceError::BadRing:
            return "BAD_RING";
        case DeviceError::FrameDropped:
            return "FRAME_DROPPED";
        case DeviceError::InputFormat:
            return "INPUT_FORMAT";
        case DeviceError::Stalled:
            return "STALLED";
        case DeviceError::Aborted:
            return "ABORTED";
        case DeviceError::Internal:
            return "INTERNAL";
    }
    return "UNKNOWN";
}

}  // namespace opusim::contract
