#include "frame_runner.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "opusim/abi/data_format.hpp"
#include "opusim/driver/errors.hpp"
#include "opusim/physics/dmd_format.hpp"

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
    saturated += other.saturated;
    lit_sum += other.lit_sum;
    data_frames += other.data_frames;
}

double job_timeout_s(const driver::DeviceConfig& config, std::size_t frames) {
    const double per_frame_s =
        std::max({config.frametime_us, config.exposure_us, 1000.0}) * 1e-6;
    return 0.5 + 4.0 * per_frame_s * double(frames);
}

FrameRunner::FrameRunner(driver::Device& device, const PassPolicy& policy)
    : device_(device), policy_(policy) {}

RunStats FrameRunner::run(const physics::InputLayout& layout, const std::uint8_t* features,
                          std::size_t n, std::uint64_t first_sequence, std::uint16_t* out) {
    const std::size_t n_components = device_.config().n_components;
    const std::size_t pass = std::max<std::size_t>(1, policy_.n_samples_by_pass);
    RunStats total;
    for (std::size_t begin = 0; begin < n; begin += pass) {
        const std::size_t count = std::min(pass, n - begin);
        RunStats stats;
        for (unsigned attempt = 0;; ++attempt) {
            try {
                stats = run_pass(layout, features + begin * layout.n_features, count,
                                 first_sequence + begin, out + begin * n_components);
                stats.retries = attempt;
                break;
            } catch (const driver::InputFormatError&) {
                throw;  // the same frames would fail again
            } catch (const driver::ConfigurationError&) {
                throw;
            } catch (const driver::DeviceBusyError&) {
                throw;
            } catch (const driver::UsageError&) {
                throw;
            } catch (const driver::DriverError&) {
                // Timeouts, DMA faults, dropped frames, cancelled jobs: the driver has reset the
                // device; the same pass with the same sequence numbers gives the same frames.
                if (attempt >= policy_.max_retries) throw;
            }
        }
        total.merge(stats);
    }
    return total;
}

RunStats FrameRunner::run_pass(const physics::InputLayout& layout, const std::uint8_t* features,
                               std::size_t n, std::uint64_t first_sequence, std::uint16_t* out) {
    const driver::DeviceInfo& info = device_.info();
    const driver::DeviceConfig config = device_.config();
    const std::size_t frame_bytes = info.input_frame_bytes;
    const std::size_t out_frame_bytes = abi::output_frame_bytes(config.n_components, info.bit_depth);
    // A pass shorter than the minimum batch is padded with dark frames (all mirrors off) whose
    // outputs are dropped: the device's per-job overheads amortise as on the vendor's runner.
    const std::size_t frames = std::max(n, policy_.min_batch_size);
    if (frames > std::numeric_limits<std::uint32_t>::max()) {
        throw driver::UsageError("pass of " + std::to_string(frames) + " frames is too large");
    }

    driver::Buffer input = device_.allocate(frames * frame_bytes);
    driver::Buffer output = device_.allocate(frames * out_frame_bytes);
    physics::format_frames(layout, features, n, input.data());

    RunStats stats;
    stats.lit_min = std::numeric_limits<std::uint64_t>::max();
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t lit = physics::lit_mirrors(layout, features + i * layout.n_features);
        stats.lit_min = std::min(stats.lit_min, lit);
        stats.lit_max = std::max(stats.lit_max, lit);
        stats.lit_sum += double(lit);
    }
    if (n == 0) stats.lit_min = 0;
    stats.data_frames = n;

    input.sync(driver::SyncDirection::ToDevice);
    output.sync(driver::SyncDirection::ToDevice);
    driver::Job job;
    job.input = &input;
    job.input_stride = static_cast<std::uint32_t>(frame_bytes);
    job.output = &output;
    job.output_stride = static_cast<std::uint32_t>(out_frame_bytes);
    job.frames = static_cast<std::uint32_t>(frames);
    job.first_sequence = first_sequence;
    const driver::JobCompletion done = device_.run(job, job_timeout_s(config, frames));
    output.sync(driver::SyncDirection::FromDevice);

    const std::size_t values = n * config.n_components;
    const std::uint16_t full_scale = static_cast<std::uint16_t>((1u << info.bit_depth) - 1u);
    if (info.bytes_per_pixel == 1) {
        for (std::size_t i = 0; i < values; ++i) out[i] = output.data()[i];
    } else {
        for (std::size_t i = 0; i < values; ++i) {
            out[i] = static_cast<std::uint16_t>(output.data()[2 * i] |
                                                (output.data()[2 * i + 1] << 8));
        }
    }
    for (std::size_t i = 0; i < values; ++i) stats.saturated += out[i] >= full_scale ? 1 : 0;
    stats.start_s = done.start_s;
    stats.end_s = done.end_s;
    stats.frames = frames;
    stats.passes = 1;
    return stats;
}

}  // namespace opusim::sdk_detail
