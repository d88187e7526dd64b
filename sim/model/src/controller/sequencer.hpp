// The controller's sequencer: a SystemC module with one thread that runs the job ring, and a port
// to the host interface (HostPort: registers, interrupts, errors, DMA). For each job it fetches
// the descriptor by DMA, latches the configuration, and runs the frames chunk by chunk: it
// schedules each frame through the stage pipeline (FramePipeline, durations from the stages'
// timing classes in controller cycles) and runs the frame steps on it (fetch, compute, write back;
// frame_steps.hpp). It is loosely timed: it schedules a chunk ahead, then synchronises the kernel
// to the chunk's first input DMA (one wait per chunk, no per-frame or per-cycle process). Timing
// never depends on the data.
#pragma once

#include <cstdint>
#include <optional>

#include <systemc>

#include "../camera/camera_stage.hpp"
#include "../dmd/dmd.hpp"
#include "../link/host_link.hpp"
#include "../medium/medium_stage.hpp"
#include "../trace/vcd_tracer.hpp"
#include "clock.hpp"
#include "frame_ledger.hpp"
#include "frame_pipeline.hpp"
#include "frame_steps.hpp"
#include "frame_trace.hpp"
#include "functional_frame_steps.hpp"
#include "host_port.hpp"
#include "injected_faults.hpp"
#include "job_config.hpp"
#include "job_error.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/model/device_statistics.hpp"
#include "opusim/model/simulated_device.hpp"
#include "statistics_recorder.hpp"
#include "timing_only_frame_steps.hpp"

namespace opusim::model {

class Sequencer : public sc_core::sc_module {
  public:
    static constexpr std::uint64_t kFaultFrame = 1;  // frame an injected fault hits

    sc_core::sc_port<HostPort> host;  // bound by the device top

    Sequencer(sc_core::sc_module_name name, HostLink& link, Dmd& dmd, MediumStage& medium,
              CameraStage& camera, VcdTracer& tracer);
    void power_on(const physics::DeviceProfile& profile, const ControllerClock& clock);

    // -- from register writes, effective at the current time plus DELAY --
    void request_start(const sc_core::sc_time& delay);
    void request_abort(const sc_core::sc_time& delay);
    void request_reset(const sc_core::sc_time& delay);
    void doorbell(const sc_core::sc_time& /*delay*/) {}  // the ring is re-read after every job

    bool busy() const { return busy_; }
    void inject(InjectedFault fault) { fault_ = fault; }
    void set_random_faults(const RandomFaults& faults) { random_faults_ = faults; }
    FrameLedger& ledger() { return ledger_; }
    DeviceStatistics statistics() const;
    const FrameTrace& trace() const { return trace_; }
    const JobConfig& last_config() const { return config_; }

  private:
    // Where a job's frames stand (frames_written also goes into the descriptor's write-back).
    struct FrameProgress {
        std::uint64_t scheduled = 0;
        std::uint64_t written = 0;
        std::optional<std::uint64_t> dropped_at;
    };

    void thread();
    void run_ring(std::uint64_t generation);
    void run_ring_guarded(std::uint64_t generation);
    bool run_frames_guarded(std::uint64_t generation, const contract::JobDescriptor& descriptor,
                            std::uint64_t& frames_written,
                            JobError& error);  // run_ring; what it throws is INTERNAL
    void fail_inside();
    // Runs descriptor INDEX; false when a reset interrupted it.
    bool run_job(std::uint64_t generation, std::uint32_t index, JobError& error);
    // The job's frames; false when a reset interrupted them.
    bool run_frames(std::uint64_t generation, const contract::JobDescriptor& descriptor,
                    std::uint64_t& frames_written, JobError& error);
    // The steps for this job's mode; null (ERROR set) when the configuration cannot run.
    FrameSteps* begin_frame_steps(const contract::JobDescriptor& descriptor, JobError& error);
    void start_pipeline();
    bool run_chunk(std::uint64_t generation, FrameSteps& steps, std::uint64_t frames,
                   FrameProgress& progress, JobError& error);
    // Fetches and schedules up to COUNT frames from PROGRESS.scheduled; FETCHED counts those that
    // passed. False when a reset interrupted them.
    bool fetch_chunk(std::uint64_t generation, FrameSteps& steps, std::uint64_t count,
                     const FrameProgress& progress, std::uint64_t& fetched, JobError& error);
    const FrameSchedule& schedule_frame(bool lost);
    void write_back_chunk(FrameSteps& steps, std::uint64_t fetched, FrameProgress& progress,
                          JobError& error);
    // A hang: no progress until the host aborts (STALLED) or resets (false).
    bool stall_until_abort(std::uint64_t generation, const FrameProgress& progress,
                           JobError& error);
    bool finish_frames(std::uint64_t generation, const FrameProgress& progress, JobError& error);
    // The descriptor's completion words by DMA, then the job's registers and interrupt.
    bool write_back_descriptor(std::uint64_t generation, std::uint64_t descriptor_address,
                               bool fetched, std::uint64_t frames_written,
                               contract::JobDescriptor& descriptor, JobError& error,
                               std::uint64_t& written_back_at);
    void publish_job_end(std::uint64_t job_id, std::uint64_t job_start,
                         std::uint64_t written_back_at, const JobError& error,
                         std::uint32_t descriptor_flags);
    void report_failure(contract::DeviceError error, std::uint32_t detail,
                        std::uint64_t address = 0);

    // The fault this job meets (at which frame): the register's, else a random one.
    DrawnFault take_fault(std::uint64_t frames);
    // Waits until TIME_PS (or a reset); false when a reset happened.
    bool sync_to(std::uint64_t time_ps, std::uint64_t generation);
    // Power-on and reset: ends any running job (new generation), forgets pending requests, the
    // injected fault and the statistics.
    void drop_job_state();
    std::uint64_t now_ps() const { return sc_core::sc_time_stamp().value(); }

    HostLink& link_;
    Dmd& dmd_;
    CameraStage& camera_;
    VcdTracer& tracer_;
    physics::DeviceProfile profile_;
    ControllerClock clock_;
    FrameLedger ledger_;
    JobConfig config_;
    FramePipeline pipeline_{StageDurations{}, 1, 1};
    FunctionalFrameSteps functional_steps_;
    TimingOnlyFrameSteps timing_only_steps_;
    StatisticsRecorder statistics_;
    FrameTrace trace_;

    sc_core::sc_event start_event_;
    sc_core::sc_event wake_event_;
    bool start_pending_ = false;
    bool abort_requested_ = false;
    bool busy_ = false;
    std::uint64_t generation_ = 0;
    InjectedFault fault_ = InjectedFault::None;
    // The last exposure trigger of the previous job: FRAMETIME is the camera's minimum
    // trigger-to-trigger period, which holds across jobs too (cleared by RESET).
    std::optional<std::uint64_t> last_trigger_ps_;
    RandomFaults random_faults_;
    std::uint64_t jobs_with_frames_ = 0;  // since power-on: the random faults' counter
};

}  // namespace opusim::model
