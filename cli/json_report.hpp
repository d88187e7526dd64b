// The JSON a command prints: one object on stdout for a result, one object on stderr for an
// error. Every one carries the opusim version under "version" (top level), so a saved report says
// which release wrote it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace opusim::cli {

// REPORT (an object) with "version" set to opusim::version().
nlohmann::json with_version(nlohmann::json report);

// Prints REPORT with its version to stdout, indented, newline-terminated.
void print_json_report(const nlohmann::json& report);

enum class ErrorKind { Usage, Runtime };

// {"error": {"kind": "usage"|"runtime", "message": MESSAGE, "command": COMMAND}, "version": ...}
nlohmann::json error_report(ErrorKind kind, const std::string& message, const std::string& command);

}  // namespace opusim::cli
