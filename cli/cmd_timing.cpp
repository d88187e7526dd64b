// opusim timing: runs the SystemC device model on one workload and reports where the time goes:
// frame rate, simulated time, latency, per-stage utilisation, the bottleneck stage, and how fast
// the simulation itself ran. Drives the device through the driver like any application (the
// statistics come from its registers), timing-only by default; --functional also computes the
// optics and camera on random binary inputs. The analytic model beside it is the oracle the
// simulation is checked against.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "device_option.hpp"
#include "energy_report.hpp"
#include "json_report.hpp"
#include "option_values.hpp"
#include "opusim/contract/data_format.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/driver/errors.hpp"
#include "opusim/io/atomic_file.hpp"
#include "opusim/layout_choice.hpp"
#include "opusim/model/analytic_timing.hpp"
#include "opusim/physics/device_geometry.hpp"
#include "progress.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

constexpr std::uint64_t kFunctionalJobFrames = 512;  // host buffers per job stay small
constexpr std::uint64_t kMaxFrames = 1ull << 31;

struct TimingRun {
    driver::DeviceStatistics stats;
    model::AnalyticTiming analytic;
    double wall_s = 0;
    std::uint64_t frames = 0;
    bool functional = false;
    driver::DeviceConfig config;
    std::vector<driver::TracedFrame> trace;     // the device's schedule of its last frames
    std::optional<LayoutChoice> layout_choice;  // --input-roi auto: what was chosen and why
    nlohmann::json energy;                      // energy_report.hpp
};

// --input-roi auto's choice as JSON (null for full and small).
nlohmann::json layout_choice_json(const std::optional<LayoutChoice>& choice) {
    if (!choice) return nullptr;
    return {{"replication", choice->layout.replication},
            {"full_replication", choice->full_replication},
            {"rate_hz", choice->rate_hz},
            {"small_rate_hz", choice->small_rate_hz},
            {"full_rate_hz", choice->full_rate_hz},
            {"probes", choice->probes},
            {"reason", choice->reason}};
}

// The frame trace as JSON: per frame, each operation's [start, end] in seconds of device time.
nlohmann::json trace_json(const std::vector<driver::TracedFrame>& trace) {
    nlohmann::json frames = nlohmann::json::array();
    for (const auto& frame : trace) {
        nlohmann::json operations = nlohmann::json::object();
        for (const auto& op : frame.operations) operations[op.name] = {op.start_s, op.end_s};
        frames.push_back({{"frame", frame.index_in_job}, {"operations", operations}});
    }
    return frames;
}

std::string fixed(double value, int decimals) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(decimals) << value;
    return out.str();
}

// A job that fails in functional mode may have asked the physics for too much.
[[noreturn]] void job_failed(const driver::DeviceError& error, bool functional) {
    std::string message = std::string("device job failed: ") + error.what();
    if (error.code() == contract::DeviceError::BadConfig && functional) {
        message +=
            "; in functional mode the effective medium (features x components) must fit "
            "the physics' memory limits: try fewer, or drop --functional";
    }
    throw std::runtime_error(message);
}

constexpr double kJobTimeoutS = 1e6;  // of device time: a timing run is never that long

// Timing-only runs are one job (the model's figures are for one job), whose buffers hold one
// frame (no data moves); functional runs are jobs of kFunctionalJobFrames frames, and PROGRESS
// advances after each.
void run_jobs(driver::Device& device, const contract::InputLayout& layout, TimingRun& run,
              Progress& progress) {
    const std::uint32_t in_frame = device.info().input_frame_bytes;
    const std::uint32_t out_frame = static_cast<std::uint32_t>(contract::output_frame_bytes(
        run.config.n_components, device.info().bit_depth, run.config.ideal));
    const std::uint64_t buffer_frames = run.functional ? kFunctionalJobFrames : 1;
    driver::Buffer input = device.allocate(buffer_frames * in_frame);
    driver::Buffer output = device.allocate(buffer_frames * out_frame);
    std::mt19937_64 generator(12345);  // fixed: the same command gives the same outputs
    std::bernoulli_distribution bit(0.5);
    std::vector<std::uint8_t> features;
    const std::uint64_t job_frames = run.functional ? kFunctionalJobFrames : run.frames;
    for (std::uint64_t done = 0; done < run.frames; done += job_frames) {
        const std::uint64_t n = std::min(job_frames, run.frames - done);
        if (run.functional) {
            features.resize(n * layout.n_features);
            for (auto& value : features) value = bit(generator) ? 1 : 0;
            contract::format_frames(layout, features.data(), n, input.data());
        }
        input.sync(driver::SyncDirection::ToDevice);
        output.sync(driver::SyncDirection::ToDevice);
        try {
            device.run(
                {&input, 0, in_frame, &output, 0, out_frame, static_cast<std::uint32_t>(n), done},
                kJobTimeoutS);
        } catch (const driver::DeviceError& error) {
            job_failed(error, run.functional);
        }
        input.sync(driver::SyncDirection::FromDevice);
        output.sync(driver::SyncDirection::FromDevice);
        if (run.functional) progress.update(done + n, run.frames);
    }
    progress.clear();
}

// --vcd's trace, written by the device as it runs to a temporary beside FILE (the simulator's
// vcd= URI option) and renamed to FILE once the device has closed it: a failed or interrupted
// run leaves no partial trace. The temporary is created here, so a folder nobody can write is a
// usage error naming --vcd before the device starts.
std::unique_ptr<io::PendingFile> pending_trace(const std::string& vcd_path) {
    if (vcd_path.empty() || vcd_path.find_first_of("&?") != std::string::npos) {
        throw UsageError("--vcd: expected a file path without '&' or '?', got '" + vcd_path + "'");
    }
    std::error_code error;
    if (std::filesystem::is_directory(vcd_path, error)) {
        throw UsageError("--vcd: expected a file path, got the folder '" + vcd_path + "'");
    }
    auto trace = std::make_unique<io::PendingFile>(vcd_path, ".vcd");
    if (!std::ofstream(trace->temporary())) {
        throw UsageError("--vcd: cannot open '" + vcd_path +
                         "' for writing (no file can be created in its folder)");
    }
    return trace;
}

void print_table(const TimingRun& run, const physics::DeviceProfile& profile) {
    const auto& s = run.stats;
    const auto& j = run.config;
    std::cout << "opusim timing: profile " << profile.name << ", " << j.n_features << " features x "
              << j.replication << " mirrors, ROI " << j.roi_width << "x" << j.roi_height << " ("
              << j.n_components << " components), exposure " << fixed(j.exposure_us, 1)
              << " us, frametime " << fixed(j.frametime_us, 1) << " us, "
              << (run.functional ? "functional" : "timing-only") << "\n";
    if (run.layout_choice) std::cout << "input ROI auto: " << run.layout_choice->reason << "\n";
    std::cout << "\n";
    std::cout << "  frames                  " << s.frames_out << " out, " << s.frames_in << " in, "
              << s.frames_dropped << " dropped (" << s.jobs << " job" << (s.jobs == 1 ? "" : "s")
              << ")\n";
    std::cout << "  frame rate (steady)     " << fixed(s.frame_rate_hz, 1) << " Hz  (period "
              << fixed(s.frame_period_s * 1e6, 2) << " us; analytic model "
              << fixed(run.analytic.period_us, 2) << " us)\n";
    std::cout << "  simulated time          " << fixed(s.simulated_time_s * 1e3, 3) << " ms\n";
    std::cout << "  latency p50 / p99       " << fixed(s.latency_p50_s * 1e6, 1) << " / "
              << fixed(s.latency_p99_s * 1e6, 1) << " us (input DMA start to output DMA end)\n";
    std::cout << "  bottleneck              " << s.bottleneck << "\n";
    std::cout << "  energy                  " << energy_line(run.energy) << "\n\n";
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
        {"trace", trace_json(run.trace)},
        {"energy", run.energy},
        {"input_roi",
         {{"strategy",
           contract::to_string(run.config.replication > 1 ? contract::InputRoiStrategy::Full
                                                          : contract::InputRoiStrategy::Small)},
          {"replication", run.config.replication},
          {"auto", layout_choice_json(run.layout_choice)}}},
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
        "cpu-power-w", po::value<std::string>(),
        "compare this CPU's GEMM at W watts (wall-clock measured: not reproducible)")(
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
    ChosenDevice opening = chosen;
    std::unique_ptr<io::PendingFile> trace;
    const auto uri_trace = opening.transport_options.find("vcd");
    if (uri_trace != opening.transport_options.end() && uri_trace->second.empty()) {
        throw UsageError("--device: the option vcd= expects a file path, got ''");
    }
    if (vm.count("vcd")) {
        if (opening.transport_options.count("vcd") != 0) {
            throw UsageError("--vcd and --device's vcd= option: give the trace file once");
        }
        trace = pending_trace(vm["vcd"].as<std::string>());
        opening.transport_options["vcd"] = trace->temporary().string();
    }
    const std::string uri = uri_for_opening(opening);
    auto device = driver::Device::open(uri);
    const auto roi = contract::make_output_roi(device->info().sensor, n_components);
    driver::DeviceConfig config = contract::with_geometry(
        device->config(), contract::make_replicated_layout(device->info().dmd, n_features, 1), roi);
    if (vm.count("exposure-us")) {
        config.exposure_us = parse_exposure(vm["exposure-us"].as<std::string>(), profile.camera);
    }
    if (vm.count("frametime-us")) {
        config.frametime_us = parse_frametime(vm["frametime-us"].as<std::string>());
    }
    config.timing_only = !run.functional;
    config.medium_seed = chosen.medium_seed;
    config.noise_seed = chosen.noise_seed;
    config.noise = chosen.noise;
    config.ideal = chosen.ideal;
    contract::InputLayout layout;
    if (strategy == contract::InputRoiStrategy::Auto) {
        // The SDK's rate-aware choice, measured on this device in this run's input format; the
        // reset after it clears the probes from the statistics reported below.
        run.layout_choice =
            choose_auto_layout(*device, config, n_features, contract::InputFormat::DmdPattern);
        layout = run.layout_choice->layout;
        device->recover();
    } else {
        layout = contract::make_input_layout(device->info().dmd, n_features, strategy);
    }
    config = contract::with_geometry(config, layout, roi);
    device->configure(config);
    run.config = device->config();
    const auto wall_start = std::chrono::steady_clock::now();
    Progress progress = Progress::on_stderr("opusim timing", "frames", quiet(vm));
    run_jobs(*device, layout, run, progress);
    run.wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    run.stats = device->statistics();
    run.trace = device->frame_trace();
    run.analytic = model::analytic_timing(profile, run.config);
    std::optional<CpuGemmRate> cpu;
    double cpu_power_w = 0;
    if (vm.count("cpu-power-w")) {  // wall-clock: measured only when asked
        cpu_power_w = parse_real("cpu-power-w", vm["cpu-power-w"].as<std::string>(), 1e-3);
        cpu = measure_cpu_complex_gemm(n_features, n_components);
    }
    // Energy of the frames at the steady rate (per frame) and of the whole run (per job).
    run.energy = energy_json(device->info().power_w(), run.stats.simulated_time_s,
                             run.stats.frames_out, n_features, n_components, cpu, cpu_power_w);
    if (!run.energy["power_w"].is_null()) {
        run.energy["energy_per_frame_j"] = device->info().power_w() * run.stats.frame_period_s;
        run.energy["macs_per_joule"] = run.energy["macs_per_frame"].get<double>() /
                                       run.energy["energy_per_frame_j"].get<double>();
        if (cpu) {
            run.energy["opu_over_cpu"] = run.energy["macs_per_joule"].get<double>() /
                                         run.energy["cpu"]["macs_per_joule"].get<double>();
        }
    }
    if (trace) {
        device.reset();  // the device process ends, and its trace file is complete
        trace->commit();
    }
    if (vm["json"].as<bool>()) {
        print_json(run, chosen);
    } else {
        print_table(run, profile);
    }
    return 0;
}

const Command kTiming{
    "timing",
    "opusim timing [--device URI | --profile P] [--set KEY=VALUE ...] "
    "--n-features N --n-components M --frames F "
    "[--input-roi full|small|auto] [--exposure-us E] [--frametime-us T] [--functional] "
    "[--vcd FILE] [--json] [--quiet]",
    "run the SystemC device model: frame rate, latency, stage utilisation, bottleneck", nullptr};

const CommandRegistrar registrar{
    Command{kTiming.name, kTiming.synopsis, kTiming.summary,
            [](const Arguments& args) { return run_timing(kTiming, args); }}};

}  // namespace
}  // namespace opusim::cli
