// The grid of an `opusim sweep`: each --set KEY=V1,V2,... is an axis; KEY is a profile key
// (camera.bits) or, after "run.", an option of `opusim run` (run.n_components is
// --n-components). The grid is every combination, the first axis varying slowest.
#pragma once

#include <string>
#include <vector>

namespace opusim::cli::report {

struct SweepAxis {
    std::string key;  // as given: camera.bits, run.n_components
    std::vector<std::string> values;
    bool run_option() const { return key.rfind("run.", 0) == 0; }
    // "--n-components" for run.n_components.
    std::string run_flag() const;
};

// The options of `opusim run` a sweep may vary.
const std::vector<std::string>& sweepable_run_options();

// An axis from the text of one --set (KEY=V1,V2,...); a malformed one is a UsageError.
SweepAxis parse_sweep_axis(const std::string& text);

// Every point of the grid: one value index per axis.
std::vector<std::vector<std::size_t>> grid_points(const std::vector<SweepAxis>& axes);

}  // namespace opusim::cli::report
