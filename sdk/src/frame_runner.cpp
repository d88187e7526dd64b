#include "frame_runner.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "opusim/contract/data_format.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/driver/errors.hpp"

namespace opusim::sdk_detail {

void RunStats::merge(const RunStats& other) {
    if (other.frames == 0 && other.passes == 0) return;
    if (passes == 0) {
        start_s = other.start_s;
        lit_min = other.lit_min;
        lit_max = other.lit_max;
    } else {
        start_s = std::min(start_s, other.start_s);
        if (other.data_frames > 0) {
            lit_min = data_frames > 0 ? std::min(lit_min, other.lit_min) : other.lit_min;
            lit_max = std::max(lit_max, other.lit_max);
        }
    }
    end_s = std::max(end_s, other.end_s);
    frames += other.frames;
    passes += other.passes;
    retries += other.retries;
    retry_frames += other.retry_frames;
    retry_time_s += other.retry_time_s;
    saturated += other.saturated;
    lit_sum += other.lit_sum;
    data_frames += other.data_frames;
}

double job_timeout_s(const driver::DeviceConfig& config, std::size_t frames) {
    const double per_frame_s = std::max({config.frametime_us, config.exposure_us, 1000.0}) * 1e-6;
    return 0.5 + 4.0 * per_frame_s * double(frames);
}

FrameRunner::FrameRunner(driver::Device& device, const PassPolicy& policy, RunnerBuffers& buffers)
    : device_(device), policy_(policy), buffers_(buffers) {}

driver::Buffer& FrameRunner::buffer(std::vector<driver::Buffer>& list, std::size_t slot,
                                    std::size_t bytes) {
    if (!list[slot].valid() || list[slot].size() < bytes) {
        list[slot] = driver::Buffer();  // unmap the old one before mapping its successor
        list[slot] = device_.allocate(bytes);
    }
    return list[slot];
}

template <class Value>
RunStats FrameRunner::run(const contract::InputLayout& layout, const std::uint8_t* features,
                          std::size_t n, std::uint64_t first_sequence, Value* out) {
    if (std::is_integral_v<Value> && device_.config().ideal) {
        throw std::logic_error(
            "the device is in ideal mode (noise=ideal): its frames are float intensities, which "
            "integer camera values cannot carry");
    }
    const std::size_t n_components = device_.config().n_components;
    const std::size_t pass = std::max<std::size_t>(1, policy_.n_samples_by_pass);
    RunStats total;
    for (std::size_t begin = 0; begin < n; begin += pass) {
        const std::size_t count = std::min(pass, n - begin);
        total.merge(run_pass_with_retries(layout, features + begin * layout.n_features, count,
                                          first_sequence + begin, out + begin * n_components));
    }
    return total;
}

namespace {

// Failures a retry cannot mend: the same frames, configuration or holder would fail again.
bool worth_retrying(const driver::DriverError& error) {
    return dynamic_cast<const driver::InputFormatError*>(&error) == nullptr &&
           dynamic_cast<const driver::ConfigurationError*>(&error) == nullptr &&
           dynamic_cast<const driver::DeviceBusyError*>(&error) == nullptr &&
           dynamic_cast<const driver::UsageError*>(&error) == nullptr;
}

// The typed error of the last failed attempt, its message saying that the retries are spent.
[[noreturn]] void throw_retries_spent(const driver::DriverError& last, unsigned attempts,
                                      std::uint64_t first_sequence, std::size_t n) {
    const std::string context =
        "a pass of " + std::to_string(n) + " frames (sequence " + std::to_string(first_sequence) +
        ") failed on all " + std::to_string(attempts) +
        " attempts (OpuSettings::max_retries = " + std::to_string(attempts - 1) + "); the last";
    if (const auto* device_error = dynamic_cast<const driver::DeviceError*>(&last)) {
        driver::throw_device_error(device_error->code(), device_error->detail(),
                                   device_error->address(), context);
    }
    throw driver::DriverError(context + ": " + last.what());
}

}  // namespace

template <class Value>
RunStats FrameRunner::run_pass_with_retries(const contract::InputLayout& layout,
                                            const std::uint8_t* features, std::size_t n,
                                            std::uint64_t first_sequence, Value* out) {
    std::uint64_t failed_frames = 0;
    double failed_time_s = 0;
    double first_start_s = 0;
    for (unsigned attempt = 0;; ++attempt) {
        const double attempt_start_s = device_.device_time_s();
        if (attempt == 0) first_start_s = attempt_start_s;
        std::uint64_t frames_run = 0;
        try {
            RunStats stats = run_pass(layout, features, n, first_sequence, out, frames_run);
            stats.retries = attempt;
            stats.retry_frames = failed_frames;
            stats.retry_time_s = failed_time_s;
            stats.frames += failed_frames;
            if (attempt > 0) stats.start_s = first_start_s;  // the call's time covers the retries
            return stats;
        } catch (const driver::DriverError& error) {
            // Timeouts, DMA faults, dropped frames, aborted or cancelled jobs: the driver has
            // reset the device, so the pass runs again from its first frame.
            if (!worth_retrying(error)) throw;
            failed_frames += frames_run;
            failed_time_s += device_.device_time_s() - attempt_start_s;
            if (attempt >= policy_.max_retries) {
                throw_retries_spent(error, attempt + 1, first_sequence, n);
            }
        }
    }
}

namespace {

// A pass runs as jobs of at most this many frames, two in flight (one running, one queued behind
// it on the ring), so the device never waits for the host and the DMA buffers stay small
// (2 x 256 x 130 KB on gen2) whatever n_samples_by_pass is.
constexpr std::size_t kFramesPerJob = 256;
constexpr std::size_t kJobsInFlight = 2;

// One output frame of N pixels of PIXEL_BYTES each (data_format.hpp: uint8, little-endian
// uint16, or little-endian float32 in ideal mode) into OUT; one loop per format, so each
// vectorises.
template <class Value>
void decode_output_row(const std::uint8_t* row, std::size_t n, std::uint32_t pixel_bytes,
                       Value* out) {
    if (pixel_bytes == 1) {
        for (std::size_t j = 0; j < n; ++j) out[j] = static_cast<Value>(row[j]);
    } else if (pixel_bytes == 2) {
        for (std::size_t j = 0; j < n; ++j) {
            out[j] = static_cast<Value>(row[2 * j] | (row[2 * j + 1] << 8));
        }
    } else {
        for (std::size_t j = 0; j < n; ++j) {
            std::uint32_t bits = 0;
            for (std::size_t b = 0; b < 4; ++b) bits |= std::uint32_t{row[4 * j + b]} << (8 * b);
            float value = 0;
            std::memcpy(&value, &bits, sizeof value);
            out[j] = static_cast<Value>(value);
        }
    }
}

struct JobSlot {
    driver::Buffer* input = nullptr;
    driver::Buffer* output = nullptr;
    std::uint64_t job_id = 0;
    std::size_t begin = 0;  // first frame of the pass in this job
    std::size_t count = 0;
};

}  // namespace

template <class Value>
RunStats FrameRunner::run_pass(const contract::InputLayout& layout, const std::uint8_t* features,
                               std::size_t n, std::uint64_t first_sequence, Value* out,
                               std::uint64_t& frames_run) {
    const driver::DeviceInfo& info = device_.info();
    const driver::DeviceConfig config = device_.config();
    const contract::InputFormat format =
        !policy_.host_formatting &&
                contract::accepts(info.input_formats, contract::InputFormat::PackedFeatures)
            ? contract::InputFormat::PackedFeatures
            : contract::InputFormat::DmdPattern;
    const std::size_t frame_bytes = static_cast<std::size_t>(
        contract::input_frame_bytes(format, info.max_mirrors, layout.n_features));
    const std::size_t out_frame_bytes =
        contract::output_frame_bytes(config.n_components, info.bit_depth, config.ideal);
    // A pass shorter than the minimum batch is padded with dark frames (all mirrors off) whose
    // outputs are dropped: the device's per-job overheads amortise as on the vendor's runner.
    const std::size_t frames = std::max(n, policy_.min_batch_size);
    const std::size_t lag = policy_.trigger_lag_frames;  // trailing frames per job, outputs shifted

    RunStats stats;
    stats.lit_min = std::numeric_limits<std::uint64_t>::max();
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t lit = contract::lit_mirrors(layout, features + i * layout.n_features);
        stats.lit_min = std::min(stats.lit_min, lit);
        stats.lit_max = std::max(stats.lit_max, lit);
        stats.lit_sum += double(lit);
    }
    if (n == 0) stats.lit_min = 0;
    stats.data_frames = n;

    const std::size_t job_frames = std::min(kFramesPerJob, frames);
    std::vector<JobSlot> slots(std::min(kJobsInFlight, (frames + job_frames - 1) / job_frames));
    // Grow the lists first: the slots point into them.
    if (buffers_.inputs.size() < slots.size()) buffers_.inputs.resize(slots.size());
    if (buffers_.outputs.size() < slots.size()) buffers_.outputs.resize(slots.size());
    for (std::size_t k = 0; k < slots.size(); ++k) {
        slots[k].input = &buffer(buffers_.inputs, k, (job_frames + lag) * frame_bytes);
        slots[k].output = &buffer(buffers_.outputs, k, (job_frames + lag) * out_frame_bytes);
    }
    const std::uint16_t full_scale = static_cast<std::uint16_t>((1u << info.bit_depth) - 1u);
    std::size_t next = 0;    // next frame of the pass to submit
    std::size_t issued = 0;  // jobs submitted
    std::size_t collected = 0;
    bool first_job = true;
    while (collected < issued || next < frames) {
        // Fill every free slot (slot k serves jobs k, k + 2, ...).
        while (next < frames && issued - collected < slots.size()) {
            JobSlot& slot = slots[issued % slots.size()];
            slot.begin = next;
            slot.count = std::min(job_frames, frames - next);
            const std::size_t data = next < n ? std::min(slot.count, n - next) : 0;
            slot.input->sync(driver::SyncDirection::FromDevice);  // the host writes it again
            const std::uint8_t* rows = features + next * layout.n_features;
            if (format == contract::InputFormat::PackedFeatures) {
                contract::pack_features(layout, rows, data, slot.input->data());
            } else {
                contract::format_frames(layout, rows, data, slot.input->data());
            }
            std::fill(slot.input->data() + data * frame_bytes,
                      slot.input->data() + (slot.count + lag) * frame_bytes, std::uint8_t{0});
            slot.input->sync(driver::SyncDirection::ToDevice);
            slot.output->sync(driver::SyncDirection::ToDevice);
            driver::Job job;
            job.input = slot.input;
            job.input_stride = static_cast<std::uint32_t>(frame_bytes);
            job.output = slot.output;
            job.output_stride = static_cast<std::uint32_t>(out_frame_bytes);
            job.frames = static_cast<std::uint32_t>(slot.count + lag);
            job.first_sequence = first_sequence + next - lag;
            job.input_format = format;
            slot.job_id = device_.submit(job);
            next += slot.count;
            ++issued;
        }
        JobSlot& slot = slots[collected % slots.size()];
        frames_run += slot.count + lag;  // the device runs this job, whether it completes or fails
        const driver::JobCompletion done =
            device_.wait(slot.job_id, job_timeout_s(config, slot.count + lag));
        ++collected;
        slot.output->sync(driver::SyncDirection::FromDevice);
        if (first_job) stats.start_s = done.start_s;
        first_job = false;
        stats.end_s = done.end_s;
        const std::size_t data = slot.begin < n ? std::min(slot.count, n - slot.begin) : 0;
        const std::size_t values = data * config.n_components;
        Value* dst = out + slot.begin * config.n_components;
        const std::uint8_t* src = slot.output->data() + lag * out_frame_bytes;
        for (std::size_t f = 0; f < data; ++f) {
            decode_output_row(src + f * out_frame_bytes, config.n_components,
                              config.ideal ? contract::kFloatIntensityBytes : info.bytes_per_pixel,
                              dst + f * config.n_components);
        }
        if (!config.ideal) {  // float intensities have no full scale
            for (std::size_t i = 0; i < values; ++i)
                stats.saturated += dst[i] >= full_scale ? 1 : 0;
        }
        if (policy_.frames_done) policy_.frames_done(data);
    }
    stats.frames = frames + lag * issued;
    stats.passes = 1;
    return stats;
}

template RunStats FrameRunner::run(const contract::InputLayout&, const std::uint8_t*, std::size_t,
                                   std::uint64_t, std::uint16_t*);
template RunStats FrameRunner::run(const contract::InputLayout&, const std::uint8_t*, std::size_t,
                                   std::uint64_t, float*);

}  // namespace opusim::sdk_detail
