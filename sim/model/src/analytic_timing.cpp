#include "opusim/model/analytic_timing.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace opusim::model {
namespace {

double transfer_us(const physics::LinkParams& link, std::uint64_t bytes) {
    const std::uint64_t pieces = (bytes + link.max_transfer_bytes - 1) / link.max_transfer_bytes;
    return static_cast<double>(pieces) * link.latency_us +
           static_cast<double>(bytes) / (link.bandwidth_gb_per_s * 1e3);
}

}  // namespace

AnalyticTiming analytic_timing(const physics::DeviceProfile& profile,
                               const contract::JobConfiguration& point) {
    const auto& dmd = profile.dmd;
    const auto& camera = profile.camera;
    AnalyticTiming t;
    const std::uint64_t used = point.n_features * point.replication;
    const std::uint64_t rows = used == 0 ? 0
                                         : (point.first_mirror + used - 1) / dmd.columns -
                                               point.first_mirror / dmd.columns + 1;
    t.link_in_us = transfer_us(profile.link, (dmd.mirrors() + 7) / 8);
    t.dmd_load_us = static_cast<double>(rows) * dmd.load_clocks_per_row / dmd.load_clock_mhz;
    t.dmd_settle_us = dmd.settle_us;
    t.exposure_us = point.exposure_us;
    t.frame_overhead_us = camera.frame_overhead_us;
    t.readout_us = point.roi_height * camera.row_time_us;
    const std::uint64_t pixel_bytes = point.ideal        ? 4u
                                      : camera.bits <= 8 ? 1u
                                                         : 2u;  // ideal: float32
    t.link_out_us = transfer_us(profile.link, point.n_components * pixel_bytes);
    t.frametime_us = point.frametime_us;
    const double b_in = profile.controller.input_buffer_frames;
    const double b_out = profile.controller.output_buffer_frames;

    // Each elementary cycle with the stage that owns the larger part of it.
    const auto owner = [](double a, const char* name_a, double b, const char* name_b) {
        return a >= b ? name_a : name_b;
    };
    const std::vector<std::pair<double, std::string>> cycles = {
        {t.frametime_us, "frametime"},
        {t.link_in_us, "link_in"},
        {t.link_out_us, "link_out"},
        {(t.link_in_us + t.dmd_load_us) / b_in,
         owner(t.link_in_us, "link_in", t.dmd_load_us, "dmd")},
        {(t.readout_us + t.link_out_us) / b_out,
         owner(t.readout_us, "readout", t.link_out_us, "link_out")},
        {t.dmd_load_us + t.dmd_settle_us, "dmd"},
        {t.dmd_settle_us + dmd.min_display_us, "dmd"},
        {t.dmd_settle_us + t.exposure_us, owner(t.exposure_us, "exposure", t.dmd_settle_us, "dmd")},
        {t.exposure_us + t.frame_overhead_us,
         owner(t.exposure_us, "exposure", t.frame_overhead_us, "frame_overhead")},
        {t.frame_overhead_us + t.readout_us,
         owner(t.readout_us, "readout", t.frame_overhead_us, "frame_overhead")},
    };
    const auto longest =
        std::max_element(cycles.begin(), cycles.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    t.period_us = longest->first;
    t.bottleneck = longest->second;
    return t;
}

}  // namespace opusim::model
