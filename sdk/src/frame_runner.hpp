// Runs batches of binary feature frames on the device through the driver: formats each pass
// (input layout + bit-packing, contract/include/opusim/contract/dmd_format.hpp), places it in DMA
// buffers, submits one job per pass of n_samples_by_pass frames, pads a short pass to the minimum
// batch, retries a failed pass, and collects the camera values and the statistics the result
// context reports. Internal to the SDK.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "opusim/contract/input_layout.hpp"
#include "opusim/driver/device.hpp"

namespace opusim::sdk_detail {

struct PassPolicy {
    std::size_t n_samples_by_pass = 3000;
    std::size_t min_batch_size = 1;
    unsigned max_retries = 5;
    // Whole DMD patterns formatted here even when the device takes packed features.
    bool host_formatting = false;
    // Trigger lag the device was measured with (docs/sdk.md "Device defects"): each job gets this
    // many trailing dark frames, its first outputs are dropped and its noise sequence starts this
    // much earlier, so every frame's values are those of a device without the lag.
    unsigned trigger_lag_frames = 0;
    // Told the input frames of each job as it completes (padding not counted), for progress.
    std::function<void(std::size_t frames)> frames_done;
};

struct RunStats {
    double start_s = 0;
    double end_s = 0;
    std::uint64_t frames = 0;  // device frames, padding and retries included
    std::size_t passes = 0;
    std::size_t retries = 0;
    std::uint64_t retry_frames = 0;  // of FRAMES: those of the jobs of failed attempts
    double retry_time_s = 0;         // device time from each failed attempt's start to its recovery
    std::uint64_t saturated = 0;
    std::uint64_t lit_min = 0;
    std::uint64_t lit_max = 0;
    double lit_sum = 0;
    std::uint64_t data_frames = 0;  // frames the lit-mirror figures are over

    void merge(const RunStats& other);
};

// The DMA buffers of the jobs in flight, kept from call to call while the device is open:
// allocating (and sharing with the device) 2 x 256 frames of shared memory for every call costs
// as much as the rest of a small call.
struct RunnerBuffers {
    std::vector<driver::Buffer> inputs;
    std::vector<driver::Buffer> outputs;
};

class FrameRunner {
  public:
    // BUFFERS belong to DEVICE and outlive the runner (the Opu keeps them while it is open).
    FrameRunner(driver::Device& device, const PassPolicy& policy, RunnerBuffers& buffers);

    // N frames of feature bits (row-major n x layout.n_features, 0/1, already checked) under the
    // device's current configuration (which must match LAYOUT); frame i gets noise sequence
    // FIRST_SEQUENCE + i. OUT receives n x config.n_components values: camera values (uint16 or
    // float), or in ideal mode (DeviceConfig::ideal) float intensities (float only).
    template <class Value>
    RunStats run(const contract::InputLayout& layout, const std::uint8_t* features, std::size_t n,
                 std::uint64_t first_sequence, Value* out);

  private:
    // RunStats of one pass; FRAMES_RUN counts the frames of the jobs the device ran (waited for,
    // completed or failed), which a failed attempt costs.
    template <class Value>
    RunStats run_pass(const contract::InputLayout& layout, const std::uint8_t* features,
                      std::size_t n, std::uint64_t first_sequence, Value* out,
                      std::uint64_t& frames_run);
    // One pass, run again after each recoverable device failure (the driver has reset the device;
    // the same sequence numbers give the same frames) up to max_retries times; the failed
    // attempts' frames and device time are in the result. When every attempt failed: the last
    // failure's typed error, saying so.
    template <class Value>
    RunStats run_pass_with_retries(const contract::InputLayout& layout,
                                   const std::uint8_t* features, std::size_t n,
                                   std::uint64_t first_sequence, Value* out);

    // Buffer SLOT (< LIST.size()) of LIST with at least BYTES, reallocated only when too small.
    driver::Buffer& buffer(std::vector<driver::Buffer>& list, std::size_t slot, std::size_t bytes);

    driver::Device& device_;
    PassPolicy policy_;
    RunnerBuffers& buffers_;
};

// Device time a job of FRAMES frames may take before the driver declares a timeout: generous
// (4x the slowest stage bound plus 0.5 s), since a timeout is a fault, not a measurement.
double job_timeout_s(const driver::DeviceConfig& config, std::size_t frames);

}  // namespace opusim::sdk_detail
