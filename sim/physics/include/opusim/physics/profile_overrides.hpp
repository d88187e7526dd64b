// Profile overrides: `--set KEY=VALUE` on the command line, `set=` in a sim: device URI. A hardware
// architect asks "what if the camera were 12-bit?" without editing JSON: each override replaces
// one key of the profile's JSON (KEY is SECTION.FIELD, e.g. camera.bits, or a top-level string
// such as name), then the profile is validated exactly as a profile file is
// (DeviceProfile::from_json). The device server applies them when it loads its profile, and the
// command's oracle tools apply the same ones through the same function, so both see one device.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "opusim/physics/profile.hpp"

namespace opusim::physics {

struct ProfileOverride {
    std::string key;    // "camera.bits"
    std::string value;  // "12": read as the type the key has in the profile

    std::string text() const { return key + "=" + value; }  // as the user wrote it
};

// An override that cannot apply: an unknown key, a value of the wrong type, or a profile that the
// override makes invalid. what() is "KEY=VALUE: why"; detail() is the why alone.
class ProfileOverrideError : public ProfileError {
  public:
    ProfileOverrideError(const std::string& override_text, const std::string& detail);
    const std::string& override_text() const { return override_text_; }
    const std::string& detail() const { return detail_; }

  private:
    std::string override_text_;
    std::string detail_;
};

// "KEY=VALUE" (split at the first '='; KEY non-empty). Throws ProfileOverrideError.
ProfileOverride parse_profile_override(const std::string& text);

// DOCUMENT (a profile's JSON) with OVERRIDES applied in order. KEY must name a number or string
// the document holds (a section itself cannot be replaced); a number's VALUE must be a JSON
// number, a string's VALUE is taken as it is. A key given twice is an error (which would win?).
nlohmann::json apply_profile_overrides(nlohmann::json document,
                                       const std::vector<ProfileOverride>& overrides);

// PROFILE with OVERRIDES applied, validated as a profile; an invalid result is a
// ProfileOverrideError naming the override it is about (all of them when the check relates
// several keys and names none).
DeviceProfile with_overrides(const DeviceProfile& profile,
                             const std::vector<ProfileOverride>& overrides);

}  // namespace opusim::physics
