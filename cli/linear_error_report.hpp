// The linear mode's derived error in the reports of `opusim transform --linear` and
// `opusim run --linear` (docs/device-physics.md "Linear mode: noise limit").
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "opusim/context.hpp"

namespace opusim::cli {

// {"limit", "frames_per_vector", "budget": {"shot", "read", "quantisation", "laser",
// "encoding", "calibration"}}: relative rms errors of one output.
nlohmann::json linear_error_json(const Context& context);

// One line: the limit, its terms and the frames per vector.
std::string linear_error_line(const Context& context);

}  // namespace opusim::cli
