#include "sequencer.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <optional>

#include "opusim/contract/data_format.hpp"
#include "opusim/contract/registers.hpp"

namespace opusim::model {

using namespace contract::reg;
using sc_core::sc_time;

namespace {
constexpr std::uint32_t kDescriptorDetail = 0xFFFFFFFF;  // ERROR_DETAIL: "the descriptor itself"
double seconds(std::uint64_t ps) {
    return static_cast<double>(ps) * 1e-12;
}
}  // namespace

Sequencer::Sequencer(sc_core::sc_module_name name, HostInterface& host, HostLink& link, Dmd& dmd,
                     MediumStage& medium, CameraStage& camera, VcdTracer& tracer)
    : sc_core::sc_module(name),
      host_(host),
      link_(link),
      dmd_(dmd),
      medium_(medium),
      camera_(camera),
      tracer_(tracer) {
    sc_core::sc_spawn_options options;
    // Frames and buffers live on the heap; the stack only needs room for the physics calls the
    // functional path makes from this thread (oneDNN's GEMM driver and OpenMP's master thread run
    // on it), hence more than the bare sequencer would need.
    options.set_stack_size(512 * 1024);
    sc_core::sc_spawn([this] { thread(); }, "sequencer_thread", &options);
}

void Sequencer::power_on(const physics::DeviceProfile& profile, const ControllerClock& clock) {
    profile_ = profile;
    clock_ = clock;
    drop_job_state();
    wake_event_.notify(sc_core::SC_ZERO_TIME);
}

void Sequencer::request_start(const sc_time& delay) {
    if (busy_) return;
    start_pending_ = true;
    start_event_.notify(delay);
}

void Sequencer::request_abort(const sc_time& delay) {
    if (!busy_) return;
    abort_requested_ = true;
    wake_event_.notify(delay);
}

void Sequencer::request_reset(const sc_time& delay) {
    drop_job_state();
    host_.reset_registers();
    wake_event_.notify(delay);
}

void Sequencer::drop_job_state() {
    ++generation_;  // a running job sees this at its next wake-up and stops without write-back
    busy_ = false;
    start_pending_ = false;
    abort_requested_ = false;
    fault_ = InjectedFault::None;
    ledger_.clear();
    clear_statistics();
}

void Sequencer::clear_statistics() {
    busy_ps_.fill(0);
    last_critical_.fill(0);
    last_period_ps_ = 0;
    active_ps_ = 0;
    job_time_ps_ = 0;
    jobs_ = 0;
    latencies_ps_.clear();
}

bool Sequencer::sync_to(std::uint64_t time_ps, std::uint64_t generation) {
    while (generation == generation_ && now_ps() < time_ps) {
        sc_core::wait(sc_time::from_value(time_ps - now_ps()), wake_event_);
    }
    ledger_.retire(now_ps());
    return generation == generation_;
}

void Sequencer::thread() {
    for (;;) {
        while (!start_pending_) sc_core::wait(start_event_);
        start_pending_ = false;
        const std::uint64_t generation = generation_;
        busy_ = true;
        abort_requested_ = false;
        host_.report_error(contract::DeviceError::None, 0);
        run_ring(generation);
        if (generation != generation_) continue;  // reset: idle, no interrupt
        busy_ = false;
        abort_requested_ = false;
        host_.raise(contract::irq::kIdle);
    }
}

void Sequencer::run_ring(std::uint64_t generation) {
    auto& registers = host_.registers();
    const std::uint32_t size = registers.get(kRingSize);
    const std::uint64_t base = registers.get64(kRingBaseLo);
    auto ring_fault = [&](std::uint32_t offset) {
        host_.report_error(contract::DeviceError::BadRing, offset);
        host_.raise(contract::irq::kError);
    };
    if (size == 0 || size > contract::kMaxRingEntries) return ring_fault(kRingSize);
    if (base % 64 != 0) return ring_fault(kRingBaseLo);
    while (generation == generation_) {
        const std::uint32_t head = registers.get(kRingHead);
        const std::uint32_t tail = registers.get(kRingTail);
        if (head >= size) return ring_fault(kRingHead);
        if (tail >= size) return ring_fault(kRingTail);
        if (head == tail) return;
        Outcome outcome;
        if (!run_job(generation, head, outcome)) return;
        registers.set(kRingHead, (head + 1) % size);
        if (outcome.error != contract::DeviceError::None) return;  // a failed job stops the ring
        if (abort_requested_) return;
    }
}

StageDurations Sequencer::stage_durations() const {
    StageDurations d;
    const std::uint64_t input_bytes = contract::input_frame_bytes(profile_.dmd.mirrors());
    const std::uint64_t output_bytes =
        contract::output_frame_bytes(config_.n_components, profile_.camera.bits);
    d.link_in = clock_.ps(link_.transfer_cycles(input_bytes));
    d.dmd_load = clock_.ps(dmd_.load_cycles(config_.layout));
    d.dmd_settle = clock_.ps(dmd_.settle_cycles());
    d.dmd_min_display = clock_.ps(dmd_.min_display_cycles());
    d.exposure = clock_.ps(camera_.exposure_cycles(config_.exposure_ns));
    d.frame_overhead = clock_.ps(camera_.frame_overhead_cycles());
    d.readout = clock_.ps(camera_.readout_cycles(config_.roi_height));
    d.link_out = clock_.ps(link_.transfer_cycles(output_bytes));
    d.frametime = clock_.ps(clock_.cycles_for_us(static_cast<double>(config_.frametime_ns) * 1e-3));
    return d;
}

bool Sequencer::run_job(std::uint64_t generation, std::uint32_t index, Outcome& outcome) {
    auto& registers = host_.registers();
    const std::uint64_t job_start = clock_.next_edge(now_ps());
    const std::uint64_t descriptor_address = registers.get64(kRingBaseLo) + 64ull * index;
    const std::uint64_t fetched =
        job_start + clock_.ps(link_.software_overhead_cycles() + link_.transfer_cycles(64));
    contract::JobDescriptor descriptor;
    const bool fetch_ok = host_.dma_read(descriptor_address, &descriptor, sizeof descriptor,
                                         sc_time::from_value(fetched - now_ps()));
    if (!sync_to(fetched, generation)) return false;

    std::uint64_t frames_written = 0;
    if (!fetch_ok) {
        outcome = {contract::DeviceError::DmaRead, kDescriptorDetail, descriptor_address};
    } else if (auto fault = latch_config(registers, profile_, config_)) {
        outcome = {fault->error, fault->detail, 0};
    } else if (auto bad = check_descriptor(descriptor, config_, profile_)) {
        outcome = {bad->error, bad->detail, 0};
    } else if (!run_frames(generation, descriptor, frames_written, outcome)) {
        return false;
    }

    // Write-back of the descriptor's completion words, then the job's interrupt.
    const std::uint64_t written_back =
        clock_.next_edge(now_ps()) +
        clock_.ps(link_.transfer_cycles(contract::kDescriptorWritebackBytes));
    if (!sync_to(written_back, generation)) return false;
    descriptor.status = outcome.error == contract::DeviceError::None ? contract::job_status::kCompleted
                                                                : contract::job_status::kFailed;
    descriptor.error_code = static_cast<std::uint32_t>(outcome.error);
    descriptor.frames_done = static_cast<std::uint32_t>(frames_written);
    descriptor.completion_time_us = static_cast<std::uint32_t>(written_back / 1000000);
    if (fetch_ok &&
        !host_.dma_write(
            descriptor_address + contract::kDescriptorWritebackOffset,
            reinterpret_cast<const std::uint8_t*>(&descriptor) + contract::kDescriptorWritebackOffset,
            contract::kDescriptorWritebackBytes, sc_core::SC_ZERO_TIME) &&
        outcome.error == contract::DeviceError::None) {
        outcome = {contract::DeviceError::DmaWrite, kDescriptorDetail,
                   descriptor_address + contract::kDescriptorWritebackOffset};
    }
    registers.set64(kLastJobIdLo, fetch_ok ? descriptor.job_id : 0);
    registers.set64(kLastJobStartNsLo, job_start / 1000);
    registers.set64(kLastJobEndNsLo, written_back / 1000);
    registers.set(kJobsDone, registers.get(kJobsDone) + 1);
    job_time_ps_ += written_back - job_start;
    ++jobs_;
    if (outcome.error != contract::DeviceError::None) {
        host_.report_error(outcome.error, outcome.detail, outcome.address);
        host_.raise(contract::irq::kError);
    } else if (descriptor.flags & contract::job_flags::kInterrupt) {
        host_.raise(contract::irq::kJobDone);
    }
    return true;
}

bool Sequencer::run_frames(std::uint64_t generation, const contract::JobDescriptor& descriptor,
                           std::uint64_t& frames_written, Outcome& outcome) {
    const std::uint64_t frames = descriptor.frame_count;
    const bool functional = !config_.timing_only;
    const std::uint64_t input_bytes = contract::input_frame_bytes(profile_.dmd.mirrors());
    const std::uint64_t output_bytes =
        contract::output_frame_bytes(config_.n_components, profile_.camera.bits);
    const std::uint64_t features = config_.layout.n_features;
    const InjectedFault fault = fault_;
    fault_ = InjectedFault::None;  // one-shot: the next job that runs frames takes it
    const std::uint64_t fault_frame = std::min<std::uint64_t>(kFaultFrame, frames - 1);

    if (functional) {
        try {
            const auto pixels = config_.output_pixels(profile_.camera.width);
            medium_.prepare(config_.medium_seed, config_.layout, pixels);
            camera_.prepare(config_.medium_seed, config_.noise_seed, config_.noise, pixels);
        } catch (const std::exception&) {
            outcome = {contract::DeviceError::BadConfig, kNFeatures, 0};
            return true;
        }
        const std::uint64_t chunk = std::min(kFunctionalChunkFrames, frames);
        input_chunk_.resize(chunk * input_bytes);
        features_chunk_.resize(chunk * features);
        intensities_chunk_.resize(chunk * config_.n_components);
        output_chunk_.resize(chunk * output_bytes);
    }

    const StageDurations durations = stage_durations();
    const std::uint64_t ready = now_ps();
    pipeline_ = FramePipeline(durations, profile_.controller.input_buffer_frames,
                              profile_.controller.output_buffer_frames);
    pipeline_.start_job(ready, ready + clock_.ps(camera_.trigger_latency_cycles()));
    const double exposure_us = static_cast<double>(config_.exposure_ns) * 1e-3;

    const std::uint64_t chunk_frames = functional ? kFunctionalChunkFrames : kTimingChunkFrames;
    std::uint64_t scheduled = 0;
    std::optional<std::uint64_t> dropped_at;
    while (scheduled < frames && outcome.error == contract::DeviceError::None) {
        std::uint64_t count = std::min(chunk_frames, frames - scheduled);
        const bool hang_here = fault == InjectedFault::HangNoInterrupt &&
                               fault_frame >= scheduled && fault_frame < scheduled + count;
        if (hang_here) count = fault_frame - scheduled;

        // Per frame: the input DMA engine reads the frame when its DMA starts (the annotated
        // delay), the DMD checks it, then the frame is scheduled through the stages. A frame that
        // fails its read or check ends the job there: it and later frames never run.
        std::uint64_t usable = 0;
        for (; usable < count; ++usable) {
            const std::uint64_t frame = scheduled + usable;
            const std::uint64_t address =
                descriptor.input_address + frame * descriptor.input_stride;
            if (fault == InjectedFault::DmaReadError && frame == fault_frame) {
                outcome = {contract::DeviceError::DmaRead, static_cast<std::uint32_t>(frame), address};
                break;
            }
            if (functional) {
                const std::uint64_t read_at = pipeline_.next_input_start();
                std::uint8_t* packed = input_chunk_.data() + usable * input_bytes;
                if (!host_.dma_read(
                        address, packed, input_bytes,
                        sc_time::from_value(read_at > now_ps() ? read_at - now_ps() : 0))) {
                    outcome = {contract::DeviceError::DmaRead, static_cast<std::uint32_t>(frame),
                               address};
                    break;
                }
                if (dmd_.unpack(config_.layout, packed, input_bytes, 1,
                                features_chunk_.data() + usable * features) != 1) {
                    outcome = {contract::DeviceError::InputFormat, static_cast<std::uint32_t>(frame), 0};
                    break;
                }
            }
            const FrameSchedule& schedule = pipeline_.schedule_next();
            const bool dropped = fault == InjectedFault::DropFrame && frame == fault_frame;
            ledger_.record(schedule.end[0], schedule.done(), dropped);
            latencies_ps_.push_back(schedule.done() - schedule.begin());
            tracer_.frame(schedule, dropped);
            if (usable == 0 && !sync_to(schedule.begin(), generation)) return false;
        }

        if (functional && usable > 0) {
            medium_.intensities(features_chunk_.data(), usable, intensities_chunk_.data());
            camera_.grab(intensities_chunk_.data(), usable, descriptor.first_sequence + scheduled,
                         exposure_us, medium_.photons_per_unit_intensity_per_us(),
                         output_chunk_.data());
        }
        for (std::uint64_t f = 0; f < usable; ++f) {
            const std::uint64_t frame = scheduled + f;
            if (fault == InjectedFault::DropFrame && frame == fault_frame) {
                dropped_at = frame;  // lost between camera and output DMA: never written
                continue;
            }
            const std::uint64_t address =
                descriptor.output_address + frame * descriptor.output_stride;
            const bool write_fault = fault == InjectedFault::DmaWriteError && frame == fault_frame;
            // Annotated with when the frame's output DMA starts (loosely timed: issued ahead).
            const std::uint64_t out_start =
                pipeline_.frame(frame).start[static_cast<std::size_t>(Op::Out)];
            const sc_time at = sc_time::from_value(out_start > now_ps() ? out_start - now_ps() : 0);
            const bool written =
                !write_fault &&
                (!functional || host_.dma_write(address, output_chunk_.data() + f * output_bytes,
                                                output_bytes, at));
            if (!written) {
                if (outcome.error == contract::DeviceError::None) {
                    outcome = {contract::DeviceError::DmaWrite, static_cast<std::uint32_t>(frame),
                               address};
                }
                break;
            }
            ++frames_written;
        }
        scheduled += usable;

        if (hang_here) {  // the sequencer stops making progress until the host aborts or resets
            while (generation == generation_ && !abort_requested_) sc_core::wait(wake_event_);
            if (generation != generation_) return false;
            outcome = {contract::DeviceError::Stalled, static_cast<std::uint32_t>(frames_written), 0};
        } else if (abort_requested_ && outcome.error == contract::DeviceError::None &&
                   scheduled < frames) {
            outcome = {contract::DeviceError::Aborted, 0, 0};
        }
    }

    // The job ends when its last scheduled frame has left the output DMA.
    const std::uint64_t end = scheduled > 0 ? pipeline_.frame(scheduled - 1).done() : now_ps();
    if (!sync_to(end, generation)) return false;
    if (outcome.error == contract::DeviceError::None && dropped_at) {
        outcome = {contract::DeviceError::FrameDropped, static_cast<std::uint32_t>(*dropped_at), 0};
    }
    if (outcome.error == contract::DeviceError::Aborted) {
        outcome.detail = static_cast<std::uint32_t>(frames_written);
    }
    if (scheduled > 0) {
        const PipelineMeasure measure = pipeline_.measure();
        for (std::size_t s = 0; s < kResourceStageCount; ++s) busy_ps_[s] += measure.busy[s];
        last_critical_ = measure.critical;
        last_period_ps_ = measure.steady_period_ps;
        active_ps_ += measure.last_done - measure.first_start;
    }
    return true;
}

DeviceStatistics Sequencer::statistics() const {
    DeviceStatistics stats;
    std::uint64_t critical_total = 0;
    for (auto value : last_critical_) critical_total += value;
    for (std::size_t s = 0; s < kResourceStageCount; ++s) {
        StageStatistics stage;
        stage.name = stage_name(static_cast<StageId>(s));
        stage.busy_s = seconds(busy_ps_[s]);
        stage.utilisation =
            active_ps_ > 0 ? static_cast<double>(busy_ps_[s]) / static_cast<double>(active_ps_) : 0;
        stage.critical_share = critical_total > 0 ? static_cast<double>(last_critical_[s]) /
                                                        static_cast<double>(critical_total)
                                                  : 0;
        stage.busy_ps = busy_ps_[s];
        stage.critical_ps = last_critical_[s];
        stats.stages.push_back(stage);
    }
    stats.frametime_critical_ps = last_critical_[static_cast<std::size_t>(StageId::Frametime)];
    if (critical_total > 0) {
        const auto largest = std::max_element(last_critical_.begin(), last_critical_.end());
        stats.bottleneck = stage_name(static_cast<StageId>(largest - last_critical_.begin()));
    }
    stats.frame_period_s = last_period_ps_ * 1e-12;
    stats.frame_rate_hz = last_period_ps_ > 0 ? 1e12 / last_period_ps_ : 0;
    if (!latencies_ps_.empty()) {
        std::vector<std::uint64_t> sorted = latencies_ps_;
        std::sort(sorted.begin(), sorted.end());
        auto percentile = [&](double p) {
            const auto rank =
                static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
            return seconds(sorted[rank]);
        };
        stats.latency_p50_s = percentile(0.50);
        stats.latency_p99_s = percentile(0.99);
        stats.latency_max_s = seconds(sorted.back());
    }
    const std::uint64_t now = now_ps();
    stats.frames_in = ledger_.frames_in(now);
    stats.frames_out = ledger_.frames_out(now);
    stats.frames_dropped = ledger_.frames_dropped(now);
    stats.jobs = jobs_;
    stats.active_time_s = seconds(active_ps_);
    stats.simulated_time_s = seconds(job_time_ps_);
    return stats;
}

}  // namespace opusim::model
