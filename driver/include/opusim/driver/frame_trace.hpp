// The device's frame trace (TRACE_* registers, docs/device-abi.md): when each of the last frames
// it scheduled started and ended each operation, in device time. What a timeline of the pipeline
// is drawn from: the model's own schedule, read through the device's interface.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace opusim::driver {

struct TracedOperation {
    std::string name;  // link_in, dmd_load, dmd_settle, exposure, frame_overhead, readout, link_out
    double start_s = 0;  // device time since power-on
    double end_s = 0;
};

struct TracedFrame {
    std::uint64_t index_in_job = 0;
    std::vector<TracedOperation> operations;  // in pipeline order
};

}  // namespace opusim::driver
