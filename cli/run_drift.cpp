#include "run_drift.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include "device_option.hpp"
#include "drift_comparison.hpp"
#include "opusim/driver/device_uri.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::cli {
namespace {

constexpr std::size_t kProbeVectors = 16;
constexpr std::uint64_t kWorkloadSeed = 2024;
constexpr std::uint64_t kProbeSeed = 77;
// The reference Opu's camera noise is its own: the same noise as the measured Opu's at the same
// sequence numbers would hide the noise part of the error.
constexpr std::uint64_t kReferenceNoiseSeed = 918273;
constexpr std::size_t kAdvanceBlock = 2048;  // dark frames per transform while advancing

std::vector<float> gaussian_rows(std::size_t rows, std::size_t n_features, std::uint64_t seed) {
    std::mt19937_64 generator(seed);
    std::normal_distribution<float> gaussian(0.0f, 1.0f);
    std::vector<float> x(rows * n_features);
    for (auto& v : x) v = gaussian(generator);
    return x;
}

// Shows dark frames until OPU's next sequence number is TARGET: the device's time passes (the
// drift is keyed by the frame sequence) without the linear mode's calibration seeing it.
void advance_to(Opu& opu, std::uint64_t target, std::size_t n_features) {
    while (opu.next_sequence() < target) {
        const std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(kAdvanceBlock, target - opu.next_sequence()));
        const std::vector<std::uint8_t> dark(n * n_features, 0);
        opu.transform(ArrayView<std::uint8_t>(dark, {n, n_features}));
    }
}

// The reference Opu: the measured Opus' device settings, with as many outputs as their candidate
// ROI (CANDIDATES, Context::output_roi of a linear call) has pixels and one candidate per output,
// so that its calibration keeps every pixel the measured Opus may choose from, whichever of them
// their own (aged) calibrations keep.
OpuSettings reference_settings(const OpuSettings& measured, const OutputRoi& candidates) {
    OpuSettings reference = measured;
    reference.n_components = std::size_t{candidates.width} * candidates.height;
    reference.linear.candidates_per_output = 1;
    // A bound no estimate reaches: the reference numbers its calibration in the data stream
    // (at the moment it measures) and never recalibrates on its own.
    reference.linear.recalibration_error_bound = 1e9;
    return reference;
}

// A process holds a device once, so each of the three Opus opens its own copy of the run's
// device: its profile (with the URI's set= overrides and seeds) written to a file of its own.
class DeviceCopies {
  public:
    explicit DeviceCopies(const std::string& device)
        : uri_(driver::DeviceUri::parse(device.empty() ? driver::default_device_uri() : device)),
          profile_(profile_of(uri_)),
          folder_(std::filesystem::temp_directory_path() /
                  ("opusim-drift-" + std::to_string(::getpid()))) {
        if (uri_.medium_seed) profile_.medium.seed = *uri_.medium_seed;
        if (uri_.noise_seed) profile_.camera.noise_seed = *uri_.noise_seed;
        std::filesystem::create_directories(folder_);
    }
    ~DeviceCopies() {
        std::error_code ignored;
        std::filesystem::remove_all(folder_, ignored);
    }
    DeviceCopies(const DeviceCopies&) = delete;
    DeviceCopies& operator=(const DeviceCopies&) = delete;

    // The URI of copy NAME; NOISE_SEED replaces the camera's noise seed when given.
    std::string uri(const std::string& name, std::optional<std::uint64_t> noise_seed = {}) const {
        physics::DeviceProfile copy = profile_;
        if (noise_seed) copy.camera.noise_seed = *noise_seed;
        const std::filesystem::path path = folder_ / (name + ".json");
        std::ofstream(path) << copy.to_json().dump(2);
        std::string text = "sim:" + path.string();
        if (uri_.ideal && *uri_.ideal) {
            text += "?noise=ideal";
        } else if (uri_.noise) {
            text += *uri_.noise ? "?noise=on" : "?noise=off";
        }
        return text;
    }

  private:
    driver::DeviceUri uri_;
    physics::DeviceProfile profile_;
    std::filesystem::path folder_;
};

struct Measured {
    double error = 0;
    std::uint64_t sequence = 0;  // the probes' first sequence number
    std::uint64_t lag = 0;       // |sequence - the reference's|
    double drift_estimate = 0;
    std::size_t recalibrations = 0;
    double time_s = 0;
    std::size_t shared_outputs = 0;
};

// OPU's linear output on the probes against REFERENCE's, calibrated at OPU's current moment.
Measured measure(Opu& opu, Opu& reference, const std::vector<float>& probes,
                 std::size_t n_features) {
    const ArrayView<float> view(probes, {kProbeVectors, n_features});
    reference.fit1d(n_features);  // a fresh calibration at the next linear_transform
    advance_to(reference, opu.next_sequence(), n_features);
    const auto fresh = reference.linear_transform(view);
    // Without a drift check the measured Opu's probes start exactly where asked.
    advance_to(opu, fresh.context.first_sequence, n_features);
    const auto aged = opu.linear_transform(view);
    Measured m;
    m.error = error_by_camera_pixel(aged, fresh, &m.shared_outputs);
    m.sequence = aged.context.first_sequence;
    m.lag = m.sequence > fresh.context.first_sequence ? m.sequence - fresh.context.first_sequence
                                                      : fresh.context.first_sequence - m.sequence;
    m.drift_estimate = aged.context.drift_error_estimate;
    m.recalibrations = aged.context.recalibrations;
    m.time_s = aged.context.end_s;
    return m;
}

nlohmann::json to_json(const Measured& m) {
    return {{"error", m.error},
            {"sequence", m.sequence},
            {"lag_frames", m.lag},
            {"drift_error_estimate", m.drift_estimate},
            {"time_s", m.time_s},
            {"recalibrations_in_call", m.recalibrations},
            {"shared_outputs", m.shared_outputs}};
}

}  // namespace

nlohmann::json run_drift_report(const OpuSettings& base, const DriftRunOptions& o) {
    if (o.checkpoints == 0) throw std::invalid_argument("--drift-checkpoints: expected >= 1");
    const DeviceCopies copies(base.device);
    OpuSettings aged_settings = base;
    aged_settings.progress = {};
    aged_settings.device = copies.uri("aged");
    OpuSettings checked_settings = aged_settings;
    checked_settings.device = copies.uri("recalibrated");
    checked_settings.linear.recalibration_error_bound = o.recalibration_bound;
    OpuSettings reference_base = aged_settings;
    reference_base.device = copies.uri("reference", kReferenceNoiseSeed);

    Opu aged(aged_settings), checked(checked_settings);
    std::optional<Opu> reference;  // opened once the measured Opus' candidate ROI is known
    for (Opu* opu : {&aged, &checked}) opu->fit1d(o.n_features);
    const std::vector<float> probes = gaussian_rows(kProbeVectors, o.n_features, kProbeSeed);
    const std::vector<float> workload = gaussian_rows(o.batch, o.n_features, kWorkloadSeed);
    const std::size_t slice = std::max<std::size_t>(1, o.batch / o.checkpoints);

    nlohmann::json rows = nlohmann::json::array();
    std::size_t total_recalibrations = 0;
    for (std::size_t c = 0; c < o.checkpoints; ++c) {
        const std::size_t first = std::min(o.batch, c * slice);
        const std::size_t n =
            c + 1 == o.checkpoints ? o.batch - first : std::min(slice, o.batch - first);
        for (Opu* opu : {&aged, &checked}) {
            if (n == 0) continue;
            const auto result = opu->linear_transform(
                ArrayView<float>(workload.data() + first * o.n_features, {n, o.n_features}));
            if (opu == &checked) total_recalibrations += result.context.recalibrations;
            if (!reference) {
                reference.emplace(reference_settings(reference_base, result.context.output_roi));
            }
        }
        if (!reference) throw std::logic_error("drift report: no workload before a checkpoint");
        const Measured without = measure(aged, *reference, probes, o.n_features);
        const Measured with = measure(checked, *reference, probes, o.n_features);
        total_recalibrations += with.recalibrations;
        rows.push_back({{"checkpoint", c},
                        {"without_recalibration", to_json(without)},
                        {"with_recalibration", to_json(with)},
                        {"recalibrations_so_far", total_recalibrations}});
    }
    return {{"recalibration_error_bound", o.recalibration_bound},
            {"probe_vectors", kProbeVectors},
            {"workload_vectors", o.batch},
            {"recalibrations", total_recalibrations},
            {"checkpoints", rows}};
}

void print_drift_report(const nlohmann::json& report) {
    auto& out = std::cout;
    out << "\nlinear error against time (drift; median over outputs of the relative rms error of "
        << report["probe_vectors"].get<std::size_t>()
        << " probe vectors against a calibration made just before them, same sequence numbers; "
           "each output against the reference's on its camera pixel)\n"
        << "  recalibration bound " << report["recalibration_error_bound"].get<double>()
        << " on the drift estimate; " << report["recalibrations"].get<std::size_t>()
        << " recalibrations\n"
        << "  sequence   time [s]   error without   error with   estimate with   recal.\n";
    for (const auto& row : report["checkpoints"]) {
        const auto& without = row["without_recalibration"];
        const auto& with = row["with_recalibration"];
        out << "  " << std::setw(8) << without["sequence"].get<std::uint64_t>() << "   "
            << std::setw(8) << std::fixed << std::setprecision(3) << without["time_s"].get<double>()
            << "   " << std::setw(13) << std::setprecision(4) << without["error"].get<double>()
            << "   " << std::setw(10) << with["error"].get<double>() << "   " << std::setw(13)
            << with["drift_error_estimate"].get<double>() << "   " << std::setw(6)
            << row["recalibrations_so_far"].get<std::size_t>() << "\n";
    }
}

}  // namespace opusim::cli
