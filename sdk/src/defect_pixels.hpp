// Hot and dead camera pixels (docs/sdk.md "Device defects"): found from dark and lit calibration
// frames and masked, i.e. the outputs skip them: the device reads a slightly larger ROI and the
// outputs are its first n_components good pixels. Internal to the SDK.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "calibration_frames.hpp"

namespace opusim::sdk_detail {

enum class PixelVerdict : std::uint8_t { Good, Hot, Dead };

// Per output of FRAMES: a pixel does not respond to light when its lit frames (8 different
// patterns, so 8 decorrelated speckle values) all read the same value and their mean exceeds its
// dark frames' mean by less than 1 % of the median pixel's response (a responding pixel's mean of
// 8 speckle values is below 1 % of its expectation with probability ~1e-17, from the Gamma(8)
// law; constancy guards against a pixel whose dark frames are bright, as under stuck-on mirrors,
// whose light is the same in every dark frame). Such a pixel is hot if its dark frames sit at
// FULL_SCALE_DN, else dead. Every pixel is Good when the median response is under one DN (too
// little light to tell).
std::vector<PixelVerdict> classify_pixels(const DarkLitFrames& frames, double full_scale_dn);

struct PixelMask {
    std::size_t device_outputs = 0;    // pixels the device reads (the ROI's first)
    std::vector<std::size_t> outputs;  // device output index of each output (n_components)
    std::vector<std::size_t> hot;      // device output indices found hot
    std::vector<std::size_t> dead;     // and dead
    bool identity() const { return hot.empty() && dead.empty(); }
};

// The outputs for N_COMPONENTS: MEASURE(n_read) gives calibration frames of the device reading
// its first N_READ pixels; N_READ grows by the defective pixels found until N_COMPONENTS good
// ones are read (at most MAX_OUTPUTS: std::runtime_error beyond).
PixelMask mask_defective_pixels(std::size_t n_components, std::size_t max_outputs,
                                double full_scale_dn,
                                const std::function<DarkLitFrames(std::size_t n_read)>& measure);

}  // namespace opusim::sdk_detail
