#include "sequencer.hpp"

#include <algorithm>
#include <memory>

#include <sysc/kernel/sc_dynamic_processes.h>  // sc_spawn (SC_INCLUDE_DYNAMIC_PROCESSES)

#include "injected_faults.hpp"
#include "opusim/contract/registers.hpp"
#include "stage_durations.hpp"

namespace opusim::model {

using namespace contract::reg;
using sc_core::sc_time;

namespace {
constexpr std::uint32_t kDescriptorDetail = 0xFFFFFFFF;  // ERROR_DETAIL: "the descriptor itself"
constexpr std::uint64_t kDescriptorBytes = 64;
}  // namespace

Sequencer::Sequencer(sc_core::sc_module_name name, HostLink& link, Dmd& dmd, MediumStage& medium,
                     CameraStage& camera, VcdTracer& tracer)
    : sc_core::sc_module(name),
      host("host"),
      link_(link),
      dmd_(dmd),
      camera_(camera),
      tracer_(tracer),
      functional_steps_(dmd, medium, camera) {
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
    host->reset_registers();
    wake_event_.notify(delay);
}

void Sequencer::drop_job_state() {
    ++generation_;  // a running job sees this at its next wake-up and stops without write-back
    last_trigger_ps_.reset();
    busy_ = false;
    start_pending_ = false;
    abort_requested_ = false;
    fault_ = InjectedFault::None;
    ledger_.clear();
    statistics_.clear();
    trace_.clear();
}

DrawnFault Sequencer::take_fault(std::uint64_t frames) {
    const std::uint64_t job = jobs_with_frames_++;
    const InjectedFault armed = fault_;
    fault_ = InjectedFault::None;  // one-shot: the next job that runs frames takes it
    if (armed != InjectedFault::None)
        return {armed, std::min<std::uint64_t>(kFaultFrame, frames - 1)};
    return random_faults_.draw(job, frames);
}

bool Sequencer::sync_to(std::uint64_t time_ps, std::uint64_t generation) {
    while (generation == generation_ && now_ps() < time_ps) {
        sc_core::wait(sc_time::from_value(time_ps - now_ps()), wake_event_);
    }
    ledger_.retire(now_ps());
    return generation == generation_;
}

void Sequencer::report_failure(contract::DeviceError error, std::uint32_t detail,
                               std::uint64_t address) {
    host->report_error(error, detail, address);
    host->raise(contract::irq::kError);
}

// -- the ring --

void Sequencer::thread() {
    for (;;) {
        while (!start_pending_) sc_core::wait(start_event_);
        start_pending_ = false;
        const std::uint64_t generation = generation_;
        busy_ = true;
        abort_requested_ = false;
        host->report_error(contract::DeviceError::None, 0, 0);
        run_ring_guarded(generation);
        if (generation != generation_) continue;  // reset: idle, no interrupt
        busy_ = false;
        abort_requested_ = false;
        host->raise(contract::irq::kIdle);
    }
}

// An exception escaping a SystemC thread ends the whole simulation (E549, and E548 for every
// later sc_start): whatever the model throws becomes the device error INTERNAL instead. A job's
// frames fail their job (run_frames_guarded); anything else stops the ring where it is, the
// device goes idle, and the host resets it (the driver does on any error), as hardware would.
void Sequencer::run_ring_guarded(std::uint64_t generation) {
    try {
        run_ring(generation);
    } catch (const sc_core::sc_unwind_exception&) {
        throw;  // SystemC's own unwinding of a killed or reset process: not a failure
    } catch (const std::exception&) {
        fail_inside();
    } catch (...) {
        fail_inside();
    }
}

void Sequencer::fail_inside() {
    report_failure(contract::DeviceError::Internal, 0, 0);
}

void Sequencer::run_ring(std::uint64_t generation) {
    RegisterAccess& registers = host->registers();
    const std::uint32_t size = registers.get(kRingSize);
    const std::uint64_t base = registers.get64(kRingBaseLo);
    const auto ring_fault = [&](std::uint32_t offset) {
        report_failure(contract::DeviceError::BadRing, offset);
    };
    if (size == 0 || size > contract::kMaxRingEntries) return ring_fault(kRingSize);
    if (base % kDescriptorBytes != 0) return ring_fault(kRingBaseLo);
    while (generation == generation_) {
        const std::uint32_t head = registers.get(kRingHead);
        const std::uint32_t tail = registers.get(kRingTail);
        if (head >= size) return ring_fault(kRingHead);
        if (tail >= size) return ring_fault(kRingTail);
        if (head == tail) return;
        JobError error;
        if (!run_job(generation, head, error)) return;
        registers.set(kRingHead, (head + 1) % size);
        if (error.failed()) return;  // a failed job stops the ring
        if (abort_requested_) return;
    }
}

// -- one job: descriptor fetch, checks, frames, descriptor write-back --

bool Sequencer::run_job(std::uint64_t generation, std::uint32_t index, JobError& error) {
    const std::uint64_t job_start = clock_.next_edge(now_ps());
    const std::uint64_t descriptor_address =
        host->registers().get64(kRingBaseLo) + kDescriptorBytes * index;
    const std::uint64_t fetched_at = job_start + clock_.ps(link_.software_overhead_cycles() +
                                                           link_.transfer_cycles(kDescriptorBytes));
    contract::JobDescriptor descriptor{};
    const bool fetched = host->dma_read(descriptor_address, &descriptor, sizeof descriptor,
                                        dma_issue_delay(fetched_at));
    if (!sync_to(fetched_at, generation)) return false;

    std::uint64_t frames_written = 0;
    if (!fetched) {
        error = {contract::DeviceError::DmaRead, kDescriptorDetail, descriptor_address};
    } else if (auto fault = latch_config(host->registers(), profile_, config_)) {
        error = {fault->error, fault->detail, 0};
    } else if (auto bad = check_descriptor(descriptor, config_, profile_)) {
        error = {bad->error, bad->detail, 0};
    } else if (!run_frames_guarded(generation, descriptor, frames_written, error)) {
        return false;
    }

    std::uint64_t written_back_at = 0;
    if (!write_back_descriptor(generation, descriptor_address, fetched, frames_written, descriptor,
                               error, written_back_at)) {
        return false;
    }
    publish_job_end(fetched ? descriptor.job_id : 0, job_start, written_back_at, error,
                    descriptor.flags);
    return true;
}

bool Sequencer::write_back_descriptor(std::uint64_t generation, std::uint64_t descriptor_address,
                                      bool fetched, std::uint64_t frames_written,
                                      contract::JobDescriptor& descriptor, JobError& error,
                                      std::uint64_t& written_back_at) {
    written_back_at = clock_.next_edge(now_ps()) +
                      clock_.ps(link_.transfer_cycles(contract::kDescriptorWritebackBytes));
    if (!sync_to(written_back_at, generation)) return false;
    descriptor.status =
        error.failed() ? contract::job_status::kFailed : contract::job_status::kCompleted;
    descriptor.error_code = static_cast<std::uint32_t>(error.error);
    descriptor.frames_done = static_cast<std::uint32_t>(frames_written);
    descriptor.completion_time_us = static_cast<std::uint32_t>(written_back_at / 1000000);
    if (!fetched) return true;  // no descriptor to write back to: the fetch already failed
    const std::uint64_t address = descriptor_address + contract::kDescriptorWritebackOffset;
    const auto* completion_words =
        reinterpret_cast<const std::uint8_t*>(&descriptor) + contract::kDescriptorWritebackOffset;
    if (!host->dma_write(address, completion_words, contract::kDescriptorWritebackBytes,
                         sc_core::SC_ZERO_TIME) &&
        !error.failed()) {
        error = {contract::DeviceError::DmaWrite, kDescriptorDetail, address};
    }
    return true;
}

void Sequencer::publish_job_end(std::uint64_t job_id, std::uint64_t job_start,
                                std::uint64_t written_back_at, const JobError& error,
                                std::uint32_t descriptor_flags) {
    RegisterAccess& registers = host->registers();
    registers.set64(kLastJobIdLo, job_id);
    registers.set64(kLastJobStartNsLo, job_start / 1000);
    registers.set64(kLastJobEndNsLo, written_back_at / 1000);
    registers.set(kJobsDone, registers.get(kJobsDone) + 1);
    statistics_.job_ended(written_back_at - job_start);
    if (error.failed()) {
        report_failure(error.error, error.detail, error.address);
    } else if (descriptor_flags & contract::job_flags::kInterrupt) {
        host->raise(contract::irq::kJobDone);
    }
}

// What the job's frames throw (std::bad_alloc in the physics, a model error) fails this job
// with INTERNAL, written back like any failed job, so the host sees its job end; SystemC's own
// unwinding passes through.
bool Sequencer::run_frames_guarded(std::uint64_t generation,
                                   const contract::JobDescriptor& descriptor,
                                   std::uint64_t& frames_written, JobError& error) {
    try {
        return run_frames(generation, descriptor, frames_written, error);
    } catch (const sc_core::sc_unwind_exception&) {
        throw;
    } catch (...) {
        error = {contract::DeviceError::Internal, 0, 0};
        return true;
    }
}

// -- a job's frames: chunks of fetch, compute, write back --

bool Sequencer::run_frames(std::uint64_t generation, const contract::JobDescriptor& descriptor,
                           std::uint64_t& frames_written, JobError& error) {
    const std::uint64_t frames = descriptor.frame_count;
    const DrawnFault fault = take_fault(frames);
    FrameSteps* mode_steps = begin_frame_steps(descriptor, error);
    if (mode_steps == nullptr) return true;
    const std::unique_ptr<FrameSteps> faulty =
        with_injected_fault(*mode_steps, fault.fault, fault.frame, descriptor);
    FrameSteps& steps = faulty ? *faulty : *mode_steps;

    start_pipeline();
    FrameProgress progress;
    while (progress.scheduled < frames && !error.failed()) {
        if (!run_chunk(generation, steps, frames, progress, error)) return false;
    }
    if (!finish_frames(generation, progress, error)) return false;
    frames_written = progress.written;
    return true;
}

FrameSteps* Sequencer::begin_frame_steps(const contract::JobDescriptor& descriptor,
                                         JobError& error) {
    if (config_.timing_only) return &timing_only_steps_;
    if (!functional_steps_.begin_job(*host[0], config_, profile_, descriptor)) {
        error = {contract::DeviceError::BadConfig, kNFeatures, 0};
        return nullptr;
    }
    return &functional_steps_;
}

void Sequencer::start_pipeline() {
    const StageDurations durations =
        stage_durations(StageTimings{link_, dmd_, camera_}, clock_, profile_, config_);
    const std::uint64_t ready = now_ps();
    pipeline_.reconfigure(durations, profile_.controller.input_buffer_frames,
                          profile_.controller.output_buffer_frames);
    std::uint64_t trigger_ready = ready + clock_.ps(camera_.trigger_latency_cycles());
    if (last_trigger_ps_) {
        trigger_ready = std::max(trigger_ready, *last_trigger_ps_ + durations.frametime);
    }
    pipeline_.start_job(ready, trigger_ready);
}

bool Sequencer::run_chunk(std::uint64_t generation, FrameSteps& steps, std::uint64_t frames,
                          FrameProgress& progress, JobError& error) {
    const std::uint64_t first = progress.scheduled;
    std::uint64_t count = std::min(steps.chunk_frames(), frames - first);
    const std::optional<std::uint64_t> stall = steps.stall_frame();
    const bool stalls_in_chunk = stall && *stall >= first && *stall < first + count;
    if (stalls_in_chunk) count = *stall - first;

    std::uint64_t fetched = 0;
    if (!fetch_chunk(generation, steps, count, progress, fetched, error)) return false;
    steps.compute(first, fetched);
    write_back_chunk(steps, fetched, progress, error);
    progress.scheduled += fetched;

    if (stalls_in_chunk) return stall_until_abort(generation, progress, error);
    if (abort_requested_ && !error.failed() && progress.scheduled < frames) {
        error = {contract::DeviceError::Aborted, 0, 0};  // detail: frames written, at the end
    }
    return true;
}

bool Sequencer::fetch_chunk(std::uint64_t generation, FrameSteps& steps, std::uint64_t count,
                            const FrameProgress& progress, std::uint64_t& fetched,
                            JobError& error) {
    // The input DMA engine reads each frame when its DMA starts, then the frame is scheduled
    // through the stages. A frame that fails its read or check ends the job there.
    for (fetched = 0; fetched < count; ++fetched) {
        const std::uint64_t frame = progress.scheduled + fetched;
        const JobError fetch_error = steps.fetch(frame, fetched, pipeline_.next_input_start());
        if (fetch_error.failed()) {
            error = fetch_error;
            break;
        }
        const FrameSchedule& schedule = schedule_frame(steps.loses(frame));
        // Once per chunk: the kernel catches up with the chunk's first input DMA.
        if (fetched == 0 && !sync_to(schedule.begin(), generation)) return false;
    }
    return true;
}

const FrameSchedule& Sequencer::schedule_frame(bool lost) {
    const FrameSchedule& schedule = pipeline_.schedule_next();
    ledger_.record(schedule.end[0], schedule.done(), lost);
    statistics_.frame_latency(schedule.done() - schedule.begin());
    trace_.record(pipeline_.frames_scheduled() - 1, schedule);
    tracer_.frame(schedule, lost);
    return schedule;
}

void Sequencer::write_back_chunk(FrameSteps& steps, std::uint64_t fetched, FrameProgress& progress,
                                 JobError& error) {
    for (std::uint64_t slot = 0; slot < fetched; ++slot) {
        const std::uint64_t frame = progress.scheduled + slot;
        if (steps.loses(frame)) {
            progress.dropped_at = frame;  // lost between camera and output DMA: never written
            continue;
        }
        // Issued when the frame's output DMA starts (loosely timed: ahead of the kernel).
        const std::uint64_t out_start =
            pipeline_.frame(frame).start[static_cast<std::size_t>(Op::Out)];
        const JobError write_error = steps.write_back(frame, slot, out_start);
        if (write_error.failed()) {
            if (!error.failed()) error = write_error;
            break;
        }
        ++progress.written;
    }
}

bool Sequencer::stall_until_abort(std::uint64_t generation, const FrameProgress& progress,
                                  JobError& error) {
    while (generation == generation_ && !abort_requested_) sc_core::wait(wake_event_);
    if (generation != generation_) return false;
    error = {contract::DeviceError::Stalled, static_cast<std::uint32_t>(progress.written), 0};
    return true;
}

bool Sequencer::finish_frames(std::uint64_t generation, const FrameProgress& progress,
                              JobError& error) {
    // The job ends when its last scheduled frame has left the output DMA.
    const std::uint64_t end =
        progress.scheduled > 0 ? pipeline_.frame(progress.scheduled - 1).done() : now_ps();
    if (!sync_to(end, generation)) return false;
    if (!error.failed() && progress.dropped_at) {
        error = {contract::DeviceError::FrameDropped,
                 static_cast<std::uint32_t>(*progress.dropped_at), 0};
    }
    if (error.error == contract::DeviceError::Aborted) {
        error.detail = static_cast<std::uint32_t>(progress.written);
    }
    if (progress.scheduled > 0) {
        statistics_.frames_measured(pipeline_.measure());
        last_trigger_ps_ =
            pipeline_.frame(progress.scheduled - 1).start[static_cast<std::size_t>(Op::Expose)];
    }
    return true;
}

DeviceStatistics Sequencer::statistics() const {
    return statistics_.snapshot(ledger_, now_ps());
}

}  // namespace opusim::model
