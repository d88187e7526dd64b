// libFuzzer harness: what the device decodes from the host at a job's start (sim/model's
// controller): the configuration registers it latches, the 64-byte job descriptor it fetches, and
// the input frames it then reads by DMA and checks against the input layout. The input is
//   bytes 0..63    the descriptor, as the host wrote it into the ring
//   bytes 64..123  the 15 configuration register words (N_FEATURES .. MODE), little-endian
//   the rest       host memory at device address kHostBase, where the frames may be
// on a small device (64 x 16 mirrors, 32 x 16 pixels) so that whole frames fit a fuzz input. The
// contract: a BAD_CONFIG / BAD_DESCRIPTOR / DMA_READ / INPUT_FORMAT verdict or feature bits, never
// a crash, an out-of-bounds access or an undefined behaviour (wrapping address arithmetic
// included).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../../sim/model/src/controller/frame_addresses.hpp"
#include "../../sim/model/src/controller/job_config.hpp"
#include "../../sim/model/src/dmd/dmd.hpp"
#include "opusim/contract/data_format.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/registers.hpp"

namespace {

using namespace opusim;
namespace reg = contract::reg;

constexpr std::uint64_t kHostBase = 0x10000;  // device address of the host memory's first byte
constexpr std::uint64_t kMaxFramesChecked = 64;

constexpr std::array<std::uint32_t, 15> kConfigRegisters = {
    reg::kNFeatures,    reg::kReplication,  reg::kFirstMirror, reg::kRoiX,        reg::kRoiY,
    reg::kRoiWidth,     reg::kRoiHeight,    reg::kNComponents, reg::kExposureNs,  reg::kFrametimeNs,
    reg::kMediumSeedLo, reg::kMediumSeedHi, reg::kNoiseSeedLo, reg::kNoiseSeedHi, reg::kMode};

// The configuration registers as the fuzz input sets them (every other register reads 0).
class FuzzedRegisters final : public model::RegisterAccess {
  public:
    explicit FuzzedRegisters(const std::uint8_t* words) {
        for (std::size_t i = 0; i < kConfigRegisters.size(); ++i) {
            std::uint32_t value = 0;
            std::memcpy(&value, words + 4 * i, sizeof value);
            values_[i] = value;
        }
    }
    std::uint32_t get(std::uint32_t offset) const override {
        for (std::size_t i = 0; i < kConfigRegisters.size(); ++i) {
            if (kConfigRegisters[i] == offset) return values_[i];
        }
        return 0;
    }
    void set(std::uint32_t, std::uint32_t) override {}

  private:
    std::array<std::uint32_t, kConfigRegisters.size()> values_{};
};

physics::DeviceProfile small_device() {
    physics::DeviceProfile profile;
    profile.name = "fuzz";
    profile.dmd.columns = 64;
    profile.dmd.rows = 16;
    profile.camera.width = 32;
    profile.camera.height = 16;
    return profile;
}

// The device's DMA read of BYTES at ADDRESS from the host memory; null outside it.
const std::uint8_t* host_read(const std::uint8_t* memory, std::size_t memory_bytes,
                              std::uint64_t address, std::uint64_t bytes) {
    if (address < kHostBase) return nullptr;
    const std::uint64_t offset = address - kHostBase;
    if (offset > memory_bytes || bytes > memory_bytes - offset) return nullptr;
    return memory + offset;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    constexpr std::size_t kHeader = sizeof(contract::JobDescriptor) + 4 * kConfigRegisters.size();
    if (size < kHeader) return 0;
    static const physics::DeviceProfile profile = small_device();
    static const model::Dmd dmd = [] {
        model::Dmd made;
        made.configure(profile.dmd, model::ControllerClock(profile.controller.clock_mhz));
        return made;
    }();

    contract::JobDescriptor descriptor;
    std::memcpy(&descriptor, data, sizeof descriptor);
    const FuzzedRegisters registers(data + sizeof descriptor);
    model::JobConfig config;
    if (model::latch_config(registers, profile, config)) return 0;  // BAD_CONFIG
    (void)config.output_pixels(profile.camera.width);
    (void)dmd.load_cycles(config.layout);
    if (model::check_descriptor(descriptor, config, profile)) return 0;  // BAD_DESCRIPTOR
    if (config.timing_only) return 0;                                    // no data moves

    const std::uint8_t* memory = data + kHeader;
    const std::size_t memory_bytes = size - kHeader;
    const std::uint64_t frame_bytes = config.input_frame_bytes();  // DMD pattern or packed features
    std::vector<std::uint8_t> features(config.layout.n_features);
    const std::uint64_t frames = std::min<std::uint64_t>(descriptor.frame_count, kMaxFramesChecked);
    for (std::uint64_t k = 0; k < frames; ++k) {
        const std::uint8_t* frame =
            host_read(memory, memory_bytes, model::input_frame_address(descriptor, k), frame_bytes);
        if (frame == nullptr) return 0;  // DMA_READ
        if (dmd.unpack(config.layout, config.input_format, frame, frame_bytes, 1,
                       features.data()) != 1)
            return 0;
        (void)model::output_frame_address(descriptor, k);
    }
    return 0;
}
