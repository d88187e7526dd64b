// The pipeline: a few frames through the stages, from the device's own frame trace (TRACE_*
// registers, read by the driver's Device::frame_trace() and printed by `opusim timing --json`
// under "trace"), with the bottleneck the device measured marked.
#include <algorithm>

#include "figure.hpp"
#include "opusim_subprocess.hpp"
#include "svg_plot.hpp"

namespace opusim::cli::report {
namespace {

constexpr std::size_t kShownFrames = 5;
// Timeline rows (stages) and the trace operations drawn in each.
struct Row {
    const char* stage;
    std::vector<const char*> operations;
};
const std::vector<Row>& rows() {
    static const std::vector<Row> kRows{{"link_out", {"link_out"}},
                                        {"readout", {"readout"}},
                                        {"frame_overhead", {"frame_overhead"}},
                                        {"exposure", {"exposure"}},
                                        {"dmd", {"dmd_load", "dmd_settle"}},
                                        {"link_in", {"link_in"}}};
    return kRows;
}

}  // namespace

Figure timeline_figure(const ReportDevice& device, const FigureProgress& progress) {
    std::vector<std::string> args{"timing"};
    for (const auto& a : device.device_args()) args.push_back(a);
    args.insert(args.end(), {"--n-features", "10000", "--n-components", "10000", "--frames", "64"});
    const nlohmann::json timing = run_opusim_json(args);
    progress("pipeline timeline");
    const auto& trace = timing.at("trace");
    if (trace.empty())
        throw std::runtime_error("opusim timing: the device returned no frame trace");
    const std::size_t first = trace.size() > kShownFrames ? trace.size() - kShownFrames : 0;
    const double origin = trace[first]["operations"]["link_in"][0].get<double>();
    double end = 0;
    for (std::size_t f = first; f < trace.size(); ++f) {
        end = std::max(end, trace[f]["operations"]["link_out"][1].get<double>());
    }
    const std::string bottleneck = timing.at("bottleneck").get<std::string>();
    PlotOptions options;
    options.width = 900;
    options.height = 330;
    options.left_margin = 118;
    options.title = "Last " + std::to_string(trace.size() - first) +
                    " frames of a 64-frame job through the stages (bottleneck: " + bottleneck + ")";
    options.x_label = "device time since the first shown frame's input DMA (us)";
    options.x = {0, (end - origin) * 1e6 * 1.02};
    options.y = {0, double(rows().size())};
    SvgPlot plot(options);
    std::vector<std::string> names;
    for (std::size_t r = 0; r < rows().size(); ++r) {
        const bool is_bottleneck = bottleneck == rows()[r].stage;
        names.push_back(std::string(is_bottleneck ? "> " : "") + rows()[r].stage);
        for (std::size_t f = first; f < trace.size(); ++f) {
            for (const char* op : rows()[r].operations) {
                const auto& span = trace[f]["operations"][op];
                const double start = (span[0].get<double>() - origin) * 1e6;
                const double stop = (span[1].get<double>() - origin) * 1e6;
                const std::string tip = std::string(op) + " of frame " +
                                        std::to_string(trace[f]["frame"].get<std::uint64_t>()) +
                                        ": " + std::to_string(stop - start) + " us";
                plot.rectangle(start, stop, double(r) + 0.15, double(r) + 0.85,
                               series_colour(f - first), tip, is_bottleneck);
            }
        }
    }
    plot.y_categories(names);
    if (bottleneck == "frametime") {
        // The trigger's minimum period set the rate: mark each exposure start.
        for (std::size_t f = first; f < trace.size(); ++f) {
            const double start =
                (trace[f]["operations"]["exposure"][0].get<double>() - origin) * 1e6;
            plot.vertical_line(start, "#444", f == first ? "trigger (FRAMETIME period)" : "");
        }
    }
    Figure figure;
    figure.id = "timeline";
    figure.title = "Pipeline timeline";
    figure.svgs = {plot.svg()};
    figure.commands = {device.shown_command(args) + "   # the \"trace\" key"};
    figure.numbers = {{"bottleneck", bottleneck},
                      {"frame_rate_hz", timing.at("frame_rate_hz")},
                      {"frames_shown", trace.size() - first},
                      {"trace", trace}};
    figure.caption =
        "Each colour is one frame; each bar an operation as the device scheduled it (its own "
        "trace, read through the driver). The bottleneck the device measured on its critical "
        "path is " +
        bottleneck +
        (bottleneck == "frametime" ? " (the FRAMETIME register's minimum period: exposures start "
                                     "one frame time apart)"
                                   : " (outlined, marked >)") +
        "; steady-state rate " + std::to_string(timing.at("frame_rate_hz").get<double>()) + " Hz.";
    return figure;
}

}  // namespace opusim::cli::report
