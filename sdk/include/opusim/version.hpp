// The opusim release this library was built as (also the simulator's version: they ship together).
#pragma once

namespace opusim {

// "MAJOR.MINOR.PATCH", e.g. "0.1.0": the project version of the build, as `opusim --version` prints.
const char* version() noexcept;

}  // namespace opusim
