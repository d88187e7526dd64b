// What `opusim sweep` writes: the points as CSV (one row per point: the axes, then the measured
// columns), as JSON (every point's whole `opusim run --json` result and its command), and an HTML
// page plotting the main measurements against the last axis, one line per combination of the
// others.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep_grid.hpp"

namespace opusim::cli::report {

struct SweepResults {
    std::string device;  // canonical URI
    std::vector<SweepAxis> axes;
    std::vector<std::vector<std::size_t>> points;    // value index per axis
    std::vector<std::vector<std::string>> commands;  // opusim arguments of each point
    std::vector<nlohmann::json> results;             // each point's run --json (device figures)
};

// The measured columns, as JSON pointers into a run result ("/noise/snr" -> noise.snr).
const std::vector<std::string>& sweep_columns();

std::string sweep_csv(const SweepResults& sweep);
nlohmann::json sweep_json(const SweepResults& sweep);
std::string sweep_html(const SweepResults& sweep);

}  // namespace opusim::cli::report
