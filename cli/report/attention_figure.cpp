// Attention: `opusim attention` (the quick start's workload) at several numbers of random
// features; its --json gives the error against exact attention with the device's projection,
// CPU FAVOR+ with an orthogonal and with an i.i.d. projection, the device time and the CPU time
// of the same projection.
#include <algorithm>
#include <cmath>

#include "figure.hpp"
#include "opusim_subprocess.hpp"
#include "svg_plot.hpp"

namespace opusim::cli::report {
namespace {

// A log-log plot against the number of features whose y range holds every one of SERIES, with
// HEADROOM times the largest value on top.
SvgPlot against_features(const std::string& title, const std::string& y_label,
                         const std::vector<double>& features,
                         const std::vector<std::vector<double>>& series, double headroom) {
    double low = INFINITY, high = -INFINITY;
    for (const auto& values : series) {
        low = std::min(low, *std::min_element(values.begin(), values.end()));
        high = std::max(high, *std::max_element(values.begin(), values.end()));
    }
    PlotOptions options;
    options.title = title;
    options.x_label = "random features M";
    options.y_label = y_label;
    options.log_x = options.log_y = true;
    options.x = {features.front() * 0.8, features.back() * 1.25};
    options.y = {low * 0.7, high * headroom};
    return SvgPlot(options);
}

}  // namespace

Figure attention_figure(const ReportDevice& device, const AttentionWorkload& w,
                        const FigureProgress& progress) {
    std::vector<double> features, device_error, orthogonal_error, iid_error, device_s, cpu_s;
    std::vector<std::string> commands;
    nlohmann::json points = nlohmann::json::array();
    for (const std::size_t m : w.features) {
        std::vector<std::string> args{"attention"};
        for (const auto& a : device.device_args()) args.push_back(a);
        args.insert(args.end(),
                    {"--seq-len", std::to_string(w.seq_len), "--dim", std::to_string(w.dim),
                     "--heads", std::to_string(w.heads), "--features", std::to_string(m), "--scale",
                     std::to_string(w.scale)});
        const nlohmann::json result = run_opusim_json(args);
        features.push_back(double(m));
        device_error.push_back(result.at("rel_error_vs_exact").get<double>());
        orthogonal_error.push_back(result.at("cpu_favor_rel_error_vs_exact").get<double>());
        iid_error.push_back(result.at("cpu_iid_favor_rel_error_vs_exact").get<double>());
        device_s.push_back(result.at("device_time_s").get<double>());
        cpu_s.push_back(result.at("cpu_projection_time_s").get<double>());
        points.push_back({{"features", m},
                          {"rel_error_vs_exact", device_error.back()},
                          {"cpu_favor_rel_error_vs_exact", orthogonal_error.back()},
                          {"cpu_iid_favor_rel_error_vs_exact", iid_error.back()},
                          {"device_time_s", device_s.back()},
                          {"cpu_projection_time_s", cpu_s.back()}});
        commands.push_back(device.shown_command(args));
        progress("attention");
    }
    SvgPlot errors(against_features("Attention error against the number of features",
                                    "relative error vs exact attention", features,
                                    {device_error, orthogonal_error, iid_error}, 1.4));
    const auto draw = [&features](SvgPlot& plot, const std::vector<double>& values,
                                  std::size_t colour, const std::string& label, bool dashed) {
        plot.line(features, values, series_colour(colour), label, dashed);
        plot.scatter(features, values, series_colour(colour), "");
    };
    draw(errors, device_error, 0, "device projection", false);
    draw(errors, orthogonal_error, 1, "CPU orthogonal", false);
    draw(errors, iid_error, 2, "CPU iid", true);
    // Room above the lines for the legend: the device's time is far above the CPU's.
    SvgPlot times(against_features("Projection time: simulated device against this CPU", "seconds",
                                   features, {device_s, cpu_s}, 14));
    draw(times, device_s, 0, "device (simulated device time)", false);
    draw(times, cpu_s, 1, "CPU (measured, cblas_sgemm)", false);

    Figure figure;
    figure.id = "attention";
    figure.title = "Attention (FAVOR+)";
    figure.svgs = {errors.svg(), times.svg()};
    figure.commands = commands;
    figure.numbers = {{"points", points}};
    figure.caption = "L = " + std::to_string(w.seq_len) + ", d = " + std::to_string(w.dim) +
                     ", H = " + std::to_string(w.heads) +
                     ": error of FAVOR+ softmax attention with the device's projection and with "
                     "CPU projections of the same M; device time is simulated, CPU time measured "
                     "on this machine.";
    return figure;
}

}  // namespace opusim::cli::report
