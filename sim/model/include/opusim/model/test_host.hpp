// A minimal host for the simulated device, for tests and tools (`opusim timing`, benchmarks):
// host memory the device reaches by DMA, and an initiator that runs jobs through the device ABI
// (registers, job ring, interrupt) exactly as docs/device-abi.md orders them. The real driver is
// opusim_driver; this is deliberately small and has no policy.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "opusim/contract/errors.hpp"
#include "opusim/model/simulated_device.hpp"
#include "opusim/contract/input_layout.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

// Host memory as regions allocated at increasing device addresses; anything else is unmapped.
class HostMemoryArena : public HostMemory {
  public:
    // A zeroed region of BYTES, 64-byte aligned; returns its device address.
    std::uint64_t allocate(std::size_t bytes);
    void release(std::uint64_t address);        // the region allocated at ADDRESS becomes unmapped
    std::uint8_t* data(std::uint64_t address);  // host view of an allocated address
    bool read(std::uint64_t device_address, void* out, std::size_t bytes) override;
    bool write(std::uint64_t device_address, const void* data, std::size_t bytes) override;

  private:
    std::uint8_t* find(std::uint64_t address, std::size_t bytes);
    std::map<std::uint64_t, std::vector<std::uint8_t>> regions_;  // base -> bytes
    std::uint64_t next_ = 0x10000000;
};

// Device configuration for a job, as register values.
struct JobSettings {
    std::uint32_t n_features = 0;
    std::uint32_t replication = 1;
    std::uint32_t first_mirror = 0;
    std::uint32_t roi_x = 0, roi_y = 0, roi_width = 0, roi_height = 0;
    std::uint32_t n_components = 0;
    std::uint32_t exposure_ns = 0;
    std::uint32_t frametime_ns = 0;
    std::uint64_t medium_seed = 0;
    std::uint64_t noise_seed = 0;
    bool noise = true;
    bool timing_only = false;

    // Layout from the input ROI STRATEGY (dmd_format.hpp) and the profile's output ROI strategy;
    // exposure, frametime and seeds from the profile. Throws std::invalid_argument naming
    // n_features or n_components when they do not fit the device.
    static JobSettings for_sizes(
        const physics::DeviceProfile& profile, std::uint64_t n_features, std::uint64_t n_components,
        contract::InputRoiStrategy strategy = contract::InputRoiStrategy::Auto);
};

struct JobOutcome {
    bool interrupted = false;  // the interrupt came before the timeout
    contract::DeviceError error = contract::DeviceError::None;
    std::uint32_t error_detail = 0;
    std::uint32_t status = 0;       // descriptor write-back status
    std::uint32_t frames_done = 0;  // descriptor write-back
    std::uint64_t start_ns = 0;     // LAST_JOB_START_NS: device time the job started
    std::uint64_t end_ns = 0;       // LAST_JOB_END_NS
    double start_s = 0;             // the same in seconds
    double end_s = 0;
    std::vector<std::uint8_t> output;  // frames x output_stride bytes (functional jobs)
};

class TestHost {
  public:
    // Attaches its memory to DEVICE, resets it and sets up a ring of RING_SIZE descriptors.
    explicit TestHost(SimulatedDevice& device, std::uint32_t ring_size = 16);

    void configure(const JobSettings& settings);
    // One job of FRAMES frames from PACKED_INPUT (frames x CAP_INPUT_FRAME_BYTES, may be null for
    // timing-only jobs); waits for the interrupt up to TIMEOUT_S of simulated time.
    JobOutcome run(const std::uint8_t* packed_input, std::uint64_t frames,
                   std::uint64_t first_sequence = 0, double timeout_s = 1e4);
    // The same with the input already in host memory at INPUT_ADDRESS and the output written at
    // OUTPUT_ADDRESS (frames x N_COMPONENTS x bytes per pixel); OUTCOME.output stays empty.
    JobOutcome run_in_place(std::uint64_t input_address, std::uint64_t output_address,
                            std::uint64_t frames, std::uint64_t first_sequence = 0,
                            double timeout_s = 1e4);
    void reset();
    SimulatedDevice& device() { return device_; }
    HostMemoryArena& memory() { return memory_; }

  private:
    void setup_ring();
    SimulatedDevice& device_;
    HostMemoryArena memory_;
    std::uint32_t ring_size_;
    std::uint64_t ring_ = 0;
    std::uint64_t next_job_id_ = 1;
};

}  // namespace opusim::model
