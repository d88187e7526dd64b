#include "opusim/driver/profile_override_option.hpp"

#include <cctype>

#include "opusim/driver/errors.hpp"

namespace opusim::driver {
namespace {

bool unreserved(unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '~' || c == '+' || c == '-';
}

std::string percent_encode(const std::string& text) {
    static const char* const kHex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (unreserved(c)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string percent_decode(const std::string& text, const std::string& item) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        const bool complete = i + 2 < text.size();
        const int high = complete ? hex_digit(text[i + 1]) : -1;
        const int low = complete ? hex_digit(text[i + 2]) : -1;
        if (high < 0 || low < 0) {
            throw UriError("option set: '" + item +
                           "' has a bad %-escape (expected %XX, two hex digits)");
        }
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

}  // namespace

std::string encode_profile_overrides(const ProfileOverrideList& overrides) {
    std::string value;
    for (const auto& [key, text] : overrides) {
        if (!value.empty()) value += ',';
        value += percent_encode(key) + "=" + percent_encode(text);
    }
    return value;
}

ProfileOverrideList decode_profile_overrides(const std::string& value) {
    ProfileOverrideList overrides;
    std::size_t start = 0;
    while (start <= value.size()) {
        const auto comma = value.find(',', start);
        const std::string item =
            value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const auto equals = item.find('=');
        if (equals == std::string::npos || equals == 0) {
            throw UriError("option set: expected KEY=VALUE[,KEY=VALUE...], got the item '" + item +
                           "'");
        }
        overrides.emplace_back(percent_decode(item.substr(0, equals), item),
                               percent_decode(item.substr(equals + 1), item));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return overrides;
}

}  // namespace opusim::driver
