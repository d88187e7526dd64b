// opusim timing: runs the SystemC device model on one workload and reports where the time goes:
// frame rate, simulated time, latency, per-stage utilisation, the bottleneck stage, and how fast
// the simulation itself ran. Drives the model through the device ABI (TestHost), timing-only by
// default; --functional also computes the optics and camera on random binary inputs.
#include <chrono>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "device_option.hpp"
#include "json_report.hpp"
#include "option_values.hpp"
#include "opusim/physics/device_geometry.hpp"
#include "opusim/model/analytic_timing.hpp"
#include "opusim/model/simulated_device.hpp"
#include "opusim/model/test_host.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"
#include "progress.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

constexpr std::uint64_t kFunctionalJobFrames = 512;  // host buffers per job stay small
constexpr std::uint64_t kMaxFrames = 1ull << 31;

struct TimingRun {
    model::DeviceStatistics stats;
    model::AnalyticTiming analytic;
    double wall_s = 0;
    std::uint64_t frames = 0;
    bool functional = false;
    model::JobSettings settings;
};

std::string fixed(double value, int decimals) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(decimals) << value;
    return out.str();
}

[[noreturn]] void job_failed(const model::JobOutcome& outcome, bool functional) {
    if (!outcome.interrupted) throw std::runtime_error("device job timed out (no interrupt)");
    std::ostringstream message;
    message << "device job failed: " << contract::to_string(outcome.error) << " (ERROR_DETAIL 0x"
            << std::hex << outcome.error_detail << ")";
    if (outcome.error == contract::DeviceError::BadConfig && functional) {
        message << "; in functional mode the effective medium (features x components) must fit "
                   "the physics' memory limits: try fewer, or drop --functional";
    }
    throw std::runtime_error(message.str());
}

// Timing-only runs are one job (the model's figures are for one job); functional runs are jobs of
// kFunctionalJobFrames frames, and PROGRESS advances after each.
void run_jobs(model::TestHost& host, const contract::InputLayout& layout, TimingRun& run,
              Progress& progress) {
    if (!run.functional) {
        const auto outcome = host.run(nullptr, run.frames, 0, 1e6);
        if (!outcome.interrupted || outcome.error != contract::DeviceError::None)
            job_failed(outcome, false);
        return;
    }
    std::mt19937_64 generator(12345);  // fixed: the same command gives the same outputs
    std::bernoulli_distribution bit(0.5);
    std::vector<std::uint8_t> features;
    for (std::uint64_t done = 0; done < run.frames; done += kFunctionalJobFrames) {
        const std::uint64_t n = std::min(kFunctionalJobFrames, run.frames - done);
        features.resize(n * layout.n_features);
        for (auto& value : features) value = bit(generator) ? 1 : 0;
        const auto packed = contract::format_frames(layout, features.data(), n);
        const auto outcome = host.run(packed.data(), n, done, 1e6);
        if (!outcome.interrupted || outcome.error != contract::DeviceError::None)
            job_failed(outcome, true);
        progress.update(done + n, run.frames);
    }
    progress.clear();
}

void print_table(const TimingRun& run, const physics::DeviceProfile& profile) {
    const auto& s = run.stats;
    const auto& j = run.settings;
    std::cout << "opusim timing: profile " << profile.name << ", " << j.n_features << " features x "
              << j.replication << " mirrors, ROI " << j.roi_width << "x" << j.roi_height << " ("
              << j.n_components << " components), exposure " << fixed(j.exposure_ns * 1e-3, 1)
              << " us, frametime " << fixed(j.frametime_ns * 1e-3, 1) << " us, "
              << (run.functional ? "functional" : "timing-only") << "\n\n";
    std::cout << "  frames                  " << s.frames_out << " out, " << s.frames_in << " in, "
              << s.frames_dropped << " dropped (" << s.jobs << " job" << (s.jobs == 1 ? "" : "s")
              << ")\n";
    std::cout << "  frame rate (steady)     " << fixed(s.frame_rate_hz, 1) << " Hz  (period "
              << fixed(s.frame_period_s * 1e6, 2) << " us; analytic model "
              << fixed(run.analytic.period_us, 2) << " us)\n";
    std::cout << "  simulated time          " << fixed(s.simulated_time_s * 1e3, 3) << " ms\n";
    std::cout << "  latency p50 / p99       " << fixed(s.latency_p50_s * 1e6, 1) << " / "
              << fixed(s.latency_p99_s * 1e6, 1) << " us (input DMA start to output DMA end)\n";
    std::cout << "  bottleneck              " << s.bottleneck << "\n\n";
    std::cout << "  stage            utilisation   busy (ms)   per frame (us)\n";
    const double per_frame[] = {
        run.analytic.link_in_us,  run.analytic.dmd_load_us + run.analytic.dmd_settle_us,
        run.analytic.exposure_us, run.analytic.frame_overhead_us,
        run.analytic.readout_us,  run.analytic.link_out_us};
    for (std::size_t i = 0; i < s.stages.size(); ++i) {
        const auto& stage = s.stages[i];
        std::cout << "  " << std::left << std::setw(16) << stage.name << std::right << std::setw(10)
                  << fixed(stage.utilisation * 100, 1) << " %" << std::setw(12)
                  << fixed(stage.busy_s * 1e3, 3) << std::setw(15) << fixed(per_frame[i], 2)
                  << "\n";
    }
    std::cout << "\n  wall time               " << fixed(run.wall_s, 3)
              << " s: " << fixed(static_cast<double>(s.frames_out) / run.wall_s, 0)
              << " simulated frames per wall second\n";
}

void print_json(const TimingRun& run, const ChosenDevice& device) {
    const auto& s = run.stats;
    nlohmann::json stages = nlohmann::json::object();
    for (const auto& stage : s.stages) stages[stage.name] = stage.utilisation;
    nlohmann::json out = {
        {"frame_rate_hz", s.frame_rate_hz},
        {"frame_period_s", s.frame_period_s},
        {"analytic_period_s", run.analytic.period_us * 1e-6},
        {"analytic_bottleneck", run.analytic.bottleneck},
        {"simulated_time_s", s.simulated_time_s},
        {"frames", s.frames_out},
        {"frames_in", s.frames_in},
        {"frames_dropped", s.frames_dropped},
        {"bottleneck", s.bottleneck},
        {"stages", stages},
        {"latency_p50_s", s.latency_p50_s},
        {"latency_p99_s", s.latency_p99_s},
        {"wall_time_s", run.wall_s},
        {"frames_per_wall_second", static_cast<double>(s.frames_out) / run.wall_s},
        {"functional", run.functional},
        {"device", device.uri},
        {"profile", device.profile.name},
    };
    print_json_report(out);
}

int run_timing(const Command& command, const Arguments& args) {
    po::options_description options("options");
    add_device_options(options, false);
    options.add_options()("n-features", po::value<std::string>()->required(),
                          "input features N per frame")(
        "n-components", po::value<std::string>()->required(), "output pixels M per frame")(
        "frames", po::value<std::string>()->required(), "frames F to run")(
        "input-roi", po::value<std::string>()->default_value("auto"),
        "full, small or auto (small: one mirror per feature, the DMD loads only the rows used)")(
        "exposure-us", po::value<std::string>(), "exposure in us (default: the profile's)")(
        "frametime-us", po::value<std::string>(),
        "minimum frame period in us (default: the profile's; 0: as fast as the stages allow)")(
        "functional", po::bool_switch(),
        "also compute the optics and camera (random binary inputs)")(
        "vcd", po::value<std::string>(),
        "write a VCD trace (stage occupancy, counters, irq) to FILE")(
        "json", po::bool_switch(), "print one JSON object instead of the table");
    const auto values = parse_options(command, args, options);
    if (!values) return 0;
    const auto& vm = *values;

    const ChosenDevice chosen = choose_device(vm);
    const physics::DeviceProfile& profile = chosen.profile;
    const auto strategy = parse_input_roi_option(vm["input-roi"].as<std::string>());
    const auto n_features =
        parse_whole("n-features", vm["n-features"].as<std::string>(), 1, profile.dmd.mirrors());
    const auto n_components =
        parse_components_option(vm["n-components"].as<std::string>(), profile);
    TimingRun run;
    run.frames = parse_whole("frames", vm["frames"].as<std::string>(), 1, kMaxFrames);
    run.functional = vm["functional"].as<bool>();
    auto settings = model::JobSettings::for_sizes(profile, n_features, n_components, strategy);
    if (vm.count("exposure-us")) {
        settings.exposure_ns = static_cast<std::uint32_t>(
            parse_exposure(vm["exposure-us"].as<std::string>(), profile.camera) * 1e3 + 0.5);
    }
    if (vm.count("frametime-us")) {
        const double frametime = parse_frametime(vm["frametime-us"].as<std::string>());
        settings.frametime_ns = static_cast<std::uint32_t>(frametime * 1e3 + 0.5);
    }
    settings.timing_only = !run.functional;
    settings.medium_seed = chosen.medium_seed;
    settings.noise_seed = chosen.noise_seed;
    settings.noise = chosen.noise;
    run.settings = settings;
    const auto layout = contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), n_features, strategy);

    auto& device = model::SimulatedDevice::instance();
    if (vm.count("vcd")) {
        try {
            device.enable_vcd(vm["vcd"].as<std::string>());
        } catch (const std::invalid_argument& error) {
            throw UsageError(std::string("--") + error.what());
        }
    }
    device.power_on(profile);
    model::TestHost host(device);
    host.configure(settings);

    const auto wall_start = std::chrono::steady_clock::now();
    Progress progress = Progress::on_stderr("opusim timing", "frames", quiet(vm));
    run_jobs(host, layout, run, progress);
    run.wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    run.stats = device.statistics();
    model::TimingPoint point;
    point.n_features = settings.n_features;
    point.replication = settings.replication;
    point.first_mirror = settings.first_mirror;
    point.roi_height = settings.roi_height;
    point.n_components = settings.n_components;
    point.exposure_us = settings.exposure_ns * 1e-3;
    point.frametime_us = settings.frametime_ns * 1e-3;
    run.analytic = model::analytic_timing(profile, point);
    if (vm["json"].as<bool>()) {
        print_json(run, chosen);
    } else {
        print_table(run, profile);
    }
    return 0;
}

const Command kTiming{
    "timing",
    "opusim timing [--device URI | --profile P] --n-features N --n-components M --frames F "
    "[--input-roi full|small|auto] [--exposure-us E] [--frametime-us T] [--functional] "
    "[--vcd FILE] [--json] [--quiet]",
    "run the SystemC device model: frame rate, latency, stage utilisation, bottleneck", nullptr};

const CommandRegistrar registrar{
    Command{kTiming.name, kTiming.synopsis, kTiming.summary,
            [](const Arguments& args) { return run_timing(kTiming, args); }}};

}  // namespace
}  // namespace opusim::cli
