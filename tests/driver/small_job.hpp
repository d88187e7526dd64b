// A small configured job for the driver tests: N frames of 64 features, every other one lit,
// 32 (or N_COMPONENTS) pixels of one ROI row out.
#pragma once

#include <cstdint>

#include "opusim/driver/buffer.hpp"
#include "opusim/driver/device.hpp"

struct SmallJob {
    opusim::driver::Buffer input;
    opusim::driver::Buffer output;
    opusim::driver::Job job;
};

SmallJob make_job(opusim::driver::Device& device, std::uint32_t frames,
                  std::uint32_t n_components = 32);
