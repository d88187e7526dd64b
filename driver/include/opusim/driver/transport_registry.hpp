// The transports the driver knows, by URI scheme. The driver registers its own (`sim`: a
// simulated device in a process of its own, transports/device_process_transport.cpp); an
// application or a plug-in may add others before opening devices with that scheme.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "opusim/driver/device_uri.hpp"
#include "opusim/driver/transport.hpp"

namespace opusim::driver {

class DmaMemory;

struct TransportKind {
    std::string scheme;                // "sim"
    std::string target_hint;           // for messages: what may follow "scheme:"
    std::vector<std::string> options;  // URI options it accepts beyond the driver's own
    // Checks the value of one of its OPTIONS when a URI is parsed, throwing UriError naming the
    // URI, the option and what was expected; empty: any value is accepted until the open.
    std::function<void(const std::string& uri, const std::string& option, const std::string& value)>
        check_option;
    // Makes the transport for URI, its DMA reaching MEMORY. Throws UriError for a target it
    // cannot open, DriverError when it cannot start.
    std::function<std::unique_ptr<Transport>(const DeviceUri& uri,
                                             std::shared_ptr<DmaMemory> memory)>
        make;
};

// Adds KIND; throws std::invalid_argument when its scheme is already registered or empty.
void register_transport(TransportKind kind);

bool transport_registered(const std::string& scheme);
bool transport_accepts_option(const std::string& scheme, const std::string& option);
std::vector<std::string> transport_options(const std::string& scheme);
// Runs the transport's check_option on VALUE of OPTION (throws UriError); nothing without one.
void check_transport_option(const std::string& scheme, const std::string& uri,
                            const std::string& option, const std::string& value);
std::string transport_target_hint(const std::string& scheme);
std::string registered_transports_text();  // "sim" or "sim, remote"

// The transport for URI (its scheme must be registered).
std::unique_ptr<Transport> make_transport(const DeviceUri& uri, std::shared_ptr<DmaMemory> memory);

}  // namespace opusim::driver
