// opusim report: one self-contained HTML page about a device (inline SVG, no script, no network):
// the speckle, the photon-transfer curve, the pipeline timeline from the device's own trace,
// throughput against the output ROI and, with --attention, the attention workload's error and
// time against the number of features. Every figure's numbers are the --json output of opusim
// commands it runs (and names), so the page and the commands can never disagree.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "command.hpp"
#include "device_option.hpp"
#include "json_report.hpp"
#include "option_values.hpp"
#include "progress.hpp"
#include "report/atomic_file.hpp"
#include "report/figure.hpp"
#include "report/html_page.hpp"
#include "report/scratch_folder.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

// Steps of the default report (for progress): 1 capture, 12 flat-field exposures, 1 timeline,
// up to 10 ROI sizes.
constexpr std::uint64_t kDeviceSteps = 24;

std::vector<std::size_t> parse_feature_list(const std::string& text) {
    std::vector<std::size_t> values;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const std::string item =
            text.substr(start, comma == std::string::npos ? comma : comma - start);
        values.push_back(parse_whole("features", item, 1, 1u << 20));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return values;
}

report::AttentionWorkload parse_attention(const po::variables_map& vm) {
    report::AttentionWorkload w;
    w.seq_len = parse_whole("seq-len", vm["seq-len"].as<std::string>(), 1, 1u << 20);
    w.dim = parse_whole("dim", vm["dim"].as<std::string>(), 1, 4096);
    w.heads = parse_whole("heads", vm["heads"].as<std::string>(), 1, 1024);
    w.features = parse_feature_list(vm["features"].as<std::string>());
    w.scale = parse_real("scale", vm["scale"].as<std::string>(), 0);
    return w;
}

int run_report(const Command& command, const Arguments& args) {
    po::options_description options("options");
    add_device_options(options, false);
    options.add_options()("out", po::value<std::string>()->required(), "the HTML file to write")(
        "svg-dir", po::value<std::string>(), "also write each figure's SVG files into DIR")(
        "attention", po::bool_switch(), "add the attention workload's figures (slower)")(
        "seq-len", po::value<std::string>()->default_value("1024"), "attention: sequence length")(
        "dim", po::value<std::string>()->default_value("64"), "attention: head dimension")(
        "heads", po::value<std::string>()->default_value("4"), "attention: heads")(
        "features", po::value<std::string>()->default_value("64,128,256"),
        "attention: numbers of random features, comma-separated")(
        "scale", po::value<std::string>()->default_value("0.25"), "attention: q, k ~ N(0, S^2)")(
        "json", po::bool_switch(), "print one JSON object (the file and the figures' numbers)");
    const auto values = parse_options(command, args, options);
    if (!values) return 0;
    const auto& vm = *values;
    const ChosenDevice chosen = choose_device(vm);
    const bool attention = vm["attention"].as<bool>();
    const report::AttentionWorkload workload = parse_attention(vm);
    const std::filesystem::path out = vm["out"].as<std::string>();
    // Checked before the figures run (tens of seconds), not when the page is written.
    const std::filesystem::path out_folder = out.parent_path().empty() ? "." : out.parent_path();
    if (!std::filesystem::is_directory(out_folder) || ::access(out_folder.c_str(), W_OK) != 0) {
        throw UsageError("--out: the folder '" + out_folder.string() +
                         "' does not exist or cannot be written");
    }
    report::ScratchFolder scratch("opusim-report");
    const report::ReportDevice device{chosen.uri, chosen.profile, scratch.path()};

    Progress progress = Progress::on_stderr("opusim report", "steps", quiet(vm));
    const std::uint64_t total = kDeviceSteps + (attention ? workload.features.size() : 0);
    std::uint64_t done = 0;
    const report::FigureProgress step = [&](const std::string&) { progress.update(++done, total); };
    std::vector<report::Figure> figures;
    figures.push_back(report::speckle_figure(device, step));
    figures.push_back(report::photon_transfer_figure(device, step));
    figures.push_back(report::timeline_figure(device, step));
    figures.push_back(report::throughput_figure(device, step));
    if (attention) figures.push_back(report::attention_figure(device, workload, step));
    progress.clear();

    const std::string page = report::html_page(
        "opusim report: " + chosen.profile.name,
        {"Device " + chosen.uri + " (" + chosen.profile.description + ")",
         "Every figure's numbers are the --json output of the opusim commands listed under it."},
        figures);
    report::write_file_atomically(out, page);
    if (vm.count("svg-dir")) {
        const std::filesystem::path folder = vm["svg-dir"].as<std::string>();
        std::filesystem::create_directories(folder);
        for (const auto& figure : figures) {
            for (std::size_t i = 0; i < figure.svgs.size(); ++i) {
                report::write_file_atomically(
                    folder / (figure.id + (i ? "_" + std::to_string(i + 1) : "") + ".svg"),
                    figure.svgs[i]);
            }
        }
    }
    nlohmann::json numbers = nlohmann::json::object();
    nlohmann::json commands = nlohmann::json::object();
    for (const auto& figure : figures) {
        numbers[figure.id] = figure.numbers;
        commands[figure.id] = figure.commands;
    }
    if (vm["json"].as<bool>()) {
        print_json_report({{"command", "report"},
                           {"out", out.string()},
                           {"bytes", page.size()},
                           {"device", chosen.uri},
                           {"profile", chosen.profile.name},
                           {"figures", numbers},
                           {"commands", commands}});
    } else {
        std::cout << "report: " << figures.size() << " figures, " << page.size()
                  << " bytes, written to " << out.string() << "\n";
    }
    return 0;
}

const Command kReport{
    "report",
    "opusim report [--device URI | --profile P] [--set KEY=VALUE ...] --out FILE.html "
    "[--attention [--seq-len L] [--dim D] [--heads H] [--features M1,M2,...]] [--svg-dir DIR] "
    "[--json] [--quiet]",
    "a self-contained HTML report of a device: speckle, photon transfer, pipeline, throughput",
    nullptr};

const CommandRegistrar registrar{
    Command{kReport.name, kReport.synopsis, kReport.summary,
            [](const Arguments& args) { return run_report(kReport, args); }}};

}  // namespace
}  // namespace opusim::cli
