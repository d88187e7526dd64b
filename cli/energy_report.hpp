// Energy figures of `opusim run` and `opusim timing` (docs/device-physics.md "Power"): the
// device's energy per frame and per job from its stated power (CAP_POWER_*) and the model's
// time, its multiply-accumulates per joule (n x m complex products a frame), and the same count
// for this CPU doing the same GEMM at its measured rate and a stated power.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace opusim::cli {

// A CPU power to state with --cpu-power-w when none is known: a desktop CPU package TDP (an
// assumption, docs/device-physics.md "Power").
inline constexpr double kDefaultCpuPowerW = 65.0;

struct CpuGemmRate {
    double complex_macs_per_s = 0;
    std::uint64_t rows = 0, n = 0, m = 0;  // the measured GEMM (capped sizes of the workload's)
};

// Times a real GEMM of the workload's shape (n and m capped at 2048: the rate per MAC of a large
// GEMM does not depend on its size) with the CPU kernels; a complex MAC is 4 real ones.
CpuGemmRate measure_cpu_complex_gemm(std::uint64_t n_features, std::uint64_t n_components);

// The "energy" object: POWER_W over DEVICE_TIME_S and FRAMES of N x M complex products; null
// figures when the device states no power. CPU: the measured rate, or none (`cpu` null: the
// measurement is wall-clock, so it is taken only when asked, keeping reports reproducible).
nlohmann::json energy_json(double power_w, double device_time_s, std::uint64_t frames,
                           std::uint64_t n_features, std::uint64_t n_components,
                           const std::optional<CpuGemmRate>& cpu, double cpu_power_w);

// One line for the text reports.
std::string energy_line(const nlohmann::json& energy);

}  // namespace opusim::cli
