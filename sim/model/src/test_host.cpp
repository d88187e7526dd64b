#include "opusim/physics/device_geometry.hpp"
#include "opusim/model/test_host.hpp"

#include <cstring>
#include <stdexcept>

#include "opusim/contract/data_format.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/registers.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"

namespace opusim::model {

using namespace contract::reg;

std::uint64_t HostMemoryArena::allocate(std::size_t bytes) {
    const std::uint64_t base = next_;
    regions_.emplace(base, std::vector<std::uint8_t>(bytes));
    next_ += (bytes + 4095) / 4096 * 4096 + 4096;  // a guard gap after every region
    return base;
}

void HostMemoryArena::release(std::uint64_t address) {
    regions_.erase(address);
}

std::uint8_t* HostMemoryArena::find(std::uint64_t address, std::size_t bytes) {
    auto it = regions_.upper_bound(address);
    if (it == regions_.begin()) return nullptr;
    --it;
    const std::uint64_t offset = address - it->first;
    if (offset > it->second.size() || bytes > it->second.size() - offset) return nullptr;
    return it->second.data() + offset;
}

std::uint8_t* HostMemoryArena::data(std::uint64_t address) {
    std::uint8_t* pointer = find(address, 0);
    if (pointer == nullptr) throw std::out_of_range("HostMemoryArena: address not allocated");
    return pointer;
}

bool HostMemoryArena::read(std::uint64_t device_address, void* out, std::size_t bytes) {
    const std::uint8_t* source = find(device_address, bytes);
    if (source == nullptr) return false;
    std::memcpy(out, source, bytes);
    return true;
}

bool HostMemoryArena::write(std::uint64_t device_address, const void* data, std::size_t bytes) {
    std::uint8_t* target = find(device_address, bytes);
    if (target == nullptr) return false;
    std::memcpy(target, data, bytes);
    return true;
}

JobSettings JobSettings::for_sizes(const physics::DeviceProfile& profile, std::uint64_t n_features,
                                   std::uint64_t n_components, contract::InputRoiStrategy strategy) {
    const auto layout = contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), n_features, strategy);
    const auto roi = contract::make_output_roi(opusim::physics::sensor_geometry(profile.camera), n_components);
    JobSettings settings;
    settings.n_features = static_cast<std::uint32_t>(layout.n_features);
    settings.replication = static_cast<std::uint32_t>(layout.replication);
    settings.first_mirror = static_cast<std::uint32_t>(layout.first_mirror);
    settings.roi_x = roi.x;
    settings.roi_y = roi.y;
    settings.roi_width = roi.width;
    settings.roi_height = roi.height;
    settings.n_components = static_cast<std::uint32_t>(n_components);
    settings.exposure_ns = static_cast<std::uint32_t>(profile.camera.exposure_us * 1e3 + 0.5);
    settings.frametime_ns = static_cast<std::uint32_t>(profile.camera.frametime_us * 1e3 + 0.5);
    settings.medium_seed = profile.medium.seed;
    settings.noise_seed = profile.camera.noise_seed;
    return settings;
}

TestHost::TestHost(SimulatedDevice& device, std::uint32_t ring_size)
    : device_(device), ring_size_(ring_size) {
    device_.attach_host_memory(&memory_);
    ring_ = memory_.allocate(std::size_t{ring_size} * sizeof(contract::JobDescriptor));
    reset();
}

void TestHost::setup_ring() {
    device_.write_register(kIrqEnable, contract::irq::kAll);
    device_.write_register(kRingBaseLo, static_cast<std::uint32_t>(ring_));
    device_.write_register(kRingBaseHi, static_cast<std::uint32_t>(ring_ >> 32));
    device_.write_register(kRingSize, ring_size_);
}

void TestHost::reset() {
    device_.write_register(kControl, contract::control::kReset);
    setup_ring();
}

void TestHost::configure(const JobSettings& s) {
    device_.write_register(kNFeatures, s.n_features);
    device_.write_register(kReplication, s.replication);
    device_.write_register(kFirstMirror, s.first_mirror);
    device_.write_register(kRoiX, s.roi_x);
    device_.write_register(kRoiY, s.roi_y);
    device_.write_register(kRoiWidth, s.roi_width);
    device_.write_register(kRoiHeight, s.roi_height);
    device_.write_register(kNComponents, s.n_components);
    device_.write_register(kExposureNs, s.exposure_ns);
    device_.write_register(kFrametimeNs, s.frametime_ns);
    device_.write_register(kMediumSeedLo, static_cast<std::uint32_t>(s.medium_seed));
    device_.write_register(kMediumSeedHi, static_cast<std::uint32_t>(s.medium_seed >> 32));
    device_.write_register(kNoiseSeedLo, static_cast<std::uint32_t>(s.noise_seed));
    device_.write_register(kNoiseSeedHi, static_cast<std::uint32_t>(s.noise_seed >> 32));
    device_.write_register(kMode, (s.noise ? contract::mode::kNoiseEnable : 0u) |
                                      (s.timing_only ? contract::mode::kTimingOnly : 0u));
}

JobOutcome TestHost::run(const std::uint8_t* packed_input, std::uint64_t frames,
                         std::uint64_t first_sequence, double timeout_s) {
    const std::uint32_t input_bytes = device_.read_register(kCapInputFrameBytes);
    const std::uint32_t output_stride =
        device_.read_register(kNComponents) * device_.read_register(kCapBytesPerPixel);
    const bool timing_only = (device_.read_register(kMode) & contract::mode::kTimingOnly) != 0;
    // Timing-only jobs move no data, so they need no buffers: a one-frame stand-in keeps the
    // descriptor's addresses valid.
    const std::uint64_t buffer_frames = timing_only ? 1 : frames;
    const std::uint64_t input = memory_.allocate(buffer_frames * input_bytes);
    const std::uint64_t output = memory_.allocate(buffer_frames * output_stride);
    if (!timing_only && packed_input != nullptr) {
        std::memcpy(memory_.data(input), packed_input, frames * input_bytes);
    }
    JobOutcome outcome = run_in_place(input, output, frames, first_sequence, timeout_s);
    if (!timing_only) {
        const std::uint8_t* bytes = memory_.data(output);
        outcome.output.assign(bytes, bytes + frames * output_stride);
    }
    memory_.release(input);
    memory_.release(output);
    return outcome;
}

JobOutcome TestHost::run_in_place(std::uint64_t input_address, std::uint64_t output_address,
                                  std::uint64_t frames, std::uint64_t first_sequence,
                                  double timeout_s) {
    const std::uint32_t tail = device_.read_register(kRingTail);
    contract::JobDescriptor descriptor;
    descriptor.input_address = input_address;
    descriptor.output_address = output_address;
    descriptor.input_stride = device_.read_register(kCapInputFrameBytes);
    descriptor.output_stride =
        device_.read_register(kNComponents) * device_.read_register(kCapBytesPerPixel);
    descriptor.frame_count = static_cast<std::uint32_t>(frames);
    descriptor.flags = contract::job_flags::kInterrupt;
    descriptor.job_id = next_job_id_++;
    descriptor.first_sequence = first_sequence;
    const std::uint64_t slot = ring_ + std::uint64_t{tail} * sizeof descriptor;
    std::memcpy(memory_.data(slot), &descriptor, sizeof descriptor);
    device_.write_register(kRingTail, (tail + 1) % ring_size_);
    device_.write_register(kControl, contract::control::kStart);

    JobOutcome outcome;
    outcome.interrupted = device_.run_until_interrupt(timeout_s);
    if (outcome.interrupted) {
        // Wait for IDLE too: the ring has drained once BUSY fell.
        while ((device_.read_register(kIrqStatus) & contract::irq::kIdle) == 0 &&
               device_.run_until_interrupt(timeout_s)) {
            const std::uint32_t pending = device_.read_register(kIrqStatus);
            device_.write_register(kIrqStatus, pending & ~contract::irq::kIdle);
        }
        device_.write_register(kIrqStatus, contract::irq::kAll);
    }
    std::memcpy(&descriptor, memory_.data(slot), sizeof descriptor);
    outcome.status = descriptor.status;
    outcome.frames_done = descriptor.frames_done;
    outcome.error = static_cast<contract::DeviceError>(device_.read_register(kErrorCode));
    outcome.error_detail = device_.read_register(kErrorDetail);
    const auto read64 = [this](std::uint32_t lo) {
        return (std::uint64_t{device_.read_register(lo + 4)} << 32) | device_.read_register(lo);
    };
    outcome.start_ns = read64(kLastJobStartNsLo);
    outcome.end_ns = read64(kLastJobEndNsLo);
    outcome.start_s = static_cast<double>(outcome.start_ns) * 1e-9;
    outcome.end_s = static_cast<double>(outcome.end_ns) * 1e-9;
    return outcome;
}

}  // namespace opusim::model
