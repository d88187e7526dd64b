// `sim:TARGET`: a simulated OPU, each in a process of its own (the device server
// <libexecdir>/opusim/opusim-device, sim/server). SystemC elaborates one model per process and
// cannot restart after an error, so one process per device is what lets an application hold
// several simulated devices at once and survive one that fails; and the application itself links
// neither SystemC nor the physics libraries. The driver knows the server only as a program that
// speaks the device link.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "builtin_transports.hpp"
#include "daemon_transport.hpp"
#include "device_process_transport.hpp"
#include "opusim/contract/random_faults.hpp"
#include "opusim/driver/daemon_client.hpp"
#include "opusim/driver/errors.hpp"
#include "opusim/driver/profile_override_option.hpp"

namespace opusim::driver {
namespace {

// $OPUSIM_DEVICE_SERVER, else the server installed beside this library: <libdir>/
// OPUSIM_LIBDIR_TO_SERVER (the build tree has the install layout, so both find it).
std::filesystem::path device_server_path() {
    const char* from_environment = std::getenv("OPUSIM_DEVICE_SERVER");
    if (from_environment != nullptr && *from_environment != '\0') return from_environment;
    Dl_info library{};
    if (::dladdr(reinterpret_cast<void*>(&device_server_path), &library) == 0 ||
        library.dli_fname == nullptr) {
        return {};
    }
    return std::filesystem::path(library.dli_fname).parent_path() / OPUSIM_LIBDIR_TO_SERVER;
}

// Values checked when the URI is parsed: set=KEY=VALUE,... (percent-encoded profile overrides);
// faults=NAME:P,... (contract/random_faults.hpp) and fault_seed=N (unsigned 64-bit), the faults
// the device server injects at random jobs, reproducibly from the seed.
void check_option_value(const std::string& uri, const std::string& option,
                        const std::string& value) {
    if (option == "set") {
        try {
            decode_profile_overrides(value);
        } catch (const UriError& error) {
            throw UriError("device URI '" + uri + "': option set: " + error.what());
        }
    } else if (option == "faults") {
        try {
            contract::parse_fault_rates(value);
        } catch (const std::invalid_argument& error) {
            throw UriError("device URI '" + uri + "': option faults: " + error.what());
        }
    } else if (option == "via") {
        if (value.empty()) {
            throw UriError("device URI '" + uri +
                           "': option via expects the path of opusimd's socket");
        }
    } else if (option == "exclusive") {
        char* end = nullptr;
        const double seconds = value.empty() ? -1 : std::strtod(value.c_str(), &end);
        if (value.empty() || end == nullptr || *end != '\0' || !(seconds >= 0) || seconds > 1e6) {
            throw UriError("device URI '" + uri +
                           "': option exclusive expects seconds to wait for the device, 0 to 1e6, "
                           "got '" +
                           value + "'");
        }
    } else if (option == "fault_seed") {
        const bool digits = !value.empty() && value.size() <= 20 &&
                            value.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || (value.size() == 20 && value > "18446744073709551615")) {
            throw UriError("device URI '" + uri +
                           "': option fault_seed expects an unsigned 64-bit integer, got '" +
                           value + "'");
        }
    }
}

// The device server's fault arguments for URI's faults= and fault_seed= options.
std::vector<std::string> fault_arguments(const DeviceUri& uri) {
    const auto faults = uri.transport_options.find("faults");
    const auto seed = uri.transport_options.find("fault_seed");
    if (faults == uri.transport_options.end()) {
        if (seed != uri.transport_options.end()) {
            throw UriError("device URI '" + uri.text +
                           "': option fault_seed without faults= (it seeds the faults drawn)");
        }
        return {};
    }
    std::vector<std::string> arguments{"--faults", faults->second};
    if (seed != uri.transport_options.end()) {
        arguments.insert(arguments.end(), {"--fault-seed", seed->second});
    }
    return arguments;
}

// The device opusimd is asked for: the profile (a path made absolute: the daemon has another
// working folder) and the options that make it another device.
contract::daemon::OpenRequest daemon_request(const DeviceUri& uri) {
    if (uri.transport_options.count("vcd") != 0) {
        throw UriError("device URI '" + uri.text +
                       "': option vcd is not available through opusimd (the daemon's device is "
                       "shared; trace a device of your own, without via=)");
    }
    contract::daemon::OpenRequest request;
    request.profile = uri.target;
    if (uri.target.find('/') != std::string::npos ||
        std::filesystem::path(uri.target).extension() == ".json") {
        request.profile = std::filesystem::absolute(uri.target).lexically_normal().string();
    }
    for (const char* key : {"faults", "fault_seed"}) {
        const auto found = uri.transport_options.find(key);
        if (found != uri.transport_options.end()) request.options.emplace_back(key, found->second);
    }
    fault_arguments(uri);  // checks fault_seed has its faults=
    const auto overrides = uri.transport_options.find("set");
    if (overrides != uri.transport_options.end()) {
        for (const auto& [key, value] : decode_profile_overrides(overrides->second)) {
            request.options.emplace_back("set", key + "=" + value);
        }
    }
    const auto exclusive = uri.transport_options.find("exclusive");
    if (exclusive != uri.transport_options.end()) {
        request.exclusive_s = std::strtod(exclusive->second.c_str(), nullptr);
    }
    return request;
}

std::unique_ptr<Transport> open_simulator(const DeviceUri& uri, std::shared_ptr<DmaMemory> memory) {
    if (const auto socket = daemon_socket_of(uri)) {
        return open_through_daemon(*socket, daemon_request(uri), std::move(memory), uri.text);
    }
    if (uri.transport_options.count("exclusive") != 0) {
        throw UriError("device URI '" + uri.text +
                       "': option exclusive needs via= or $OPUSIM_DAEMON (a device of your own "
                       "is always exclusive)");
    }
    const std::filesystem::path server = device_server_path();
    if (server.empty() || ::access(server.c_str(), X_OK) != 0) {
        throw DriverError(
            "device URI '" + uri.text +
            "': the simulator transport needs the device server opusim-device, "
            "not found at '" +
            server.string() +
            "' (install opusim's simulator, or set OPUSIM_DEVICE_SERVER to its path)");
    }
    std::vector<std::string> arguments{"--profile", uri.target};
    const auto vcd = uri.transport_options.find("vcd");
    if (vcd != uri.transport_options.end()) {
        arguments.insert(arguments.end(), {"--vcd", vcd->second});
    }
    const std::vector<std::string> faults = fault_arguments(uri);
    arguments.insert(arguments.end(), faults.begin(), faults.end());
    // set=: profile overrides, applied by the server when it loads the profile.
    const auto overrides = uri.transport_options.find("set");
    if (overrides != uri.transport_options.end()) {
        ProfileOverrideList decoded;
        try {
            decoded = decode_profile_overrides(overrides->second);
        } catch (const UriError& error) {
            throw UriError("device URI '" + uri.text + "': " + error.what());
        }
        for (const auto& [key, value] : decoded) {
            arguments.insert(arguments.end(), {"--set", key + "=" + value});
        }
    }
    return std::make_unique<DeviceProcessTransport>(
        server.string(), std::move(arguments), std::move(memory),
        "SystemC simulator (profile " + uri.target + ", its own process)", uri.text);
}

}  // namespace

std::vector<TransportKind> builtin_transports() {
    TransportKind simulator;
    simulator.scheme = "sim";
    simulator.target_hint = "gen2, gen3 or a profile path";
    simulator.options = {"vcd", "set", "faults", "fault_seed", "via", "exclusive"};
    simulator.check_option = check_option_value;
    simulator.make = open_simulator;
    return {simulator};
}

}  // namespace opusim::driver
