// Injected faults alone, as decorators of a job's frame steps: each breaks one step at the fault
// frame, exactly as docs/device-abi.md says it surfaces, and passes everything else through.
#include <gtest/gtest.h>

#include <vector>

#include "../../sim/model/src/controller/injected_faults.hpp"
#include "../../sim/model/src/controller/timing_only_frame_steps.hpp"

namespace opusim::model {
namespace {

// Frame steps that succeed and remember which frames reached them.
class RecordingSteps final : public FrameSteps {
  public:
    std::uint64_t chunk_frames() const override { return 7; }
    JobError fetch(std::uint64_t frame, std::uint64_t, std::uint64_t) override {
        fetched.push_back(frame);
        return {};
    }
    void compute(std::uint64_t first_frame, std::uint64_t count) override {
        computed.push_back({first_frame, count});
    }
    JobError write_back(std::uint64_t frame, std::uint64_t, std::uint64_t) override {
        written.push_back(frame);
        return {};
    }
    std::vector<std::uint64_t> fetched;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> computed;
    std::vector<std::uint64_t> written;
};

contract::JobDescriptor descriptor() {
    contract::JobDescriptor d;
    d.input_address = 0x1000;
    d.input_stride = 0x100;
    d.output_address = 0x9000;
    d.output_stride = 0x40;
    d.frame_count = 10;
    return d;
}

TEST(InjectedFaults, NoFaultWrapsNothing) {
    RecordingSteps steps;
    EXPECT_EQ(with_injected_fault(steps, InjectedFault::None, 1, descriptor()), nullptr);
}

TEST(InjectedFaults, InputDmaErrorFailsTheFetchOfTheFaultFrameOnly) {
    RecordingSteps steps;
    const auto faulty = with_injected_fault(steps, InjectedFault::DmaReadError, 1, descriptor());
    ASSERT_NE(faulty, nullptr);
    EXPECT_FALSE(faulty->fetch(0, 0, 0).failed());
    const JobError error = faulty->fetch(1, 1, 0);
    EXPECT_EQ(error.error, contract::DeviceError::DmaRead);
    EXPECT_EQ(error.detail, 1u);
    EXPECT_EQ(error.address, 0x1000u + 0x100u);                 // the frame's input address
    EXPECT_EQ(steps.fetched, (std::vector<std::uint64_t>{0}));  // the read never happened
    EXPECT_FALSE(faulty->write_back(1, 1, 0).failed());
    EXPECT_FALSE(faulty->loses(1));
    EXPECT_FALSE(faulty->stall_frame());
}

TEST(InjectedFaults, OutputDmaErrorFailsTheWriteBackOfTheFaultFrameOnly) {
    RecordingSteps steps;
    const auto faulty = with_injected_fault(steps, InjectedFault::DmaWriteError, 1, descriptor());
    EXPECT_FALSE(faulty->write_back(0, 0, 0).failed());
    const JobError error = faulty->write_back(1, 1, 0);
    EXPECT_EQ(error.error, contract::DeviceError::DmaWrite);
    EXPECT_EQ(error.detail, 1u);
    EXPECT_EQ(error.address, 0x9000u + 0x40u);
    EXPECT_EQ(steps.written, (std::vector<std::uint64_t>{0}));
    EXPECT_FALSE(faulty->fetch(1, 1, 0).failed());
}

TEST(InjectedFaults, DroppedFrameLosesTheFaultFrameAndBreaksNoStep) {
    RecordingSteps steps;
    const auto faulty = with_injected_fault(steps, InjectedFault::DropFrame, 0, descriptor());
    EXPECT_TRUE(faulty->loses(0));
    EXPECT_FALSE(faulty->loses(1));
    EXPECT_FALSE(faulty->fetch(0, 0, 0).failed());
    EXPECT_FALSE(faulty->write_back(1, 1, 0).failed());
}

TEST(InjectedFaults, HangStallsAtTheFaultFrame) {
    RecordingSteps steps;
    const auto faulty = with_injected_fault(steps, InjectedFault::HangNoInterrupt, 1, descriptor());
    EXPECT_EQ(faulty->stall_frame(), std::optional<std::uint64_t>(1));
    EXPECT_FALSE(faulty->loses(1));
}

TEST(InjectedFaults, EveryFaultForwardsTheStepsItDoesNotBreak) {
    for (const auto fault : {InjectedFault::DmaReadError, InjectedFault::DmaWriteError,
                             InjectedFault::DropFrame, InjectedFault::HangNoInterrupt}) {
        RecordingSteps steps;
        const auto faulty = with_injected_fault(steps, fault, 1, descriptor());
        EXPECT_EQ(faulty->chunk_frames(), 7u);
        faulty->compute(0, 5);
        EXPECT_EQ(steps.computed.size(), 1u);
        EXPECT_FALSE(faulty->fetch(4, 4, 0).failed());
        EXPECT_FALSE(faulty->write_back(4, 4, 0).failed());
        EXPECT_EQ(steps.fetched, (std::vector<std::uint64_t>{4}));
        EXPECT_EQ(steps.written, (std::vector<std::uint64_t>{4}));
    }
}

TEST(TimingOnlyFrameSteps, MoveNoDataAndNeverFail) {
    TimingOnlyFrameSteps steps;
    EXPECT_EQ(steps.chunk_frames(), TimingOnlyFrameSteps::kChunkFrames);
    EXPECT_FALSE(steps.fetch(0, 0, 0).failed());
    EXPECT_FALSE(steps.write_back(0, 0, 0).failed());
    EXPECT_FALSE(steps.loses(0));
    EXPECT_FALSE(steps.stall_frame());
}

}  // namespace
}  // namespace opusim::model
