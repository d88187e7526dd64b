// The sim: transport's `set` option: profile overrides carried in a device URI, e.g.
//   sim:gen2?set=camera.bits=12,link.bandwidth_gb_per_s=6.5,link.name=PCIe%20Gen3%20x8
// Overrides are separated by ','; each is KEY=VALUE split at its first '='. In KEY and VALUE every
// byte other than A-Z a-z 0-9 . _ ~ + - is percent-encoded (%XX), so any value (one holding ',',
// '&', '=', '%' or spaces) survives the URI. The driver only carries them: the device server
// applies them to its profile (sim/physics/profile_overrides.hpp says what a key may be).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace opusim::driver {

using ProfileOverrideList = std::vector<std::pair<std::string, std::string>>;  // (key, value)

// The option's value for OVERRIDES (empty for none).
std::string encode_profile_overrides(const ProfileOverrideList& overrides);
// OVERRIDES from the option's VALUE; a malformed value (an item without '=', an empty key, a bad
// %-escape) is a UriError naming the item.
ProfileOverrideList decode_profile_overrides(const std::string& value);

}  // namespace opusim::driver
