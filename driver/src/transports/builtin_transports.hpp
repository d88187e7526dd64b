// The transports the driver registers itself (transport_registry.cpp).
#pragma once

#include <vector>

#include "opusim/driver/transport_registry.hpp"

namespace opusim::driver {

std::vector<TransportKind> builtin_transports();

}  // namespace opusim::driver
