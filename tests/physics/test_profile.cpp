// Device profiles: the built-in profiles load, round-trip, and every kind of bad value is
// rejected with an error that names the key and what was expected.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "opusim/physics/profile.hpp"

namespace opusim::physics {
namespace {

using nlohmann::json;

json gen2_json() {
    return DeviceProfile::load("gen2").to_json();
}

// Expects from_json(DOCUMENT) to throw a ProfileError whose message contains every NEEDLE.
void expect_rejected(const json& document, std::initializer_list<std::string> needles) {
    try {
        DeviceProfile::from_json(document);
        ADD_FAILURE() << "accepted a bad profile; expected an error mentioning "
                      << *needles.begin();
    } catch (const ProfileError& error) {
        const std::string message = error.what();
        for (const auto& needle : needles) {
            EXPECT_NE(message.find(needle), std::string::npos)
                << "message '" << message << "' lacks '" << needle << "'";
        }
    }
}

TEST(Profile, BuiltinGen2LoadsWithOpuMdValues) {
    const auto p = DeviceProfile::load("gen2");
    EXPECT_EQ(p.name, "gen2");
    EXPECT_EQ(p.dmd.mirrors(), 1039680u);
    EXPECT_EQ(p.camera.width, 2040u);
    EXPECT_EQ(p.camera.height, 1088u);
    EXPECT_EQ(p.camera.bits, 8u);
    EXPECT_NEAR(p.camera.system_gain_dn_per_electron, 255.0 / 13500.0, 1e-5);
    EXPECT_LE(p.camera.row_time_us * p.camera.height + p.camera.frame_overhead_us,
              p.camera.frametime_us);  // 2 kHz at any ROI (device.md section 6)
    EXPECT_DOUBLE_EQ(p.link.bandwidth_gb_per_s, 1.6);
    EXPECT_FALSE(p.description.empty());
}

TEST(Profile, BuiltinGen3LoadsAndHasFasterLink) {
    const auto gen2 = DeviceProfile::load("gen2");
    const auto gen3 = DeviceProfile::load("gen3");
    EXPECT_EQ(gen3.name, "gen3");
    EXPECT_GT(gen3.link.bandwidth_gb_per_s, gen2.link.bandwidth_gb_per_s);
    EXPECT_LT(gen3.camera.frametime_us, gen2.camera.frametime_us);
}

// Photon scale rule of docs/reference/device.md §6: half the mirrors lit at the default exposure
// gives a mean near full scale / 7 (mean intensity = lit mirrors in units E|R|^2 = 1).
TEST(Profile, PhotonScaleGivesSeventhOfFullScaleForHalfLitInput) {
    for (const char* name : {"gen2", "gen3"}) {
        const auto p = DeviceProfile::load(name);
        const double lit = static_cast<double>(p.dmd.mirrors()) / 2;
        const double electrons = lit * p.camera.exposure_us *
                                 p.medium.photons_per_unit_intensity_per_us *
                                 p.camera.quantum_efficiency;
        const double mean_dn = electrons * p.camera.system_gain_dn_per_electron;
        EXPECT_NEAR(mean_dn, 255.0 / 7, 0.5) << name;
    }
}

TEST(Profile, JsonRoundTripIsExact) {
    const auto document = gen2_json();
    EXPECT_EQ(DeviceProfile::from_json(document).to_json(), document);
}

TEST(Profile, LoadByPathAndUnknownName) {
    const auto path = std::filesystem::path(OPUSIM_PROFILE_DIR) / "gen3.json";
    EXPECT_EQ(DeviceProfile::load(path.string()).name, "gen3");
    try {
        DeviceProfile::load("gen9");
        ADD_FAILURE() << "gen9 loaded";
    } catch (const ProfileError& error) {
        EXPECT_NE(std::string(error.what()).find("gen2"), std::string::npos) << error.what();
    }
    EXPECT_THROW(DeviceProfile::load("/nonexistent/x.json"), ProfileError);
}

TEST(Profile, BadJsonFileNamesTheFile) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("opusim_bad_profile_" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << "{ \"name\": ";
    try {
        DeviceProfile::load(path.string());
        ADD_FAILURE() << "truncated JSON accepted";
    } catch (const ProfileError& error) {
        EXPECT_NE(std::string(error.what()).find(path.filename().string()), std::string::npos);
    }
    std::filesystem::remove(path);
}

// Writes TEXT to a profile file of this test, loads it, and expects a ProfileError naming the
// file and containing NEEDLE.
void expect_file_rejected(const std::string& text, const std::string& needle) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("opusim_profile_" + std::to_string(::getpid()) + "_" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json");
    std::ofstream(path) << text;
    try {
        DeviceProfile::load(path.string());
        ADD_FAILURE() << "accepted; expected an error mentioning " << needle;
    } catch (const ProfileError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find(path.string()), std::string::npos) << message;
        EXPECT_NE(message.find(needle), std::string::npos) << message;
    }
    std::filesystem::remove(path);
}

// Issue 13, finding 2: any depth is refused with a clear error, not a stack overflow.
TEST(Profile, DeeplyNestedJsonIsRefusedBeforeParsing) {
    expect_file_rejected(std::string(200000, '[') + std::string(200000, ']'), "nested deeper");
    std::string objects;
    for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
    expect_file_rejected(objects + "1" + std::string(100000, '}'), "nested deeper");
    // Brackets inside strings are text, not nesting.
    auto document = gen2_json();
    document["description"] = std::string(1000, '[');
    expect_file_rejected(document.dump() + " x", "not valid JSON");
}

// Finding 14: the errors of a bad file are worded like every other profile error.
TEST(Profile, DuplicateKeysOverflowAndFoldersAreClearErrors) {
    expect_file_rejected(R"({"name": "a", "name": "b"})", "\"name\" appears twice");
    expect_file_rejected(R"({"name": "a", "dmd": {"rows": 1, "rows": 2}})",
                         "\"rows\" appears twice");
    expect_file_rejected(R"({"name": 1e400})", "number overflow");
    try {
        DeviceProfile::load(std::filesystem::temp_directory_path().string() + "/");
        ADD_FAILURE() << "a folder loaded as a profile";
    } catch (const ProfileError& error) {
        EXPECT_NE(std::string(error.what()).find("is a folder"), std::string::npos) << error.what();
    }
}

// The value printed in an error is cut short, and containers are described, not printed.
TEST(Profile, ErrorsQuoteValuesBriefly) {
    auto document = gen2_json();
    document["camera"]["bits"] = std::string(10000, 'x');
    expect_rejected(document, {"camera.bits", "..."});
    document = gen2_json();
    document["camera"]["bits"] = json::array({1, 2, 3});
    expect_rejected(document, {"camera.bits", "an array of 3 values"});
}

TEST(Profile, EnvironmentOverridesProfileFolder) {
    ::setenv("OPUSIM_PROFILE_PATH", "/some/where", 1);
    EXPECT_EQ(builtin_profile_dir(), std::filesystem::path("/some/where"));
    ::unsetenv("OPUSIM_PROFILE_PATH");
    EXPECT_TRUE(std::filesystem::exists(builtin_profile_dir() / "gen2.json"));
}

TEST(Profile, BuiltinFolderIsFoundBesideTheLibraryNotInTheSourceTree) {
    ::unsetenv("OPUSIM_PROFILE_PATH");
    const auto dir = builtin_profile_dir();
    // The build tree has the install layout: <build>/<libdir>/../share/opusim/profiles.
    EXPECT_EQ(dir.filename(), "profiles");
    EXPECT_EQ(dir.parent_path().filename(), "opusim");
    EXPECT_NE(std::filesystem::weakly_canonical(dir),
              std::filesystem::weakly_canonical(OPUSIM_PROFILE_DIR));
    EXPECT_TRUE(std::filesystem::exists(dir / "gen3.json"));
}

TEST(Profile, UnknownBuiltinNameSaysWhereItLookedAndHowToLookElsewhere) {
    const auto check_message = [](const std::string& expected_dir, const std::string& expected) {
        try {
            DeviceProfile::load("gen9");
            ADD_FAILURE() << "unknown built-in profile accepted";
        } catch (const ProfileError& error) {
            const std::string message = error.what();
            EXPECT_NE(message.find("'gen9'"), std::string::npos) << message;
            EXPECT_NE(message.find(expected_dir), std::string::npos) << message;
            EXPECT_NE(message.find(expected), std::string::npos) << message;
        }
    };
    ::unsetenv("OPUSIM_PROFILE_PATH");
    check_message(builtin_profile_dir().string(), "set $OPUSIM_PROFILE_PATH");
    const auto empty_dir = std::filesystem::temp_directory_path() / "opusim_no_profiles_here";
    std::filesystem::create_directories(empty_dir);
    ::setenv("OPUSIM_PROFILE_PATH", empty_dir.c_str(), 1);
    check_message(empty_dir.string(), "(from $OPUSIM_PROFILE_PATH)");
    ::unsetenv("OPUSIM_PROFILE_PATH");
    std::filesystem::remove(empty_dir);
}

TEST(Profile, BitsMustBeAnAdcDepth) {
    auto document = gen2_json();
    document["camera"]["bits"] = 9;
    expect_rejected(document, {"camera.bits: expected one of 8, 10, 12, got 9"});
}

TEST(Profile, BusWidthIsOptionalIgnoredAndStillChecked) {
    auto document = gen2_json();
    ASSERT_FALSE(document["controller"].contains("bus_width_bytes"));  // not written: unused
    EXPECT_NO_THROW(DeviceProfile::from_json(document));
    document["controller"]["bus_width_bytes"] = 64;  // as older profiles state it
    EXPECT_EQ(DeviceProfile::from_json(document).to_json(), gen2_json());
    document["controller"]["bus_width_bytes"] = 0;
    expect_rejected(document, {"controller.bus_width_bytes", "whole number >= 1"});
}

TEST(Profile, UnknownKeysAreNamed) {
    auto document = gen2_json();
    document["camera"]["quantum_effciency"] = 0.5;  // a typo
    expect_rejected(document, {"camera.quantum_effciency", "unknown key"});
    document = gen2_json();
    document["lnk"] = json::object();
    expect_rejected(document, {"lnk", "unknown key"});
}

TEST(Profile, MissingKeysAndSectionsAreNamed) {
    auto document = gen2_json();
    document["dmd"].erase("rows");
    expect_rejected(document, {"dmd.rows", "missing"});
    document = gen2_json();
    document.erase("controller");
    expect_rejected(document, {"controller", "missing"});
    document = gen2_json();
    document["link"] = 3;
    expect_rejected(document, {"link", "expected an object"});
}

struct BadValue {
    const char* section;
    const char* key;
    json value;
    const char* expectation;
};

TEST(Profile, OutOfRangeValuesAreNamedWithTheirExpectation) {
    const BadValue cases[] = {
        {"camera", "quantum_efficiency", 0.0, "> 0 and <= 1"},
        {"camera", "quantum_efficiency", 1.5, "> 0 and <= 1"},
        {"camera", "system_gain_dn_per_electron", -0.1, "> 0"},
        {"camera", "full_well_electrons", "big", "a number"},
        {"camera", "read_noise_electrons", -1, ">= 0"},
        {"camera", "width", 0, ">= 1"},
        {"camera", "height", 10.5, "whole number"},
        {"camera", "roi_strategy", "middle", "mid_width"},
        {"camera", "prnu_percent", 100, "< 100"},
        {"camera", "laser_power_fluctuation", 1.0, "< 1"},
        {"camera", "offset_dn", 255, "< the ADC maximum"},
        {"camera", "exposure_us", 5, "within"},
        {"camera", "frametime_us", 100, ">= camera.exposure_us"},
        {"camera", "roi_increment", 5000, "<= min(camera.width"},
        // Beyond the 32-bit nanosecond register: 1e300 was accepted and reached the camera's float
        // pipeline (garbage frames) or the device (BAD_CONFIG).
        {"camera", "max_exposure_us", 1e300, "<= 4294967.295"},
        {"camera", "frametime_us", 5e6, "<= 4294967.295"},
        // The camera computes in float: 1e300 gave NaN frames (half saturated, half zero).
        {"camera", "dark_current_electrons_per_s", 1e300, "<= 1e+15"},
        {"camera", "read_noise_electrons", 1e300, "<= 1e+15"},
        {"medium", "photons_per_unit_intensity_per_us", 1e300, "<= 1e+15"},
        {"dmd", "columns", -3, ">= 1"},
        {"dmd", "contrast_ratio", 0.5, ">= 1"},
        {"dmd", "ones_max", 2000000, "<= the mirror count"},
        {"dmd", "ones_min", 2000000, "<= dmd.ones_max"},
        {"medium", "storage", "int4", "\"int8\""},
        {"medium", "photons_per_unit_intensity_per_us", 0, "> 0"},
        {"medium", "seed", -1, "whole number"},
        {"link", "bandwidth_gb_per_s", 0, "> 0"},
        {"link", "name", 7, "a string"},
        {"controller", "clock_mhz", -250, "> 0"},
        {"controller", "input_buffer_frames", 0, ">= 1"},
    };
    for (const auto& bad : cases) {
        auto document = gen2_json();
        document[bad.section][bad.key] = bad.value;
        SCOPED_TRACE(std::string(bad.section) + "." + bad.key);
        expect_rejected(document, {std::string(bad.section) + "." + bad.key, bad.expectation});
    }
}

TEST(Profile, NameMustBeNonEmptyString) {
    auto document = gen2_json();
    document["name"] = "";
    expect_rejected(document, {"name", "non-empty"});
    document["name"] = 2;
    expect_rejected(document, {"name", "a string"});
}


// Issue 12 item 8: the optional power section (docs/device-physics.md "Power").
TEST(Profile, PowerSectionIsOptionalCheckedAndRoundTrips) {
    const auto gen2 = DeviceProfile::load("gen2");
    ASSERT_TRUE(gen2.power.has_value());
    EXPECT_DOUBLE_EQ(gen2.power->total_w(), 30.0);
    auto document = gen2.to_json();
    EXPECT_EQ(DeviceProfile::from_json(document).to_json(), document);
    document.erase("power");
    EXPECT_FALSE(DeviceProfile::from_json(document).power.has_value());
    EXPECT_FALSE(DeviceProfile::from_json(document).to_json().contains("power"));
    document = gen2.to_json();
    document["power"]["laser_w"] = -1;
    try {
        DeviceProfile::from_json(document);
        ADD_FAILURE() << "a negative power loaded";
    } catch (const ProfileError& error) {
        EXPECT_NE(std::string(error.what()).find("power.laser_w"), std::string::npos)
            << error.what();
    }
}

}  // namespace
}  // namespace opusim::physics
