// The profile check against what the device represents (issue 13, findings 1, 6, 7): the bounds
// come from the register map (a value its register cannot hold) and from the model (FIFO
// history, clock, the time of one frame's stages), and the device refuses exactly what
// `opusim profile show` refuses, since both run model::check_profile_fits_device.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "opusim/driver/device.hpp"
#include "opusim/driver/errors.hpp"
#include "opusim/model/profile_limits.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::model {
namespace {

using nlohmann::json;
using physics::DeviceProfile;
using physics::ProfileError;

// gen2 with EDIT applied, checked; expects a ProfileError containing each NEEDLE.
void expect_refused(const std::function<void(json&)>& edit,
                    std::initializer_list<std::string> needles) {
    json document = DeviceProfile::load("gen2").to_json();
    edit(document);
    const DeviceProfile profile = DeviceProfile::from_json(document);  // physics accepts it
    try {
        check_profile_fits_device(profile);
        ADD_FAILURE() << "accepted; expected " << *needles.begin();
    } catch (const ProfileError& error) {
        for (const auto& needle : needles) {
            EXPECT_NE(std::string(error.what()).find(needle), std::string::npos) << error.what();
        }
    }
}

TEST(ProfileLimits, BuiltinProfilesFit) {
    EXPECT_NO_THROW(check_profile_fits_device(DeviceProfile::load("gen2")));
    EXPECT_NO_THROW(check_profile_fits_device(DeviceProfile::load("gen3")));
}

// Finding 1: a FIFO deeper than the model's history window used to throw inside the SystemC
// thread; the bound is FramePipeline's, and a 16-bit CAP_BUFFER_FRAMES field bounds it too.
TEST(ProfileLimits, FifoDepthsAreBoundedByTheModelAndTheRegister) {
    expect_refused([](json& d) { d["controller"]["input_buffer_frames"] = 5000; },
                   {"controller.input_buffer_frames", "history window"});
    expect_refused([](json& d) { d["controller"]["output_buffer_frames"] = 70000; },
                   {"controller.output_buffer_frames", "16-bit", "CAP_BUFFER_FRAMES"});
}

// Finding 7: mirror and pixel counts beyond 32 bits used to be truncated by the register.
TEST(ProfileLimits, CountsBeyondTheirRegistersAreRefused) {
    expect_refused(
        [](json& d) {
            d["dmd"]["columns"] = 100000;
            d["dmd"]["rows"] = 100000;
        },
        {"dmd.columns x dmd.rows", "CAP_MAX_MIRRORS", "10000000000"});
    expect_refused(
        [](json& d) {
            d["camera"]["width"] = 70000;
            d["camera"]["height"] = 70000;
        },
        {"camera.width x camera.height", "CAP_MAX_PIXELS"});
}

// Finding 6: times so long (or links so slow) that the stages took "zero" time.
TEST(ProfileLimits, StageTimesBeyondTheDevicesFramePeriodAreRefused) {
    expect_refused([](json& d) { d["dmd"]["settle_us"] = 1e300; },
                   {"dmd.settle_us", "FRAMETIME_NS"});
    expect_refused([](json& d) { d["camera"]["row_time_us"] = 1e300; }, {"camera.row_time_us"});
    expect_refused([](json& d) { d["link"]["bandwidth_gb_per_s"] = 1e-300; },
                   {"link.bandwidth_gb_per_s", "input DMA"});
    expect_refused([](json& d) { d["link"]["software_overhead_us"] = 1e10; },
                   {"link.software_overhead_us"});
    expect_refused([](json& d) { d["controller"]["clock_mhz"] = 1e-300; },
                   {"controller.clock_mhz"});
    expect_refused([](json& d) { d["controller"]["clock_mhz"] = 1e7; }, {"controller.clock_mhz"});
    // Just inside: a 4-second settle is a slow device, not an error.
    json document = DeviceProfile::load("gen2").to_json();
    document["dmd"]["settle_us"] = 4e6;
    EXPECT_NO_THROW(check_profile_fits_device(DeviceProfile::from_json(document)));
}

// The device server runs the same check: the open is refused with a UriError naming the key,
// and the process can open a good device right after.
TEST(ProfileLimits, TheDeviceRefusesWhatTheCheckRefuses) {
    json document = DeviceProfile::load("gen2").to_json();
    document["controller"]["input_buffer_frames"] = 5000;
    const auto path = std::filesystem::temp_directory_path() /
                      ("opusim_deep_fifo_" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << document.dump();
    try {
        driver::Device::open("sim:" + path.string() + "?lock_wait=60");
        ADD_FAILURE() << "the device accepted input_buffer_frames 5000";
    } catch (const driver::UriError& error) {
        EXPECT_NE(std::string(error.what()).find("controller.input_buffer_frames"),
                  std::string::npos)
            << error.what();
    }
    EXPECT_THROW(load_device_profile(path.string()), ProfileError);
    std::filesystem::remove(path);
    EXPECT_NO_THROW(driver::Device::open("sim:gen3?lock_wait=60"));
}

}  // namespace
}  // namespace opusim::model
