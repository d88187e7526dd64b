#include "device_defects_stage.hpp"

#include <algorithm>
#include <cstring>

namespace opusim::model {

void DeviceDefectsStage::begin_job(const physics::DeviceProfile& profile, const JobConfig& config,
                                   const std::vector<std::uint64_t>& pixels) {
    const physics::DefectParams& defects = profile.defects;
    n_features_ = config.layout.n_features;
    lag_ = defects.trigger_lag_frames;
    held_.assign(std::size_t{lag_} * n_features_, 0);  // a dark DMD before the job's first frame
    stuck_features_.clear();
    stuck_states_.clear();
    if (defects.stuck_mirror_fraction > 0) {
        // A feature's effective column is its first mirror's (the medium's shortcut column sum,
        // docs/device-physics.md "Effective columns"), so that mirror's state is the feature's.
        for (std::uint64_t f = 0; f < n_features_; ++f) {
            const auto state =
                physics::mirror_state(defects, config.medium_seed, config.layout.mirror_of(f, 0));
            if (state == physics::MirrorState::Working) continue;
            stuck_features_.push_back(f);
            stuck_states_.push_back(state == physics::MirrorState::StuckOn ? 1 : 0);
        }
    }
    pixels_ = config.ideal
                  ? physics::PixelDefects{}
                  : physics::PixelDefects(defects, config.medium_seed, pixels, profile.camera.bits);
}

void DeviceDefectsStage::patterns(std::uint8_t* features, std::uint64_t count) {
    for (std::uint64_t frame = 0; frame < count; ++frame) {
        std::uint8_t* row = features + frame * n_features_;
        for (std::size_t k = 0; k < stuck_features_.size(); ++k) {
            row[stuck_features_[k]] = stuck_states_[k];
        }
    }
    if (lag_ == 0 || count == 0) return;
    // The camera's frame k shows pattern k - lag: the chunk moves down by lag rows, the held
    // patterns (the previous chunk's last, or a dark DMD) come first, its own last lag are held.
    const std::size_t row_bytes = n_features_;
    const std::size_t total = count * row_bytes;
    const std::size_t lag_bytes = std::size_t{lag_} * row_bytes;
    shifted_.resize(lag_bytes + total);
    std::memcpy(shifted_.data(), held_.data(), lag_bytes);
    std::memcpy(shifted_.data() + lag_bytes, features, total);
    std::memcpy(features, shifted_.data(), total);
    std::memcpy(held_.data(), shifted_.data() + total, lag_bytes);
}

void DeviceDefectsStage::camera_values(std::uint8_t* frames, std::uint64_t count,
                                       unsigned bytes_per_pixel) const {
    if (pixels_.any()) pixels_.apply_wire(frames, count, bytes_per_pixel);
}

}  // namespace opusim::model
