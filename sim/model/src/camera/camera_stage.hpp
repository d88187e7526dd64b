// The camera: overlapped global-shutter timing (exposure, frame overhead time, readout of the ROI
// rows) and, functionally, the EMVA 1288 grab of the physics (opusim/physics/camera.hpp).
//
// A plain timing and functional class, not a SystemC module: exposure, overhead and readout are
// stage durations the frame pipeline composes analytically (with the FIFOs' back-pressure), and
// the grab runs once per chunk of frames when the sequencer computes it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "../controller/clock.hpp"
#include "opusim/physics/camera.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

class CameraStage {
  public:
    void configure(const physics::CameraParams& params, const ControllerClock& clock);

    std::uint64_t exposure_cycles(std::uint64_t exposure_ns) const;
    std::uint64_t frame_overhead_cycles() const;
    std::uint64_t readout_cycles(std::uint32_t roi_rows) const;
    std::uint64_t trigger_latency_cycles() const;

    // Functional setup for a job; rebuilds the sensor maps only when something changed.
    void prepare(std::uint64_t device_seed, std::uint64_t noise_seed, bool noise,
                 const std::vector<std::uint64_t>& pixels);
    // Digital numbers of N_FRAMES frames of INTENSITIES (n_frames x pixels), sequence numbers
    // FIRST_SEQUENCE.., into OUT as the device writes them (uint8 or little-endian uint16).
    void grab(const float* intensities, std::uint64_t n_frames, std::uint64_t first_sequence,
              double exposure_us, double photons_per_unit_intensity_per_us,
              std::uint8_t* out) const;
    std::uint32_t bytes_per_pixel() const;

  private:
    physics::CameraParams params_;
    ControllerClock clock_;
    std::unique_ptr<physics::Camera> sensor_;
    std::uint64_t device_seed_ = 0;
    std::uint64_t noise_seed_ = 0;
    bool noise_ = true;
};

}  // namespace opusim::model
