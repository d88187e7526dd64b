// The frame steps of a functional job: frames cross the host link by DMA (through the host port),
// the DMD checks and unpacks them, the medium and the camera turn a chunk of them into output
// frames, which go back by DMA. Buffers hold one chunk and live as long as the sequencer, so jobs
// after the first allocate nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "../camera/camera_stage.hpp"
#include "../dmd/dmd.hpp"
#include "../medium/medium_stage.hpp"
#include "device_defects_stage.hpp"
#include "frame_steps.hpp"
#include "host_port.hpp"
#include "job_config.hpp"
#include "opusim/contract/job_descriptor.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

class FunctionalFrameSteps final : public FrameSteps {
  public:
    // The medium's integer GEMM runs at full speed from about 256 rows on.
    static constexpr std::uint64_t kChunkFrames = 256;

    FunctionalFrameSteps(const Dmd& dmd, MediumStage& medium, CameraStage& camera)
        : dmd_(dmd), medium_(medium), camera_(camera) {}

    // Sets up the medium and camera for CONFIG and the buffers for DESCRIPTOR's chunks. False when
    // the configuration cannot be simulated (its effective medium exceeds the memory limits).
    bool begin_job(HostPort& host, const JobConfig& config, const physics::DeviceProfile& profile,
                   const contract::JobDescriptor& descriptor);

    std::uint64_t chunk_frames() const override { return kChunkFrames; }
    JobError fetch(std::uint64_t frame, std::uint64_t slot, std::uint64_t issue_ps) override;
    void compute(std::uint64_t first_frame, std::uint64_t count) override;
    JobError write_back(std::uint64_t frame, std::uint64_t slot, std::uint64_t issue_ps) override;

  private:
    const Dmd& dmd_;
    MediumStage& medium_;
    CameraStage& camera_;

    // The job (set by begin_job).
    HostPort* host_ = nullptr;
    JobConfig config_;
    contract::JobDescriptor descriptor_{};
    std::uint64_t input_bytes_ = 0;
    std::uint64_t output_bytes_ = 0;
    DeviceDefectsStage defects_;

    // One chunk (heap: SystemC thread stacks stay small).
    std::vector<std::uint8_t> packed_;
    std::vector<std::uint8_t> features_;
    std::vector<float> intensities_;
    std::vector<std::uint8_t> output_;
};

}  // namespace opusim::model
