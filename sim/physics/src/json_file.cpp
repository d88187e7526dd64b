// One JSON reader for every file the simulator loads. nlohmann's parser is iterative, but its
// dump() and our error paths are recursive, so nesting is bounded before parsing; keys are
// checked for repeats through the parser's callback (the library keeps the last one silently).
#include "opusim/physics/json_file.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

namespace opusim::physics {
namespace {

using nlohmann::json;

// The deepest nesting of objects and arrays in TEXT, stopping once it exceeds LIMIT; brackets
// inside strings do not count.
std::size_t nesting_depth(const std::string& text, std::size_t limit) {
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
            if (deepest > limit) return deepest;
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

// Refuses a key seen twice in the same object (RFC 8259 leaves it undefined; a profile with two
// values for one key is a mistake either way).
class DuplicateKeyCheck {
  public:
    explicit DuplicateKeyCheck(std::string source) : source_(std::move(source)) {}

    bool operator()(int, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
                keys_.emplace_back();
                break;
            case json::parse_event_t::object_end:
                if (!keys_.empty()) keys_.pop_back();
                break;
            case json::parse_event_t::key: {
                const auto& key = parsed.get_ref<const std::string&>();
                if (!keys_.empty() && !keys_.back().insert(key).second) {
                    throw JsonFileError(source_ + ": key \"" + key +
                                        "\" appears twice in one object (each key once)");
                }
                break;
            }
            default:
                break;
        }
        return true;
    }

  private:
    std::string source_;
    std::vector<std::set<std::string>> keys_;
};

// The library's message without its "[json.exception.parse_error.101] " tag.
std::string without_library_tag(const std::string& message) {
    if (message.rfind("[json.exception.", 0) != 0) return message;
    const auto end = message.find("] ");
    return end == std::string::npos ? message : message.substr(end + 2);
}

}  // namespace

json parse_json_text(const std::string& text, const std::string& source, const JsonLimits& limits) {
    if (text.size() > limits.max_bytes) {
        throw JsonFileError(source + ": " + std::to_string(text.size()) +
                            " bytes, expected at most " + std::to_string(limits.max_bytes));
    }
    if (nesting_depth(text, limits.max_depth) > limits.max_depth) {
        throw JsonFileError(source + ": objects and arrays nested deeper than " +
                            std::to_string(limits.max_depth) + " levels");
    }
    try {
        return json::parse(text, DuplicateKeyCheck(source));
    } catch (const json::exception& error) {  // out_of_range 406: a number a double cannot hold
        throw JsonFileError(source + ": not valid JSON: " + without_library_tag(error.what()));
    }
}

json read_json_file(const std::filesystem::path& path, const JsonLimits& limits) {
    const std::string name = path.string();
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (error || !std::filesystem::exists(status)) {
        throw JsonFileError(name + ": no such file");
    }
    if (std::filesystem::is_directory(status)) {
        throw JsonFileError(name + ": is a folder, expected a JSON file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw JsonFileError(name + ": cannot open the file");
    // Read at most one byte beyond the limit: a larger file (or an endless pipe) stops there.
    std::string text(limits.max_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) throw JsonFileError(name + ": cannot read the file");
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > limits.max_bytes) {
        throw JsonFileError(name + ": larger than " + std::to_string(limits.max_bytes) +
                            " bytes, expected a small JSON file");
    }
    return parse_json_text(text, name, limits);
}

std::string json_excerpt(const json& value, std::size_t max_chars) {
    // Containers are described, not printed: printing recurses, and the value may come from code
    // rather than from a depth-checked file.
    if (value.is_object()) return "an object of " + std::to_string(value.size()) + " keys";
    if (value.is_array()) return "an array of " + std::to_string(value.size()) + " values";
    std::string text = value.dump();
    if (text.size() > max_chars) text = text.substr(0, max_chars) + "...";
    return text;
}

}  // namespace opusim::physics
