// Throughput against the output ROI: `opusim timing` (timing-only) at ROIs from a thousand pixels
// to the whole sensor; each point's rate and bottleneck are the device's measurement. Beside it
// the link's limit, bandwidth / bytes per frame: where the points meet it, the link has taken over.
#include <algorithm>
#include <cmath>

#include "figure.hpp"
#include "opusim/contract/data_format.hpp"
#include "opusim_subprocess.hpp"
#include "svg_plot.hpp"

namespace opusim::cli::report {

Figure throughput_figure(const ReportDevice& device, const FigureProgress& progress) {
    const auto& profile = device.profile;
    const double max_pixels = double(profile.camera.width) * double(profile.camera.height);
    std::vector<double> sizes;
    for (const double m : {1e3, 1e4, 1e5, 3e5, 5e5, 7e5, 9e5, 1.2e6, 1.6e6}) {
        if (m < max_pixels) sizes.push_back(m);
    }
    sizes.push_back(max_pixels);
    const double bytes_per_pixel = contract::bytes_per_pixel(profile.camera.bits);
    std::vector<double> rates, link_x, link_y;
    std::vector<std::string> bottlenecks;
    std::vector<std::string> commands;
    nlohmann::json points = nlohmann::json::array();
    std::vector<std::string> args_shown;
    for (const double m : sizes) {
        std::vector<std::string> args{"timing"};
        for (const auto& a : device.device_args()) args.push_back(a);
        args.insert(args.end(),
                    {"--n-features", "10000", "--n-components", std::to_string(std::llround(m)),
                     "--frames", "200", "--input-roi", "small"});
        const nlohmann::json timing = run_opusim_json(args);
        rates.push_back(timing.at("frame_rate_hz").get<double>());
        bottlenecks.push_back(timing.at("bottleneck").get<std::string>());
        points.push_back({{"n_components", std::llround(m)},
                          {"frame_rate_hz", rates.back()},
                          {"bottleneck", bottlenecks.back()}});
        if (commands.empty()) commands.push_back(device.shown_command(args));
        progress("throughput");
    }
    for (std::size_t i = 0; i <= 60; ++i) {
        const double m = 1e3 * std::pow(max_pixels / 1e3, double(i) / 60);
        link_x.push_back(m);
        link_y.push_back(profile.link.bandwidth_gb_per_s * 1e9 / (m * bytes_per_pixel));
    }
    const auto takeover = std::find(bottlenecks.begin(), bottlenecks.end(), "link_out");
    PlotOptions options;
    options.title = "Frame rate against output ROI size";
    options.x_label = "output ROI (pixels per frame)";
    options.y_label = "frames per second";
    options.log_x = true;
    options.log_y = true;
    options.x = {800, max_pixels * 1.25};
    options.y = {*std::min_element(rates.begin(), rates.end()) * 0.5,
                 *std::max_element(rates.begin(), rates.end()) * 3};
    SvgPlot plot(options);
    plot.line(link_x, link_y, series_colour(6), "link limit (" + profile.link.name + ")", true);
    // One colour per bottleneck stage.
    std::vector<std::string> seen;
    for (const auto& stage : bottlenecks) {
        if (std::find(seen.begin(), seen.end(), stage) != seen.end()) continue;
        std::vector<double> x, y;
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            if (bottlenecks[i] == stage) {
                x.push_back(sizes[i]);
                y.push_back(rates[i]);
            }
        }
        plot.scatter(x, y, series_colour(seen.size()), "device, bottleneck " + stage);
        seen.push_back(stage);
    }
    plot.line(sizes, rates, "#888", "");
    std::string where = "the link never takes over up to the whole sensor";
    nlohmann::json takeover_pixels = nullptr;
    if (takeover != bottlenecks.end()) {
        const std::size_t i = std::size_t(takeover - bottlenecks.begin());
        takeover_pixels = std::llround(sizes[i]);
        where = "the link takes over at " + std::to_string(std::llround(sizes[i])) + " pixels (" +
                std::to_string(rates[i]) + " Hz, bottleneck link_out)";
        plot.vertical_line(sizes[i], series_colour(3), "link takes over");
    }
    Figure figure;
    figure.id = "throughput";
    figure.title = "Throughput against ROI";
    figure.svgs = {plot.svg()};
    figure.commands = commands;
    figure.commands.push_back("# ... and --n-components for each point: 1000 to " +
                              std::to_string(std::llround(max_pixels)));
    figure.numbers = {{"points", points}, {"link_takes_over_at_pixels", takeover_pixels}};
    figure.caption = "Steady-state frame rate the device measured at each ROI: " + where + ".";
    return figure;
}

}  // namespace opusim::cli::report
