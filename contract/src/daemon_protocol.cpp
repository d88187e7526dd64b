#include "opusim/contract/daemon_protocol.hpp"

#include <cmath>
#include <cstring>

#include "opusim/contract/registers.hpp"

namespace opusim::contract::daemon {

using wire::LinkError;
using wire::MessageType;

namespace {

struct OpenHeader {
    std::uint32_t version;
    std::uint32_t field_count;
    double exclusive_s;  // < 0: shared
};

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&value);
    out.insert(out.end(), bytes, bytes + sizeof value);
}

void put_text(std::vector<std::uint8_t>& out, const std::string& text) {
    put_u32(out, static_cast<std::uint32_t>(text.size()));
    out.insert(out.end(), text.begin(), text.end());
}

// Reads the encoded fields in order; every read is bounds-checked.
class Reader {
  public:
    Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    template <class T>
    T take(const char* what) {
        if (size_ - at_ < sizeof(T))
            throw LinkError(std::string("open request: truncated ") + what);
        T value;
        std::memcpy(&value, data_ + at_, sizeof value);
        at_ += sizeof value;
        return value;
    }
    std::string text(const char* what) {
        const auto bytes = take<std::uint32_t>(what);
        if (bytes > kMaxFieldBytes || bytes > size_ - at_) {
            throw LinkError(std::string("open request: ") + what + " of " + std::to_string(bytes) +
                            " bytes does not fit");
        }
        std::string value(reinterpret_cast<const char*>(data_ + at_), bytes);
        at_ += bytes;
        for (const char c : value) {
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
                throw LinkError(std::string("open request: ") + what + " holds a control byte");
            }
        }
        return value;
    }
    bool done() const { return at_ == size_; }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_ = 0;
};

bool known_option(const std::string& key) {
    return key == "faults" || key == "fault_seed" || key == "set";
}

}  // namespace

std::string OpenRequest::device_key() const {
    std::string key = "sim:" + profile;
    for (const auto& [name, value] : options) key += "?" + name + "=" + value;
    return key;
}

std::vector<std::string> OpenRequest::server_arguments() const {
    std::vector<std::string> arguments{"--profile", profile};
    for (const auto& [name, value] : options) {
        const std::string flag = name == "fault_seed" ? "--fault-seed" : "--" + name;
        arguments.insert(arguments.end(), {flag, value});
    }
    return arguments;
}

std::vector<std::uint8_t> encode_open(const OpenRequest& request) {
    std::vector<std::uint8_t> out;
    const OpenHeader header{kOpenVersion, static_cast<std::uint32_t>(request.options.size()),
                            request.exclusive_s.value_or(-1.0)};
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&header);
    out.insert(out.end(), bytes, bytes + sizeof header);
    put_text(out, request.profile);
    for (const auto& [key, value] : request.options) {
        put_text(out, key);
        put_text(out, value);
    }
    return out;
}

OpenRequest decode_open(const std::uint8_t* data, std::size_t size) {
    Reader reader(data, size);
    const auto header = reader.take<OpenHeader>("header");
    if (header.version != kOpenVersion) {
        throw LinkError("open request: version " + std::to_string(header.version) +
                        ", this daemon speaks " + std::to_string(kOpenVersion));
    }
    if (header.field_count > kMaxOpenFields) {
        throw LinkError("open request: " + std::to_string(header.field_count) +
                        " options, at most " + std::to_string(kMaxOpenFields));
    }
    OpenRequest request;
    if (std::isnan(header.exclusive_s) || std::isinf(header.exclusive_s)) {
        throw LinkError("open request: exclusive seconds must be finite");
    }
    if (header.exclusive_s >= 0) request.exclusive_s = header.exclusive_s;
    request.profile = reader.text("profile");
    if (request.profile.empty()) throw LinkError("open request: no profile");
    for (std::uint32_t i = 0; i < header.field_count; ++i) {
        std::string key = reader.text("option name");
        std::string value = reader.text("option value");
        if (!known_option(key)) {
            throw LinkError("open request: unknown device option '" + key +
                            "' (known: faults, fault_seed, set)");
        }
        if (value.empty() || value[0] == '-') {
            throw LinkError("open request: option " + key + " needs a value not starting with '-'");
        }
        request.options.emplace_back(std::move(key), std::move(value));
    }
    if (!reader.done()) throw LinkError("open request: bytes after the last option");
    if (request.profile[0] == '-') throw LinkError("open request: a profile cannot start with '-'");
    return request;
}

namespace {

std::optional<std::string> wrong_size(MessageType type, std::size_t size, std::size_t expected) {
    if (size == expected) return std::nullopt;
    return "message " + std::to_string(static_cast<unsigned>(type)) + " has " +
           std::to_string(size) + " payload bytes, expected " + std::to_string(expected);
}

std::optional<std::string> check_offset(std::uint32_t offset) {
    if (offset % 4 != 0 || offset >= kMmioWindowBytes) {
        return "register offset " + std::to_string(offset) +
               " is outside the window or not 4-byte aligned";
    }
    return std::nullopt;
}

std::optional<std::string> check_region(const std::uint8_t* payload, std::size_t size,
                                        MessageType type) {
    if (auto problem = wrong_size(type, size, sizeof(wire::RegionMessage))) return problem;
    wire::RegionMessage region;
    std::memcpy(&region, payload, sizeof region);
    if (region.address >= kMaxClientAddress || region.bytes > kMaxClientAddress ||
        region.address + region.bytes > kMaxClientAddress) {
        return "a region outside the client's device addresses [0, 2^" +
               std::to_string(kClientWindowBits) + ")";
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> check_request(MessageType type, const std::uint8_t* payload,
                                         std::size_t size) {
    if (size > kMaxRequestBytes) return "a request of " + std::to_string(size) + " bytes";
    switch (type) {
        case MessageType::ReadRegister:
        case MessageType::WriteRegister: {
            if (auto problem = wrong_size(type, size, sizeof(wire::RegisterAccess))) return problem;
            wire::RegisterAccess access;
            std::memcpy(&access, payload, sizeof access);
            return check_offset(access.offset);
        }
        case MessageType::ReadRegisters: {
            if (size == 0 || size % 4 != 0 || size > kMmioWindowBytes) {
                return "ReadRegisters of " + std::to_string(size) +
                       " bytes (1 to 1024 offsets expected)";
            }
            for (std::size_t at = 0; at < size; at += 4) {
                std::uint32_t offset;
                std::memcpy(&offset, payload + at, sizeof offset);
                if (auto problem = check_offset(offset)) return problem;
            }
            return std::nullopt;
        }
        case MessageType::WaitInterrupt: {
            if (auto problem = wrong_size(type, size, sizeof(wire::WaitRequest))) return problem;
            wire::WaitRequest wait;
            std::memcpy(&wait, payload, sizeof wait);
            if (!(wait.timeout_s >= 0) || !std::isfinite(wait.timeout_s)) {
                return "a wait timeout must be finite and >= 0";
            }
            return std::nullopt;
        }
        case MessageType::MapRegion:
        case MessageType::UnmapRegion:
        case MessageType::SetOwnership:
            return check_region(payload, size, type);
        case MessageType::Shutdown:
            return wrong_size(type, size, 0);
        default:
            return "message type " + std::to_string(static_cast<unsigned>(type)) +
                   " is not a client request";
    }
}

}  // namespace opusim::contract::daemon
