// The job descriptor: one entry of the job ring in host memory. The host fills words 0..47; the
// device writes the completion words 48..63 back when the job ends (successfully or not).
// Little-endian, naturally aligned, 64 bytes; the layout is fixed by the static_asserts below.
#pragma once

#include <cstddef>
#include <cstdint>

#include "opusim/contract/data_format.hpp"

namespace opusim::contract {

// JobDescriptor::flags
namespace job_flags {
inline constexpr std::uint32_t kInterrupt = 1u << 0;  // set IRQ_STATUS.JOB_DONE when this job ends
// The input frames are packed features, not DMD patterns (data_format.hpp; ABI 1.1, when
// CAP_INPUT_FORMATS has the packed-features bit).
inline constexpr std::uint32_t kPackedFeatures = 1u << 1;
inline constexpr std::uint32_t kReservedMask = ~(kInterrupt | kPackedFeatures);  // must be zero
}  // namespace job_flags

constexpr InputFormat input_format_of(std::uint32_t flags) {
    return (flags & job_flags::kPackedFeatures) != 0 ? InputFormat::PackedFeatures
                                                     : InputFormat::DmdPattern;
}

// JobDescriptor::status (device write-back)
namespace job_status {
inline constexpr std::uint32_t kPending = 0;    // written by the host; the device never writes it
inline constexpr std::uint32_t kCompleted = 1;  // every frame was written to the output buffer
inline constexpr std::uint32_t kFailed = 2;     // see error_code
}  // namespace job_status

struct JobDescriptor {
    // -- written by the host --
    std::uint64_t input_address = 0;   // device address of frame 0's input (flags pick the format)
    std::uint64_t output_address = 0;  // device address of frame 0's output pixels
    std::uint32_t input_stride = 0;    // bytes between input frames, >= the format's frame bytes
    std::uint32_t output_stride = 0;   // bytes between output frames, >= N_COMPONENTS * bytes/pixel
    std::uint32_t frame_count = 0;     // frames in this job, >= 1
    std::uint32_t flags = 0;           // job_flags
    std::uint64_t job_id = 0;          // opaque to the device; echoed in LAST_JOB_ID
    // Sequence number of frame 0 for the camera noise: frame k's noise is keyed by
    // (noise seed, first_sequence + k, pixel), so splitting a batch into jobs changes nothing.
    std::uint64_t first_sequence = 0;
    // -- written back by the device --
    std::uint32_t status = job_status::kPending;  // job_status
    std::uint32_t error_code = 0;                 // DeviceError when status == kFailed
    std::uint32_t frames_done = 0;                // output frames written
    std::uint32_t completion_time_us = 0;         // device time of completion, microseconds (wraps)
};

static_assert(sizeof(JobDescriptor) == 64, "the job descriptor is 64 bytes");
static_assert(offsetof(JobDescriptor, input_address) == 0);
static_assert(offsetof(JobDescriptor, output_address) == 8);
static_assert(offsetof(JobDescriptor, input_stride) == 16);
static_assert(offsetof(JobDescriptor, output_stride) == 20);
static_assert(offsetof(JobDescriptor, frame_count) == 24);
static_assert(offsetof(JobDescriptor, flags) == 28);
static_assert(offsetof(JobDescriptor, job_id) == 32);
static_assert(offsetof(JobDescriptor, first_sequence) == 40);
static_assert(offsetof(JobDescriptor, status) == 48);
static_assert(offsetof(JobDescriptor, error_code) == 52);
static_assert(offsetof(JobDescriptor, frames_done) == 56);
static_assert(offsetof(JobDescriptor, completion_time_us) == 60);

// Offset and size of the part the device writes back (one 16-byte DMA write).
inline constexpr std::size_t kDescriptorWritebackOffset = 48;
inline constexpr std::size_t kDescriptorWritebackBytes = 16;

}  // namespace opusim::contract
