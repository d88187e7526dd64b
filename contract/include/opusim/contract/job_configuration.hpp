// One job's configuration: the configuration registers (N_FEATURES .. MODE) as one value. The
// SDK fills it, the driver validates and writes it (driver::DeviceConfig is this type), the
// device latches it at START, and the analytic timing model reads it: one type from SDK to model.
#pragma once

#include <cstdint>
#include <tuple>

#include "opusim/contract/input_layout.hpp"
#include "opusim/contract/output_roi.hpp"

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
    bool ideal = false;  // MODE.IDEAL: float intensities without noise (data_format.hpp)
};

// Every field, once: equality (and anything else that must see each field) goes through this.
inline auto fields(const JobConfiguration& c) {
    return std::tie(c.n_features, c.replication, c.first_mirror, c.roi_x, c.roi_y, c.roi_width,
                    c.roi_height, c.n_components, c.exposure_us, c.frametime_us, c.medium_seed,
                    c.noise_seed, c.noise, c.timing_only, c.ideal);
}
// A field added to the struct but not to fields() changes the size: fix both together.
static_assert(sizeof(JobConfiguration) == 3 * 8 + 5 * 4 + 4 /*padding*/ + 2 * 8 + 2 * 8 + 8,
              "JobConfiguration changed: list the new field in fields()");

inline bool operator==(const JobConfiguration& a, const JobConfiguration& b) {
    return fields(a) == fields(b);
}

inline bool operator!=(const JobConfiguration& a, const JobConfiguration& b) {
    return !(a == b);
}

// CONFIG with the geometry registers of one input layout and one output ROI: what a host sets
// before the jobs of a transform (the rest of CONFIG is kept).
inline JobConfiguration with_geometry(JobConfiguration config, const InputLayout& layout,
                                      const OutputRoi& roi) {
    config.n_features = layout.n_features;
    config.replication = layout.replication;
    config.first_mirror = layout.first_mirror;
    config.roi_x = roi.x;
    config.roi_y = roi.y;
    config.roi_width = roi.width;
    config.roi_height = roi.height;
    config.n_components = static_cast<std::uint32_t>(roi.pixels.size());
    return config;
}

}  // namespace opusim::contract
