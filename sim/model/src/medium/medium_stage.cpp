#include "medium_stage.hpp"

namespace opusim::model {

void MediumStage::configure(const physics::DeviceProfile& profile) {
    profile_ = profile;
    medium_.reset();
    effective_.reset();
    drifting_.reset();
}

void MediumStage::prepare(std::uint64_t medium_seed, const contract::InputLayout& layout,
                          const std::vector<std::uint64_t>& pixels) {
    const bool same_layout = layout.n_features == layout_.n_features &&
                             layout.replication == layout_.replication &&
                             layout.first_mirror == layout_.first_mirror &&
                             layout.total_mirrors == layout_.total_mirrors;
    if ((effective_ || drifting_) && medium_seed == seed_ && same_layout && pixels == pixels_)
        return;
    effective_.reset();  // it may refer to the medium replaced below
    drifting_.reset();
    if (!medium_ || medium_seed != seed_) {
        medium_ = std::make_unique<physics::Medium>(profile_.medium, medium_seed);
    }
    if (const auto drift = physics::DriftSchedule::from_profile(profile_)) {
        drifting_ = std::make_unique<physics::DriftingMedium>(*medium_, layout, pixels,
                                                              profile_.dmd.contrast_ratio, *drift);
    } else {
        effective_ = std::make_unique<physics::EffectiveMedium>(*medium_, layout, pixels,
                                                                profile_.dmd.contrast_ratio);
    }
    seed_ = medium_seed;
    layout_ = layout;
    pixels_ = pixels;
}

void MediumStage::intensities(const std::uint8_t* features, std::uint64_t n_frames,
                              std::uint64_t first_sequence, float* out) const {
    if (drifting_) {
        drifting_->intensities(features, n_frames, first_sequence, out);
        return;
    }
    effective_->intensities(features, n_frames, out);
}

}  // namespace opusim::model
