#include "linear_error_report.hpp"

#include <cstdio>

namespace opusim::cli {

nlohmann::json linear_error_json(const Context& context) {
    const LinearErrorBudget& b = context.linear_error;
    return {{"limit", context.linear_error_limit},
            {"frames_per_vector", b.frames_per_vector},
            {"budget",
             {{"shot", b.shot},
              {"read", b.read},
              {"quantisation", b.quantisation},
              {"laser", b.laser},
              {"encoding", b.encoding},
              {"calibration", b.calibration}}}};
}

std::string linear_error_line(const Context& context) {
    const LinearErrorBudget& b = context.linear_error;
    char text[320];
    std::snprintf(text, sizeof text,
                  "derived error of one output %.4f (relative rms; shot %.4f, read %.4f, "
                  "quantisation %.4f, laser %.4f, encoding %.4f; calibration %.4f apart), "
                  "%llu frames/vector",
                  context.linear_error_limit, b.shot, b.read, b.quantisation, b.laser, b.encoding,
                  b.calibration, static_cast<unsigned long long>(b.frames_per_vector));
    return text;
}

}  // namespace opusim::cli
