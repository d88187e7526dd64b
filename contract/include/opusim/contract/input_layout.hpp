// Where each input feature lands on the DMD. Produced by the DMD formatting (dmd_format.hpp) from
// the input ROI strategy; consumed by the medium (which columns make a feature's effective column)
// and by the model (how many mirrors and bytes a frame has).
//
// Layout (documented in docs/device-physics.md): mirrors are numbered row-major on the DMD
// (mirror = row * columns + column). Feature f occupies the `replication` consecutive mirrors
// starting at first_mirror + f * replication. Mirrors outside [first_mirror, first_mirror +
// n_features * replication) are off.
#pragma once

#include <cstdint>
#include <string>

namespace opusim::contract {

enum class InputRoiStrategy { Full, Small, Auto };

struct InputLayout {
    std::uint64_t n_features = 0;
    std::uint64_t replication = 1;                        // mirrors per feature
    std::uint64_t first_mirror = 0;                       // first mirror of feature 0
    std::uint64_t total_mirrors = 0;                      // mirrors on the DMD (columns * rows)
    InputRoiStrategy strategy = InputRoiStrategy::Small;  // the resolved one (never Auto)

    std::uint64_t mirror_of(std::uint64_t feature, std::uint64_t copy) const {
        return first_mirror + feature * replication + copy;
    }
    std::uint64_t used_mirrors() const { return n_features * replication; }
};

std::string to_string(InputRoiStrategy strategy);
// Throws std::invalid_argument naming `argument` for anything but full, small, auto.
InputRoiStrategy parse_input_roi_strategy(const std::string& text, const std::string& argument);

}  // namespace opusim::contract
