// Device profiles: JSON <-> DeviceProfile with strict validation.
//
// Every field is described once, in a `describe_*` function that hands (key, field, constraint)
// to a visitor. The reader visitor parses and checks, the writer visitor serialises, so the key
// list cannot drift between the two directions. Every key is required and unknown keys are
// rejected: a typo in a profile must fail loudly, never fall back to a default.
#include "opusim/physics/profile.hpp"

#include "opusim/physics/json_file.hpp"

#include <dlfcn.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

namespace opusim::physics {
namespace {

using nlohmann::json;

std::string format_number(double value) {
    std::ostringstream out;
    out.precision(12);
    out << value;
    return out.str();
}

// A closed/open interval of allowed values, described in error messages.
struct Bounds {
    double min = -std::numeric_limits<double>::infinity();
    bool min_inclusive = true;
    double max = std::numeric_limits<double>::infinity();
    bool max_inclusive = true;

    bool contains(double value) const {
        if (!std::isfinite(value)) return false;
        const bool above = min_inclusive ? value >= min : value > min;
        const bool below = max_inclusive ? value <= max : value < max;
        return above && below;
    }
    std::string describe() const {
        std::string text;
        if (std::isfinite(min)) text += (min_inclusive ? ">= " : "> ") + format_number(min);
        if (std::isfinite(max)) {
            if (!text.empty()) text += " and ";
            text += (max_inclusive ? "<= " : "< ") + format_number(max);
        }
        return text.empty() ? "finite" : text;
    }
};

Bounds positive() {
    return {0, false};
}
Bounds non_negative() {
    return {0, true};
}
Bounds at_least(double min) {
    return {min, true};
}
Bounds between(double min, double max) {
    return {min, true, max, true};
}
// Physical camera and medium figures are at most 1e15 (real ones are below 1e5): the camera
// computes in float, and with exposures up to 4.3e9 us larger values overflow to inf/NaN frames.
Bounds float_safe_positive() {
    return {0, false, 1e15, true};
}
Bounds float_safe_non_negative() {
    return {0, true, 1e15, true};
}
// Exposure and frame period reach the device as 32-bit nanosecond registers: (2^32 - 1) ns.
Bounds register_microseconds() {
    return {0, false, 4294967.295, true};
}

// Parses one JSON object section, remembering which keys were consumed.
class SectionReader {
  public:
    SectionReader(const json& object, std::string prefix)
        : object_(object), prefix_(std::move(prefix)) {}

    void number(const char* key, double& field, Bounds bounds) {
        const json& value = require(key);
        if (!value.is_number()) fail(key, "a number " + bounds.describe(), value);
        const double parsed = value.get<double>();
        if (!bounds.contains(parsed)) fail(key, "a number " + bounds.describe(), value);
        field = parsed;
    }

    template <class Integer>
    void integer(const char* key, Integer& field, Bounds bounds) {
        const json& value = require(key);
        const std::string expected = "a whole number " + bounds.describe();
        if (!value.is_number_integer()) fail(key, expected, value);
        if (value.is_number_unsigned()) {
            const auto parsed = value.get<std::uint64_t>();
            if (parsed > std::numeric_limits<Integer>::max() ||
                !bounds.contains(static_cast<double>(parsed))) {
                fail(key, expected, value);
            }
            field = static_cast<Integer>(parsed);
        } else {
            const auto parsed = value.get<std::int64_t>();
            if (parsed < 0 || !bounds.contains(static_cast<double>(parsed))) {
                fail(key, expected, value);
            }
            field = static_cast<Integer>(parsed);
        }
    }

    template <class Integer>
    void integer_choice(const char* key, Integer& field, const std::vector<Integer>& choices) {
        const json& value = require(key);
        std::string expected = "one of ";
        for (std::size_t i = 0; i < choices.size(); ++i) {
            expected += (i ? ", " : "") + std::to_string(choices[i]);
        }
        if (!value.is_number_integer()) fail(key, expected, value);
        const auto parsed = value.get<std::int64_t>();
        for (const auto choice : choices) {
            if (parsed == static_cast<std::int64_t>(choice)) {
                field = choice;
                return;
            }
        }
        fail(key, expected, value);
    }

    void text(const char* key, std::string& field, const std::vector<std::string>& choices) {
        const json& value = require(key);
        std::string expected = "a string";
        if (!choices.empty()) {
            expected = "one of ";
            for (std::size_t i = 0; i < choices.size(); ++i) {
                expected += (i ? ", \"" : "\"") + choices[i] + "\"";
            }
        }
        if (!value.is_string()) fail(key, expected, value);
        const auto parsed = value.get<std::string>();
        if (!choices.empty()) {
            bool found = false;
            for (const auto& choice : choices) found = found || choice == parsed;
            if (!found) fail(key, expected, value);
        }
        field = parsed;
    }

    // A key older profiles carry and the model ignores: accepted when absent, checked when
    // present (a whole number within BOUNDS), and read into nothing.
    // A key a profile may leave out (FIELD keeps its default then).
    void optional_number(const char* key, double& field, Bounds bounds) {
        if (object_.find(key) == object_.end()) {
            consumed_.insert(key);
            return;
        }
        number(key, field, bounds);
    }

    void ignored_integer(const char* key, Bounds bounds) {
        consumed_.insert(key);
        if (object_.find(key) == object_.end()) return;
        std::uint64_t unused = 0;
        integer(key, unused, bounds);
    }

    // Every key of the object that no field consumed is an error (typos must not pass).
    void reject_unknown_keys() const {
        for (const auto& item : object_.items()) {
            if (consumed_.count(item.key()) == 0) {
                throw ProfileError(prefix_ + item.key() +
                                   ": unknown key (known keys: " + known_keys() + ")");
            }
        }
    }

  private:
    const json& require(const char* key) {
        consumed_.insert(key);
        const auto found = object_.find(key);
        if (found == object_.end()) {
            throw ProfileError(prefix_ + key + ": missing (every profile key is required)");
        }
        return *found;
    }
    [[noreturn]] void fail(const char* key, const std::string& expected, const json& got) const {
        throw ProfileError(prefix_ + key + ": expected " + expected + ", got " + json_excerpt(got));
    }
    std::string known_keys() const {
        std::string text;
        for (const auto& key : consumed_) text += (text.empty() ? "" : ", ") + key;
        return text;
    }

    const json& object_;
    std::string prefix_;
    std::set<std::string> consumed_;
};

// Serialises fields with the same describe_* functions; constraints are ignored.
class SectionWriter {
  public:
    explicit SectionWriter(json& object, bool with_optional_keys = false)
        : object_(object), with_optional_keys_(with_optional_keys) {}
    void number(const char* key, const double& field, Bounds) { object_[key] = field; }
    template <class Integer>
    void integer(const char* key, const Integer& field, Bounds) {
        object_[key] = field;
    }
    template <class Integer>
    void integer_choice(const char* key, const Integer& field, const std::vector<Integer>&) {
        object_[key] = field;
    }
    void ignored_integer(const char*, Bounds) {}  // not written: nothing reads it
    // Written only when set, so profiles without the key print as before.
    void optional_number(const char* key, const double& field, Bounds) {
        if (field != 0 || with_optional_keys_) object_[key] = field;
    }
    void text(const char* key, const std::string& field, const std::vector<std::string>&) {
        object_[key] = field;
    }

  private:
    json& object_;
    bool with_optional_keys_;
};

// The field lists. P is the params struct (const for writing), V the visitor.
template <class P, class V>
void describe_dmd(P& p, V& v) {
    v.integer("columns", p.columns, at_least(1));
    v.integer("rows", p.rows, at_least(1));
    v.number("contrast_ratio", p.contrast_ratio, at_least(1));
    v.integer("ones_min", p.ones_min, non_negative());
    v.integer("ones_max", p.ones_max, at_least(1));
    v.number("load_clock_mhz", p.load_clock_mhz, positive());
    v.integer("load_clocks_per_row", p.load_clocks_per_row, at_least(1));
    v.number("settle_us", p.settle_us, non_negative());
    v.number("min_display_us", p.min_display_us, non_negative());
}

template <class P, class V>
void describe_medium(P& p, V& v) {
    v.integer("seed", p.seed, non_negative());
    v.text("storage", p.storage, {"int8", "float32"});
    // 127 / steps is where the int8 grid clips; below 2 steps per unit the grid is too coarse to
    // call the entries Gaussian, above 127 it clips inside one standard deviation.
    v.number("int8_steps_per_unit", p.int8_steps_per_unit, between(2, 127));
    v.number("photons_per_unit_intensity_per_us", p.photons_per_unit_intensity_per_us,
             float_safe_positive());
    v.integer("tile_memory_mb", p.tile_memory_mb, at_least(1));
    // Optional: absent or 0 keeps the medium fixed (docs/device-physics.md "Medium drift").
    v.optional_number("decorrelation_time_s", p.decorrelation_time_s, float_safe_non_negative());
}

template <class P, class V>
void describe_camera(P& p, V& v) {
    v.integer("width", p.width, at_least(1));
    v.integer("height", p.height, at_least(1));
    v.integer_choice("bits", p.bits, std::vector<std::uint32_t>{8, 10, 12});
    v.number("quantum_efficiency", p.quantum_efficiency, Bounds{0, false, 1, true});
    v.number("system_gain_dn_per_electron", p.system_gain_dn_per_electron, float_safe_positive());
    v.number("full_well_electrons", p.full_well_electrons, float_safe_positive());
    v.number("read_noise_electrons", p.read_noise_electrons, float_safe_non_negative());
    v.number("dark_current_electrons_per_s", p.dark_current_electrons_per_s,
             float_safe_non_negative());
    v.number("offset_dn", p.offset_dn, non_negative());
    v.number("prnu_percent", p.prnu_percent, Bounds{0, true, 100, false});
    v.number("dsnu_electrons", p.dsnu_electrons, float_safe_non_negative());
    v.number("laser_power_fluctuation", p.laser_power_fluctuation, Bounds{0, true, 1, false});
    v.integer("noise_seed", p.noise_seed, non_negative());
    v.text("roi_strategy", p.roi_strategy, {"mid_width", "mid_square"});
    v.integer("roi_increment", p.roi_increment, at_least(1));
    v.number("row_time_us", p.row_time_us, positive());
    v.number("frame_overhead_us", p.frame_overhead_us, non_negative());
    v.number("trigger_latency_us", p.trigger_latency_us, non_negative());
    v.number("exposure_us", p.exposure_us, register_microseconds());
    v.number("frametime_us", p.frametime_us, register_microseconds());
    v.number("min_exposure_us", p.min_exposure_us, register_microseconds());
    v.number("max_exposure_us", p.max_exposure_us, register_microseconds());
}

template <class P, class V>
void describe_link(P& p, V& v) {
    v.text("name", p.name, {});
    v.number("bandwidth_gb_per_s", p.bandwidth_gb_per_s, positive());
    v.number("latency_us", p.latency_us, non_negative());
    v.number("software_overhead_us", p.software_overhead_us, non_negative());
    v.integer("max_transfer_bytes", p.max_transfer_bytes, at_least(1));
}

template <class P, class V>
void describe_controller(P& p, V& v) {
    v.number("clock_mhz", p.clock_mhz, positive());
    v.integer("input_buffer_frames", p.input_buffer_frames, at_least(1));
    v.integer("output_buffer_frames", p.output_buffer_frames, at_least(1));
    v.integer("register_access_cycles", p.register_access_cycles, at_least(1));
    // bus_width_bytes: the internal datapath width, never used by the model (transfers are timed
    // by the link); optional so that profiles which state it still load.
    v.ignored_integer("bus_width_bytes", at_least(1));
}

// Watts, bounded so that milliwatts fit the 32-bit CAP_POWER_* registers.
template <class P, class V>
void describe_power(P& p, V& v) {
    v.number("laser_w", p.laser_w, between(0, 1e6));
    v.number("dmd_w", p.dmd_w, between(0, 1e6));
    v.number("camera_w", p.camera_w, between(0, 1e6));
    v.number("controller_w", p.controller_w, between(0, 1e6));
    v.number("link_w", p.link_w, between(0, 1e6));
}

// Fractions below 1 (each a share of the mirrors or pixels); a lag of a few frames at most.
template <class P, class V>
void describe_defects(P& p, V& v) {
    v.number("stuck_mirror_fraction", p.stuck_mirror_fraction, Bounds{0, true, 1, false});
    v.number("hot_pixel_fraction", p.hot_pixel_fraction, Bounds{0, true, 1, false});
    v.number("dead_pixel_fraction", p.dead_pixel_fraction, Bounds{0, true, 1, false});
    v.integer("trigger_lag_frames", p.trigger_lag_frames, between(0, 4));
}

template <class P, class Describe>
void read_section(const json& document, const char* section, P& params, Describe describe) {
    const auto found = document.find(section);
    if (found == document.end()) {
        throw ProfileError(std::string(section) + ": missing section");
    }
    if (!found->is_object()) {
        throw ProfileError(std::string(section) + ": expected an object, got " +
                           json_excerpt(*found));
    }
    SectionReader reader(*found, std::string(section) + ".");
    describe(params, reader);
    reader.reject_unknown_keys();
}

template <class P, class Describe>
void write_section(json& document, const char* section, const P& params, Describe describe,
                   bool with_optional_keys = false) {
    json object = json::object();
    SectionWriter writer(object, with_optional_keys);
    describe(params, writer);
    document[section] = std::move(object);
}

[[noreturn]] void fail_relation(const std::string& key, const std::string& expected, double got) {
    throw ProfileError(key + ": expected " + expected + ", got " + format_number(got));
}

// Checks that involve more than one key.
void check_relations(const DeviceProfile& p) {
    const auto mirrors = static_cast<double>(p.dmd.mirrors());
    if (static_cast<double>(p.dmd.ones_max) > mirrors) {
        fail_relation("dmd.ones_max",
                      "<= the mirror count columns x rows (" + format_number(mirrors) + ")",
                      static_cast<double>(p.dmd.ones_max));
    }
    if (p.dmd.ones_min > p.dmd.ones_max) {
        fail_relation("dmd.ones_min", "<= dmd.ones_max (" + std::to_string(p.dmd.ones_max) + ")",
                      static_cast<double>(p.dmd.ones_min));
    }
    const double max_dn = std::ldexp(1.0, static_cast<int>(p.camera.bits)) - 1;
    if (p.camera.offset_dn >= max_dn) {
        fail_relation("camera.offset_dn",
                      "< the ADC maximum 2^bits - 1 (" + format_number(max_dn) + ")",
                      p.camera.offset_dn);
    }
    if (p.camera.roi_increment > std::min(p.camera.width, p.camera.height)) {
        fail_relation("camera.roi_increment", "<= min(camera.width, camera.height)",
                      p.camera.roi_increment);
    }
    if (p.camera.min_exposure_us > p.camera.max_exposure_us) {
        fail_relation("camera.min_exposure_us",
                      "<= camera.max_exposure_us (" + format_number(p.camera.max_exposure_us) + ")",
                      p.camera.min_exposure_us);
    }
    if (p.camera.exposure_us < p.camera.min_exposure_us ||
        p.camera.exposure_us > p.camera.max_exposure_us) {
        fail_relation("camera.exposure_us",
                      "within [camera.min_exposure_us, camera.max_exposure_us] = [" +
                          format_number(p.camera.min_exposure_us) + ", " +
                          format_number(p.camera.max_exposure_us) + "]",
                      p.camera.exposure_us);
    }
    if (p.camera.frametime_us < p.camera.exposure_us) {
        fail_relation("camera.frametime_us",
                      ">= camera.exposure_us (" + format_number(p.camera.exposure_us) + ")",
                      p.camera.frametime_us);
    }
}

const char* const kSections[] = {"dmd",        "medium", "camera", "link",
                                 "controller", "power",  "defects"};

constexpr const char* kProfilePathVariable = "OPUSIM_PROFILE_PATH";

// $OPUSIM_PROFILE_PATH, or empty when it is unset or empty.
std::string profile_path_override() {
    const char* value = std::getenv(kProfilePathVariable);
    return value == nullptr ? std::string{} : std::string(value);
}

// The file this library was loaded from (libopusim_physics.so.N), found by asking the dynamic
// loader which object holds one of our own functions; empty if it cannot say.
std::filesystem::path this_library_path() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void*>(&builtin_profile_dir), &info) == 0 ||
        info.dli_fname == nullptr) {
        return {};
    }
    return std::filesystem::path(info.dli_fname);
}

// Where the built-in profiles are when no override is set: <libdir>/OPUSIM_LIBDIR_TO_PROFILES
// (e.g. <prefix>/lib/../share/opusim/profiles), the same relative place in an install prefix and
// in the build tree. No absolute path is compiled in, so the prefix can move.
std::filesystem::path profiles_beside_library() {
    const auto library = this_library_path();
    if (library.empty()) return {};
    // Resolved, so a symlink to the library (or to its folder) leads to the real install.
    std::error_code error;
    auto resolved = std::filesystem::weakly_canonical(library, error);
    if (error) resolved = library;
    return (resolved.parent_path() / OPUSIM_LIBDIR_TO_PROFILES).lexically_normal();
}

// For error messages: which rule chose DIR, and how to choose another folder.
std::string where_profiles_are_looked_for(const std::filesystem::path& dir) {
    if (!profile_path_override().empty()) {
        return dir.string() + " (from $" + kProfilePathVariable + ")";
    }
    if (dir.empty()) {
        return std::string(
                   "no folder: the dynamic loader did not say where the opusim physics "
                   "library is; set $") +
               kProfilePathVariable + " to the profiles folder";
    }
    return dir.string() + " (the profiles installed with " +
           this_library_path().filename().string() + "; set $" + kProfilePathVariable +
           " to use another folder)";
}

bool looks_like_path(const std::string& text) {
    return text.find('/') != std::string::npos ||
           std::filesystem::path(text).extension() == ".json";
}

std::string available_profiles(const std::filesystem::path& dir) {
    std::set<std::string> names;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
        if (entry.path().extension() == ".json") names.insert(entry.path().stem().string());
    }
    std::string text;
    for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
    return text.empty() ? "none found" : text;
}

}  // namespace

DeviceProfile DeviceProfile::from_json(const nlohmann::json& document) {
    if (!document.is_object()) {
        throw ProfileError("profile: expected a JSON object, got " + json_excerpt(document));
    }
    DeviceProfile profile;
    SectionReader top(document, "");
    const std::vector<std::string> any;
    top.text("name", profile.name, any);
    if (profile.name.empty()) throw ProfileError("name: expected a non-empty string, got \"\"");
    top.text("description", profile.description, any);
    read_section(document, "dmd", profile.dmd, [](auto& p, auto& v) { describe_dmd(p, v); });
    read_section(document, "medium", profile.medium,
                 [](auto& p, auto& v) { describe_medium(p, v); });
    read_section(document, "camera", profile.camera,
                 [](auto& p, auto& v) { describe_camera(p, v); });
    read_section(document, "link", profile.link, [](auto& p, auto& v) { describe_link(p, v); });
    read_section(document, "controller", profile.controller,
                 [](auto& p, auto& v) { describe_controller(p, v); });
    if (document.contains("power")) {  // optional: profiles without it state no power
        profile.power.emplace();
        read_section(document, "power", *profile.power,
                     [](auto& p, auto& v) { describe_power(p, v); });
    }
    if (document.contains("defects")) {  // optional: absent means a device without defects
        read_section(document, "defects", profile.defects,
                     [](auto& p, auto& v) { describe_defects(p, v); });
        if (profile.defects.hot_pixel_fraction + profile.defects.dead_pixel_fraction >= 1) {
            fail_relation("defects.dead_pixel_fraction", "< 1 - defects.hot_pixel_fraction",
                          profile.defects.dead_pixel_fraction);
        }
    }
    // "version": the opusim release that printed the profile (`opusim profile show --json`);
    // informational, so a printed profile loads again.
    if (document.contains("version") && !document.at("version").is_string()) {
        throw ProfileError("version: expected a string (the opusim release that wrote it)");
    }
    for (const auto& item : document.items()) {
        bool known = item.key() == "name" || item.key() == "description" || item.key() == "version";
        for (const char* section : kSections) known = known || item.key() == section;
        if (!known) {
            throw ProfileError(item.key() +
                               ": unknown key (known top-level keys: name, description, dmd, "
                               "medium, camera, link, controller, power, defects, version)");
        }
    }
    check_relations(profile);
    return profile;
}

nlohmann::json DeviceProfile::to_json(bool with_optional_keys) const {
    json document = json::object();
    document["name"] = name;
    document["description"] = description;
    write_section(document, "dmd", dmd, [](auto& p, auto& v) { describe_dmd(p, v); });
    write_section(
        document, "medium", medium, [](auto& p, auto& v) { describe_medium(p, v); },
        with_optional_keys);
    write_section(document, "camera", camera, [](auto& p, auto& v) { describe_camera(p, v); });
    write_section(document, "link", link, [](auto& p, auto& v) { describe_link(p, v); });
    write_section(document, "controller", controller,
                  [](auto& p, auto& v) { describe_controller(p, v); });
    if (power) {
        write_section(document, "power", *power, [](auto& p, auto& v) { describe_power(p, v); });
    }
    // Always written (zeros when none), so `set=defects.KEY=VALUE` can turn one on.
    write_section(document, "defects", defects, [](auto& p, auto& v) { describe_defects(p, v); });
    return document;
}

DeviceProfile DeviceProfile::load(const std::string& name_or_path) {
    if (name_or_path.empty()) {
        throw ProfileError("profile: expected a built-in name (e.g. gen2) or a path, got \"\"");
    }
    std::filesystem::path path;
    if (looks_like_path(name_or_path)) {
        path = name_or_path;
    } else {
        const auto dir = builtin_profile_dir();
        path = dir / (name_or_path + ".json");
        if (!std::filesystem::is_regular_file(path)) {
            throw ProfileError("profile '" + name_or_path + "': no such built-in profile in " +
                               where_profiles_are_looked_for(dir) +
                               "; available there: " + available_profiles(dir) +
                               "; give a path to a .json file for your own profile");
        }
    }
    json document;
    try {
        document = read_json_file(path);
    } catch (const JsonFileError& error) {
        throw ProfileError(error.what());
    }
    try {
        return from_json(document);
    } catch (const ProfileError& error) {
        throw ProfileError(path.string() + ": " + error.what());
    }
}

std::filesystem::path builtin_profile_dir() {
    // 1. An explicit override: other profiles, or a copy of the library without its share folder.
    if (const auto override_dir = profile_path_override(); !override_dir.empty()) {
        return std::filesystem::path(override_dir);
    }
    // 2. The folder installed (or copied into the build tree) with this library.
    return profiles_beside_library();
}

}  // namespace opusim::physics
