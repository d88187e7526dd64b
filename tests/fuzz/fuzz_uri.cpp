// libFuzzer harness: the driver's device URI parser on arbitrary text. Its contract: a parsed URI
// or a UriError naming the bad part; never a crash or an undefined behaviour. Parsing opens
// nothing (the transport is made only when a device is opened).
#include <cstddef>
#include <cstdint>
#include <string>

#include "opusim/driver/device_uri.hpp"
#include "opusim/driver/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (text.empty()) return 0;  // empty means $OPUSIM_DEVICE: not a parse of these bytes
    try {
        const auto uri = opusim::driver::DeviceUri::parse(text);
        (void)uri.identity();
    } catch (const opusim::driver::UriError&) {
        // the documented refusal
    }
    return 0;
}
