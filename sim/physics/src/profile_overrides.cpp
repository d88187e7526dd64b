#include "opusim/physics/profile_overrides.hpp"

#include <set>

#include <nlohmann/json.hpp>

namespace opusim::physics {
namespace {

using nlohmann::json;

std::string known_keys(const json& section, const std::string& prefix) {
    std::string text;
    for (const auto& item : section.items()) {
        if (item.value().is_object()) continue;
        text += (text.empty() ? "" : ", ") + prefix + item.key();
    }
    return text;
}

// The leaf of DOCUMENT that KEY names ("section.field" or a top-level "field").
json& leaf(json& document, const ProfileOverride& change) {
    const auto dot = change.key.find('.');
    const std::string head = change.key.substr(0, dot);
    const auto section = document.find(head);
    if (section == document.end()) {
        throw ProfileOverrideError(change.text(),
                                   "unknown profile key '" + change.key +
                                       "' (sections: dmd, medium, camera, link, controller; "
                                       "top-level keys: " +
                                       known_keys(document, "") + ")");
    }
    if (dot == std::string::npos) {
        if (section->is_object()) {
            throw ProfileOverrideError(change.text(), "'" + head +
                                                          "' is a section: name one of its keys (" +
                                                          known_keys(*section, head + ".") + ")");
        }
        return *section;
    }
    const std::string field = change.key.substr(dot + 1);
    if (!section->is_object()) {
        throw ProfileOverrideError(change.text(), "'" + head + "' is not a section");
    }
    const auto found = section->find(field);
    if (found == section->end() || found->is_object()) {
        throw ProfileOverrideError(change.text(), "unknown profile key '" + change.key +
                                                      "' (keys of " + head + ": " +
                                                      known_keys(*section, head + ".") + ")");
    }
    return *found;
}

// VALUE read as the type the profile holds at that key.
json typed_value(const json& current, const ProfileOverride& change) {
    if (current.is_string()) return change.value;
    if (current.is_number()) {
        const json parsed = json::parse(change.value, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_number()) {
            throw ProfileOverrideError(change.text(), "expected a number for " + change.key +
                                                          ", got '" + change.value + "'");
        }
        return parsed;
    }
    if (current.is_boolean()) {
        if (change.value == "true") return true;
        if (change.value == "false") return false;
        throw ProfileOverrideError(change.text(), "expected true or false for " + change.key +
                                                      ", got '" + change.value + "'");
    }
    throw ProfileOverrideError(change.text(), change.key + " cannot be overridden");
}

// Which override a validation message is about: the one whose key starts it, else every one.
std::string culprit(const std::vector<ProfileOverride>& overrides, const std::string& message) {
    for (const auto& change : overrides) {
        if (message.rfind(change.key + ":", 0) == 0 || message.rfind(change.key + " ", 0) == 0) {
            return change.text();
        }
    }
    std::string all;
    for (const auto& change : overrides) all += (all.empty() ? "" : " ") + change.text();
    return all;
}

}  // namespace

ProfileOverrideError::ProfileOverrideError(const std::string& override_text,
                                           const std::string& detail)
    : ProfileError(override_text + ": " + detail), override_text_(override_text), detail_(detail) {}

ProfileOverride parse_profile_override(const std::string& text) {
    const auto equals = text.find('=');
    if (equals == std::string::npos || equals == 0) {
        throw ProfileOverrideError(text, "expected KEY=VALUE, e.g. camera.bits=12");
    }
    return {text.substr(0, equals), text.substr(equals + 1)};
}

json apply_profile_overrides(json document, const std::vector<ProfileOverride>& overrides) {
    std::set<std::string> seen;
    for (const auto& change : overrides) {
        if (!seen.insert(change.key).second) {
            throw ProfileOverrideError(change.text(),
                                       change.key + " is set twice: give each key once");
        }
        json& target = leaf(document, change);
        target = typed_value(target, change);
    }
    return document;
}

DeviceProfile with_overrides(const DeviceProfile& profile,
                             const std::vector<ProfileOverride>& overrides) {
    if (overrides.empty()) return profile;
    // Optional keys a profile leaves out can be overridden too (medium.decorrelation_time_s).
    const json changed =
        apply_profile_overrides(profile.to_json(/*with_optional_keys=*/true), overrides);
    try {
        return DeviceProfile::from_json(changed);
    } catch (const ProfileOverrideError&) {
        throw;
    } catch (const ProfileError& error) {
        const std::string message = error.what();
        const std::string about = culprit(overrides, message);
        throw ProfileOverrideError(about, message);
    }
}

}  // namespace opusim::physics
