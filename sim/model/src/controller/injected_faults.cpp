#include "injected_faults.hpp"

#include <Random123/philox.h>
#include <new>

#include "frame_addresses.hpp"
#include "opusim/contract/registers.hpp"

namespace opusim::model {
namespace {

// Forwards every step to the wrapped steps; each fault overrides the step it breaks.
class FaultDecorator : public FrameSteps {
  public:
    FaultDecorator(FrameSteps& inner, std::uint64_t fault_frame,
                   const contract::JobDescriptor& descriptor)
        : inner_(inner), fault_frame_(fault_frame), descriptor_(descriptor) {}

    std::uint64_t chunk_frames() const override { return inner_.chunk_frames(); }
    JobError fetch(std::uint64_t frame, std::uint64_t slot, std::uint64_t issue_ps) override {
        return inner_.fetch(frame, slot, issue_ps);
    }
    void compute(std::uint64_t first_frame, std::uint64_t count) override {
        inner_.compute(first_frame, count);
    }
    JobError write_back(std::uint64_t frame, std::uint64_t slot, std::uint64_t issue_ps) override {
        return inner_.write_back(frame, slot, issue_ps);
    }
    bool loses(std::uint64_t frame) const override { return inner_.loses(frame); }
    std::optional<std::uint64_t> stall_frame() const override { return inner_.stall_frame(); }

  protected:
    bool hits(std::uint64_t frame) const { return frame == fault_frame_; }
    std::uint64_t fault_frame() const { return fault_frame_; }
    const contract::JobDescriptor& descriptor() const { return descriptor_; }

  private:
    FrameSteps& inner_;
    std::uint64_t fault_frame_;
    contract::JobDescriptor descriptor_;
};

// The input DMA of the fault frame hits an unmapped address: the read never returns data.
class InputDmaError final : public FaultDecorator {
  public:
    using FaultDecorator::FaultDecorator;
    JobError fetch(std::uint64_t frame, std::uint64_t slot, std::uint64_t issue_ps) override {
        if (!hits(frame)) return FaultDecorator::fetch(frame, slot, issue_ps);
        return {contract::DeviceError::DmaRead, static_cast<std::uint32_t>(frame),
                input_frame_address(descriptor(), frame)};
    }
};

// The output DMA of the fault frame fails: the frame is never written.
class OutputDmaError final : public FaultDecorator {
  public:
    using FaultDecorator::FaultDecorator;
    JobError write_back(std::uint64_t frame, std::uint64_t slot, std::uint64_t issue_ps) override {
        if (!hits(frame)) return FaultDecorator::write_back(frame, slot, issue_ps);
        return {contract::DeviceError::DmaWrite, static_cast<std::uint32_t>(frame),
                output_frame_address(descriptor(), frame)};
    }
};

// The fault frame is lost between the camera and the output DMA.
class DroppedFrame final : public FaultDecorator {
  public:
    using FaultDecorator::FaultDecorator;
    bool loses(std::uint64_t frame) const override {
        return hits(frame) || FaultDecorator::loses(frame);
    }
};

// The sequencer stops making progress before the fault frame and raises no interrupt.
class Hang final : public FaultDecorator {
  public:
    using FaultDecorator::FaultDecorator;
    std::optional<std::uint64_t> stall_frame() const override { return fault_frame(); }
};

// The computation of the fault frame's chunk runs out of memory: an exception inside the
// sequencer's SystemC thread, which must become a device error (INTERNAL), never escape.
class OutOfMemory final : public FaultDecorator {
  public:
    using FaultDecorator::FaultDecorator;
    void compute(std::uint64_t first_frame, std::uint64_t count) override {
        if (first_frame <= fault_frame() && fault_frame() < first_frame + count) {
            throw std::bad_alloc();
        }
        FaultDecorator::compute(first_frame, count);
    }
};

}  // namespace

std::unique_ptr<FrameSteps> with_injected_fault(FrameSteps& steps, InjectedFault fault,
                                                std::uint64_t fault_frame,
                                                const contract::JobDescriptor& descriptor) {
    switch (fault) {
        case InjectedFault::None:
            return nullptr;
        case InjectedFault::DmaReadError:
            return std::make_unique<InputDmaError>(steps, fault_frame, descriptor);
        case InjectedFault::DmaWriteError:
            return std::make_unique<OutputDmaError>(steps, fault_frame, descriptor);
        case InjectedFault::DropFrame:
            return std::make_unique<DroppedFrame>(steps, fault_frame, descriptor);
        case InjectedFault::HangNoInterrupt:
            return std::make_unique<Hang>(steps, fault_frame, descriptor);
        case InjectedFault::OutOfMemory:
            return std::make_unique<OutOfMemory>(steps, fault_frame, descriptor);
    }
    return nullptr;
}

// A rate's index plus one is its DEBUG_FAULT_INJECT code and its InjectedFault.
static_assert(static_cast<std::uint32_t>(InjectedFault::DmaReadError) ==
              contract::fault::kDmaReadError);
static_assert(static_cast<std::uint32_t>(InjectedFault::DmaWriteError) ==
              contract::fault::kDmaWriteError);
static_assert(static_cast<std::uint32_t>(InjectedFault::DropFrame) == contract::fault::kDropFrame);
static_assert(static_cast<std::uint32_t>(InjectedFault::HangNoInterrupt) ==
              contract::fault::kHangNoInterrupt);
// Random faults cover the faults a real device has; kOutOfMemory (the simulator's own failure)
// is only injected through DEBUG_FAULT_INJECT.
static_assert(contract::kFaultNames.size() == contract::fault::kHangNoInterrupt);

DrawnFault RandomFaults::draw(std::uint64_t job, std::uint64_t frames) const {
    if (!active() || frames == 0) return {};
    using Philox = r123::Philox4x32;
    const Philox::key_type key = {
        {static_cast<std::uint32_t>(seed_), static_cast<std::uint32_t>(seed_ >> 32)}};
    // The last counter word names this use of the stream, so no other draw keyed alike collides.
    constexpr std::uint32_t kFaultStream = 0x46415531;  // "FAU1"
    const Philox::ctr_type counter = {
        {static_cast<std::uint32_t>(job), static_cast<std::uint32_t>(job >> 32), 0, kFaultStream}};
    const Philox::ctr_type bits = Philox()(counter, key);
    // A uniform in [0, 1) from 53 bits picks the fault: rate i owns an interval of length rate i.
    const std::uint64_t high = (std::uint64_t{bits[0]} << 32) | bits[1];
    const double uniform = static_cast<double>(high >> 11) * 0x1.0p-53;
    const std::uint64_t frame = ((std::uint64_t{bits[2]} << 32) | bits[3]) % frames;
    double bound = 0;
    for (std::size_t i = 0; i < rates_.per_job.size(); ++i) {
        bound += rates_.per_job[i];
        if (uniform < bound) {
            // Rate i is DEBUG_FAULT_INJECT code i + 1, in InjectedFault's order.
            return {static_cast<InjectedFault>(i + 1), frame};
        }
    }
    return {};
}

}  // namespace opusim::model
