// The register map as the device implements it: identification, reset values, access types.
// Reset values are read below the driver (its open resets the device and sets up interrupts and
// the ring); everything else goes through driver::Device's register access.
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "model_fixture.hpp"
#include "opusim/contract/data_format.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/registers.hpp"
#include "opusim/driver/errors.hpp"

namespace opusim::model {
namespace {

using testing::open_device;
using testing::RawDevice;
namespace reg = contract::reg;

TEST(Abi, RegisterTableIsWellFormed) {
    std::set<std::uint32_t> offsets;
    for (const auto& info : contract::kRegisterTable) {
        EXPECT_EQ(info.offset % 4, 0u) << info.name;
        EXPECT_LT(info.offset, contract::kMmioWindowBytes) << info.name;
        EXPECT_TRUE(offsets.insert(info.offset).second) << info.name << " shares its offset";
    }
}

TEST(Abi, ResetValuesFollowTheTableAndTheProfile) {
    const auto profile = testing::profile("gen2");
    RawDevice device(testing::uri("gen2"));  // as powered on: no driver has touched it
    for (const auto& info : contract::kRegisterTable) {
        if (info.reset_source != contract::ResetSource::Constant ||
            info.access == contract::Access::WriteOnly)
            continue;
        EXPECT_EQ(device.read(info.offset), info.reset_value) << info.name;
    }
    EXPECT_EQ(device.read(reg::kId), contract::kDeviceId);
    EXPECT_EQ(device.read(reg::kVersion) >> 16, contract::kAbiVersionMajor);
    EXPECT_EQ(device.read(reg::kCapMaxMirrors), profile.dmd.mirrors());
    EXPECT_EQ(device.read(reg::kCapInputFrameBytes), 129960u);
    EXPECT_EQ(device.read(reg::kCapMaxPixels), profile.camera.width * profile.camera.height);
    EXPECT_EQ(device.read(reg::kCapBitDepth), profile.camera.bits);
    EXPECT_EQ(device.read(reg::kRoiWidth), profile.camera.width);
    EXPECT_EQ(device.read(reg::kExposureNs), 400000u);
    EXPECT_EQ(device.read(reg::kFrametimeNs), 500000u);
    EXPECT_EQ(device.read(reg::kMediumSeedLo), static_cast<std::uint32_t>(profile.medium.seed));
}

// Runs ACCESS on a fresh gen2 device; returns "register offset 0x..." when the access was refused
// with a DriverError naming the offset, else what happened instead.
template <class Access>
std::string refusal(Access access) {
    auto device = open_device("gen2");
    try {
        access(*device);
    } catch (const driver::DriverError& error) {
        const std::string what = error.what();
        const auto at = what.find("register offset 0x");
        if (at == std::string::npos) return "refused without naming the offset: " + what;
        return what.substr(at, what.find(':', at) - at);
    }
    return "not refused";
}

TEST(Abi, AccessTypesAreHonoured) {
    {
        auto device = open_device("gen2");
        // RO: writes ignored.
        device->write_register(reg::kId, 0);
        device->write_register(reg::kCapMaxMirrors, 1);
        EXPECT_EQ(device->read_register(reg::kId), contract::kDeviceId);
        EXPECT_EQ(device->read_register(reg::kCapMaxMirrors), 912u * 1140u);
        // WO: CONTROL reads 0.
        EXPECT_EQ(device->read_register(reg::kControl), 0u);
        // RW round-trips.
        device->write_register(reg::kNFeatures, 1234);
        EXPECT_EQ(device->read_register(reg::kNFeatures), 1234u);
        // RESET restores reset values.
        device->write_register(reg::kControl, contract::control::kReset);
        EXPECT_EQ(device->read_register(reg::kNFeatures), 0u);
        // Unmapped offsets in the window read 0.
        EXPECT_EQ(device->read_register(0x800), 0u);
    }
    // Outside the window or unaligned is refused by the driver, naming the offset; the device
    // never sees the access and keeps working.
    EXPECT_EQ(refusal([](driver::Device& device) { device.read_register(0x1000); }),
              "register offset 0x1000");
    EXPECT_EQ(refusal([](driver::Device& device) { device.write_register(0x082, 1); }),
              "register offset 0x082");
    auto device = open_device("gen2");
    EXPECT_THROW(device->write_register(0x082, 1), driver::UsageError);
    EXPECT_EQ(device->read_register(reg::kId), contract::kDeviceId);
}

TEST(Abi, InterruptStatusIsWriteOneToClearAndMasked) {
    RawDevice device(testing::uri("gen2"));
    device.reset_with_ring();
    auto settings = testing::job_config(device.info(), device.reset_config(), 100, 100);
    settings.timing_only = true;
    device.configure(settings);
    device.write(reg::kIrqEnable, 0);  // masked: the line stays low
    const std::uint64_t ring = device.read64(reg::kRingBaseLo);
    ASSERT_EQ(ring, device.ring().device_address());
    driver::Buffer buffer = device.allocate(1 << 18);
    contract::JobDescriptor descriptor;
    descriptor.input_address = buffer.device_address();
    descriptor.output_address = buffer.device_address();
    descriptor.input_stride = device.read(reg::kCapInputFrameBytes);
    descriptor.output_stride = 100;
    descriptor.frame_count = 3;
    descriptor.flags = contract::job_flags::kInterrupt;
    device.put_descriptor(0, descriptor);
    device.write(reg::kRingTail, 1);
    device.write(reg::kControl, contract::control::kStart);
    EXPECT_FALSE(device.wait_for_interrupt(0.1));  // done long before, but masked
    EXPECT_EQ(device.read(reg::kIrqStatus), contract::irq::kJobDone | contract::irq::kIdle);
    device.write(reg::kIrqEnable, contract::irq::kJobDone);
    EXPECT_TRUE(device.wait_for_interrupt(0));               // unmasking raises the line
    device.write(reg::kIrqStatus, contract::irq::kIdle);  // W1C clears only that bit
    EXPECT_EQ(device.read(reg::kIrqStatus), contract::irq::kJobDone);
    device.write(reg::kIrqStatus, contract::irq::kJobDone);
    EXPECT_EQ(device.read(reg::kIrqStatus), 0u);
    EXPECT_FALSE(device.wait_for_interrupt(0));
    EXPECT_EQ(device.read(reg::kJobsDone), 1u);
    EXPECT_EQ(device.read(reg::kRingHead), 1u);
    EXPECT_EQ(device.read(reg::kLastJobIdLo), 0u);
}

TEST(Abi, DeviceTimeAdvancesWithRegisterAccesses) {
    auto device = open_device("gen2");
    const std::uint32_t first = device->read_register(reg::kTimeNsLo);
    const std::uint32_t second = device->read_register(reg::kTimeNsLo);
    // 4 controller cycles at 250 MHz per access: 16 ns.
    EXPECT_EQ(second - first, 16u);
}

}  // namespace
}  // namespace opusim::model
