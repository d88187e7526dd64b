// `opusim run`, `opusim transform` and `opusim info` run as a user would: exit codes, the JSON
// report, output files and their shapes, and clear errors for bad arguments.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/physics/capture.hpp"
#include "opusim/physics/device_geometry.hpp"

namespace {

namespace contract = opusim::contract;

// Each test's opusim processes lock the device in the test's own folder, so test processes that
// ctest runs in parallel never queue for the same sim:gen2.
class CliSdk : public opusim::cli_testing::CliTest {
  protected:
    void SetUp() override {
        CliTest::SetUp();
        ::setenv("OPUSIM_LOCK_DIR", dir_.c_str(), 1);
    }
    int run(const std::string& arguments) { return run_cli(arguments); }
};

TEST_F(CliSdk, RunReportsTheMainJobAsOneJsonObject) {
    ASSERT_EQ(run("run --batch 40 --n-features 100 --n-components 64 --json"), 0) << output_;
    const auto report = nlohmann::json::parse(stdout_);
    EXPECT_EQ(report["batch"], 40);
    EXPECT_EQ(report["device"], "sim:gen2");
    EXPECT_GT(report["frame_rate_hz"].get<double>(), 0);
    EXPECT_GT(report["device_time_s"].get<double>(), 0);
    EXPECT_FALSE(report["bottleneck"].get<std::string>().empty());
    EXPECT_TRUE(report["stages"].is_object());
    for (const char* key : {"mean_signal_dn", "snr", "saturated_fraction", "speckle_contrast"}) {
        EXPECT_TRUE(report["noise"].contains(key)) << key;
    }
    EXPECT_GT(report["latency"]["frame_p50_s"].get<double>(), 0);
    EXPECT_GT(report["wall_time_s"].get<double>(), 0);
}

TEST_F(CliSdk, RunIsReadableByDefaultAndHasALinearMode) {
    ASSERT_EQ(run("run --batch 20 --n-features 50 --n-components 32"), 0) << output_;
    EXPECT_NE(output_.find("frame rate"), std::string::npos) << output_;
    EXPECT_NE(output_.find("bottleneck"), std::string::npos) << output_;
    ASSERT_EQ(run("run --linear --batch 4 --n-features 32 --n-components 16 --device sim:gen3"), 0)
        << output_;
    EXPECT_NE(output_.find("48 frames/vector"), std::string::npos) << output_;
}

TEST_F(CliSdk, RunRejectsBadArguments) {
    EXPECT_EQ(run("run --n-features 0"), 2) << output_;
    EXPECT_NE(output_.find("--n-features"), std::string::npos) << output_;
    EXPECT_EQ(run("run --batch 2 --device 'sim:gen2?colour=red'"), 2) << output_;  // a bad URI
    EXPECT_NE(output_.find("unknown option 'colour'"), std::string::npos) << output_;
    EXPECT_EQ(run("run --n-components 3000000 --batch 2"), 2) << output_;
    EXPECT_NE(output_.find("n_components"), std::string::npos) << output_;
    // Beyond the 32-bit nanosecond register: a usage error naming the flag (it used to reach the
    // driver and print a 300-digit number under "device configuration: frametime_us").
    EXPECT_EQ(run("run --batch 2 --n-features 10 --n-components 10 --frametime-us 1e300"), 2)
        << output_;
    EXPECT_NE(output_.find("--frametime-us: expected at most 4000000"), std::string::npos)
        << output_;
    // 2^24 x 10^6 input bits used to end in "std::bad_alloc".
    EXPECT_EQ(run("run --batch 16777216 --n-features 1000000 --n-components 10"), 2) << output_;
    EXPECT_NE(output_.find("--batch/--n-features: 16777216 x 1000000 values"), std::string::npos)
        << output_;
}

TEST_F(CliSdk, TransformWritesRowsByComponents) {
    const std::size_t rows = 6;
    const std::size_t n = 30;
    std::vector<std::uint8_t> bits(rows * n);
    for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = (i % 5) < 2;
    opusim::io::write_npy(path("x.npy"), {rows, n}, bits);
    ASSERT_EQ(run("transform --input " + path("x.npy") + " --out " + path("y.npy") +
                  " --n-components 40"),
              0)
        << output_;
    const auto y = opusim::io::read_npy(path("y.npy"));
    EXPECT_EQ(y.shape, (std::vector<std::size_t>{rows, 40}));
    EXPECT_EQ(y.dtype, opusim::io::DType::UInt8);

    std::vector<float> real(rows * n);
    for (std::size_t i = 0; i < real.size(); ++i) real[i] = float(i % 7) - 3.0f;
    opusim::io::write_npy(path("r.npy"), {rows, n}, real);
    EXPECT_EQ(run("transform --input " + path("r.npy") + " --out " + path("z.npy")), 2) << output_;
    EXPECT_NE(output_.find("is not binary"), std::string::npos) << output_;
    ASSERT_EQ(run("transform --input " + path("r.npy") + " --out " + path("z.npy") +
                  " --n-components 20 --encoder multi_threshold:4"),
              0)
        << output_;
    EXPECT_EQ(opusim::io::read_npy(path("z.npy")).shape, (std::vector<std::size_t>{rows, 20}));
    ASSERT_EQ(run("transform --input " + path("r.npy") + " --out " + path("l.npy") +
                  " --n-components 20 --linear"),
              0)
        << output_;
    const auto l = opusim::io::read_npy(path("l.npy"));
    EXPECT_EQ(l.dtype, opusim::io::DType::Float32);
    EXPECT_EQ(l.shape, (std::vector<std::size_t>{rows, 20}));
    EXPECT_EQ(run("transform --input " + path("r.npy") + " --out " + path("q.npy") +
                  " --encoder nonsense"),
              2)
        << output_;
    EXPECT_NE(output_.find("unknown encoder 'nonsense'"), std::string::npos) << output_;
}

TEST_F(CliSdk, InfoPrintsIdentificationCapabilitiesAndConfiguration) {
    ASSERT_EQ(run("info --device sim:gen3 --json"), 0) << output_;
    const auto info = nlohmann::json::parse(stdout_);
    EXPECT_EQ(info["identification"]["id"], "0x4F505531");
    EXPECT_GT(info["capabilities"]["max_mirrors"].get<double>(), 0);
    EXPECT_TRUE(info["configuration"].contains("exposure_us"));
    ASSERT_EQ(run("info"), 0) << output_;
    EXPECT_NE(output_.find("capabilities"), std::string::npos);
}

TEST_F(CliSdk, CaptureThroughTheStackEqualsThePhysicsCapture) {
    namespace physics = opusim::physics;
    const std::size_t frames = 8;
    const std::size_t n = 120;
    std::vector<std::uint8_t> bits(frames * n);
    for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = (i * 13 % 7) < 3;
    opusim::io::write_npy(path("x.npy"), {frames, n}, bits);
    ASSERT_EQ(run("capture --profile gen2 --input " + path("x.npy") +
                  " --n-components 300 --seed 11 --noise-seed 12 --input-roi small --out " +
                  path("y.npy")),
              0)
        << output_;
    const auto y = opusim::io::read_npy(path("y.npy"));

    const auto profile = physics::DeviceProfile::load("gen2");
    auto settings = physics::CaptureSettings::from_profile(profile);
    settings.device_seed = 11;
    settings.noise_seed = 12;
    const physics::CaptureChain chain(
        profile,
        contract::make_input_layout(opusim::physics::dmd_geometry(profile.dmd), n,
                                    contract::InputRoiStrategy::Small),
        contract::make_output_roi(opusim::physics::sensor_geometry(profile.camera), 300).pixels,
        settings);
    std::vector<std::uint8_t> expected(frames * 300);
    chain.capture(bits.data(), frames, 0, profile.camera.exposure_us, expected.data());
    EXPECT_EQ(y.bytes, expected);
}

}  // namespace
