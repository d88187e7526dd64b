// Faults surface as error codes in registers and descriptor write-backs; configuration errors
// name the bad register; reset clears everything.
#include <gtest/gtest.h>

#include <cstring>

#include "model_fixture.hpp"
#include "opusim/physics/device_geometry.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/registers.hpp"
#include "opusim/contract/dmd_format.hpp"

namespace opusim::model {
namespace {

using testing::host_for;
namespace reg = contract::reg;

JobSettings small_job(const physics::DeviceProfile& profile, bool timing_only) {
    auto settings = JobSettings::for_sizes(profile, 32, 64);
    settings.timing_only = timing_only;
    return settings;
}

std::vector<std::uint8_t> packed_frames(const physics::DeviceProfile& profile,
                                        const JobSettings& settings, std::size_t frames) {
    const auto layout = contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), settings.n_features,
                                                   contract::InputRoiStrategy::Auto);
    std::vector<std::uint8_t> features(frames * settings.n_features);
    for (std::size_t i = 0; i < features.size(); ++i) features[i] = (i * 7 % 3) == 0;
    return contract::format_frames(layout, features.data(), frames);
}

class Faults : public ::testing::TestWithParam<bool> {};  // parameter: timing-only

TEST_P(Faults, InjectedDmaReadErrorFailsTheJobAtThatFrame) {
    TestHost& host = host_for("gen2");
    const auto settings = small_job(host.device().profile(), GetParam());
    host.configure(settings);
    host.device().inject_fault(InjectedFault::DmaReadError);
    const auto input = packed_frames(host.device().profile(), settings, 10);
    const JobOutcome outcome = host.run(input.data(), 10);
    ASSERT_TRUE(outcome.interrupted);
    EXPECT_EQ(outcome.error, contract::DeviceError::DmaRead);
    EXPECT_EQ(outcome.error_detail, 1u);  // the injected fault hits frame 1
    EXPECT_EQ(outcome.status, contract::job_status::kFailed);
    EXPECT_EQ(outcome.frames_done, 1u);  // frame 0 still got its output row
    EXPECT_NE(host.device().read_register(reg::kErrorAddressLo), 0u);
    EXPECT_TRUE(host.device().read_register(reg::kStatus) & contract::status::kError);
}

TEST_P(Faults, InjectedDmaWriteErrorFailsTheJob) {
    TestHost& host = host_for("gen2");
    const auto settings = small_job(host.device().profile(), GetParam());
    host.configure(settings);
    host.device().inject_fault(InjectedFault::DmaWriteError);
    const auto input = packed_frames(host.device().profile(), settings, 10);
    const JobOutcome outcome = host.run(input.data(), 10);
    EXPECT_EQ(outcome.error, contract::DeviceError::DmaWrite);
    EXPECT_EQ(outcome.error_detail, 1u);
    EXPECT_EQ(outcome.frames_done, 1u);
}

TEST_P(Faults, DroppedFrameIsCountedAndFailsTheJob) {
    TestHost& host = host_for("gen2");
    const auto settings = small_job(host.device().profile(), GetParam());
    host.configure(settings);
    host.device().inject_fault(InjectedFault::DropFrame);
    const auto input = packed_frames(host.device().profile(), settings, 10);
    const JobOutcome outcome = host.run(input.data(), 10);
    EXPECT_EQ(outcome.error, contract::DeviceError::FrameDropped);
    EXPECT_EQ(outcome.error_detail, 1u);
    EXPECT_EQ(outcome.frames_done, 9u);  // every other frame was written
    EXPECT_EQ(host.device().read_register(reg::kFramesDropped), 1u);
    EXPECT_EQ(host.device().read_register(reg::kFramesOut), 9u);
    EXPECT_EQ(host.device().statistics().frames_dropped, 1u);
}

TEST_P(Faults, HangTimesOutThenAbortReportsStalled) {
    TestHost& host = host_for("gen2");
    auto& device = host.device();
    const auto settings = small_job(device.profile(), GetParam());
    host.configure(settings);
    device.inject_fault(InjectedFault::HangNoInterrupt);
    const auto input = packed_frames(device.profile(), settings, 10);
    const JobOutcome outcome = host.run(input.data(), 10, 0, /*timeout_s=*/0.05);
    EXPECT_FALSE(outcome.interrupted);  // no interrupt: the driver's timeout catches it
    EXPECT_TRUE(device.read_register(reg::kStatus) & contract::status::kBusy);
    device.write_register(reg::kControl, contract::control::kAbort);
    ASSERT_TRUE(device.run_until_interrupt(0.01));
    EXPECT_EQ(device.read_register(reg::kErrorCode),
              static_cast<std::uint32_t>(contract::DeviceError::Stalled));
    EXPECT_TRUE(device.read_register(reg::kIrqStatus) & contract::irq::kError);
    // RESET clears the error and the device runs the next job normally.
    host.reset();
    EXPECT_EQ(device.read_register(reg::kErrorCode), 0u);
    host.configure(settings);
    const JobOutcome next = host.run(input.data(), 10);
    EXPECT_EQ(next.error, contract::DeviceError::None);
    EXPECT_EQ(next.frames_done, 10u);
}

INSTANTIATE_TEST_SUITE_P(TimingOnlyAndFunctional, Faults, ::testing::Values(true, false));

TEST(DeviceErrors, UnmappedOutputBufferIsADmaWriteError) {
    TestHost& host = host_for("gen2");
    auto& device = host.device();
    const auto settings = small_job(device.profile(), false);
    host.configure(settings);
    const auto input_bytes = device.read_register(reg::kCapInputFrameBytes);
    const auto input = packed_frames(device.profile(), settings, 3);
    const std::uint64_t input_address = host.memory().allocate(input.size());
    std::memcpy(host.memory().data(input_address), input.data(), input.size());
    const std::uint64_t ring = (std::uint64_t{device.read_register(reg::kRingBaseHi)} << 32) |
                               device.read_register(reg::kRingBaseLo);
    contract::JobDescriptor descriptor;
    descriptor.input_address = input_address;
    descriptor.output_address = 0xDEAD0000;  // never allocated
    descriptor.input_stride = input_bytes;
    descriptor.output_stride = settings.n_components;
    descriptor.frame_count = 3;
    std::memcpy(host.memory().data(ring), &descriptor, sizeof descriptor);
    device.write_register(reg::kRingTail, 1);
    device.write_register(reg::kControl, contract::control::kStart);
    ASSERT_TRUE(device.run_until_interrupt(1.0));
    EXPECT_EQ(device.read_register(reg::kErrorCode),
              static_cast<std::uint32_t>(contract::DeviceError::DmaWrite));
    EXPECT_EQ(device.read_register(reg::kErrorAddressLo), 0xDEAD0000u);
    std::memcpy(&descriptor, host.memory().data(ring), sizeof descriptor);
    EXPECT_EQ(descriptor.status, contract::job_status::kFailed);
    EXPECT_EQ(device.read_register(reg::kRingHead), 1u);  // the failed job was consumed
}

TEST(DeviceErrors, BadConfigurationNamesTheRegister) {
    TestHost& host = host_for("gen2");
    auto settings = small_job(host.device().profile(), true);
    settings.n_components = settings.roi_width * settings.roi_height + 1;  // more than the ROI
    host.configure(settings);
    const JobOutcome outcome = host.run(nullptr, 4);
    EXPECT_EQ(outcome.error, contract::DeviceError::BadConfig);
    EXPECT_EQ(outcome.error_detail, reg::kNComponents);
    EXPECT_EQ(outcome.frames_done, 0u);

    settings = small_job(host.device().profile(), true);
    settings.exposure_ns = 1;  // below CAP_MIN_EXPOSURE_NS
    host.configure(settings);
    EXPECT_EQ(host.run(nullptr, 4).error_detail, reg::kExposureNs);
}

TEST(DeviceErrors, InputLightingPartOfAFeatureIsAnInputFormatError) {
    TestHost& host = host_for("gen2");
    const auto settings = small_job(host.device().profile(), false);
    ASSERT_GT(settings.replication, 1u);
    host.configure(settings);
    auto input = packed_frames(host.device().profile(), settings, 4);
    const std::size_t frame_bytes = input.size() / 4;
    const std::uint64_t mirror = settings.first_mirror;  // first mirror of feature 0, frame 2
    input[2 * frame_bytes + mirror / 8] ^= static_cast<std::uint8_t>(0x80u >> (mirror % 8));
    const JobOutcome outcome = host.run(input.data(), 4);
    EXPECT_EQ(outcome.error, contract::DeviceError::InputFormat);
    EXPECT_EQ(outcome.error_detail, 2u);
    EXPECT_EQ(outcome.frames_done, 2u);
}

TEST(DeviceErrors, AbortStopsARunningJob) {
    TestHost& host = host_for("gen2");
    auto& device = host.device();
    auto settings = small_job(device.profile(), true);
    host.configure(settings);
    // Queue a long job by hand, let it run a while, abort.
    const std::uint64_t ring = (std::uint64_t{device.read_register(reg::kRingBaseHi)} << 32) |
                               device.read_register(reg::kRingBaseLo);
    const std::uint64_t buffer = host.memory().allocate(1 << 20);
    contract::JobDescriptor descriptor;
    descriptor.input_address = buffer;
    descriptor.output_address = buffer;
    descriptor.input_stride = device.read_register(reg::kCapInputFrameBytes);
    descriptor.output_stride = settings.n_components;
    descriptor.frame_count = 100000;  // 50 s at 2 kHz
    std::memcpy(host.memory().data(ring), &descriptor, sizeof descriptor);
    device.write_register(reg::kRingTail, 1);
    device.write_register(reg::kControl, contract::control::kStart);
    EXPECT_FALSE(device.run_until_interrupt(0.5));
    const auto out_before = device.read_register(reg::kFramesOut);
    EXPECT_GT(out_before, 900u);  // ~2 kHz for 0.5 s, counters exact while running
    EXPECT_LT(out_before, 1001u);
    device.write_register(reg::kControl, contract::control::kAbort);
    ASSERT_TRUE(device.run_until_interrupt(1.0));
    EXPECT_EQ(device.read_register(reg::kErrorCode),
              static_cast<std::uint32_t>(contract::DeviceError::Aborted));
    std::memcpy(&descriptor, host.memory().data(ring), sizeof descriptor);
    EXPECT_EQ(descriptor.status, contract::job_status::kFailed);
    EXPECT_LT(descriptor.frames_done, 1200u);
    EXPECT_EQ(descriptor.frames_done, device.read_register(reg::kErrorDetail));
}

TEST(DeviceErrors, BadRingAndBadDescriptor) {
    TestHost& host = host_for("gen2");
    auto& device = host.device();
    device.write_register(reg::kRingSize, 0);
    device.write_register(reg::kControl, contract::control::kStart);
    ASSERT_TRUE(device.run_until_interrupt(0.01));
    EXPECT_EQ(device.read_register(reg::kErrorCode),
              static_cast<std::uint32_t>(contract::DeviceError::BadRing));
    EXPECT_EQ(device.read_register(reg::kErrorDetail), reg::kRingSize);

    TestHost& fresh = host_for("gen2");
    const auto settings = small_job(fresh.device().profile(), true);
    fresh.configure(settings);
    const std::uint64_t ring = (std::uint64_t{device.read_register(reg::kRingBaseHi)} << 32) |
                               device.read_register(reg::kRingBaseLo);
    contract::JobDescriptor descriptor;
    descriptor.input_stride = 10;  // shorter than a DMD frame
    descriptor.output_stride = settings.n_components;
    descriptor.frame_count = 2;
    std::memcpy(fresh.memory().data(ring), &descriptor, sizeof descriptor);
    device.write_register(reg::kRingTail, 1);
    device.write_register(reg::kControl, contract::control::kStart);
    ASSERT_TRUE(device.run_until_interrupt(0.01));
    EXPECT_EQ(device.read_register(reg::kErrorCode),
              static_cast<std::uint32_t>(contract::DeviceError::BadDescriptor));
    EXPECT_EQ(device.read_register(reg::kErrorDetail), offsetof(contract::JobDescriptor, input_stride));
}

}  // namespace
}  // namespace opusim::model
