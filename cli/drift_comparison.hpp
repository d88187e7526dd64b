// The drift report's comparison (cli/run_drift.cpp): a measured linear result against a
// reference result, output by output on the same camera pixel.
#pragma once

#include <cstddef>

#include "opusim/opu.hpp"

namespace opusim::cli {

// The median over outputs of each output's relative rms error (over the rows) of MEASURED against
// REFERENCE: each measured output is compared with the reference's output of the same camera
// pixel (Context::output_pixels). The median, because after the medium has decorrelated some
// pixels the measured calibration kept are dark in the fresh one, whose scale for them is then
// ill-conditioned (outputs thousands of times too large): a pooled ratio would be theirs alone.
// Throws std::runtime_error when a measured output has no counterpart (an error over a partial or
// empty set would be wrong) or when the reference's compared outputs are all zero. *SHARED: the
// outputs compared (all of MEASURED's when it returns).
double error_by_camera_pixel(const Result<float>& measured, const Result<float>& reference,
                             std::size_t* shared);

}  // namespace opusim::cli
