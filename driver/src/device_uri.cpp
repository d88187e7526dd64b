#include "opusim/driver/device_uri.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "opusim/driver/errors.hpp"
#include "opusim/driver/transport_registry.hpp"

namespace opusim::driver {

namespace {

std::uint64_t parse_unsigned(const std::string& uri, const std::string& key,
                             const std::string& value) {
    const bool digits_only =
        !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
    errno = 0;
    char* end = nullptr;
    const unsigned long long parsed = digits_only ? std::strtoull(value.c_str(), &end, 10) : 0;
    if (!digits_only || errno == ERANGE || end == nullptr || *end != '\0') {
        throw UriError("device URI '" + uri + "': option " + key +
                       " expects an unsigned 64-bit integer, got '" + value + "'");
    }
    return parsed;
}

bool parse_on_off(const std::string& uri, const std::string& key, const std::string& value) {
    if (value == "on" || value == "1" || value == "true") return true;
    if (value == "off" || value == "0" || value == "false") return false;
    throw UriError("device URI '" + uri + "': option " + key + " expects on or off, got '" + value +
                   "'");
}

double parse_seconds(const std::string& uri, const std::string& key, const std::string& value) {
    errno = 0;
    char* end = nullptr;
    const double parsed = value.empty() ? -1 : std::strtod(value.c_str(), &end);
    if (value.empty() || errno == ERANGE || end == nullptr || *end != '\0' ||
        !std::isfinite(parsed) || parsed < 0) {
        throw UriError("device URI '" + uri + "': option " + key +
                       " expects a number of seconds >= 0, got '" + value + "'");
    }
    return parsed;
}

void apply_option(DeviceUri& uri, const std::string& item, std::set<std::string>& seen) {
    const auto equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
        throw UriError("device URI '" + uri.text + "': option '" + item +
                       "' is not of the form key=value");
    }
    const std::string key = item.substr(0, equals);
    const std::string value = item.substr(equals + 1);
    if (!seen.insert(key).second) {
        throw UriError("device URI '" + uri.text + "': option " + key + " is given twice");
    }
    if (key == "seed") {
        uri.medium_seed = parse_unsigned(uri.text, key, value);
    } else if (key == "noise_seed") {
        uri.noise_seed = parse_unsigned(uri.text, key, value);
    } else if (key == "noise") {
        uri.ideal = value == "ideal";
        if (*uri.ideal) {
            uri.noise = false;
        } else {
            try {
                uri.noise = parse_on_off(uri.text, key, value);
            } catch (const UriError&) {
                throw UriError("device URI '" + uri.text + "': option noise expects on, off or " +
                               "ideal, got '" + value + "'");
            }
        }
    } else if (key == "lock_wait") {
        uri.lock_wait_s = parse_seconds(uri.text, key, value);
    } else if (transport_accepts_option(uri.transport, key)) {
        check_transport_option(uri.transport, uri.text, key, value);
        uri.transport_options[key] = value;
    } else {
        std::string known = "seed, noise_seed, noise, lock_wait";
        for (const auto& option : transport_options(uri.transport)) known += ", " + option;
        throw UriError("device URI '" + uri.text + "': unknown option '" + key +
                       "' (known: " + known + ")");
    }
}

}  // namespace

std::string default_device_uri() {
    const char* env = std::getenv("OPUSIM_DEVICE");
    if (env != nullptr && *env != '\0') return env;
    return "sim:gen2";
}

DeviceUri DeviceUri::parse(const std::string& given) {
    DeviceUri uri;
    uri.text = given.empty() ? default_device_uri() : given;
    const auto colon = uri.text.find(':');
    if (colon == std::string::npos) {
        throw UriError("device URI '" + uri.text +
                       "': expected TRANSPORT:DEVICE, e.g. sim:gen2, sim:gen3 or "
                       "sim:path/to/profile.json");
    }
    uri.transport = uri.text.substr(0, colon);
    if (!transport_registered(uri.transport)) {
        throw UriError("device URI '" + uri.text + "': unknown transport '" + uri.transport +
                       "' (known: " + registered_transports_text() + ")");
    }
    const std::string rest = uri.text.substr(colon + 1);
    const auto question = rest.find('?');
    uri.target = rest.substr(0, question);
    if (uri.target.empty()) {
        throw UriError("device URI '" + uri.text + "': no device after '" + uri.transport +
                       ":' (expected " + transport_target_hint(uri.transport) + ")");
    }
    if (question != std::string::npos) {
        const std::string query = rest.substr(question + 1);
        std::set<std::string> seen;
        std::size_t start = 0;
        while (start <= query.size()) {
            const auto amp = query.find('&', start);
            const std::string item =
                query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
            apply_option(uri, item, seen);
            if (amp == std::string::npos) break;
            start = amp + 1;
        }
    }
    return uri;
}

std::string DeviceUri::identity() const {
    return transport + ":" + target;
}

}  // namespace opusim::driver
