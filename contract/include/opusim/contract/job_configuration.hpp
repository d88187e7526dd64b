// One job's configuration: the configuration registers (N_FEATURES .. MODE) as one value. The
// SDK fills it, the driver validates and writes it (driver::DeviceConfig is this type), the
// device latches it at START, and the analytic timing model reads it: one type from SDK to model.
#pragma once

#include <cstdint>

namespace opusim::contract {

struct JobConfiguration {
    std::uint64_t n_features = 0;
    std::uint64_t replication = 1;
    std::uint64_t first_mirror = 0;
    std::uint32_t roi_x = 0;
    std::uint32_t roi_y = 0;
    std::uint32_t roi_width = 0;
    std::uint32_t roi_height = 0;
    std::uint32_t n_components = 0;  // the first n_components pixels of the ROI, row-major
    double exposure_us = 0;          // carried in whole nanoseconds (EXPOSURE_NS)
    double frametime_us = 0;         // minimum frame period; 0: as fast as the stages allow
    std::uint64_t medium_seed = 0;
    std::uint64_t noise_seed = 0;
    bool noise = true;
    bool timing_only = false;
};

inline bool operator==(const JobConfiguration& a, const JobConfiguration& b) {
    return a.n_features == b.n_features && a.replication == b.replication &&
           a.first_mirror == b.first_mirror && a.roi_x == b.roi_x && a.roi_y == b.roi_y &&
           a.roi_width == b.roi_width && a.roi_height == b.roi_height &&
           a.n_components == b.n_components && a.exposure_us == b.exposure_us &&
           a.frametime_us == b.frametime_us && a.medium_seed == b.medium_seed &&
           a.noise_seed == b.noise_seed && a.noise == b.noise && a.timing_only == b.timing_only;
}

inline bool operator!=(const JobConfiguration& a, const JobConfiguration& b) {
    return !(a == b);
}

}  // namespace opusim::contract
