#include "dmd.hpp"

#include <cmath>

#include "opusim/contract/dmd_format.hpp"

namespace opusim::model {

void Dmd::configure(const physics::DmdParams& params, const ControllerClock& clock) {
    params_ = params;
    clock_ = clock;
}

std::uint64_t Dmd::rows_spanned(const contract::InputLayout& layout) const {
    if (layout.used_mirrors() == 0) return 0;
    const std::uint64_t first_row = layout.first_mirror / params_.columns;
    const std::uint64_t last_row =
        (layout.first_mirror + layout.used_mirrors() - 1) / params_.columns;
    return last_row - first_row + 1;
}

std::uint64_t Dmd::load_cycles(const contract::InputLayout& layout) const {
    const double load_us = static_cast<double>(rows_spanned(layout)) * params_.load_clocks_per_row /
                           params_.load_clock_mhz;
    return clock_.cycles_for_us(load_us);
}

std::uint64_t Dmd::settle_cycles() const {
    return clock_.cycles_for_us(params_.settle_us);
}

std::uint64_t Dmd::min_display_cycles() const {
    return clock_.cycles_for_us(params_.min_display_us);
}

std::uint64_t Dmd::unpack(const contract::InputLayout& layout, contract::InputFormat format,
                          const std::uint8_t* packed, std::uint64_t stride, std::uint64_t n_frames,
                          std::uint8_t* features) const {
    for (std::uint64_t f = 0; f < n_frames; ++f) {
        const std::uint8_t* frame = packed + f * stride;
        std::uint8_t* bits = features + f * layout.n_features;
        try {
            if (format == contract::InputFormat::PackedFeatures) {
                contract::unpack_features(layout.n_features, frame, bits);
            } else {
                contract::unpack_frame(layout, frame, bits);
            }
        } catch (const contract::InputFormatError&) {
            return f;
        }
    }
    return n_frames;
}

}  // namespace opusim::model
