#include "figure.hpp"

#include "opusim_subprocess.hpp"

namespace opusim::cli::report {

std::string ReportDevice::shown_command(const std::vector<std::string>& args) const {
    std::vector<std::string> shown = args;
    const std::string prefix = scratch.string() + "/";
    for (auto& argument : shown) {
        if (argument.rfind(prefix, 0) == 0) argument = argument.substr(prefix.size());
    }
    return command_text(shown);
}

}  // namespace opusim::cli::report
