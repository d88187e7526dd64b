// Attention: `opusim attention` (the quick start's workload) at several numbers of random
// features; its --json gives the error against exact attention with the device's projection,
// CPU FAVOR+ with an orthogonal and with an i.i.d. projection, the device time and the CPU time
// of the same projection.
#include <algorithm>

#include "figure.hpp"
#include "opusim_subprocess.hpp"
#include "svg_plot.hpp"

namespace opusim::cli::report {

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
    const auto range_of = [](std::vector<double> a, const std::vector<double>& b,
                             const std::vector<double>& c) {
        a.insert(a.end(), b.begin(), b.end());
        a.insert(a.end(), c.begin(), c.end());
        return AxisRange{*std::min_element(a.begin(), a.end()) * 0.7,
                         *std::max_element(a.begin(), a.end()) * 1.4};
    };
    PlotOptions error_options;
    error_options.title = "Attention error against the number of features";
    error_options.x_label = "random features M";
    error_options.y_label = "relative error vs exact attention";
    error_options.log_x = error_options.log_y = true;
    error_options.x = {features.front() * 0.8, features.back() * 1.25};
    error_options.y = range_of(device_error, orthogonal_error, iid_error);
    SvgPlot errors(error_options);
    errors.line(features, device_error, series_colour(0), "device projection");
    errors.scatter(features, device_error, series_colour(0), "");
    errors.line(features, orthogonal_error, series_colour(1), "CPU orthogonal");
    errors.scatter(features, orthogonal_error, series_colour(1), "");
    errors.line(features, iid_error, series_colour(2), "CPU iid", true);
    errors.scatter(features, iid_error, series_colour(2), "");

    PlotOptions time_options;
    time_options.title = "Projection time: simulated device against this CPU";
    time_options.x_label = "random features M";
    time_options.y_label = "seconds";
    time_options.log_x = time_options.log_y = true;
    time_options.x = error_options.x;
    time_options.y = range_of(device_s, cpu_s, cpu_s);
    SvgPlot times(time_options);
    times.line(features, device_s, series_colour(0), "device (simulated device time)");
    times.scatter(features, device_s, series_colour(0), "");
    times.line(features, cpu_s, series_colour(1), "CPU (measured, cblas_sgemm)");
    times.scatter(features, cpu_s, series_colour(1), "");

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
