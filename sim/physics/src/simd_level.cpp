#include "opusim/physics/simd_level.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

namespace opusim::physics {

std::string to_string(SimdLevel level) {
    switch (level) {
        case SimdLevel::Avx512:
            return "avx512";
        case SimdLevel::Avx2:
            return "avx2";
        case SimdLevel::Baseline:
            break;
    }
    return "baseline";
}

SimdLevel cpu_simd_level() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
        return SimdLevel::Avx512;
    }
    if (__builtin_cpu_supports("avx2")) return SimdLevel::Avx2;
    return SimdLevel::Baseline;
}

namespace {

SimdLevel level_from_environment() {
    const SimdLevel cpu = cpu_simd_level();
    const char* cap = std::getenv("OPUSIM_SIMD");
    if (cap == nullptr) return cpu;
    for (SimdLevel l : {SimdLevel::Baseline, SimdLevel::Avx2, SimdLevel::Avx512}) {
        if (to_string(l) == cap) return std::min(cpu, l);
    }
    return cpu;
}

std::atomic<SimdLevel>& active() {
    static std::atomic<SimdLevel> level{level_from_environment()};
    return level;
}

}  // namespace

SimdLevel active_simd_level() {
    return active().load(std::memory_order_relaxed);
}

void set_simd_level(SimdLevel level) {
    active().store(std::min(level, cpu_simd_level()), std::memory_order_relaxed);
}

}  // namespace opusim::physics
