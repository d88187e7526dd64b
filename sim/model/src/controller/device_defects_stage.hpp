// The device's defects on a functional job's frames (docs/device-physics.md "Defects"): stuck
// mirrors and the trigger lag act on the feature patterns before the medium, hot and dead pixels
// on the camera's values after the grab. Set up per job from the profile's "defects" section and
// the job's device seed; with no defect (the built-in profiles) every call leaves frames alone.
#pragma once

#include <cstdint>
#include <vector>

#include "job_config.hpp"
#include "opusim/physics/device_defects.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

class DeviceDefectsStage {
  public:
    // A job of CONFIG on the device of PROFILE; PIXELS are the job's output pixels.
    void begin_job(const physics::DeviceProfile& profile, const JobConfig& config,
                   const std::vector<std::uint64_t>& pixels);

    // COUNT frames of n_features bits, the job's frames in order: stuck mirrors forced, then
    // delayed by the trigger lag (the first lag frames of the job see a dark DMD).
    void patterns(std::uint8_t* features, std::uint64_t count);
    // COUNT frames as the device writes them: hot pixels at the ADC maximum, dead ones at 0.
    void camera_values(std::uint8_t* frames, std::uint64_t count, unsigned bytes_per_pixel) const;

  private:
    std::uint64_t n_features_ = 0;
    std::uint32_t lag_ = 0;
    std::vector<std::uint8_t> held_;     // the last lag patterns, for the next chunk
    std::vector<std::uint8_t> shifted_;  // one chunk, shifted
    std::vector<std::uint64_t> stuck_features_;
    std::vector<std::uint8_t> stuck_states_;  // 1: stuck on
    physics::PixelDefects pixels_;
};

}  // namespace opusim::model
