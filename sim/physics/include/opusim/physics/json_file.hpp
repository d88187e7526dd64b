// Reading a JSON document from a file, as every loader of the simulator must: bounded before it
// is parsed, so no input (however large, deep or malformed) crashes or exhausts the process.
#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace opusim::physics {

// Raised for a file that is not an acceptable JSON document; the message starts with the path.
class JsonFileError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct JsonLimits {
    std::size_t max_bytes = 1u << 20;  // a profile is a few kB; more is not a profile
    std::size_t max_depth = 32;        // a profile nests 2 levels
};

// Parses TEXT (named SOURCE in errors). Refused, before any parsing: nesting deeper than
// LIMITS.max_depth and text larger than LIMITS.max_bytes; while parsing: a key repeated in one
// object, numbers a double cannot hold, and everything that is not JSON.
nlohmann::json parse_json_text(const std::string& text, const std::string& source,
                               const JsonLimits& limits = {});

// The same for the file at PATH; a folder, a missing or unreadable file is refused by name.
nlohmann::json read_json_file(const std::filesystem::path& path, const JsonLimits& limits = {});

// VALUE as JSON text for an error message, cut to about MAX_CHARS.
std::string json_excerpt(const nlohmann::json& value, std::size_t max_chars = 80);

}  // namespace opusim::physics
