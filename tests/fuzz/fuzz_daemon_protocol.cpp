// libFuzzer harness: what opusimd decodes of a client's bytes (contract/daemon_protocol.hpp). The
// input is a stream of messages as they arrive on a connection: a MessageHeader, then its
// payload (cut short at the end of the input). A DaemonOpen payload goes through decode_open,
// anything else through check_request. The contract: a decoded request or a refusal
// (wire::LinkError, or the problem text), never a crash or an undefined behaviour; and a decoded
// open request encodes back to a request that decodes to the same device.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "opusim/contract/daemon_protocol.hpp"

namespace daemon = opusim::contract::daemon;
namespace wire = opusim::contract::wire;

namespace {

void decode_open(const std::uint8_t* payload, std::size_t size) {
    daemon::OpenRequest request;
    try {
        request = daemon::decode_open(payload, size);
    } catch (const wire::LinkError&) {
        return;  // the documented refusal
    }
    const auto again = daemon::encode_open(request);
    const auto decoded = daemon::decode_open(again.data(), again.size());
    if (decoded.device_key() != request.device_key() ||
        decoded.server_arguments() != request.server_arguments() ||
        decoded.exclusive_s != request.exclusive_s) {
        std::abort();  // the encoding does not round-trip
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::size_t at = 0;
    while (size - at >= sizeof(wire::MessageHeader)) {
        wire::MessageHeader header;
        std::memcpy(&header, data + at, sizeof header);
        at += sizeof header;
        const std::size_t available = size - at;
        const std::size_t bytes = header.payload_bytes < available
                                      ? static_cast<std::size_t>(header.payload_bytes)
                                      : available;
        if (header.type == wire::MessageType::DaemonOpen) {
            decode_open(data + at, bytes);
        } else {
            (void)daemon::check_request(header.type, data + at, bytes);
        }
        at += bytes;
    }
    return 0;
}
