// Injected faults (the DEBUG_FAULT_INJECT register) as decorators of a job's frame steps: each fault
// wraps the steps of the job it hits and changes the one step it breaks, at one frame, exactly as
// the real failure would surface (docs/device-abi.md, "Errors"). The steps they wrap, and the
// sequencer's loop, know nothing of faults.
#pragma once

#include <cstdint>
#include <memory>

#include "frame_steps.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/model/simulated_device.hpp"

namespace opusim::model {

// The steps of a job hit by FAULT at frame FAULT_FRAME (of DESCRIPTOR's frames): STEPS wrapped in
// that fault's decorator, or null for InjectedFault::None (run STEPS as they are). STEPS must
// outlive the result.
std::unique_ptr<FrameSteps> with_injected_fault(FrameSteps& steps, InjectedFault fault,
                                                std::uint64_t fault_frame,
                                                const contract::JobDescriptor& descriptor);

}  // namespace opusim::model
