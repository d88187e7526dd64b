// The scattering medium: intensities of a chunk of feature frames through the effective medium of
// the current configuration (opusim/physics/effective_medium.hpp). The effective medium is rebuilt
// only when the medium seed, the input layout or the output pixels change between jobs.
//
// A plain functional class, not a SystemC module: light crosses the medium in no simulated time
// (the exposure is the camera's stage), so the sequencer calls it once per chunk of frames and it
// has nothing to schedule.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "opusim/contract/input_layout.hpp"
#include "opusim/physics/effective_medium.hpp"
#include "opusim/physics/medium.hpp"
#include "opusim/physics/medium_drift.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

class MediumStage {
  public:
    void configure(const physics::DeviceProfile& profile);

    void prepare(std::uint64_t medium_seed, const contract::InputLayout& layout,
                 const std::vector<std::uint64_t>& pixels);
    // N_FRAMES rows of feature bits -> OUT (n_frames x pixels).
    void intensities(const std::uint8_t* features, std::uint64_t n_frames, float* out) const {
        intensities(features, n_frames, 0, out);
    }
    // The same for frames FIRST_SEQUENCE..: a drifting medium (profile key
    // medium.decorrelation_time_s) depends on them, a fixed one does not.
    void intensities(const std::uint8_t* features, std::uint64_t n_frames,
                     std::uint64_t first_sequence, float* out) const;
    // Oracle (tests, tools): the effective medium of the last prepared configuration, or null.
    const physics::EffectiveMedium* effective_medium() const {
        return drifting_ ? &drifting_->undrifted() : effective_.get();
    }
    // Oracle: the drifting medium of the last prepared configuration, or null (no drift).
    const physics::DriftingMedium* drifting_medium() const { return drifting_.get(); }
    double photons_per_unit_intensity_per_us() const {
        return profile_.medium.photons_per_unit_intensity_per_us;
    }

  private:
    physics::DeviceProfile profile_;
    std::unique_ptr<physics::Medium> medium_;
    std::unique_ptr<physics::EffectiveMedium> effective_;
    std::unique_ptr<physics::DriftingMedium> drifting_;  // set instead of effective_ when drifting
    std::uint64_t seed_ = 0;
    contract::InputLayout layout_;
    std::vector<std::uint64_t> pixels_;
};

}  // namespace opusim::model
