// Faults surface as error codes in registers and descriptor write-backs; configuration errors
// name the bad register; reset clears everything. Faults are injected through the
// DEBUG_FAULT_INJECT register. These tests read what the device reports before anyone recovers
// it, so they run below the driver (RawDevice: the transport alone), except the last, which checks
// that the same faults reach an application as the driver's typed errors.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "model_fixture.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/registers.hpp"
#include "opusim/driver/errors.hpp"

namespace opusim::model {
namespace {

using testing::RawDevice;
using testing::RawOutcome;
namespace reg = contract::reg;

// A fresh gen2 device below the driver, reset with a ring (as the driver's open leaves it).
std::unique_ptr<RawDevice> fresh_device() {
    auto device = std::make_unique<RawDevice>(testing::uri("gen2"));
    device->reset_with_ring();
    return device;
}

driver::DeviceConfig small_job(RawDevice& device, bool timing_only) {
    auto settings = testing::job_config(device.info(), device.reset_config(), 32, 64);
    settings.timing_only = timing_only;
    return settings;
}

std::vector<std::uint8_t> packed_frames(RawDevice& device, const driver::DeviceConfig& settings,
                                        std::size_t frames) {
    const auto layout = contract::make_input_layout(device.info().dmd, settings.n_features,
                                                    contract::InputRoiStrategy::Auto);
    std::vector<std::uint8_t> features(frames * settings.n_features);
    for (std::size_t i = 0; i < features.size(); ++i) features[i] = (i * 7 % 3) == 0;
    return contract::format_frames(layout, features.data(), frames);
}

class Faults : public ::testing::TestWithParam<bool> {};  // parameter: timing-only

TEST_P(Faults, InjectedDmaReadErrorFailsTheJobAtThatFrame) {
    auto device = fresh_device();
    const auto settings = small_job(*device, GetParam());
    device->configure(settings);
    device->write(reg::kDebugFaultInject, contract::fault::kDmaReadError);
    const auto input = packed_frames(*device, settings, 10);
    const RawOutcome outcome = device->run(input.data(), 10);
    ASSERT_TRUE(outcome.interrupted);
    EXPECT_EQ(outcome.error, contract::DeviceError::DmaRead);
    EXPECT_EQ(outcome.error_detail, 1u);  // the injected fault hits frame 1
    EXPECT_EQ(outcome.status, contract::job_status::kFailed);
    EXPECT_EQ(outcome.frames_done, 1u);  // frame 0 still got its output row
    EXPECT_NE(device->read(reg::kErrorAddressLo), 0u);
    EXPECT_TRUE(device->read(reg::kStatus) & contract::status::kError);
}

TEST_P(Faults, InjectedDmaWriteErrorFailsTheJob) {
    auto device = fresh_device();
    const auto settings = small_job(*device, GetParam());
    device->configure(settings);
    device->write(reg::kDebugFaultInject, contract::fault::kDmaWriteError);
    const auto input = packed_frames(*device, settings, 10);
    const RawOutcome outcome = device->run(input.data(), 10);
    EXPECT_EQ(outcome.error, contract::DeviceError::DmaWrite);
    EXPECT_EQ(outcome.error_detail, 1u);
    EXPECT_EQ(outcome.frames_done, 1u);
}

TEST_P(Faults, DroppedFrameIsCountedAndFailsTheJob) {
    auto device = fresh_device();
    const auto settings = small_job(*device, GetParam());
    device->configure(settings);
    device->write(reg::kDebugFaultInject, contract::fault::kDropFrame);
    const auto input = packed_frames(*device, settings, 10);
    const RawOutcome outcome = device->run(input.data(), 10);
    EXPECT_EQ(outcome.error, contract::DeviceError::FrameDropped);
    EXPECT_EQ(outcome.error_detail, 1u);
    EXPECT_EQ(outcome.frames_done, 9u);  // every other frame was written
    EXPECT_EQ(device->read(reg::kFramesDropped), 1u);
    EXPECT_EQ(device->read(reg::kFramesOut), 9u);
    device->write(reg::kControl, contract::control::kSnapshot);  // the statistics registers
    EXPECT_EQ(device->read64(reg::kStatFramesDroppedLo), 1u);
}

TEST_P(Faults, HangTimesOutThenAbortReportsStalled) {
    auto device = fresh_device();
    const auto settings = small_job(*device, GetParam());
    device->configure(settings);
    device->write(reg::kDebugFaultInject, contract::fault::kHangNoInterrupt);
    const auto input = packed_frames(*device, settings, 10);
    const RawOutcome outcome = device->run(input.data(), 10, 0, /*timeout_s=*/0.05);
    EXPECT_FALSE(outcome.interrupted);  // no interrupt: the driver's timeout catches it
    EXPECT_TRUE(device->read(reg::kStatus) & contract::status::kBusy);
    device->write(reg::kControl, contract::control::kAbort);
    ASSERT_TRUE(device->wait_for_interrupt(0.01));
    EXPECT_EQ(device->read(reg::kErrorCode),
              static_cast<std::uint32_t>(contract::DeviceError::Stalled));
    EXPECT_TRUE(device->read(reg::kIrqStatus) & contract::irq::kError);
    // RESET clears the error and the device runs the next job normally.
    device->reset_with_ring();
    EXPECT_EQ(device->read(reg::kErrorCode), 0u);
    device->configure(settings);
    const RawOutcome next = device->run(input.data(), 10);
    EXPECT_EQ(next.error, contract::DeviceError::None);
    EXPECT_EQ(next.frames_done, 10u);
}

// std::bad_alloc inside the sequencer's SystemC thread (issue 13, finding 1): a device error,
// never an exception escaping the simulation. The device answers, and after RESET runs normally.
TEST_P(Faults, OutOfMemoryInsideTheSequencerIsAnInternalDeviceError) {
    auto device = fresh_device();
    const auto settings = small_job(*device, GetParam());
    device->configure(settings);
    device->write(reg::kDebugFaultInject, contract::fault::kOutOfMemory);
    const auto input = packed_frames(*device, settings, 10);
    const RawOutcome outcome = device->run(input.data(), 10);
    ASSERT_TRUE(outcome.interrupted);
    EXPECT_EQ(outcome.error, contract::DeviceError::Internal);
    EXPECT_TRUE(device->read(reg::kStatus) & contract::status::kError);
    EXPECT_FALSE(device->read(reg::kStatus) & contract::status::kBusy);
    device->reset_with_ring();
    device->configure(settings);
    const RawOutcome next = device->run(input.data(), 10);
    EXPECT_EQ(next.error, contract::DeviceError::None);
    EXPECT_EQ(next.frames_done, 10u);
}

// The same faults as an application meets them: the driver's typed error with the device's code
// and detail, and a device the driver has recovered, ready for the next job.
TEST_P(Faults, SurfaceThroughTheDriverAsTypedErrors) {
    struct Case {
        std::uint32_t fault;
        contract::DeviceError code;
    };
    auto device = testing::open_device("gen2");
    auto config = testing::job_config(device->info(), device->config(), 32, 64);
    config.timing_only = GetParam();
    device->configure(config);
    const std::uint32_t in_frame = device->info().input_frame_bytes;
    const std::uint32_t out_frame = testing::output_frame_bytes(*device, config);
    const std::uint32_t frames = 10;
    driver::Buffer input = device->allocate(frames * in_frame);
    driver::Buffer output = device->allocate(frames * out_frame);
    const auto layout = contract::make_input_layout(device->info().dmd, config.n_features,
                                                    contract::InputRoiStrategy::Auto);
    std::vector<std::uint8_t> features(frames * config.n_features);
    for (std::size_t i = 0; i < features.size(); ++i) features[i] = (i * 7 % 3) == 0;
    contract::format_frames(layout, features.data(), frames, input.data());
    const driver::Job job{&input, 0, in_frame, &output, 0, out_frame, frames, 0};
    for (const Case c : {Case{contract::fault::kDmaReadError, contract::DeviceError::DmaRead},
                         Case{contract::fault::kDmaWriteError, contract::DeviceError::DmaWrite},
                         Case{contract::fault::kDropFrame, contract::DeviceError::FrameDropped}}) {
        device->write_register(reg::kDebugFaultInject, c.fault);
        input.sync(driver::SyncDirection::ToDevice);
        output.sync(driver::SyncDirection::ToDevice);
        try {
            device->run(job, 10.0);
            ADD_FAILURE() << contract::to_string(c.code) << ": the job did not fail";
        } catch (const driver::DeviceError& error) {
            EXPECT_EQ(error.code(), c.code);
            EXPECT_EQ(error.detail(), 1u) << contract::to_string(c.code);
            if (c.code == contract::DeviceError::FrameDropped) {
                EXPECT_NE(dynamic_cast<const driver::FrameDroppedError*>(&error), nullptr);
            } else {
                EXPECT_NE(dynamic_cast<const driver::DmaError*>(&error), nullptr);
            }
        }
        input.sync(driver::SyncDirection::FromDevice);
        output.sync(driver::SyncDirection::FromDevice);
    }
    // Out of memory inside the device: a DeviceError INTERNAL, and the driver recovers it.
    device->write_register(reg::kDebugFaultInject, contract::fault::kOutOfMemory);
    input.sync(driver::SyncDirection::ToDevice);
    output.sync(driver::SyncDirection::ToDevice);
    try {
        device->run(job, 10.0);
        ADD_FAILURE() << "INTERNAL: the job did not fail";
    } catch (const driver::DeviceError& error) {
        EXPECT_EQ(error.code(), contract::DeviceError::Internal);
    }
    input.sync(driver::SyncDirection::FromDevice);
    output.sync(driver::SyncDirection::FromDevice);
    // A hang: no interrupt within the timeout; the driver aborts, resets and says so.
    device->write_register(reg::kDebugFaultInject, contract::fault::kHangNoInterrupt);
    input.sync(driver::SyncDirection::ToDevice);
    output.sync(driver::SyncDirection::ToDevice);
    EXPECT_THROW(device->run(job, 0.05), driver::TimeoutError);
    input.sync(driver::SyncDirection::FromDevice);
    output.sync(driver::SyncDirection::FromDevice);
    // Recovered: the next job runs normally.
    input.sync(driver::SyncDirection::ToDevice);
    output.sync(driver::SyncDirection::ToDevice);
    EXPECT_EQ(device->run(job, 10.0).frames, frames);
}

INSTANTIATE_TEST_SUITE_P(TimingOnlyAndFunctional, Faults, ::testing::Values(true, false));

// Faults from the URI (faults=, fault_seed=; the device server draws them job by job): at rate 1
// every job meets the fault, at a frame drawn from the seed and the job's number, the same for the
// same seed; RESET (the driver's recovery) does not restart the draws.
std::vector<std::uint32_t> fault_frames_of_jobs(const std::string& options, std::size_t jobs) {
    auto device = std::make_unique<RawDevice>(testing::uri("gen2") + options);
    device->reset_with_ring();
    const auto settings = small_job(*device, false);
    const auto input = packed_frames(*device, settings, 10);
    std::vector<std::uint32_t> frames;
    for (std::size_t job = 0; job < jobs; ++job) {
        device->configure(settings);
        const RawOutcome outcome = device->run(input.data(), 10);
        EXPECT_EQ(outcome.error, contract::DeviceError::DmaWrite);
        EXPECT_EQ(outcome.status, contract::job_status::kFailed);
        EXPECT_LT(outcome.error_detail, 10u);
        EXPECT_EQ(outcome.frames_done, outcome.error_detail);  // the frames before it were written
        frames.push_back(outcome.error_detail);
        device->reset_with_ring();
    }
    return frames;
}

TEST(RandomFaults, FromTheUriReproducibleBySeed) {
    const auto first = fault_frames_of_jobs("?faults=dma_write:1&fault_seed=4", 12);
    EXPECT_EQ(fault_frames_of_jobs("?faults=dma_write:1&fault_seed=4", 12), first);
    EXPECT_NE(fault_frames_of_jobs("?faults=dma_write:1&fault_seed=5", 12), first);
    EXPECT_GT(std::set<std::uint32_t>(first.begin(), first.end()).size(), 1u);  // not one frame
}

TEST(RandomFaults, ZeroRatesRunEveryJob) {
    auto device = std::make_unique<RawDevice>(testing::uri("gen2") + "?faults=hang:0&fault_seed=1");
    device->reset_with_ring();
    const auto settings = small_job(*device, false);
    device->configure(settings);
    const auto input = packed_frames(*device, settings, 10);
    for (int job = 0; job < 3; ++job) {
        const RawOutcome outcome = device->run(input.data(), 10);
        EXPECT_EQ(outcome.error, contract::DeviceError::None);
        EXPECT_EQ(outcome.frames_done, 10u);
    }
}

TEST(DeviceErrors, UnmappedOutputBufferIsADmaWriteError) {
    auto device = fresh_device();
    const auto settings = small_job(*device, false);
    device->configure(settings);
    const auto input_bytes = device->read(reg::kCapInputFrameBytes);
    const auto input = packed_frames(*device, settings, 3);
    driver::Buffer input_buffer = device->allocate(input.size());
    std::memcpy(input_buffer.data(), input.data(), input.size());
    contract::JobDescriptor descriptor;
    descriptor.input_address = input_buffer.device_address();
    descriptor.output_address = 0xDEAD0000;  // never allocated
    descriptor.input_stride = input_bytes;
    descriptor.output_stride = settings.n_components;
    descriptor.frame_count = 3;
    device->put_descriptor(0, descriptor);
    device->write(reg::kRingTail, 1);
    device->write(reg::kControl, contract::control::kStart);
    ASSERT_TRUE(device->wait_for_interrupt(1.0));
    EXPECT_EQ(device->read(reg::kErrorCode),
              static_cast<std::uint32_t>(contract::DeviceError::DmaWrite));
    EXPECT_EQ(device->read(reg::kErrorAddressLo), 0xDEAD0000u);
    descriptor = device->descriptor(0);
    EXPECT_EQ(descriptor.status, contract::job_status::kFailed);
    EXPECT_EQ(device->read(reg::kRingHead), 1u);  // the failed job was consumed
}

TEST(DeviceErrors, BadConfigurationNamesTheRegister) {
    // Below the driver: its configure() refuses these values before they reach the device.
    auto device = fresh_device();
    auto settings = small_job(*device, true);
    settings.n_components = settings.roi_width * settings.roi_height + 1;  // more than the ROI
    device->configure(settings);
    const RawOutcome outcome = device->run(nullptr, 4);
    EXPECT_EQ(outcome.error, contract::DeviceError::BadConfig);
    EXPECT_EQ(outcome.error_detail, reg::kNComponents);
    EXPECT_EQ(outcome.frames_done, 0u);

    settings = small_job(*device, true);
    settings.exposure_us = 1e-3;  // 1 ns, below CAP_MIN_EXPOSURE_NS
    device->configure(settings);
    EXPECT_EQ(device->read(reg::kExposureNs), 1u);
    EXPECT_EQ(device->run(nullptr, 4).error_detail, reg::kExposureNs);
}

TEST(DeviceErrors, InputLightingPartOfAFeatureIsAnInputFormatError) {
    auto device = fresh_device();
    const auto settings = small_job(*device, false);
    ASSERT_GT(settings.replication, 1u);
    device->configure(settings);
    auto input = packed_frames(*device, settings, 4);
    const std::size_t frame_bytes = input.size() / 4;
    const std::uint64_t mirror = settings.first_mirror;  // first mirror of feature 0, frame 2
    input[2 * frame_bytes + mirror / 8] ^= static_cast<std::uint8_t>(0x80u >> (mirror % 8));
    const RawOutcome outcome = device->run(input.data(), 4);
    EXPECT_EQ(outcome.error, contract::DeviceError::InputFormat);
    EXPECT_EQ(outcome.error_detail, 2u);
    EXPECT_EQ(outcome.frames_done, 2u);
}

TEST(DeviceErrors, AbortStopsARunningJob) {
    auto device = fresh_device();
    auto settings = small_job(*device, true);
    device->configure(settings);
    // Queue a long job by hand, let it run a while, abort.
    driver::Buffer buffer = device->allocate(1 << 20);
    contract::JobDescriptor descriptor;
    descriptor.input_address = buffer.device_address();
    descriptor.output_address = buffer.device_address();
    descriptor.input_stride = device->read(reg::kCapInputFrameBytes);
    descriptor.output_stride = settings.n_components;
    descriptor.frame_count = 100000;  // 50 s at 2 kHz
    device->put_descriptor(0, descriptor);
    device->write(reg::kRingTail, 1);
    device->write(reg::kControl, contract::control::kStart);
    EXPECT_FALSE(device->wait_for_interrupt(0.5));
    const auto out_before = device->read(reg::kFramesOut);
    EXPECT_GT(out_before, 900u);  // ~2 kHz for 0.5 s, counters exact while running
    EXPECT_LT(out_before, 1001u);
    device->write(reg::kControl, contract::control::kAbort);
    ASSERT_TRUE(device->wait_for_interrupt(1.0));
    EXPECT_EQ(device->read(reg::kErrorCode),
              static_cast<std::uint32_t>(contract::DeviceError::Aborted));
    descriptor = device->descriptor(0);
    EXPECT_EQ(descriptor.status, contract::job_status::kFailed);
    EXPECT_LT(descriptor.frames_done, 1200u);
    EXPECT_EQ(descriptor.frames_done, device->read(reg::kErrorDetail));
}

TEST(DeviceErrors, BadRingAndBadDescriptor) {
    {
        auto device = fresh_device();
        device->write(reg::kRingSize, 0);
        device->write(reg::kControl, contract::control::kStart);
        ASSERT_TRUE(device->wait_for_interrupt(0.01));
        EXPECT_EQ(device->read(reg::kErrorCode),
                  static_cast<std::uint32_t>(contract::DeviceError::BadRing));
        EXPECT_EQ(device->read(reg::kErrorDetail), reg::kRingSize);
    }
    auto device = fresh_device();
    const auto settings = small_job(*device, true);
    device->configure(settings);
    contract::JobDescriptor descriptor;
    descriptor.input_stride = 10;  // shorter than a DMD frame
    descriptor.output_stride = settings.n_components;
    descriptor.frame_count = 2;
    device->put_descriptor(0, descriptor);
    device->write(reg::kRingTail, 1);
    device->write(reg::kControl, contract::control::kStart);
    ASSERT_TRUE(device->wait_for_interrupt(0.01));
    EXPECT_EQ(device->read(reg::kErrorCode),
              static_cast<std::uint32_t>(contract::DeviceError::BadDescriptor));
    EXPECT_EQ(device->read(reg::kErrorDetail), offsetof(contract::JobDescriptor, input_stride));
}

}  // namespace
}  // namespace opusim::model
