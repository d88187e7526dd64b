// --set KEY=VALUE and the sim: URI's set= option: validated as a profile (a bad one is a usage
// error naming it), and reaching the device process itself (its capability registers and its
// timing), not only the command's own copy of the profile.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"
#include "opusim/driver/errors.hpp"
#include "opusim/driver/profile_override_option.hpp"
#include "opusim/physics/profile_overrides.hpp"

namespace {

using opusim::cli_testing::CliTest;
using opusim::cli_testing::run_opusim;

nlohmann::json json_of(const std::string& arguments) {
    const auto run = run_opusim(arguments + " --json --quiet");
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return nlohmann::json::parse(run.stdout_text, nullptr, false);
}

TEST(ProfileOverrides, ReplaceKeysAndValidateAsAProfile) {
    using namespace opusim::physics;
    const DeviceProfile gen2 = DeviceProfile::load("gen2");
    const DeviceProfile changed =
        with_overrides(gen2, {{"camera.bits", "12"}, {"link.name", "PCIe Gen3, x8 & more"}});
    EXPECT_EQ(changed.camera.bits, 12u);
    EXPECT_EQ(changed.link.name, "PCIe Gen3, x8 & more");
    EXPECT_EQ(changed.dmd.columns, gen2.dmd.columns);
    EXPECT_THROW(with_overrides(gen2, {{"camera.bits", "9"}}), ProfileOverrideError);
    EXPECT_THROW(with_overrides(gen2, {{"camera.bitz", "8"}}), ProfileOverrideError);
    EXPECT_THROW(with_overrides(gen2, {{"camera", "8"}}), ProfileOverrideError);
    EXPECT_THROW(with_overrides(gen2, {{"camera.bits", "twelve"}}), ProfileOverrideError);
    EXPECT_THROW(with_overrides(gen2, {{"camera.bits", "12"}, {"camera.bits", "10"}}),
                 ProfileOverrideError);
    try {
        with_overrides(gen2, {{"dmd.settle_us", "1"}, {"camera.bits", "9"}});
        FAIL() << "camera.bits=9 was accepted";
    } catch (const ProfileOverrideError& error) {
        EXPECT_EQ(error.override_text(), "camera.bits=9") << error.what();
    }
}

TEST(ProfileOverrides, SurviveTheUriEncoding) {
    using namespace opusim::driver;
    const ProfileOverrideList overrides{{"link.name", "a,b&c=d%e f"}, {"camera.bits", "12"}};
    const std::string value = encode_profile_overrides(overrides);
    EXPECT_EQ(value.find_first_of("&,?#"), value.find(','));  // only the separator's comma
    EXPECT_EQ(decode_profile_overrides(value), overrides);
    EXPECT_THROW(decode_profile_overrides("camera.bits"), UriError);
    EXPECT_THROW(decode_profile_overrides("camera.bits=1%2"), UriError);
}

TEST_F(CliTest, SetReachesTheDeviceProcess) {
    // CAP_BIT_DEPTH is read from the device server's registers.
    const auto info = json_of("info --device sim:gen2 --set camera.bits=12");
    EXPECT_EQ(info["capabilities"]["bit_depth"], 12);
    EXPECT_EQ(info["capabilities"]["bytes_per_pixel"], 2);
    const auto by_uri = json_of("info --device 'sim:gen2?set=camera.bits=10'");
    EXPECT_EQ(by_uri["capabilities"]["bit_depth"], 10);
    // The device's timing follows the override, and the analytic yardstick (read by the command)
    // with it: gen2 carries 700,000 pixels at 2 kHz (its link limit is 794,400, docs/timing.md);
    // a quarter of the link's bandwidth makes it link_out-bound.
    const std::string job =
        "timing --device sim:gen2 --n-features 10000 --n-components 700000 --frames 200";
    const auto normal = json_of(job);
    const auto slow = json_of(job + " --set link.bandwidth_gb_per_s=0.4");
    EXPECT_EQ(normal["bottleneck"], "frametime");
    EXPECT_EQ(slow["bottleneck"], "link_out");
    EXPECT_NEAR(slow["frame_period_s"].get<double>() / slow["analytic_period_s"].get<double>(), 1.0,
                0.01);  // docs/timing.md: the simulation is within 1 % of the analytic model
    EXPECT_NE(slow["device"].get<std::string>().find("set=link.bandwidth_gb_per_s=0.4"),
              std::string::npos);
}

TEST_F(CliTest, BadSetIsAUsageErrorNamingIt) {
    for (const char* bad : {"camera.bits=9", "camera.bitz=12", "camera.bits=abc", "camera.bits"}) {
        EXPECT_EQ(run_cli(std::string("profile show gen2 --set ") + bad), 2) << output_;
        EXPECT_NE(output_.find(std::string("--set ") + bad), std::string::npos) << output_;
    }
    EXPECT_EQ(run_cli("info --set camera.bits=9"), 2) << output_;
    EXPECT_NE(output_.find("--set camera.bits=9"), std::string::npos) << output_;
    EXPECT_EQ(run_cli("timing --device 'sim:gen2?set=camera.bits' --n-features 10 "
                      "--n-components 10 --frames 1"),
              2)
        << output_;
    EXPECT_NE(output_.find("--device"), std::string::npos) << output_;
    EXPECT_EQ(run_cli("attention --projection iid --set camera.bits=12 --seq-len 8 --dim 4 "
                      "--heads 1 --features 8"),
              2)
        << output_;
}

TEST_F(CliTest, ReportRefusesAnOutputFolderThatIsNotThere) {
    EXPECT_EQ(run_cli("report --device sim:gen2 --out " + path("missing/r.html")), 2) << output_;
    EXPECT_NE(output_.find("--out"), std::string::npos) << output_;
    EXPECT_EQ(run_cli("report --device sim:gen2 --set camera.bits=9 --out " + path("r.html")), 2)
        << output_;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "r.html"));
}

TEST_F(CliTest, ProfileShowAppliesSet) {
    const auto profile = json_of("profile show gen2 --set camera.bits=12 --set dmd.settle_us=5");
    EXPECT_EQ(profile["camera"]["bits"], 12);
    EXPECT_EQ(profile["dmd"]["settle_us"], 5);
}

}  // namespace
