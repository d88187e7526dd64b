// Run-time dispatch of the physics' hot loops: one binary built for baseline x86-64 runs code
// compiled for AVX2 or AVX-512 where the CPU has them. Every level computes the same bits (no
// FMA contraction in ISO C++ mode, no libm call that differs by level; tests force each level and
// compare), so a result never depends on the machine.
//
// The level used is the best the CPU supports, lowered (never raised) by the environment variable
// OPUSIM_SIMD = baseline | avx2 | avx512 (for tests and for measuring a path).
#pragma once

#include <string>

namespace opusim::physics {

enum class SimdLevel { Baseline = 0, Avx2 = 1, Avx512 = 2 };

std::string to_string(SimdLevel level);
// The best level this CPU runs (AVX-512 needs F, BW, DQ and VL).
SimdLevel cpu_simd_level();
// cpu_simd_level() lowered by OPUSIM_SIMD (read once; an unknown value is ignored), or by
// set_simd_level.
SimdLevel active_simd_level();
// Makes LEVEL (lowered to cpu_simd_level()) the active level for every later call in this
// process: for tests that compare the paths and benchmarks that measure one.
void set_simd_level(SimdLevel level);

}  // namespace opusim::physics
