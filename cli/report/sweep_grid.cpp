#include "sweep_grid.hpp"

#include "../command.hpp"

namespace opusim::cli::report {

std::string SweepAxis::run_flag() const {
    std::string flag = "--" + key.substr(4);
    for (char& c : flag) c = c == '_' ? '-' : c;
    return flag;
}

const std::vector<std::string>& sweepable_run_options() {
    static const std::vector<std::string> kOptions{"n_features",  "n_components", "batch",
                                                   "exposure_us", "frametime_us", "input_roi"};
    return kOptions;
}

SweepAxis parse_sweep_axis(const std::string& text) {
    const auto equals = text.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
        throw UsageError("--set " + text + ": expected KEY=V1[,V2,...], e.g. camera.bits=8,12");
    }
    SweepAxis axis;
    axis.key = text.substr(0, equals);
    const std::string list = text.substr(equals + 1);
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = list.find(',', start);
        const std::string value =
            list.substr(start, comma == std::string::npos ? comma : comma - start);
        if (value.empty()) throw UsageError("--set " + text + ": an empty value in the list");
        axis.values.push_back(value);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (axis.run_option()) {
        bool known = false;
        std::string names;
        for (const auto& option : sweepable_run_options()) {
            known = known || axis.key == "run." + option;
            names += (names.empty() ? "run." : ", run.") + option;
        }
        if (!known) {
            throw UsageError("--set " + text + ": unknown run option '" + axis.key +
                             "' (known: " + names + ")");
        }
    }
    return axis;
}

std::vector<std::vector<std::size_t>> grid_points(const std::vector<SweepAxis>& axes) {
    std::vector<std::vector<std::size_t>> points{{}};
    for (const auto& axis : axes) {
        std::vector<std::vector<std::size_t>> next;
        for (const auto& point : points) {
            for (std::size_t v = 0; v < axis.values.size(); ++v) {
                auto extended = point;
                extended.push_back(v);
                next.push_back(std::move(extended));
            }
        }
        points = std::move(next);
    }
    return points;
}

}  // namespace opusim::cli::report
