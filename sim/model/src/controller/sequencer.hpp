// The controller's sequencer: one SystemC thread that runs the job ring. For each job it fetches
// the descriptor by DMA, latches the configuration, and schedules frames through the stage
// pipeline (FramePipeline) with durations from the stage modules (HostLink, Dmd, CameraStage), in
// controller cycles. It is loosely timed: it schedules a chunk of frames ahead, then synchronises
// the kernel to the chunk's first input DMA (one wait per chunk, no per-frame or per-cycle
// process). Functionally, per chunk: input DMA, DMD unpack/check, medium intensities, camera grab,
// output DMA. Timing never depends on the data.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "../camera/camera_stage.hpp"
#include "../dmd/dmd.hpp"
#include "../host_interface/host_interface.hpp"
#include "../link/host_link.hpp"
#include "../medium/medium_stage.hpp"
#include "../trace/vcd_tracer.hpp"
#include "frame_ledger.hpp"
#include "frame_pipeline.hpp"
#include "job_config.hpp"
#include "opusim/model/device_statistics.hpp"
#include "opusim/model/simulated_device.hpp"

namespace opusim::model {

class Sequencer : public sc_core::sc_module {
  public:
    // Frames scheduled per kernel synchronisation (and the abort granularity). Functional jobs
    // use larger chunks: the medium's integer GEMM runs at full speed from ~256 rows on.
    static constexpr std::uint64_t kTimingChunkFrames = 64;
    static constexpr std::uint64_t kFunctionalChunkFrames = 256;
    static constexpr std::uint64_t kFaultFrame = 1;  // frame an injected fault hits

    Sequencer(sc_core::sc_module_name name, HostInterface& host, HostLink& link, Dmd& dmd,
              MediumStage& medium, CameraStage& camera, VcdTracer& tracer);
    void power_on(const physics::DeviceProfile& profile, const ControllerClock& clock);

    // -- from register writes, effective at the current time plus DELAY --
    void request_start(const sc_core::sc_time& delay);
    void request_abort(const sc_core::sc_time& delay);
    void request_reset(const sc_core::sc_time& delay);
    void doorbell(const sc_core::sc_time& /*delay*/) {}  // the ring is re-read after every job

    bool busy() const { return busy_; }
    void inject(InjectedFault fault) { fault_ = fault; }
    FrameLedger& ledger() { return ledger_; }
    DeviceStatistics statistics() const;
    const JobConfig& last_config() const { return config_; }

  private:
    struct Outcome {
        contract::DeviceError error = contract::DeviceError::None;
        std::uint32_t detail = 0;
        std::uint64_t address = 0;
    };

    void thread();
    void run_ring(std::uint64_t generation);
    // Runs descriptor INDEX; false when a reset interrupted it.
    bool run_job(std::uint64_t generation, std::uint32_t index, Outcome& outcome);
    bool run_frames(std::uint64_t generation, const contract::JobDescriptor& descriptor,
                    std::uint64_t& frames_written, Outcome& outcome);
    StageDurations stage_durations() const;
    // Waits until TIME_PS (or a reset); false when a reset happened.
    bool sync_to(std::uint64_t time_ps, std::uint64_t generation);
    // Power-on and reset: ends any running job (new generation), forgets pending requests, the
    // injected fault and the statistics.
    void drop_job_state();
    void clear_statistics();
    std::uint64_t now_ps() const { return sc_core::sc_time_stamp().value(); }

    HostInterface& host_;
    HostLink& link_;
    Dmd& dmd_;
    MediumStage& medium_;
    CameraStage& camera_;
    VcdTracer& tracer_;
    physics::DeviceProfile profile_;
    ControllerClock clock_;
    FrameLedger ledger_;
    JobConfig config_;
    FramePipeline pipeline_{StageDurations{}, 1, 1};

    sc_core::sc_event start_event_;
    sc_core::sc_event wake_event_;
    bool start_pending_ = false;
    bool abort_requested_ = false;
    bool busy_ = false;
    std::uint64_t generation_ = 0;
    InjectedFault fault_ = InjectedFault::None;

    // Statistics since reset.
    std::array<std::uint64_t, kResourceStageCount> busy_ps_{};
    std::array<std::uint64_t, kStageCount> last_critical_{};
    double last_period_ps_ = 0;
    std::uint64_t active_ps_ = 0;
    std::uint64_t job_time_ps_ = 0;
    std::uint64_t jobs_ = 0;
    std::vector<std::uint64_t> latencies_ps_;

    // Functional buffers (heap; SystemC thread stacks stay small).
    std::vector<std::uint8_t> input_chunk_;
    std::vector<std::uint8_t> features_chunk_;
    std::vector<float> intensities_chunk_;
    std::vector<std::uint8_t> output_chunk_;
};

}  // namespace opusim::model
