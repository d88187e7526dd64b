#include "opusim/version.hpp"

namespace opusim {

// OPUSIM_VERSION comes from the project() version in CMakeLists.txt, so it cannot drift.
const char* version() noexcept {
    return OPUSIM_VERSION;
}

}  // namespace opusim
