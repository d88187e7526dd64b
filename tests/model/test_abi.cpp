// The register map as the device implements it: identification, reset values, access types.
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "model_fixture.hpp"
#include "opusim/contract/data_format.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/registers.hpp"

namespace opusim::model {
namespace {

using testing::host_for;
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
    auto& device = SimulatedDevice::instance();
    const auto profile = testing::profile("gen2");
    device.power_on(profile);
    for (const auto& info : contract::kRegisterTable) {
        if (info.reset_source != contract::ResetSource::Constant ||
            info.access == contract::Access::WriteOnly)
            continue;
        EXPECT_EQ(device.read_register(info.offset), info.reset_value) << info.name;
    }
    EXPECT_EQ(device.read_register(reg::kId), contract::kDeviceId);
    EXPECT_EQ(device.read_register(reg::kVersion) >> 16, contract::kAbiVersionMajor);
    EXPECT_EQ(device.read_register(reg::kCapMaxMirrors), profile.dmd.mirrors());
    EXPECT_EQ(device.read_register(reg::kCapInputFrameBytes), 129960u);
    EXPECT_EQ(device.read_register(reg::kCapMaxPixels),
              profile.camera.width * profile.camera.height);
    EXPECT_EQ(device.read_register(reg::kCapBitDepth), profile.camera.bits);
    EXPECT_EQ(device.read_register(reg::kRoiWidth), profile.camera.width);
    EXPECT_EQ(device.read_register(reg::kExposureNs), 400000u);
    EXPECT_EQ(device.read_register(reg::kFrametimeNs), 500000u);
    EXPECT_EQ(device.read_register(reg::kMediumSeedLo),
              static_cast<std::uint32_t>(profile.medium.seed));
}

TEST(Abi, AccessTypesAreHonoured) {
    TestHost& host = host_for("gen2");
    auto& device = host.device();
    // RO: writes ignored.
    device.write_register(reg::kId, 0);
    device.write_register(reg::kCapMaxMirrors, 1);
    EXPECT_EQ(device.read_register(reg::kId), contract::kDeviceId);
    EXPECT_EQ(device.read_register(reg::kCapMaxMirrors), 912u * 1140u);
    // WO: CONTROL reads 0.
    EXPECT_EQ(device.read_register(reg::kControl), 0u);
    // RW round-trips.
    device.write_register(reg::kNFeatures, 1234);
    EXPECT_EQ(device.read_register(reg::kNFeatures), 1234u);
    // RESET restores reset values.
    device.write_register(reg::kControl, contract::control::kReset);
    EXPECT_EQ(device.read_register(reg::kNFeatures), 0u);
    // Unmapped offsets in the window read 0; outside the window or unaligned is refused.
    EXPECT_EQ(device.read_register(0x800), 0u);
    EXPECT_THROW(device.read_register(0x1000), std::out_of_range);
    EXPECT_THROW(device.write_register(0x082, 1), std::out_of_range);
}

TEST(Abi, InterruptStatusIsWriteOneToClearAndMasked) {
    TestHost& host = host_for("gen2");
    auto& device = host.device();
    auto settings = JobSettings::for_sizes(device.profile(), 100, 100);
    settings.timing_only = true;
    host.configure(settings);
    device.write_register(reg::kIrqEnable, 0);  // masked: the line stays low
    const std::uint64_t ring = (std::uint64_t{device.read_register(reg::kRingBaseHi)} << 32) |
                               device.read_register(reg::kRingBaseLo);
    const std::uint64_t buffer = host.memory().allocate(1 << 18);
    contract::JobDescriptor descriptor;
    descriptor.input_address = buffer;
    descriptor.output_address = buffer;
    descriptor.input_stride = device.read_register(reg::kCapInputFrameBytes);
    descriptor.output_stride = 100;
    descriptor.frame_count = 3;
    descriptor.flags = contract::job_flags::kInterrupt;
    std::memcpy(host.memory().data(ring), &descriptor, sizeof descriptor);
    device.write_register(reg::kRingTail, 1);
    device.write_register(reg::kControl, contract::control::kStart);
    EXPECT_FALSE(device.run_until_interrupt(0.1));  // done long before, but masked
    EXPECT_EQ(device.read_register(reg::kIrqStatus), contract::irq::kJobDone | contract::irq::kIdle);
    device.write_register(reg::kIrqEnable, contract::irq::kJobDone);
    EXPECT_TRUE(device.run_until_interrupt(0));               // unmasking raises the line
    device.write_register(reg::kIrqStatus, contract::irq::kIdle);  // W1C clears only that bit
    EXPECT_EQ(device.read_register(reg::kIrqStatus), contract::irq::kJobDone);
    device.write_register(reg::kIrqStatus, contract::irq::kJobDone);
    EXPECT_EQ(device.read_register(reg::kIrqStatus), 0u);
    EXPECT_FALSE(device.run_until_interrupt(0));
    EXPECT_EQ(device.read_register(reg::kJobsDone), 1u);
    EXPECT_EQ(device.read_register(reg::kRingHead), 1u);
    EXPECT_EQ(device.read_register(reg::kLastJobIdLo), 0u);
}

TEST(Abi, DeviceTimeAdvancesWithRegisterAccesses) {
    TestHost& host = host_for("gen2");
    auto& device = host.device();
    const std::uint32_t first = device.read_register(reg::kTimeNsLo);
    const std::uint32_t second = device.read_register(reg::kTimeNsLo);
    // 4 controller cycles at 250 MHz per access: 16 ns.
    EXPECT_EQ(second - first, 16u);
}

}  // namespace
}  // namespace opusim::model
