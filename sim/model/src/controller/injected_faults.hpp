// Injected faults as decorators of a job's frame steps: each fault wraps the steps of the job it
// hits and changes the one step it breaks, at one frame, exactly as the real failure would surface
// (docs/device-abi.md, "Errors"). The steps they wrap, and the sequencer's loop, know nothing of
// faults. A fault comes from the DEBUG_FAULT_INJECT register (the next job, frame 1) or is drawn
// at random job by job (RandomFaults: the sim transport's faults= and fault_seed= URI options).
#pragma once

#include <cstdint>
#include <memory>

#include "frame_steps.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/random_faults.hpp"
#include "opusim/model/simulated_device.hpp"

namespace opusim::model {

// The steps of a job hit by FAULT at frame FAULT_FRAME (of DESCRIPTOR's frames): STEPS wrapped in
// that fault's decorator, or null for InjectedFault::None (run STEPS as they are). STEPS must
// outlive the result.
std::unique_ptr<FrameSteps> with_injected_fault(FrameSteps& steps, InjectedFault fault,
                                                std::uint64_t fault_frame,
                                                const contract::JobDescriptor& descriptor);

// A fault and the frame of its job it hits.
struct DrawnFault {
    InjectedFault fault = InjectedFault::None;
    std::uint64_t frame = 0;
};

// Faults at random jobs, reproducible: whether job J (the J-th job that ran frames since power-on,
// a count no reset clears) meets a fault, which one and at which frame is a counter-based draw
// (Philox 4x32) keyed by the fault seed with J as the counter. The same seed and the same sequence
// of jobs give the same faults, whatever the host does between them; a job the host resubmits
// after a fault is a new J and draws afresh.
class RandomFaults {
  public:
    RandomFaults() = default;
    RandomFaults(const contract::FaultRates& rates, std::uint64_t seed)
        : rates_(rates), seed_(seed) {}

    bool active() const { return rates_.any(); }
    // The fault job JOB of FRAMES (>= 1) frames meets; InjectedFault::None for most jobs.
    DrawnFault draw(std::uint64_t job, std::uint64_t frames) const;

  private:
    contract::FaultRates rates_;
    std::uint64_t seed_ = 0;
};

}  // namespace opusim::model
