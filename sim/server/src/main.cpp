// opusim-device: one simulated OPU in its own process, started by the driver's `sim:` transport
// (driver/src/transports). Not meant to be run by hand:
//   opusim-device --link-fd FD --profile NAME_OR_PATH [--vcd PATH] [--faults SPEC]
//                 [--fault-seed N] [--set KEY=VALUE ...]
// SPEC is the sim transport's faults= URI option (contract/random_faults.hpp), N its fault_seed=,
// each KEY=VALUE one of its set= profile overrides (applied in order).
// FD is a connected stream socket carrying the device link (contract/wire_protocol.hpp).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "device_server.hpp"

namespace {

int usage(const char* problem) {
    std::fprintf(
        stderr,
        "opusim-device: %s\n"
        "usage: opusim-device --link-fd FD --profile NAME_OR_PATH [--vcd PATH]\n"
        "                     [--faults NAME:P,...] [--fault-seed N] [--set KEY=VALUE ...]\n"
        "(started by the opusim driver for each simulated device; not run by hand)\n",
        problem);
    return 2;
}

}  // namespace

int main(int argc, char* argv[]) {
    int link_fd = -1;
    opusim::server::ServerOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) return usage((flag + " needs a value").c_str());
        const std::string value = argv[++i];
        if (flag == "--link-fd") {
            char* end = nullptr;
            const long fd = std::strtol(value.c_str(), &end, 10);
            if (end == value.c_str() || *end != '\0' || fd < 0) {
                return usage("--link-fd: expected a file descriptor number");
            }
            link_fd = static_cast<int>(fd);
        } else if (flag == "--profile") {
            options.profile = value;
        } else if (flag == "--vcd") {
            options.vcd_path = value;
        } else if (flag == "--faults") {
            try {
                options.fault_rates = opusim::contract::parse_fault_rates(value);
            } catch (const std::invalid_argument& error) {
                return usage(("--faults: " + std::string(error.what())).c_str());
            }
        } else if (flag == "--fault-seed") {
            char* end = nullptr;
            errno = 0;
            const unsigned long long seed = std::strtoull(value.c_str(), &end, 10);
            if (value.empty() || value[0] == '-' || end == nullptr || *end != '\0' ||
                errno == ERANGE) {
                return usage("--fault-seed: expected an unsigned 64-bit integer");
            }
            options.fault_seed = seed;
        } else if (flag == "--set") {
            options.overrides.push_back(value);  // applied to the profile, in order
        } else {
            return usage(("unknown option " + flag).c_str());
        }
    }
    if (link_fd < 0) return usage("--link-fd is required");
    if (options.profile.empty()) return usage("--profile is required");
    opusim::server::DeviceServer server(link_fd);
    return server.run(options);
}
