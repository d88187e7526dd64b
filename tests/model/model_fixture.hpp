// Shared helpers of the model tests. Every test reaches the simulated device as an application
// does, through the driver: `driver::Device::open("sim:PROFILE_PATH")` starts a device of its own
// (one process each, so tests are independent), timing-only jobs for timing, functional jobs where
// data is needed. Register-level ABI tests that must see the device below the driver's own
// protocol (the power-on state before the driver's reset, a failed job's write-back and error
// registers before the driver's recovery, a hang without the driver's timeout) use RawDevice: the
// transport (registers, interrupt line) and the DMA memory, nothing else.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "opusim/contract/data_format.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/errors.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/contract/registers.hpp"
#include "opusim/driver/buffer.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/driver/device_uri.hpp"
#include "opusim/driver/dma_memory.hpp"
#include "opusim/driver/transport.hpp"
#include "opusim/driver/transport_registry.hpp"
#include "opusim/model/analytic_timing.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model::testing {

// -- profiles and device URIs --

inline std::string profile_path(const std::string& name) {
    return std::string(OPUSIM_PROFILE_DIR) + "/" + name + ".json";
}

// The profile as the oracles (analytic timing, physics capture) read it.
inline physics::DeviceProfile profile(const std::string& name) {
    return physics::DeviceProfile::load(profile_path(name));
}

// Writes a what-if PROFILE to a file of the temporary folder named by its content (FNV-1a), so
// the same what-if is the same device (one lock file, see device_lock.hpp) in every run and in
// test processes running at once; written to a private name and renamed, so a reader never sees a
// partial file. Returns its path.
inline std::string profile_file(const physics::DeviceProfile& profile) {
    const std::string text = profile.to_json().dump(2);
    std::uint64_t hash = 14695981039346656037ull;
    for (const unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
    char name[64];
    std::snprintf(name, sizeof name, "opusim-model-tests-%016llx.json",
                  static_cast<unsigned long long>(hash));
    const auto folder = std::filesystem::temp_directory_path();
    const auto path = folder / name;
    const auto partial = folder / (std::string(name) + "." + std::to_string(::getpid()));
    {
        std::ofstream out(partial);
        out << text;
        if (!out.flush()) throw std::runtime_error("cannot write " + partial.string());
    }
    std::filesystem::rename(partial, path);
    return path.string();
}

// sim: URIs of a profile of the source tree (by path: the device lock's key is then this tree's
// own, whatever else runs on the machine) and of a what-if profile (written to a file).
inline std::string uri(const std::string& profile_name) {
    return "sim:" + profile_path(profile_name);
}
inline std::string uri(const physics::DeviceProfile& what_if) {
    return "sim:" + profile_file(what_if);
}

inline std::unique_ptr<driver::Device> open_device(const std::string& profile_name) {
    return driver::Device::open(uri(profile_name));
}
inline std::unique_ptr<driver::Device> open_device(const physics::DeviceProfile& what_if) {
    return driver::Device::open(uri(what_if));
}

// -- job configuration --

// The configuration for N_FEATURES inputs and N_COMPONENTS outputs: the input layout from the
// input ROI STRATEGY and the output ROI from the device's own geometry (its capability
// registers); exposure, frametime and seeds from BASE (a device's config() right after open: the
// reset values, which are the profile's).
inline driver::DeviceConfig job_config(
    const driver::DeviceInfo& info, const driver::DeviceConfig& base, std::uint64_t n_features,
    std::uint64_t n_components,
    contract::InputRoiStrategy strategy = contract::InputRoiStrategy::Auto) {
    const auto layout = contract::make_input_layout(info.dmd, n_features, strategy);
    const auto roi = contract::make_output_roi(info.sensor, n_components);
    driver::DeviceConfig config = contract::with_geometry(base, layout, roi);
    config.timing_only = false;
    return config;
}

inline TimingPoint timing_point(const driver::DeviceConfig& config) {
    TimingPoint point;
    point.n_features = config.n_features;
    point.replication = config.replication;
    point.first_mirror = config.first_mirror;
    point.roi_height = config.roi_height;
    point.n_components = config.n_components;
    point.exposure_us = config.exposure_us;
    point.frametime_us = config.frametime_us;
    return point;
}

inline constexpr double kJobTimeoutS = 1e4;  // of device time

// -- jobs through the driver --

inline std::uint32_t output_frame_bytes(const driver::Device& device,
                                        const driver::DeviceConfig& config) {
    return static_cast<std::uint32_t>(
        contract::output_frame_bytes(config.n_components, device.info().bit_depth));
}

// Runs a timing-only job of FRAMES frames with CONFIG (buffers of one frame: no data moves);
// returns the device's statistics. A failed job throws the driver's typed error.
inline driver::DeviceStatistics run_timing_job(driver::Device& device, driver::DeviceConfig config,
                                               std::uint64_t frames) {
    config.timing_only = true;
    device.configure(config);
    const std::uint32_t in_frame = device.info().input_frame_bytes;
    const std::uint32_t out_frame = output_frame_bytes(device, config);
    driver::Buffer input = device.allocate(in_frame);
    driver::Buffer output = device.allocate(out_frame);
    input.sync(driver::SyncDirection::ToDevice);
    output.sync(driver::SyncDirection::ToDevice);
    const auto done = device.run(
        {&input, 0, in_frame, &output, 0, out_frame, static_cast<std::uint32_t>(frames), 0},
        kJobTimeoutS);
    if (done.frames != frames) {
        throw std::runtime_error("timing job: " + std::to_string(done.frames) + " of " +
                                 std::to_string(frames) + " frames");
    }
    return device.statistics();
}

struct FunctionalOutcome {
    driver::JobCompletion completion;
    std::uint64_t start_ns = 0;        // LAST_JOB_START_NS: device time the job started
    std::uint64_t end_ns = 0;          // LAST_JOB_END_NS
    std::vector<std::uint8_t> output;  // frames x output frame bytes
};

inline std::uint64_t read64(driver::Device& device, std::uint32_t lo_offset) {
    const std::uint64_t lo = device.read_register(lo_offset);
    return (std::uint64_t{device.read_register(lo_offset + 4)} << 32) | lo;
}

// Runs one functional job of FRAMES bit-packed DMD frames PACKED (the device's configuration as
// it is), noise sequence from FIRST_SEQUENCE; returns the output frames and the job's times.
inline FunctionalOutcome run_functional(driver::Device& device,
                                        const std::vector<std::uint8_t>& packed,
                                        std::uint64_t frames, std::uint64_t first_sequence = 0) {
    const driver::DeviceConfig config = device.config();
    const std::uint32_t in_frame = device.info().input_frame_bytes;
    const std::uint32_t out_frame = output_frame_bytes(device, config);
    if (packed.size() != frames * in_frame) {
        throw std::invalid_argument("run_functional: " + std::to_string(packed.size()) +
                                    " input bytes for " + std::to_string(frames) + " frames");
    }
    driver::Buffer input = device.allocate(packed.size());
    driver::Buffer output = device.allocate(frames * out_frame);
    std::memcpy(input.data(), packed.data(), packed.size());
    input.sync(driver::SyncDirection::ToDevice);
    output.sync(driver::SyncDirection::ToDevice);
    FunctionalOutcome outcome;
    outcome.completion = device.run({&input, 0, in_frame, &output, 0, out_frame,
                                     static_cast<std::uint32_t>(frames), first_sequence},
                                    kJobTimeoutS);
    output.sync(driver::SyncDirection::FromDevice);
    outcome.output.assign(output.data(), output.data() + output.size());
    outcome.start_ns = read64(device, contract::reg::kLastJobStartNsLo);
    outcome.end_ns = read64(device, contract::reg::kLastJobEndNsLo);
    return outcome;
}

// -- below the driver --

// What a job did, as the registers and the descriptor's write-back say.
struct RawOutcome {
    bool interrupted = false;  // the interrupt came before the timeout
    contract::DeviceError error = contract::DeviceError::None;
    std::uint32_t error_detail = 0;
    std::uint32_t status = 0;       // descriptor write-back status
    std::uint32_t frames_done = 0;  // descriptor write-back
};

// A simulated device reached through its transport alone (no driver: no reset at open, no
// recovery after a failure). Follows docs/device-abi.md's order of operations by hand.
class RawDevice {
  public:
    explicit RawDevice(const std::string& device_uri)
        : memory_(std::make_shared<driver::DmaMemory>()),
          transport_(driver::make_transport(driver::DeviceUri::parse(device_uri), memory_)) {}

    std::uint32_t read(std::uint32_t offset) { return transport_->read_register(offset); }
    void write(std::uint32_t offset, std::uint32_t value) {
        transport_->write_register(offset, value);
    }
    std::uint64_t read64(std::uint32_t lo_offset) {
        const std::uint64_t lo = read(lo_offset);
        return (std::uint64_t{read(lo_offset + 4)} << 32) | lo;
    }
    void write64(std::uint32_t lo_offset, std::uint64_t value) {
        write(lo_offset, static_cast<std::uint32_t>(value));
        write(lo_offset + 4, static_cast<std::uint32_t>(value >> 32));
    }
    bool wait_for_interrupt(double timeout_s) { return transport_->wait_for_interrupt(timeout_s); }

    // DMA memory the device may always reach (coherent: no ownership protocol).
    driver::Buffer allocate(std::size_t bytes) {
        return driver::Buffer::allocate(memory_, bytes, true);
    }

    // RESET, interrupts enabled, a ring of RING_SIZE descriptors (the driver's open, by hand).
    void reset_with_ring(std::uint32_t ring_size = 16) {
        namespace reg = contract::reg;
        if (!ring_.valid())
            ring_ = allocate(std::size_t{ring_size} * sizeof(contract::JobDescriptor));
        ring_size_ = ring_size;
        std::memset(ring_.data(), 0, ring_.size());
        write(reg::kControl, contract::control::kReset);
        write(reg::kIrqEnable, contract::irq::kAll);
        write64(reg::kRingBaseLo, ring_.device_address());
        write(reg::kRingSize, ring_size);
    }
    driver::Buffer& ring() { return ring_; }
    contract::JobDescriptor descriptor(std::uint32_t slot) const {
        contract::JobDescriptor descriptor;
        std::memcpy(&descriptor, ring_.data() + slot * sizeof descriptor, sizeof descriptor);
        return descriptor;
    }
    void put_descriptor(std::uint32_t slot, const contract::JobDescriptor& descriptor) {
        std::memcpy(ring_.data() + slot * sizeof descriptor, &descriptor, sizeof descriptor);
    }

    // Writes the configuration registers (as the driver's configure does, without its checks).
    void configure(const driver::DeviceConfig& c) {
        namespace reg = contract::reg;
        write(reg::kNFeatures, static_cast<std::uint32_t>(c.n_features));
        write(reg::kReplication, static_cast<std::uint32_t>(c.replication));
        write(reg::kFirstMirror, static_cast<std::uint32_t>(c.first_mirror));
        write(reg::kRoiX, c.roi_x);
        write(reg::kRoiY, c.roi_y);
        write(reg::kRoiWidth, c.roi_width);
        write(reg::kRoiHeight, c.roi_height);
        write(reg::kNComponents, c.n_components);
        write(reg::kExposureNs, static_cast<std::uint32_t>(c.exposure_us * 1e3 + 0.5));
        write(reg::kFrametimeNs, static_cast<std::uint32_t>(c.frametime_us * 1e3 + 0.5));
        write64(reg::kMediumSeedLo, c.medium_seed);
        write64(reg::kNoiseSeedLo, c.noise_seed);
        write(reg::kMode, (c.noise ? contract::mode::kNoiseEnable : 0u) |
                              (c.timing_only ? contract::mode::kTimingOnly : 0u));
        timing_only_ = c.timing_only;
    }

    // The configuration the device resets to (its defaults: the profile's), as the driver reads
    // it at open. Call after a RESET.
    driver::DeviceConfig reset_config() {
        namespace reg = contract::reg;
        driver::DeviceConfig c;
        c.n_features = read(reg::kNFeatures);
        c.replication = read(reg::kReplication);
        c.first_mirror = read(reg::kFirstMirror);
        c.roi_x = read(reg::kRoiX);
        c.roi_y = read(reg::kRoiY);
        c.roi_width = read(reg::kRoiWidth);
        c.roi_height = read(reg::kRoiHeight);
        c.n_components = read(reg::kNComponents);
        c.exposure_us = read(reg::kExposureNs) / 1000.0;
        c.frametime_us = read(reg::kFrametimeNs) / 1000.0;
        c.medium_seed = read64(reg::kMediumSeedLo);
        c.noise_seed = read64(reg::kNoiseSeedLo);
        c.noise = (read(reg::kMode) & contract::mode::kNoiseEnable) != 0;
        return c;
    }

    // The device's geometry, from its capability registers, as the driver decodes it.
    driver::DeviceInfo info() {
        namespace reg = contract::reg;
        driver::DeviceInfo info;
        info.dmd = contract::DmdGeometry{read(reg::kCapDmdColumns), read(reg::kCapDmdRows)};
        info.sensor.width = read(reg::kCapCameraWidth);
        info.sensor.height = read(reg::kCapCameraHeight);
        info.sensor.roi_increment = read(reg::kCapRoiIncrement);
        info.sensor.roi_strategy = read(reg::kCapRoiStrategy) == contract::roi_strategy::kMidSquare
                                       ? contract::OutputRoiStrategy::MidSquare
                                       : contract::OutputRoiStrategy::MidWidth;
        info.input_frame_bytes = read(reg::kCapInputFrameBytes);
        info.bytes_per_pixel = read(reg::kCapBytesPerPixel);
        return info;
    }

    // One job of FRAMES frames from PACKED_INPUT (frames x CAP_INPUT_FRAME_BYTES; null for
    // timing-only jobs, whose buffers hold one frame) at the ring's tail; waits up to TIMEOUT_S of
    // device time for the interrupt, then for IDLE, and clears them.
    RawOutcome run(const std::uint8_t* packed_input, std::uint64_t frames,
                   std::uint64_t first_sequence = 0, double timeout_s = kJobTimeoutS) {
        namespace reg = contract::reg;
        const std::uint32_t input_bytes = read(reg::kCapInputFrameBytes);
        const std::uint32_t output_stride = read(reg::kNComponents) * read(reg::kCapBytesPerPixel);
        const std::uint64_t buffer_frames = timing_only_ ? 1 : frames;
        driver::Buffer input = allocate(buffer_frames * input_bytes);
        driver::Buffer output = allocate(buffer_frames * output_stride);
        if (!timing_only_ && packed_input != nullptr) {
            std::memcpy(input.data(), packed_input, frames * input_bytes);
        }
        const std::uint32_t tail = read(reg::kRingTail);
        contract::JobDescriptor descriptor;
        descriptor.input_address = input.device_address();
        descriptor.output_address = output.device_address();
        descriptor.input_stride = input_bytes;
        descriptor.output_stride = output_stride;
        descriptor.frame_count = static_cast<std::uint32_t>(frames);
        descriptor.flags = contract::job_flags::kInterrupt;
        descriptor.job_id = next_job_id_++;
        descriptor.first_sequence = first_sequence;
        put_descriptor(tail, descriptor);
        write(reg::kRingTail, (tail + 1) % ring_size_);
        write(reg::kControl, contract::control::kStart);

        RawOutcome outcome;
        outcome.interrupted = wait_for_interrupt(timeout_s);
        if (outcome.interrupted) {
            // Wait for IDLE too: the ring has drained once BUSY fell.
            while ((read(reg::kIrqStatus) & contract::irq::kIdle) == 0 &&
                   wait_for_interrupt(timeout_s)) {
                const std::uint32_t pending = read(reg::kIrqStatus);
                write(reg::kIrqStatus, pending & ~contract::irq::kIdle);
            }
            write(reg::kIrqStatus, contract::irq::kAll);
        }
        descriptor = this->descriptor(tail);
        outcome.status = descriptor.status;
        outcome.frames_done = descriptor.frames_done;
        outcome.error = static_cast<contract::DeviceError>(read(reg::kErrorCode));
        outcome.error_detail = read(reg::kErrorDetail);
        return outcome;
    }

  private:
    std::shared_ptr<driver::DmaMemory> memory_;
    std::unique_ptr<driver::Transport> transport_;
    driver::Buffer ring_;
    std::uint32_t ring_size_ = 0;
    std::uint64_t next_job_id_ = 1;
    bool timing_only_ = false;
};

}  // namespace opusim::model::testing
