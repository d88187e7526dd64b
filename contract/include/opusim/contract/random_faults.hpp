// Random faults a device can be asked to meet, so that an application sees its driver and SDK
// recover from them: for each fault type the device supports (docs/device-abi.md "Errors"), the
// probability that a job meets it. Written as the `sim` transport's URI option
//   faults=dma_read:0.01,dropped_frame:0.001,hang:0.0005   (with fault_seed=7)
// and passed in that form to the device server, which draws the faults job by job from the seed
// (sim/model/src/controller/injected_faults.hpp). Host and device parse it with the same code.
#pragma once

#include <array>
#include <cstddef>
#include <string>

namespace opusim::contract {

// The fault types, in the order of their DEBUG_FAULT_INJECT codes (contract::fault::k*, 1..4):
// the name of code c is kFaultNames[c - 1].
inline constexpr std::array<const char*, 4> kFaultNames{"dma_read", "dma_write", "dropped_frame",
                                                        "hang"};

struct FaultRates {
    // per_job[i]: probability that a job meets fault kFaultNames[i]; their sum is at most 1 (a
    // job meets at most one).
    std::array<double, kFaultNames.size()> per_job{};

    bool any() const;
    // "dma_read:0.01,hang:0.0005": the types with a rate above 0, in kFaultNames order ("" if
    // none).
    std::string to_string() const;
};

// Parses "NAME:P[,NAME:P...]" (each NAME once, 0 <= P <= 1, the P summing to at most 1). Throws
// std::invalid_argument saying which part is wrong and what was expected.
FaultRates parse_fault_rates(const std::string& text);

}  // namespace opusim::contract
