#include "opusim/driver/transport_registry.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>

#include "opusim/driver/errors.hpp"
#include "transports/builtin_transports.hpp"

namespace opusim::driver {
namespace {

struct Registry {
    std::mutex mutex;
    std::map<std::string, TransportKind> kinds;
};

// Made on first use, with the driver's own transports in it.
Registry& registry() {
    static Registry* instance = [] {
        auto* made = new Registry;  // never destroyed: transports may be made during exit
        for (auto& kind : builtin_transports()) made->kinds.emplace(kind.scheme, std::move(kind));
        return made;
    }();
    return *instance;
}

const TransportKind* find(const std::string& scheme) {
    auto& r = registry();
    const auto it = r.kinds.find(scheme);
    return it == r.kinds.end() ? nullptr : &it->second;
}

}  // namespace

void register_transport(TransportKind kind) {
    if (kind.scheme.empty() || !kind.make) {
        throw std::invalid_argument("register_transport: a transport needs a scheme and a maker");
    }
    auto& r = registry();
    const std::lock_guard<std::mutex> guard(r.mutex);
    if (r.kinds.count(kind.scheme) != 0) {
        throw std::invalid_argument("register_transport: scheme '" + kind.scheme +
                                    "' is already registered");
    }
    r.kinds.emplace(kind.scheme, std::move(kind));
}

bool transport_registered(const std::string& scheme) {
    const std::lock_guard<std::mutex> guard(registry().mutex);
    return find(scheme) != nullptr;
}

bool transport_accepts_option(const std::string& scheme, const std::string& option) {
    const std::lock_guard<std::mutex> guard(registry().mutex);
    const TransportKind* kind = find(scheme);
    return kind != nullptr &&
           std::find(kind->options.begin(), kind->options.end(), option) != kind->options.end();
}

std::vector<std::string> transport_options(const std::string& scheme) {
    const std::lock_guard<std::mutex> guard(registry().mutex);
    const TransportKind* kind = find(scheme);
    return kind ? kind->options : std::vector<std::string>{};
}

void check_transport_option(const std::string& scheme, const std::string& uri,
                            const std::string& option, const std::string& value) {
    std::function<void(const std::string&, const std::string&, const std::string&)> check;
    {
        const std::lock_guard<std::mutex> guard(registry().mutex);
        const TransportKind* kind = find(scheme);
        if (kind != nullptr) check = kind->check_option;
    }
    if (check) check(uri, option, value);  // outside the lock: it may ask the registry too
}

std::string transport_target_hint(const std::string& scheme) {
    const std::lock_guard<std::mutex> guard(registry().mutex);
    const TransportKind* kind = find(scheme);
    return kind ? kind->target_hint : "a device";
}

std::string registered_transports_text() {
    auto& r = registry();
    const std::lock_guard<std::mutex> guard(r.mutex);
    std::string text;
    for (const auto& [scheme, kind] : r.kinds) text += (text.empty() ? "" : ", ") + scheme;
    return text;
}

std::unique_ptr<Transport> make_transport(const DeviceUri& uri, std::shared_ptr<DmaMemory> memory) {
    TransportKind kind;
    {
        const std::lock_guard<std::mutex> guard(registry().mutex);
        const TransportKind* found = find(uri.transport);
        if (found == nullptr) {
            throw UriError("device URI '" + uri.text + "': unknown transport '" + uri.transport +
                           "'");
        }
        kind = *found;
    }
    return kind.make(uri, std::move(memory));
}

}  // namespace opusim::driver
