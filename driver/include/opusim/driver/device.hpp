// The user-space driver's device handle: open by URI, exclusive across processes, register
// access, DMA buffers, job submission through the descriptor ring, completion by interrupt with
// a timeout, device errors decoded into typed exceptions (errors.hpp), reset and recovery.
// Everything it knows about the device comes from the device's registers; the device itself is
// reached through the transport the URI's scheme names (transport_registry.hpp).
// Thread-safe: every call takes the device's mutex. See docs/driver.md.
//
//   auto device = opusim::driver::Device::open("sim:gen2?seed=7");
//   auto config = device->config();            // reset values + URI options
//   config.n_features = ...; device->configure(config);
//   auto in = device->allocate(frames * device->info().input_frame_bytes);
//   ... fill in.data() ...; in.sync(SyncDirection::ToDevice); out.sync(SyncDirection::ToDevice);
//   auto done = device->run({&in, 0, stride, &out, 0, out_stride, frames, 0}, timeout_s);
//   out.sync(SyncDirection::FromDevice);  ... read out.data() ...
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "opusim/contract/data_format.hpp"
#include "opusim/contract/geometry.hpp"
#include "opusim/contract/job_configuration.hpp"
#include "opusim/driver/buffer.hpp"
#include "opusim/driver/device_statistics.hpp"
#include "opusim/driver/device_uri.hpp"
#include "opusim/driver/frame_trace.hpp"

namespace opusim::driver {

class DmaMemory;
class DeviceLock;
class Transport;

// Identification and capabilities, read from the device's registers at open.
struct DeviceInfo {
    std::string uri;
    std::string identity;  // transport:target, the lock key
    std::string transport;
    std::string profile_name;  // the URI's target (sim: the profile name or path)
    std::uint32_t id = 0;
    std::uint32_t abi_version = 0;
    std::uint32_t dmd_columns = 0;
    std::uint32_t dmd_rows = 0;
    std::uint64_t max_mirrors = 0;
    std::uint32_t camera_width = 0;
    std::uint32_t camera_height = 0;
    std::uint64_t max_pixels = 0;
    std::uint32_t bit_depth = 0;
    std::uint32_t bytes_per_pixel = 0;
    std::uint32_t input_frame_bytes = 0;
    double clock_mhz = 0;
    double min_exposure_us = 0;
    double max_exposure_us = 0;
    std::uint32_t input_buffer_frames = 0;
    std::uint32_t output_buffer_frames = 0;
    std::uint32_t roi_increment = 1;
    std::uint32_t ring_entries = 0;  // descriptors in the driver's ring
    // The same facts as the contract's geometry, for the host-side formatting (ABI 1.1).
    contract::DmdGeometry dmd;
    contract::SensorGeometry sensor;  // with the device's ROI placement (CAP_ROI_STRATEGY)
    // Lit mirrors for good signal (CAP_ONES_MIN/MAX; lightonml's ones_range); 0, 0 when the device
    // states none.
    std::uint64_t ones_min = 0;
    std::uint64_t ones_max = 0;
    // Input formats the device accepts (CAP_INPUT_FORMATS, contract::input_formats bits; a device
    // without the register takes DMD patterns only).
    std::uint32_t input_formats = contract::input_formats::kDmdPattern;
    // Output formats the device can write (CAP_OUTPUT_FORMATS, contract::output_formats bits; a
    // device without the register writes camera values only).
    std::uint32_t output_formats = contract::output_formats::kCameraValues;
    // Electrical power while on, watts (CAP_POWER_*: laser, DMD, camera, controller, link); all 0
    // when the device states none.
    double laser_w = 0;
    double dmd_w = 0;
    double camera_w = 0;
    double controller_w = 0;
    double link_w = 0;
    double power_w() const { return laser_w + dmd_w + camera_w + controller_w + link_w; }
};

// Everything a job runs with (the configuration registers): the contract's one job
// configuration type. Defaults: the device's reset values with the URI's options applied.
using DeviceConfig = contract::JobConfiguration;

// One job: FRAMES input frames from INPUT (at INPUT_OFFSET, INPUT_STRIDE bytes apart) to
// FRAMES output frames in OUTPUT. FIRST_SEQUENCE keys the camera noise of frame 0. A timing-only
// job (DeviceConfig::timing_only) moves no data, so its buffers need hold one frame each.
struct Job {
    const Buffer* input = nullptr;
    std::size_t input_offset = 0;
    std::uint32_t input_stride = 0;
    const Buffer* output = nullptr;
    std::size_t output_offset = 0;
    std::uint32_t output_stride = 0;
    std::uint32_t frames = 0;
    std::uint64_t first_sequence = 0;
    // What the input frames hold: whole DMD patterns (info().input_frame_bytes each) or packed
    // features (ceil(n_features / 8) bytes each; only when info().input_formats allows it).
    contract::InputFormat input_format = contract::InputFormat::DmdPattern;
};

struct JobCompletion {
    std::uint64_t job_id = 0;
    std::uint32_t frames = 0;
    double start_s = 0;  // device time the job started (descriptor fetched)
    double end_s = 0;    // device time its write-back completed
};

struct DeviceCounters {
    std::uint32_t frames_in = 0;
    std::uint32_t frames_out = 0;
    std::uint32_t frames_dropped = 0;
    std::uint32_t jobs_done = 0;
};

class Device {
  public:
    // Opens the device named by URI (empty: $OPUSIM_DEVICE, else sim:gen2). Throws UriError for a
    // bad URI or profile, DeviceBusyError when another holder has it.
    static std::unique_ptr<Device> open(const std::string& uri = "");
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    const DeviceInfo& info() const { return info_; }
    const DeviceUri& uri() const { return uri_; }
    std::string transport_description() const;

    // The current configuration, and a new one: validated against the capabilities (UsageError
    // naming the field), then written to the registers. Latched by the device at each job start.
    DeviceConfig config() const;
    void configure(const DeviceConfig& config);

    Buffer allocate(std::size_t bytes);
    Buffer register_memory(void* host, std::size_t bytes);

    // Queues JOB on the ring and starts the device; returns its job id. Throws UsageError for a
    // job outside its buffers, or when the ring is full (wait for earlier jobs first).
    std::uint64_t submit(const Job& job);
    // Waits for job JOB_ID up to TIMEOUT_S seconds of device time. Throws the typed DeviceError
    // of a failed job; on a failure or timeout the device is reset and reconfigured (recover()),
    // and every other queued job is cancelled (waiting for one throws DriverError).
    JobCompletion wait(std::uint64_t job_id, double timeout_s);
    JobCompletion run(const Job& job, double timeout_s);

    // RESET, then the ring and the current configuration again. Cancels queued jobs.
    void recover();
    std::size_t pending_jobs() const;

    std::uint32_t read_register(std::uint32_t offset);
    void write_register(std::uint32_t offset, std::uint32_t value);
    double device_time_s() const;
    DeviceCounters counters();
    // The device's measurements since its last reset (statistics registers).
    DeviceStatistics statistics();
    // The schedule of the last frames the device ran (at most contract::trace::kDepth, oldest
    // first; empty before any frame, or on a device without the trace registers).
    std::vector<TracedFrame> frame_trace();

  private:
    Device() = default;
    void initialise();  // RESET, interrupts, ring
    void write_config_registers(const DeviceConfig& config);
    void validate(const DeviceConfig& config) const;
    void validate(const Job& job) const;
    void handle_interrupt();
    void fail_pending(const std::string& reason);
    void recover_locked();
    std::uint64_t read64(std::uint32_t lo_offset);
    void write64(std::uint32_t lo_offset, std::uint64_t value);

    struct Pending {
        std::uint32_t slot = 0;
        std::uint32_t frames = 0;
    };

    mutable std::mutex mutex_;
    DeviceUri uri_;
    DeviceInfo info_;
    DeviceConfig config_;
    std::unique_ptr<DeviceLock> lock_;
    std::shared_ptr<DmaMemory> memory_;
    std::unique_ptr<Transport> transport_;
    Buffer ring_;
    std::uint32_t ring_tail_ = 0;
    std::uint64_t next_job_id_ = 1;
    std::map<std::uint64_t, Pending> pending_;          // queued, not yet seen to end
    std::map<std::uint64_t, JobCompletion> completed_;  // ended, not yet waited for
    std::map<std::uint64_t, std::string> cancelled_;    // cancelled by a recovery
};

}  // namespace opusim::driver
