#include "energy_report.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "opusim/kernels/projection.hpp"
#include "opusim/kernels/tensor.hpp"

namespace opusim::cli {

namespace {

constexpr std::uint64_t kMaxGemmSide = 2048;
constexpr std::uint64_t kGemmRows = 256;
constexpr int kGemmRepeats = 3;  // the best of three: the first warms caches and threads

}  // namespace

CpuGemmRate measure_cpu_complex_gemm(std::uint64_t n_features, std::uint64_t n_components) {
    CpuGemmRate rate;
    rate.rows = kGemmRows;
    rate.n = std::min(n_features, kMaxGemmSide);
    rate.m = std::min(n_components, kMaxGemmSide);
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> w(rate.m * rate.n);
    for (auto& v : w) v = normal(rng);
    std::vector<float> x(rate.rows * rate.n);
    for (auto& v : x) v = normal(rng);
    std::vector<float> y(rate.rows * rate.m);
    kernels::MatrixProjection gemm(std::move(w), rate.m, rate.n, "cpu gemm");
    double best_s = 0;
    for (int i = 0; i < kGemmRepeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        gemm.project(kernels::dense(x.data(), rate.rows, rate.n),
                     kernels::dense(y.data(), rate.rows, rate.m));
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (i == 0 || s < best_s) best_s = s;
    }
    const double real_macs = double(rate.rows) * double(rate.n) * double(rate.m);
    rate.complex_macs_per_s = best_s > 0 ? real_macs / 4.0 / best_s : 0.0;
    return rate;
}

nlohmann::json energy_json(double power_w, double device_time_s, std::uint64_t frames,
                           std::uint64_t n_features, std::uint64_t n_components,
                           const std::optional<CpuGemmRate>& cpu, double cpu_power_w) {
    const double macs_per_frame = double(n_features) * double(n_components);
    const double cpu_macs_per_joule = cpu ? cpu->complex_macs_per_s / cpu_power_w : 0.0;
    nlohmann::json energy = {{"macs_per_frame", macs_per_frame}, {"cpu", nullptr}};
    if (cpu) {
        energy["cpu"] = {{"complex_macs_per_s", cpu->complex_macs_per_s},
                         {"power_w", cpu_power_w},
                         {"macs_per_joule", cpu_macs_per_joule},
                         {"gemm", {{"rows", cpu->rows}, {"n", cpu->n}, {"m", cpu->m}}}};
    }
    if (!(power_w > 0) || frames == 0) {
        energy["power_w"] = nullptr;
        energy["energy_j"] = nullptr;
        energy["energy_per_frame_j"] = nullptr;
        energy["macs_per_joule"] = nullptr;
        energy["opu_over_cpu"] = nullptr;
        return energy;
    }
    const double energy_j = power_w * device_time_s;
    const double per_frame_j = energy_j / double(frames);
    energy["power_w"] = power_w;
    energy["energy_j"] = energy_j;
    energy["energy_per_frame_j"] = per_frame_j;
    energy["macs_per_joule"] = macs_per_frame / per_frame_j;
    energy["opu_over_cpu"] =
        cpu ? nlohmann::json(macs_per_frame / per_frame_j / cpu_macs_per_joule) : nullptr;
    return energy;
}

std::string energy_line(const nlohmann::json& energy) {
    char text[400];
    if (energy["power_w"].is_null()) return "no power stated by the device";
    const auto& cpu = energy["cpu"];
    if (cpu.is_null()) {
        std::snprintf(text, sizeof text,
                      "%.1f W: %.3g J a frame, %.3g J the job; %.3g complex MACs/J "
                      "(--cpu-power-w W compares this CPU)",
                      energy["power_w"].get<double>(), energy["energy_per_frame_j"].get<double>(),
                      energy["energy_j"].get<double>(), energy["macs_per_joule"].get<double>());
        return text;
    }
    std::snprintf(text, sizeof text,
                  "%.1f W: %.3g J a frame, %.3g J the job; %.3g complex MACs/J (this CPU: %.3g at "
                  "%.0f W, %.3g MACs/s; OPU/CPU %.3g)",
                  energy["power_w"].get<double>(), energy["energy_per_frame_j"].get<double>(),
                  energy["energy_j"].get<double>(), energy["macs_per_joule"].get<double>(),
                  cpu["macs_per_joule"].get<double>(), cpu["power_w"].get<double>(),
                  cpu["complex_macs_per_s"].get<double>(), energy["opu_over_cpu"].get<double>());
    return text;
}

}  // namespace opusim::cli
