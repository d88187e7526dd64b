#include "json_report.hpp"

#include <iostream>

#include "opusim/version.hpp"

namespace opusim::cli {

nlohmann::json with_version(nlohmann::json report) {
    report["version"] = opusim::version();
    return report;
}

void print_json_report(const nlohmann::json& report) {
    // Replace, not throw, on invalid UTF-8 (a file name in a message may hold any bytes).
    std::cout << with_version(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
}

nlohmann::json error_report(ErrorKind kind, const std::string& message,
                            const std::string& command) {
    nlohmann::json error = {{"kind", kind == ErrorKind::Usage ? "usage" : "runtime"},
                            {"message", message},
                            {"command", command}};
    return with_version({{"error", error}});
}

}  // namespace opusim::cli
