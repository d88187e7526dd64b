// Dark and lit calibration frames: what automatic exposure and the defective-pixel check measure.
// Internal to the SDK.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "frame_runner.hpp"
#include "linear_projection.hpp"

namespace opusim::sdk_detail {

inline constexpr std::size_t kCalibrationFramesEach = 8;

// kCalibrationFramesEach dark frames (every feature off) then as many lit frames (each feature on
// with probability DENSITY, a fixed pseudo-random pattern, independent of any data) under CONFIG,
// noise sequence numbers from *SEQUENCE on (advanced).
struct DarkLitFrames {
    std::size_t n_outputs = 0;      // values per frame
    std::vector<float> dark;        // kCalibrationFramesEach x n_outputs
    std::vector<float> lit;         // kCalibrationFramesEach x n_outputs
    std::uint64_t lit_mirrors = 0;  // mean over the lit frames
};
DarkLitFrames capture_dark_and_lit(const CaptureFn& capture, const driver::DeviceConfig& config,
                                   const contract::InputLayout& layout, double density,
                                   std::uint64_t* sequence, RunStats* stats);

}  // namespace opusim::sdk_detail
