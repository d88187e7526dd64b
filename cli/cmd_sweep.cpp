// opusim sweep: the main job (`opusim run`) at every point of a grid of profile keys and workload
// sizes, points in parallel on the machine's cores, each in its own `opusim run --json` process
// (so a point is exactly the command its row names). Writes DIR/sweep.csv, DIR/sweep.json and
// DIR/index.html (plots), each file atomically. Results are in grid order and hold only what the
// simulated device computed (no wall-clock figure), so they are bit-identical whatever --jobs.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "command.hpp"
#include "device_option.hpp"
#include "json_report.hpp"
#include "option_values.hpp"
#include "progress.hpp"
#include "report/atomic_file.hpp"
#include "report/opusim_subprocess.hpp"
#include "report/scratch_folder.hpp"
#include "report/sweep_grid.hpp"
#include "report/sweep_page.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

// What a point's `opusim run --json` says that does not depend on the host's speed.
nlohmann::json device_result(nlohmann::json run) {
    for (const char* wall :
         {"wall_time_s", "simulated_frames_per_wall_s", "simulation_speed", "version"}) {
        run.erase(wall);
    }
    return run;
}

// The profile axes' values checked as profiles, before any point runs; an axis may not repeat an
// override the device URI sets (which would win?).
void validate_profile_axes(const ChosenDevice& device, const std::vector<report::SweepAxis>& axes) {
    for (const auto& axis : axes) {
        if (axis.run_option()) continue;
        for (const auto& fixed : device.overrides) {
            if (fixed.key == axis.key) {
                throw UsageError("--set " + axis.key +
                                 ": the --device URI's set= option sets it "
                                 "too; give it once");
            }
        }
        for (const auto& value : axis.values) {
            try {
                physics::with_overrides(device.profile, {{axis.key, value}});
            } catch (const physics::ProfileOverrideError& error) {
                throw UsageError("--set " + axis.key + "=" + value + ": " + error.detail());
            }
        }
    }
}

std::vector<std::string> point_arguments(const ChosenDevice& device,
                                         const std::vector<report::SweepAxis>& axes,
                                         const std::vector<std::size_t>& point) {
    std::vector<std::string> args{"run", "--device", device.uri};
    for (std::size_t a = 0; a < axes.size(); ++a) {
        const std::string& value = axes[a].values[point[a]];
        if (axes[a].run_option()) {
            args.insert(args.end(), {axes[a].run_flag(), value});
        } else {
            args.insert(args.end(), {"--set", axes[a].key + "=" + value});
        }
    }
    return args;
}

// Runs every point on JOBS threads; RESULTS[i] is point i's. The first failure stops the rest.
// A device is held by one process at a time (the driver's device lock, as hardware is), so each
// worker gets a simulated device of its own: its own lock folder ($OPUSIM_LOCK_DIR), as if the
// sweep ran on JOBS machines. The device's results do not depend on which worker ran a point.
void run_points(const std::vector<std::vector<std::string>>& commands, unsigned jobs,
                std::vector<nlohmann::json>& results, Progress& progress) {
    const report::ScratchFolder locks("opusim-sweep-locks");
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex mutex;
    std::string failure;
    std::size_t done = 0;
    const auto worker = [&](unsigned index) {
        const std::vector<std::string> environment{
            "OPUSIM_LOCK_DIR=" + (locks.path() / ("worker-" + std::to_string(index))).string()};
        for (std::size_t i = next++; i < commands.size() && !failed; i = next++) {
            try {
                results[i] = device_result(report::run_opusim_json(commands[i], environment));
                const std::lock_guard<std::mutex> guard(mutex);
                progress.update(++done, commands.size());
            } catch (const std::exception& error) {
                const std::lock_guard<std::mutex> guard(mutex);
                if (!failed.exchange(true)) failure = error.what();
            }
        }
    };
    for (unsigned t = 0; t < jobs; ++t) {
        std::filesystem::create_directories(locks.path() / ("worker-" + std::to_string(t)));
    }
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < jobs; ++t) threads.emplace_back(worker, t);
    for (auto& thread : threads) thread.join();
    progress.clear();
    if (failed) throw std::runtime_error("sweep point failed: " + failure);
}

int run_sweep(const Command& command, const Arguments& args) {
    po::options_description options("options");
    options.add_options()("device", po::value<std::string>()->default_value(""),
                          "device URI (default: $OPUSIM_DEVICE, else sim:gen2)")(
        "set", po::value<std::vector<std::string>>()->composing(),
        "KEY=V1[,V2,...]: an axis (a profile key, or run.OPTION of opusim run); repeatable")(
        "out", po::value<std::string>()->required(),
        "folder for sweep.csv, sweep.json, index.html")(
        "jobs", po::value<std::string>(), "points run at once (default: the machine's cores)")(
        "json", po::bool_switch(), "print one JSON object (the folder and the points)");
    const auto values = parse_options(command, args, options);
    if (!values) return 0;
    const auto& vm = *values;
    std::vector<report::SweepAxis> axes;
    if (vm.count("set")) {
        for (const auto& text : vm["set"].as<std::vector<std::string>>()) {
            axes.push_back(report::parse_sweep_axis(text));
            for (std::size_t a = 0; a + 1 < axes.size(); ++a) {
                if (axes[a].key == axes.back().key) {
                    throw UsageError("--set " + text + ": " + axes.back().key + " is set twice");
                }
            }
        }
    }
    if (axes.empty())
        throw UsageError("--set: give at least one axis, e.g. --set camera.bits=8,12");
    const ChosenDevice device = resolve_device_uri(vm["device"].as<std::string>());
    validate_profile_axes(device, axes);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const unsigned jobs =
        vm.count("jobs")
            ? static_cast<unsigned>(parse_whole("jobs", vm["jobs"].as<std::string>(), 1, 256))
            : cores;
    const std::filesystem::path out = vm["out"].as<std::string>();
    std::error_code error;
    std::filesystem::create_directories(out, error);
    if (error || !std::filesystem::is_directory(out)) {
        throw UsageError("--out: cannot create the folder '" + out.string() + "'");
    }

    const auto points = report::grid_points(axes);
    std::vector<std::vector<std::string>> commands;
    for (const auto& point : points) commands.push_back(point_arguments(device, axes, point));
    std::vector<nlohmann::json> results(points.size());
    Progress progress = Progress::on_stderr("opusim sweep", "points", quiet(vm));
    run_points(commands, std::min<unsigned>(jobs, static_cast<unsigned>(points.size())), results,
               progress);

    const report::SweepResults sweep{device.uri, axes, points, commands, results};
    report::write_file_atomically(out / "sweep.csv", report::sweep_csv(sweep));
    const nlohmann::json document = with_version(report::sweep_json(sweep));
    report::write_file_atomically(out / "sweep.json", document.dump(1) + "\n");
    report::write_file_atomically(out / "index.html", report::sweep_html(sweep));
    if (vm["json"].as<bool>()) {
        print_json_report({{"command", "sweep"},
                           {"out", out.string()},
                           {"files", {"sweep.csv", "sweep.json", "index.html"}},
                           {"points", document["points"]}});
    } else {
        std::cout << "sweep: " << points.size() << " points (" << jobs << " at a time), written to "
                  << (out / "sweep.csv").string() << ", " << (out / "sweep.json").string() << ", "
                  << (out / "index.html").string() << "\n";
    }
    return 0;
}

const Command kSweep{
    "sweep",
    "opusim sweep [--device URI] --set KEY=V1,V2,... [--set ...] --out DIR [--jobs N] [--json] "
    "[--quiet]   (KEY: a profile key, or run.n_features, run.n_components, run.batch, ...)",
    "the main job (opusim run) over a grid of profile keys and workload sizes, in parallel",
    nullptr};

const CommandRegistrar registrar{
    Command{kSweep.name, kSweep.synopsis, kSweep.summary,
            [](const Arguments& args) { return run_sweep(kSweep, args); }}};

}  // namespace
}  // namespace opusim::cli
