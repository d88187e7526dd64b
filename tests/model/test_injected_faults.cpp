// Injected faults alone, as decorators of a job's frame steps: each breaks one step at the fault
// frame, exactly as docs/device-abi.md says it surfaces, and passes everything else through.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <set>
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

// -- faults at random jobs (RandomFaults) --

contract::FaultRates rates(double dma_read, double dma_write, double dropped, double hang) {
    contract::FaultRates made;
    made.per_job = {dma_read, dma_write, dropped, hang};
    return made;
}

TEST(RandomFaults, NoRatesNoFaults) {
    const RandomFaults none;
    EXPECT_FALSE(none.active());
    for (std::uint64_t job = 0; job < 100; ++job) {
        EXPECT_EQ(none.draw(job, 10).fault, InjectedFault::None);
    }
}

TEST(RandomFaults, RateOneHitsEveryJobAtAFrameOfIt) {
    const std::array<InjectedFault, 4> order = {
        InjectedFault::DmaReadError, InjectedFault::DmaWriteError, InjectedFault::DropFrame,
        InjectedFault::HangNoInterrupt};
    for (std::size_t type = 0; type < order.size(); ++type) {
        contract::FaultRates one;
        one.per_job[type] = 1.0;
        const RandomFaults faults(one, 3);
        std::set<std::uint64_t> frames;
        for (std::uint64_t job = 0; job < 200; ++job) {
            const DrawnFault drawn = faults.draw(job, 5);
            EXPECT_EQ(drawn.fault, order[type]);
            EXPECT_LT(drawn.frame, 5u);
            frames.insert(drawn.frame);
        }
        EXPECT_EQ(frames.size(), 5u);  // 200 draws over 5 frames miss one with p = 5 * 0.8^200
    }
}

TEST(RandomFaults, ReproducibleFromSeedAndJobNumber) {
    const RandomFaults faults(rates(0.1, 0.1, 0.1, 0.1), 7);
    const RandomFaults same(rates(0.1, 0.1, 0.1, 0.1), 7);
    const RandomFaults other_seed(rates(0.1, 0.1, 0.1, 0.1), 8);
    int differences = 0;
    for (std::uint64_t job = 0; job < 1000; ++job) {
        const DrawnFault a = faults.draw(job, 256);
        const DrawnFault b = same.draw(job, 256);
        EXPECT_EQ(a.fault, b.fault);
        EXPECT_EQ(a.frame, b.frame);
        const DrawnFault c = other_seed.draw(job, 256);
        differences += (a.fault != c.fault) ? 1 : 0;
    }
    // Two independent streams at 40 % faults each agree on a job with probability
    // 0.6^2 + 4 * 0.1^2 = 0.4; 1000 jobs differ in about 600 (sd 15.5).
    EXPECT_GT(differences, 500);
}

TEST(RandomFaults, EachTypeAtItsRate) {
    // 20000 jobs; each count is binomial(20000, p): within 5 standard deviations
    // (sqrt(20000 p (1 - p))), which a correct draw misses with probability < 3e-6 per type.
    const std::array<double, 4> p = {0.01, 0.05, 0.002, 0.1};
    const RandomFaults faults(rates(p[0], p[1], p[2], p[3]), 12345);
    std::array<double, 5> counts{};
    constexpr std::uint64_t kJobs = 20000;
    for (std::uint64_t job = 0; job < kJobs; ++job) {
        counts[static_cast<std::size_t>(faults.draw(job, 256).fault)] += 1;
    }
    for (std::size_t type = 0; type < p.size(); ++type) {
        const double expected = kJobs * p[type];
        const double sd = std::sqrt(kJobs * p[type] * (1 - p[type]));
        EXPECT_NEAR(counts[type + 1], expected, 5 * sd) << contract::kFaultNames[type];
    }
}

TEST(RandomFaults, TheUriSpecParsesOrNamesWhatIsWrong) {
    const auto parsed =
        contract::parse_fault_rates("dma_read:0.01,dropped_frame:0.001,hang:0.0005");
    EXPECT_EQ(parsed.per_job[0], 0.01);
    EXPECT_EQ(parsed.per_job[1], 0.0);
    EXPECT_EQ(parsed.per_job[2], 0.001);
    EXPECT_EQ(parsed.per_job[3], 0.0005);
    EXPECT_EQ(contract::parse_fault_rates(parsed.to_string()).per_job, parsed.per_job);
    const auto refuses = [](const std::string& text, const std::string& fragment) {
        try {
            contract::parse_fault_rates(text);
            ADD_FAILURE() << "accepted '" << text << "'";
        } catch (const std::invalid_argument& error) {
            EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
        }
    };
    refuses("", "got nothing");
    refuses("dma_read", "expected NAME:PROBABILITY");
    refuses("dma:0.1", "unknown fault 'dma' (known: dma_read, dma_write, dropped_frame, hang)");
    refuses("hang:1.5", "expected a probability per job in [0, 1]");
    refuses("hang:-0.1", "expected a probability per job in [0, 1]");
    refuses("hang:nan", "expected a probability per job in [0, 1]");
    refuses("hang:0.1x", "expected a probability per job in [0, 1]");
    refuses("hang:0.1,hang:0.2", "fault hang is given twice");
    refuses("hang:0.6,dma_read:0.6", "their sum must be <= 1");
    refuses("hang:0.1,", "expected NAME:PROBABILITY");
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
