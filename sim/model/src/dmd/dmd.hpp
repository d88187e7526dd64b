// The DMD: pattern load and mirror settle timing, and (functionally) the check that a packed
// frame matches the input layout. The controller loads only the mirror rows the feature window
// spans (a partial-pattern load; rows outside are cleared by the global reset), so a small input
// loads faster than a full one.
//
// A plain timing and functional class, not a SystemC module: its load and settle times are stage
// durations the frame pipeline composes analytically, and its check runs on a frame's bytes when
// the sequencer fetches it. Nothing in it waits or is waited for, so it needs no process.
#pragma once

#include <cstdint>

#include "../controller/clock.hpp"
#include "opusim/contract/data_format.hpp"
#include "opusim/contract/input_layout.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {

class Dmd {
  public:
    void configure(const physics::DmdParams& params, const ControllerClock& clock);

    std::uint64_t rows_spanned(const contract::InputLayout& layout) const;
    std::uint64_t load_cycles(const contract::InputLayout& layout) const;
    std::uint64_t settle_cycles() const;
    std::uint64_t min_display_cycles() const;

    // Feature bits of N_FRAMES input frames in FORMAT (each STRIDE bytes apart) into FEATURES
    // (n_frames x n_features): a DMD pattern is checked against the layout, packed features are
    // expanded by the layout (the formatter; functionally the feature bits are all the optics
    // need, so no mirror-sized work). Returns the index of the first frame that does not match
    // its format, or N_FRAMES when all do.
    std::uint64_t unpack(const contract::InputLayout& layout, contract::InputFormat format,
                         const std::uint8_t* packed, std::uint64_t stride, std::uint64_t n_frames,
                         std::uint8_t* features) const;

  private:
    physics::DmdParams params_;
    ControllerClock clock_;
};

}  // namespace opusim::model
