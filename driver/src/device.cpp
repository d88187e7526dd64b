#include "opusim/driver/device.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include "opusim/contract/data_format.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/contract/registers.hpp"
#include "opusim/driver/device_lock.hpp"
#include "opusim/driver/dma_memory.hpp"
#include "opusim/driver/errors.hpp"
#include "opusim/driver/transport.hpp"
#include "opusim/driver/transport_registry.hpp"

namespace opusim::driver {

namespace {

constexpr std::uint32_t kRingEntries = 64;
// Wall-clock seconds an open waits for another holder by default (URI option lock_wait).
constexpr double kDefaultLockWaitS = 30.0;
// Device time granted to an ABORT to write the stuck job back before the driver resets.
constexpr double kAbortGraceS = 0.05;

std::uint32_t to_ns_register(double us, const char* field) {
    const double ns = std::round(us * 1000.0);
    if (!std::isfinite(us) || ns < 0 || ns > double(std::numeric_limits<std::uint32_t>::max())) {
        throw UsageError(std::string("device configuration: ") + field +
                         " must be finite, >= 0 and at most 4.29e6 us, got " + std::to_string(us));
    }
    return static_cast<std::uint32_t>(ns);
}

std::uint32_t checked_u32(std::uint64_t value, const char* field) {
    if (value > std::numeric_limits<std::uint32_t>::max()) {
        throw UsageError(std::string("device configuration: ") + field +
                         " does not fit the 32-bit register: " + std::to_string(value));
    }
    return static_cast<std::uint32_t>(value);
}

}  // namespace

std::unique_ptr<Device> Device::open(const std::string& text) {
    DeviceUri uri = DeviceUri::parse(text);
    std::unique_ptr<Device> device(new Device());
    device->uri_ = uri;
    device->memory_ = std::make_shared<DmaMemory>();
    // The transport first: it refuses a bad profile (the device server checks it) before this
    // open waits for a lock it could never use. Nothing touches the device until the lock is ours.
    device->transport_ = make_transport(uri, device->memory_);
    if (!device->transport_->shared_by_service()) {
        device->lock_ = std::make_unique<DeviceLock>(DeviceLock::key_of(uri),
                                                     uri.lock_wait_s.value_or(kDefaultLockWaitS));
    }
    device->info_.uri = uri.text;
    device->info_.identity = uri.identity();
    device->info_.transport = uri.transport;
    device->info_.profile_name = uri.target;
    device->initialise();
    return device;
}

Device::~Device() {
    if (transport_) {
        try {
            transport_->write_register(contract::reg::kControl, contract::control::kReset);
        } catch (...) {
            // Closing must not throw; the transport goes away next anyway.
        }
    }
    ring_ = Buffer();
    transport_.reset();
}

std::string Device::transport_description() const {
    const std::lock_guard<std::mutex> guard(mutex_);
    return transport_->description();
}

std::uint64_t Device::read64(std::uint32_t lo_offset) {
    const std::uint32_t offsets[2] = {lo_offset, lo_offset + 4};
    std::uint32_t words[2] = {};
    transport_->read_registers(offsets, words, 2);
    return (std::uint64_t{words[1]} << 32) | words[0];
}

void Device::write64(std::uint32_t lo_offset, std::uint64_t value) {
    transport_->write_register(lo_offset, static_cast<std::uint32_t>(value & 0xFFFFFFFFu));
    transport_->write_register(lo_offset + 4, static_cast<std::uint32_t>(value >> 32));
}

void Device::initialise() {
    namespace reg = contract::reg;
    auto& t = *transport_;
    info_.id = t.read_register(reg::kId);
    info_.abi_version = t.read_register(reg::kVersion);
    if (info_.id != contract::kDeviceId) {
        throw DriverError("device " + uri_.text + ": not an OPU (ID register reads 0x" +
                          std::to_string(info_.id) + ")");
    }
    if ((info_.abi_version >> 16) != contract::kAbiVersionMajor) {
        throw DriverError("device " + uri_.text + ": ABI major version " +
                          std::to_string(info_.abi_version >> 16) + ", this driver speaks " +
                          std::to_string(contract::kAbiVersionMajor));
    }
    if ((info_.abi_version & 0xFFFFu) < contract::kAbiVersionMinor) {
        throw DriverError(
            "device " + uri_.text + ": ABI " + std::to_string(info_.abi_version >> 16) + "." +
            std::to_string(info_.abi_version & 0xFFFFu) + ", this driver needs " +
            std::to_string(contract::kAbiVersionMajor) + "." +
            std::to_string(contract::kAbiVersionMinor) + " (capability and statistics registers)");
    }
    info_.dmd_columns = t.read_register(reg::kCapDmdColumns);
    info_.dmd_rows = t.read_register(reg::kCapDmdRows);
    info_.max_mirrors = t.read_register(reg::kCapMaxMirrors);
    info_.camera_width = t.read_register(reg::kCapCameraWidth);
    info_.camera_height = t.read_register(reg::kCapCameraHeight);
    info_.max_pixels = t.read_register(reg::kCapMaxPixels);
    info_.bit_depth = t.read_register(reg::kCapBitDepth);
    info_.bytes_per_pixel = t.read_register(reg::kCapBytesPerPixel);
    info_.input_frame_bytes = t.read_register(reg::kCapInputFrameBytes);
    info_.clock_mhz = t.read_register(reg::kCapClockKhz) / 1000.0;
    info_.min_exposure_us = t.read_register(reg::kCapMinExposureNs) / 1000.0;
    info_.max_exposure_us = t.read_register(reg::kCapMaxExposureNs) / 1000.0;
    const std::uint32_t buffers = t.read_register(reg::kCapBufferFrames);
    info_.input_buffer_frames = buffers & 0xFFFFu;
    info_.output_buffer_frames = buffers >> 16;
    info_.roi_increment = t.read_register(reg::kCapRoiIncrement);
    info_.ring_entries = kRingEntries;
    info_.dmd = contract::DmdGeometry{info_.dmd_columns, info_.dmd_rows};
    info_.sensor.width = info_.camera_width;
    info_.sensor.height = info_.camera_height;
    info_.sensor.roi_increment = info_.roi_increment;
    info_.sensor.roi_strategy =
        t.read_register(reg::kCapRoiStrategy) == contract::roi_strategy::kMidSquare
            ? contract::OutputRoiStrategy::MidSquare
            : contract::OutputRoiStrategy::MidWidth;
    info_.ones_min = read64(reg::kCapOnesMinLo);
    info_.ones_max = read64(reg::kCapOnesMaxLo);
    info_.input_formats =
        t.read_register(reg::kCapInputFormats) | contract::input_formats::kDmdPattern;
    info_.output_formats =
        t.read_register(reg::kCapOutputFormats) | contract::output_formats::kCameraValues;
    info_.laser_w = t.read_register(reg::kCapPowerLaserMw) / 1000.0;
    info_.dmd_w = t.read_register(reg::kCapPowerDmdMw) / 1000.0;
    info_.camera_w = t.read_register(reg::kCapPowerCameraMw) / 1000.0;
    info_.controller_w = t.read_register(reg::kCapPowerControllerMw) / 1000.0;
    info_.link_w = t.read_register(reg::kCapPowerLinkMw) / 1000.0;

    t.write_register(reg::kControl, contract::control::kReset);
    // The reset values are the device's defaults; the URI's options override them.
    config_.n_features = t.read_register(reg::kNFeatures);
    config_.replication = t.read_register(reg::kReplication);
    config_.first_mirror = t.read_register(reg::kFirstMirror);
    config_.roi_x = t.read_register(reg::kRoiX);
    config_.roi_y = t.read_register(reg::kRoiY);
    config_.roi_width = t.read_register(reg::kRoiWidth);
    config_.roi_height = t.read_register(reg::kRoiHeight);
    config_.n_components = t.read_register(reg::kNComponents);
    config_.exposure_us = t.read_register(reg::kExposureNs) / 1000.0;
    config_.frametime_us = t.read_register(reg::kFrametimeNs) / 1000.0;
    config_.medium_seed = read64(reg::kMediumSeedLo);
    config_.noise_seed = read64(reg::kNoiseSeedLo);
    const std::uint32_t mode = t.read_register(reg::kMode);
    config_.noise = (mode & contract::mode::kNoiseEnable) != 0;
    config_.timing_only = (mode & contract::mode::kTimingOnly) != 0;
    if (uri_.medium_seed) config_.medium_seed = *uri_.medium_seed;
    if (uri_.noise_seed) config_.noise_seed = *uri_.noise_seed;
    if (uri_.noise) config_.noise = *uri_.noise;
    config_.ideal = (mode & contract::mode::kIdeal) != 0;
    if (uri_.ideal) config_.ideal = *uri_.ideal;
    if (config_.ideal &&
        (info_.output_formats & contract::output_formats::kFloatIntensities) == 0) {
        throw UsageError("device URI '" + uri_.text +
                         "': noise=ideal needs a device with float intensity output "
                         "(CAP_OUTPUT_FORMATS), which this device lacks");
    }

    if (!ring_.valid())
        ring_ = Buffer::allocate(memory_, kRingEntries * sizeof(contract::JobDescriptor), true);
    recover_locked();
}

void Device::recover_locked() {
    namespace reg = contract::reg;
    auto& t = *transport_;
    t.write_register(reg::kControl, contract::control::kReset);
    t.write_register(reg::kIrqStatus, contract::irq::kAll);
    t.write_register(reg::kIrqEnable, contract::irq::kAll);
    std::memset(ring_.data(), 0, ring_.size());
    write64(reg::kRingBaseLo, ring_.device_address());
    t.write_register(reg::kRingSize, kRingEntries);
    ring_tail_ = 0;
    t.write_register(reg::kRingTail, ring_tail_);
    write_config_registers(config_);
}

void Device::recover() {
    const std::lock_guard<std::mutex> guard(mutex_);
    fail_pending("cancelled by a device recovery (reset)");
    recover_locked();
}

void Device::fail_pending(const std::string& reason) {
    for (const auto& [job_id, pending] : pending_) cancelled_[job_id] = reason;
    pending_.clear();
}

DeviceConfig Device::config() const {
    const std::lock_guard<std::mutex> guard(mutex_);
    return config_;
}

void Device::validate(const DeviceConfig& c) const {
    auto fail = [](const std::string& message) {
        throw UsageError("device configuration: " + message);
    };
    if (c.n_features < 1) fail("n_features must be >= 1");
    if (c.replication < 1) fail("replication must be >= 1");
    if (c.first_mirror + c.n_features * c.replication > info_.max_mirrors) {
        fail("the feature window (first_mirror " + std::to_string(c.first_mirror) + " + " +
             std::to_string(c.n_features) + " features x " + std::to_string(c.replication) +
             " mirrors) exceeds the DMD's " + std::to_string(info_.max_mirrors) + " mirrors");
    }
    if (c.ideal && (info_.output_formats & contract::output_formats::kFloatIntensities) == 0) {
        fail(
            "ideal mode needs float intensity output (CAP_OUTPUT_FORMATS), which the device lacks");
    }
    if (c.roi_width < 1 || c.roi_height < 1) fail("roi_width and roi_height must be >= 1");
    if (std::uint64_t{c.roi_x} + c.roi_width > info_.camera_width ||
        std::uint64_t{c.roi_y} + c.roi_height > info_.camera_height) {
        fail("the output ROI " + std::to_string(c.roi_width) + "x" + std::to_string(c.roi_height) +
             " at (" + std::to_string(c.roi_x) + ", " + std::to_string(c.roi_y) + ") exceeds the " +
             std::to_string(info_.camera_width) + "x" + std::to_string(info_.camera_height) +
             " sensor");
    }
    if (c.n_components < 1 ||
        std::uint64_t{c.n_components} > std::uint64_t{c.roi_width} * c.roi_height) {
        fail("n_components must be in [1, roi_width x roi_height = " +
             std::to_string(std::uint64_t{c.roi_width} * c.roi_height) + "], got " +
             std::to_string(c.n_components));
    }
    if (!(c.exposure_us >= info_.min_exposure_us && c.exposure_us <= info_.max_exposure_us)) {
        fail("exposure_us must be in [" + std::to_string(info_.min_exposure_us) + ", " +
             std::to_string(info_.max_exposure_us) + "], got " + std::to_string(c.exposure_us));
    }
    if (!std::isfinite(c.frametime_us) || c.frametime_us < 0) {
        fail("frametime_us must be finite and >= 0, got " + std::to_string(c.frametime_us));
    }
}

void Device::write_config_registers(const DeviceConfig& c) {
    namespace reg = contract::reg;
    auto& t = *transport_;
    t.write_register(reg::kNFeatures, checked_u32(c.n_features, "n_features"));
    t.write_register(reg::kReplication, checked_u32(c.replication, "replication"));
    t.write_register(reg::kFirstMirror, checked_u32(c.first_mirror, "first_mirror"));
    t.write_register(reg::kRoiX, c.roi_x);
    t.write_register(reg::kRoiY, c.roi_y);
    t.write_register(reg::kRoiWidth, c.roi_width);
    t.write_register(reg::kRoiHeight, c.roi_height);
    t.write_register(reg::kNComponents, c.n_components);
    t.write_register(reg::kExposureNs, to_ns_register(c.exposure_us, "exposure_us"));
    t.write_register(reg::kFrametimeNs, to_ns_register(c.frametime_us, "frametime_us"));
    write64(reg::kMediumSeedLo, c.medium_seed);
    write64(reg::kNoiseSeedLo, c.noise_seed);
    t.write_register(reg::kMode, (c.noise ? contract::mode::kNoiseEnable : 0u) |
                                     (c.timing_only ? contract::mode::kTimingOnly : 0u) |
                                     (c.ideal ? contract::mode::kIdeal : 0u));
}

void Device::configure(const DeviceConfig& config) {
    const std::lock_guard<std::mutex> guard(mutex_);
    validate(config);
    to_ns_register(config.exposure_us, "exposure_us");
    to_ns_register(config.frametime_us, "frametime_us");
    write_config_registers(config);
    config_ = config;
}

Buffer Device::allocate(std::size_t bytes) {
    return Buffer::allocate(memory_, bytes, false);
}

Buffer Device::register_memory(void* host, std::size_t bytes) {
    return Buffer::register_memory(memory_, host, bytes);
}

void Device::validate(const Job& job) const {
    auto fail = [](const std::string& message) { throw UsageError("job: " + message); };
    if (job.input == nullptr || !job.input->valid()) fail("no input buffer");
    if (job.output == nullptr || !job.output->valid()) fail("no output buffer");
    if (job.frames < 1) fail("frames must be >= 1");
    if (!contract::accepts(info_.input_formats, job.input_format)) {
        fail("input_format: the device does not accept packed features (CAP_INPUT_FORMATS)");
    }
    const std::uint64_t in_frame = job.input_format == contract::InputFormat::PackedFeatures
                                       ? contract::packed_features_bytes(config_.n_features)
                                       : std::uint64_t{info_.input_frame_bytes};
    const std::uint64_t out_frame =
        contract::output_frame_bytes(config_.n_components, info_.bit_depth, config_.ideal);
    if (job.input_stride < in_frame) {
        fail("input_stride " + std::to_string(job.input_stride) + " < the frame's " +
             std::to_string(in_frame) + " bytes");
    }
    if (job.output_stride < out_frame) {
        fail("output_stride " + std::to_string(job.output_stride) + " < the frame's " +
             std::to_string(out_frame) + " bytes (n_components x bytes per pixel)");
    }
    // A timing-only job moves no data: its buffers need hold one frame each.
    const std::uint64_t spanned = config_.timing_only ? 0 : job.frames - 1;
    const std::uint64_t in_end =
        job.input_offset + std::uint64_t{job.input_stride} * spanned + in_frame;
    const std::uint64_t out_end =
        job.output_offset + std::uint64_t{job.output_stride} * spanned + out_frame;
    if (in_end > job.input->size()) {
        fail(std::to_string(job.frames) + " input frames need " + std::to_string(in_end) +
             " bytes, the input buffer has " + std::to_string(job.input->size()));
    }
    if (out_end > job.output->size()) {
        fail(std::to_string(job.frames) + " output frames need " + std::to_string(out_end) +
             " bytes, the output buffer has " + std::to_string(job.output->size()));
    }
}

std::uint64_t Device::submit(const Job& job) {
    const std::lock_guard<std::mutex> guard(mutex_);
    validate(job);
    if (pending_.size() + 1 >= kRingEntries) {
        throw UsageError("job ring full (" + std::to_string(kRingEntries - 1) +
                         " jobs queued): wait for earlier jobs first");
    }
    const std::uint64_t job_id = next_job_id_++;
    contract::JobDescriptor descriptor;
    descriptor.input_address = job.input->device_address() + job.input_offset;
    descriptor.output_address = job.output->device_address() + job.output_offset;
    descriptor.input_stride = job.input_stride;
    descriptor.output_stride = job.output_stride;
    descriptor.frame_count = job.frames;
    descriptor.flags = contract::job_flags::kInterrupt;
    if (job.input_format == contract::InputFormat::PackedFeatures) {
        descriptor.flags |= contract::job_flags::kPackedFeatures;
    }
    descriptor.job_id = job_id;
    descriptor.first_sequence = job.first_sequence;
    const std::uint32_t slot = ring_tail_;
    std::memcpy(ring_.data() + slot * sizeof(contract::JobDescriptor), &descriptor,
                sizeof descriptor);
    pending_[job_id] = Pending{slot, job.frames};
    ring_tail_ = (ring_tail_ + 1) % kRingEntries;
    // TAIL first, then START if idle: a busy device re-reads TAIL after each job, so the job is
    // picked up whichever way the race with the running job goes.
    transport_->write_register(contract::reg::kRingTail, ring_tail_);
    if ((transport_->read_register(contract::reg::kStatus) & contract::status::kBusy) == 0) {
        transport_->write_register(contract::reg::kControl, contract::control::kStart);
    }
    return job_id;
}

// Reads and clears the interrupt, then collects every queued job that has ended. A failed job
// stops the ring; the device is recovered and the other queued jobs are cancelled.
void Device::handle_interrupt() {
    namespace reg = contract::reg;
    const std::uint32_t irq = transport_->read_register(reg::kIrqStatus);
    transport_->write_register(reg::kIrqStatus, irq);
    // The last job's id and times: six registers, read in order in one request.
    const std::uint32_t offsets[6] = {reg::kLastJobIdLo,      reg::kLastJobIdHi,
                                      reg::kLastJobStartNsLo, reg::kLastJobStartNsHi,
                                      reg::kLastJobEndNsLo,   reg::kLastJobEndNsHi};
    std::uint32_t words[6] = {};
    transport_->read_registers(offsets, words, 6);
    const auto pair = [&words](int i) { return (std::uint64_t{words[i + 1]} << 32) | words[i]; };
    const std::uint64_t last_id = pair(0);
    const double last_start = double(pair(2)) * 1e-9;
    const double last_end = double(pair(4)) * 1e-9;
    const double now = transport_->device_time_s();
    for (auto it = pending_.begin(); it != pending_.end();) {
        const auto job_id = it->first;
        contract::JobDescriptor descriptor;
        std::memcpy(&descriptor, ring_.data() + it->second.slot * sizeof(contract::JobDescriptor),
                    sizeof descriptor);
        if (descriptor.status == contract::job_status::kPending) {
            ++it;
            continue;
        }
        if (descriptor.status == contract::job_status::kCompleted) {
            JobCompletion done;
            done.job_id = job_id;
            done.frames = descriptor.frames_done;
            if (job_id == last_id) {
                done.start_s = last_start;
                done.end_s = last_end;
            } else {
                // Ended before the last job: its end from the write-back's 32-bit microsecond
                // stamp, unwrapped against the current time.
                const auto now_us = static_cast<std::uint64_t>(now * 1e6);
                const std::uint32_t age =
                    static_cast<std::uint32_t>(now_us) - descriptor.completion_time_us;
                done.end_s = double(now_us - age) * 1e-6;
                done.start_s = done.end_s;
            }
            completed_[job_id] = done;
            it = pending_.erase(it);
            continue;
        }
        const auto code =
            static_cast<contract::DeviceError>(transport_->read_register(reg::kErrorCode));
        const std::uint32_t detail = transport_->read_register(reg::kErrorDetail);
        const std::uint64_t address = read64(reg::kErrorAddressLo);
        pending_.erase(it);
        const std::string context = "job " + std::to_string(job_id);
        fail_pending("cancelled: an earlier job (" + std::to_string(job_id) + ") failed with " +
                     contract::to_string(code));
        recover_locked();
        throw_device_error(code == contract::DeviceError::None
                               ? static_cast<contract::DeviceError>(descriptor.error_code)
                               : code,
                           detail, address, context);
    }
}

JobCompletion Device::wait(std::uint64_t job_id, double timeout_s) {
    const std::lock_guard<std::mutex> guard(mutex_);
    if (!(timeout_s > 0) || !std::isfinite(timeout_s)) {
        throw UsageError("wait: timeout_s must be finite and > 0, got " +
                         std::to_string(timeout_s));
    }
    const double deadline = transport_->device_time_s() + timeout_s;
    for (;;) {
        if (auto it = completed_.find(job_id); it != completed_.end()) {
            const JobCompletion done = it->second;
            completed_.erase(it);
            return done;
        }
        if (auto it = cancelled_.find(job_id); it != cancelled_.end()) {
            const std::string reason = it->second;
            cancelled_.erase(it);
            throw DriverError("job " + std::to_string(job_id) + ": " + reason);
        }
        if (pending_.count(job_id) == 0) {
            throw UsageError("wait: no job " + std::to_string(job_id) +
                             " is queued (already waited for, or never submitted)");
        }
        const double remaining = deadline - transport_->device_time_s();
        if (remaining <= 0 || !transport_->wait_for_interrupt(remaining)) {
            // No completion in time: abort (the device writes the job back as STALLED or
            // ABORTED), then reset whatever state it is in.
            transport_->write_register(contract::reg::kControl, contract::control::kAbort);
            transport_->wait_for_interrupt(kAbortGraceS);
            const std::uint32_t frames_out = transport_->read_register(contract::reg::kFramesOut);
            fail_pending("cancelled: job " + std::to_string(job_id) + " timed out");
            cancelled_.erase(job_id);
            recover_locked();
            throw TimeoutError(contract::DeviceError::Stalled, frames_out, 0,
                               "job " + std::to_string(job_id) +
                                   ": no completion interrupt within " + std::to_string(timeout_s) +
                                   " s of device time; the device was aborted and reset");
        }
        handle_interrupt();
    }
}

JobCompletion Device::run(const Job& job, double timeout_s) {
    return wait(submit(job), timeout_s);
}

std::size_t Device::pending_jobs() const {
    const std::lock_guard<std::mutex> guard(mutex_);
    return pending_.size();
}

// Register accesses go to the device only inside its MMIO window and aligned: anything else is
// refused here, naming the offset, and the device never sees it.
namespace {
void check_register_offset(std::uint32_t offset) {
    if (offset % 4 != 0 || offset >= contract::kMmioWindowBytes) {
        char text[16];
        std::snprintf(text, sizeof text, "0x%03X", offset);
        throw UsageError(std::string("register offset ") + text +
                         ": expected a multiple of 4 below 0x1000 (the device's MMIO window)");
    }
}
}  // namespace

std::uint32_t Device::read_register(std::uint32_t offset) {
    check_register_offset(offset);
    const std::lock_guard<std::mutex> guard(mutex_);
    return transport_->read_register(offset);
}

void Device::write_register(std::uint32_t offset, std::uint32_t value) {
    check_register_offset(offset);
    const std::lock_guard<std::mutex> guard(mutex_);
    transport_->write_register(offset, value);
}

double Device::device_time_s() const {
    const std::lock_guard<std::mutex> guard(mutex_);
    return transport_->device_time_s();
}

DeviceCounters Device::counters() {
    const std::lock_guard<std::mutex> guard(mutex_);
    DeviceCounters c;
    c.frames_in = transport_->read_register(contract::reg::kFramesIn);
    c.frames_out = transport_->read_register(contract::reg::kFramesOut);
    c.frames_dropped = transport_->read_register(contract::reg::kFramesDropped);
    c.jobs_done = transport_->read_register(contract::reg::kJobsDone);
    return c;
}

}  // namespace opusim::driver
