#include "sweep_page.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "html_page.hpp"
#include "opusim_subprocess.hpp"
#include "svg_plot.hpp"

namespace opusim::cli::report {
namespace {

std::string column_name(const std::string& pointer) {
    std::string name = pointer.substr(1);
    std::replace(name.begin(), name.end(), '/', '.');
    return name;
}

// A CSV field: numbers exactly as JSON prints them (shortest round-trip), text quoted if needed.
std::string csv_field(const nlohmann::json& value) {
    if (value.is_null()) return "";
    if (!value.is_string()) return value.dump();
    const std::string text = value.get<std::string>();
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

nlohmann::json at_pointer(const nlohmann::json& result, const std::string& pointer) {
    const nlohmann::json::json_pointer where(pointer);
    return result.contains(where) ? result.at(where) : nlohmann::json(nullptr);
}

bool numeric(const std::string& text, double& value) {
    char* end = nullptr;
    value = std::strtod(text.c_str(), &end);
    return !text.empty() && end != nullptr && *end == '\0' && std::isfinite(value);
}

// The axis plots put on x: the last one with several values (single values are fixed settings).
std::size_t x_axis_index(const std::vector<SweepAxis>& axes) {
    for (std::size_t a = axes.size(); a-- > 0;) {
        if (axes[a].values.size() > 1) return a;
    }
    return axes.size() - 1;
}

// One plot of METRIC against the x axis, a line per combination of the other axes with several
// values, in grid order.
std::string metric_plot(const SweepResults& sweep, const std::string& pointer) {
    const std::size_t last = x_axis_index(sweep.axes);
    const SweepAxis& x_axis = sweep.axes[last];
    std::vector<double> x_values;
    bool all_numeric = true;
    for (std::size_t v = 0; v < x_axis.values.size(); ++v) {
        double value = 0;
        all_numeric = all_numeric && numeric(x_axis.values[v], value);
        x_values.push_back(all_numeric ? value : double(v));
    }
    if (!all_numeric) {
        for (std::size_t v = 0; v < x_values.size(); ++v) x_values[v] = double(v);
    }
    std::vector<std::pair<std::string, std::pair<std::vector<double>, std::vector<double>>>> series;
    double low = INFINITY, high = -INFINITY;
    for (std::size_t p = 0; p < sweep.points.size(); ++p) {
        const nlohmann::json value = at_pointer(sweep.results[p], pointer);
        if (!value.is_number()) continue;
        std::string label;
        for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
            if (a == last || sweep.axes[a].values.size() < 2) continue;
            label += (label.empty() ? "" : ", ") + sweep.axes[a].key + "=" +
                     sweep.axes[a].values[sweep.points[p][a]];
        }
        if (label.empty()) label = "device";
        auto found = std::find_if(series.begin(), series.end(),
                                  [&](const auto& entry) { return entry.first == label; });
        if (found == series.end()) found = series.insert(series.end(), {label, {}});
        found->second.first.push_back(x_values[sweep.points[p][last]]);
        found->second.second.push_back(value.get<double>());
        low = std::min(low, value.get<double>());
        high = std::max(high, value.get<double>());
    }
    if (series.empty()) return "";
    const double x_low = *std::min_element(x_values.begin(), x_values.end());
    const double x_high = *std::max_element(x_values.begin(), x_values.end());
    PlotOptions options;
    options.title = column_name(pointer) + " against " + x_axis.key;
    options.x_label = x_axis.key + (all_numeric ? "" : " (value index)");
    options.y_label = column_name(pointer);
    options.log_x = all_numeric && x_low > 0 && x_high / x_low >= 20;
    options.log_y = low > 0 && high / low >= 20;
    const double x_pad = options.log_x ? 1.0 : (x_high - x_low) * 0.05 + 1e-9;
    options.x = options.log_x ? AxisRange{x_low / 1.3, x_high * 1.3}
                              : AxisRange{x_low - x_pad, x_high + x_pad};
    const double y_pad = (high - low) * 0.1 + std::fabs(high) * 0.02 + 1e-12;
    options.y = options.log_y ? AxisRange{low / 1.5, high * 1.5}
                              : AxisRange{std::min(0.0, low - y_pad), high + y_pad};
    SvgPlot plot(options);
    std::size_t index = 0;
    for (const auto& [label, line] : series) {
        plot.line(line.first, line.second, series_colour(index), label);
        plot.scatter(line.first, line.second, series_colour(index), "");
        ++index;
    }
    return plot.svg();
}

}  // namespace

const std::vector<std::string>& sweep_columns() {
    static const std::vector<std::string> kColumns{"/frame_rate_hz",
                                                   "/bottleneck",
                                                   "/vectors_per_s",
                                                   "/device_time_s",
                                                   "/frames",
                                                   "/latency/frame_p50_s",
                                                   "/noise/mean_signal_dn",
                                                   "/noise/temporal_noise_dn",
                                                   "/noise/snr",
                                                   "/noise/saturated_fraction",
                                                   "/noise/speckle_contrast",
                                                   "/exposure_us"};
    return kColumns;
}

std::string sweep_csv(const SweepResults& sweep) {
    std::string csv;
    for (const auto& axis : sweep.axes) csv += csv_field(axis.key) + ",";
    for (std::size_t c = 0; c < sweep_columns().size(); ++c) {
        csv += (c ? "," : "") + column_name(sweep_columns()[c]);
    }
    csv += "\n";
    for (std::size_t p = 0; p < sweep.points.size(); ++p) {
        for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
            csv += csv_field(sweep.axes[a].values[sweep.points[p][a]]) + ",";
        }
        for (std::size_t c = 0; c < sweep_columns().size(); ++c) {
            csv += (c ? "," : "") + csv_field(at_pointer(sweep.results[p], sweep_columns()[c]));
        }
        csv += "\n";
    }
    return csv;
}

nlohmann::json sweep_json(const SweepResults& sweep) {
    nlohmann::json axes = nlohmann::json::array();
    for (const auto& axis : sweep.axes)
        axes.push_back({{"key", axis.key}, {"values", axis.values}});
    nlohmann::json points = nlohmann::json::array();
    for (std::size_t p = 0; p < sweep.points.size(); ++p) {
        nlohmann::json parameters = nlohmann::json::object();
        for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
            parameters[sweep.axes[a].key] = sweep.axes[a].values[sweep.points[p][a]];
        }
        points.push_back({{"parameters", parameters},
                          {"command", command_text(sweep.commands[p])},
                          {"result", sweep.results[p]}});
    }
    return {{"device", sweep.device}, {"axes", axes}, {"points", points}};
}

std::string sweep_html(const SweepResults& sweep) {
    Figure figure;
    figure.id = "sweep";
    figure.title = "Measurements over the grid";
    for (const char* pointer :
         {"/frame_rate_hz", "/noise/snr", "/noise/mean_signal_dn", "/noise/saturated_fraction"}) {
        const std::string svg = metric_plot(sweep, pointer);
        if (!svg.empty()) figure.svgs.push_back(svg);
    }
    for (std::size_t p = 0; p < sweep.commands.size(); ++p) {
        figure.commands.push_back(command_text(sweep.commands[p]));
    }
    figure.numbers = sweep_json(sweep)["points"];
    for (auto& point : figure.numbers) point.erase("command");
    std::string axes;
    for (const auto& axis : sweep.axes) {
        axes += (axes.empty() ? "" : " x ") + axis.key + " (" + std::to_string(axis.values.size()) +
                " values)";
    }
    figure.caption = std::to_string(sweep.points.size()) + " points of opusim run: " + axes +
                     ". The table is sweep.csv; every point's whole result is in sweep.json.";
    return html_page("opusim sweep", {"Device " + sweep.device, "Grid: " + axes}, {figure});
}

}  // namespace opusim::cli::report
