// The report and the sweep measure by running opusim's own commands (`opusim timing ... --json`,
// `opusim run ... --json`) as child processes of this executable: every number they show is that
// command's --json output, the command line they print reproduces it, and points of a sweep run
// in parallel without sharing anything but the machine.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace opusim::cli::report {

// "opusim ARGS...", shell-quoted where needed: what a figure says reproduces its numbers.
std::string command_text(const std::vector<std::string>& args);

// Runs this opusim executable with ARGS plus --json --quiet and returns the JSON it printed, in
// this process's environment with the NAME=VALUE entries of ENVIRONMENT set. A command that fails
// is a std::runtime_error with its error message and command line.
nlohmann::json run_opusim_json(const std::vector<std::string>& args,
                               const std::vector<std::string>& environment = {});

}  // namespace opusim::cli::report
