// The `opusim` physics subcommands (profile, flatfield, capture) run as a separate process: bad
// arguments exit non-zero with a message naming the argument; valid runs write the .npy that the
// help promises.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_test_support.hpp"
#include "opusim/io/npy.hpp"

namespace {

namespace fs = std::filesystem;

using opusim::cli_testing::CliRun;
using opusim::cli_testing::run_opusim;

class Cli : public opusim::cli_testing::CliTest {
  protected:
    // A (frames, features) bool array with a fixed pseudo-random pattern.
    std::string write_bits(const std::string& name, std::size_t frames, std::size_t features,
                           opusim::io::DType dtype = opusim::io::DType::Bool,
                           unsigned char one = 1) const {
        std::vector<unsigned char> bits(frames * features);
        std::uint32_t state = 12345;
        for (auto& bit : bits) {
            state = state * 1664525u + 1013904223u;
            bit = (state >> 31) != 0 ? one : 0;
        }
        opusim::io::write_npy(path(name), dtype, {frames, features}, bits.data());
        return path(name);
    }
};

void expect_usage_error(const CliRun& run, const std::string& needle) {
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find(needle), std::string::npos) << "output lacks '" << needle << "':\n"
                                                          << run.output;
}

TEST_F(Cli, OverviewListsPhysicsCommands) {
    const CliRun run = run_opusim("--help");
    EXPECT_EQ(run.exit_code, 0);
    for (const char* name : {"profile", "flatfield", "capture"}) {
        EXPECT_NE(run.output.find(name), std::string::npos) << name;
    }
}

TEST_F(Cli, EachCommandHasHelp) {
    for (const char* name : {"profile", "flatfield", "capture"}) {
        const CliRun run = run_opusim(std::string(name) + " --help");
        EXPECT_EQ(run.exit_code, 0) << name;
        EXPECT_NE(run.output.find("usage: opusim " + std::string(name)), std::string::npos)
            << run.output;
    }
}

TEST_F(Cli, ProfileShowTableAndJson) {
    const CliRun table = run_opusim("profile show gen2");
    EXPECT_EQ(table.exit_code, 0) << table.output;
    EXPECT_NE(table.output.find("system_gain_dn_per_electron"), std::string::npos);
    EXPECT_NE(table.output.find("129960"), std::string::npos) << "derived frame bytes";
    const CliRun json = run_opusim("profile show gen3 --json");
    EXPECT_EQ(json.exit_code, 0) << json.output;
    EXPECT_EQ(json.output.rfind("{", 0), 0u) << json.output;
    // The JSON it prints is itself a loadable profile.
    {
        FILE* file = std::fopen(path("copy.json").c_str(), "w");
        ASSERT_NE(file, nullptr);
        std::fwrite(json.output.data(), 1, json.output.size(), file);
        std::fclose(file);
    }
    EXPECT_EQ(run_opusim("profile show " + path("copy.json")).exit_code, 0);
}

TEST_F(Cli, ProfileBadArguments) {
    expect_usage_error(run_opusim("profile show gen9"), "no such built-in profile");
    expect_usage_error(run_opusim("profile list gen2"), "ACTION: expected 'show'");
    expect_usage_error(run_opusim("profile show"), "profile");
    {
        FILE* file = std::fopen(path("bad.json").c_str(), "w");
        ASSERT_NE(file, nullptr);
        std::fputs("{\"name\": \"x\"}", file);
        std::fclose(file);
    }
    expect_usage_error(run_opusim("profile show " + path("bad.json")), "description: missing");
}

TEST_F(Cli, FlatfieldWritesFramesOfTheRequestedShape) {
    const CliRun run = run_opusim(
        "flatfield --profile gen2 --photons 4000 --frames 5 --pixels 300 --seed 3 --out " +
        path("ff.npy"));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto array = opusim::io::read_npy(path("ff.npy"));
    EXPECT_EQ(array.dtype, opusim::io::DType::UInt8);  // gen2 is an 8-bit camera
    EXPECT_EQ(array.shape, (std::vector<std::size_t>{5, 300}));
    // 4000 photons x QE 0.6 x K 0.0189 + offset 3 = 48.3 DN; the mean of 1500 values with
    // sd ~ sqrt(2400) K = 0.93 DN is within 0.2 DN (> 8 sigma).
    const auto values = array.to_double();
    double sum = 0;
    for (double v : values) sum += v;
    EXPECT_NEAR(sum / static_cast<double>(values.size()), 4000 * 0.6 * 0.018889 + 3, 0.2);
    // Same seeds, same frames.
    ASSERT_EQ(
        run_opusim(
            "flatfield --profile gen2 --photons 4000 --frames 5 --pixels 300 --seed 3 --out " +
            path("ff2.npy"))
            .exit_code,
        0);
    EXPECT_EQ(opusim::io::read_npy(path("ff2.npy")).bytes, array.bytes);
}

TEST_F(Cli, FlatfieldOfA12BitProfileIsUint16) {
    const CliRun json = run_opusim("profile show gen2 --json");
    ASSERT_EQ(json.exit_code, 0);
    std::string text = json.output;
    const auto at = text.find("\"bits\": 8");
    ASSERT_NE(at, std::string::npos) << text;
    text.replace(at, 9, "\"bits\": 12");
    {
        FILE* file = std::fopen(path("gen2_12bit.json").c_str(), "w");
        ASSERT_NE(file, nullptr);
        std::fwrite(text.data(), 1, text.size(), file);
        std::fclose(file);
    }
    const CliRun run = run_opusim("flatfield --profile " + path("gen2_12bit.json") +
                                  " --photons 1e6 --frames 2 --pixels 64 --out " + path("ff.npy"));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto array = opusim::io::read_npy(path("ff.npy"));
    EXPECT_EQ(array.dtype, opusim::io::DType::UInt16);
    // 10^6 photons is far beyond the 13,500 e- well: every pixel reads K x 13,500 + 3 = 258 DN (the
    // profile keeps the 8-bit gain), a level an 8-bit ADC would clip at 255.
    const auto values = array.to_double();
    for (double v : values) EXPECT_EQ(v, 258.0);
}

TEST_F(Cli, FlatfieldBadArguments) {
    const std::string out = " --out " + path("x.npy");
    expect_usage_error(run_opusim("flatfield --profile gen2 --frames 2 --pixels 10" + out),
                       "--photons");
    expect_usage_error(
        run_opusim("flatfield --profile gen2 --photons -1 --frames 2 --pixels 10" + out),
        "--photons: expected a finite number >= 0");
    expect_usage_error(
        run_opusim("flatfield --profile gen2 --photons nan --frames 2 --pixels 10" + out),
        "--photons");
    // 1e300 photons used to overflow the float pipeline to a mean of 129 DN, not full scale.
    expect_usage_error(
        run_opusim("flatfield --profile gen2 --photons 1e300 --frames 2 --pixels 10" + out),
        "--photons: expected at most 1e15");
    expect_usage_error(
        run_opusim("flatfield --profile gen2 --photons 1 --frames 0 --pixels 10" + out),
        "--frames: expected a whole number >= 1");
    expect_usage_error(
        run_opusim("flatfield --profile gen2 --photons 1 --frames 2 --pixels 2219521" + out),
        "--pixels: expected a whole number >= 1 and <= 2219520");
    expect_usage_error(
        run_opusim("flatfield --profile gen2 --photons 1 --frames 2 --pixels 10 --seed -4" + out),
        "--seed");
    expect_usage_error(
        run_opusim("flatfield --profile nowhere.json --photons 1 --frames 2 --pixels 10" + out),
        "--profile");
    expect_usage_error(
        run_opusim("flatfield --profile gen2 --photons 1 --frames 2 --pixels 10 --noise maybe" +
                   out),
        "--noise: expected on or off");
    expect_usage_error(
        run_opusim("flatfield --profile gen2 --photons 1 --frames 2 --pixels 10 --exposure-us 1" +
                   out),
        "--exposure-us");
    expect_usage_error(
        run_opusim("flatfield --profile gen2 --photons 1 --frames 2 --pixels 10 --bogus 1" + out),
        "bogus");
}

TEST_F(Cli, CaptureWritesFramesAndIsReproducible) {
    const auto input = write_bits("x.npy", 6, 500);
    const std::string base = "capture --profile gen2 --input " + input + " --n-components 200 ";
    const CliRun run = run_opusim(base + "--out " + path("y.npy"));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("saturated"), std::string::npos) << run.output;
    const auto y = opusim::io::read_npy(path("y.npy"));
    EXPECT_EQ(y.dtype, opusim::io::DType::UInt8);
    EXPECT_EQ(y.shape, (std::vector<std::size_t>{6, 200}));
    ASSERT_EQ(run_opusim(base + "--out " + path("y2.npy")).exit_code, 0);
    EXPECT_EQ(opusim::io::read_npy(path("y2.npy")).bytes, y.bytes);
    // Another noise seed changes frames; noise off ignores the noise seed.
    ASSERT_EQ(run_opusim(base + "--noise-seed 5 --out " + path("y3.npy")).exit_code, 0);
    EXPECT_NE(opusim::io::read_npy(path("y3.npy")).bytes, y.bytes);
    ASSERT_EQ(run_opusim(base + "--noise off --noise-seed 5 --out " + path("n1.npy")).exit_code, 0);
    ASSERT_EQ(run_opusim(base + "--noise off --noise-seed 6 --out " + path("n2.npy")).exit_code, 0);
    EXPECT_EQ(opusim::io::read_npy(path("n1.npy")).bytes,
              opusim::io::read_npy(path("n2.npy")).bytes);
    // uint8 0/1 input gives the same frames as bool input.
    const auto input8 = write_bits("x8.npy", 6, 500, opusim::io::DType::UInt8);
    ASSERT_EQ(run_opusim("capture --profile gen2 --input " + input8 + " --n-components 200 --out " +
                         path("y8.npy"))
                  .exit_code,
              0);
    EXPECT_EQ(opusim::io::read_npy(path("y8.npy")).bytes, y.bytes);
}

TEST_F(Cli, CaptureBadArguments) {
    const auto good = write_bits("x.npy", 2, 50);
    const auto threes = write_bits("x3.npy", 2, 50, opusim::io::DType::UInt8, 3);
    std::vector<float> floats(2 * 50, 1.0f);
    opusim::io::write_npy(path("xf.npy"), {2, 50}, floats);
    std::vector<unsigned char> flat(50, 1);
    opusim::io::write_npy(path("x1d.npy"), opusim::io::DType::UInt8, {50}, flat.data());
    const std::string out = " --out " + path("y.npy");
    expect_usage_error(run_opusim("capture --profile gen2 --n-components 10" + out), "--input");
    expect_usage_error(run_opusim("capture --profile gen2 --input " + good + out),
                       "--n-components");
    expect_usage_error(
        run_opusim("capture --profile gen2 --input " + path("xf.npy") + " --n-components 10" + out),
        "--input: expected a 2-D array (frames, n_features) of bool or uint8 holding "
        "0/1, got float32 of shape (2, 50)");
    expect_usage_error(run_opusim("capture --profile gen2 --input " + path("x1d.npy") +
                                  " --n-components 10" + out),
                       "got uint8 of shape (50,)");
    expect_usage_error(
        run_opusim("capture --profile gen2 --input " + threes + " --n-components 10" + out),
        "got the value 3 at [0, ");
    expect_usage_error(run_opusim("capture --profile gen2 --input " + path("none.npy") +
                                  " --n-components 10" + out),
                       "--input");
    expect_usage_error(
        run_opusim("capture --profile gen2 --input " + good + " --n-components 2219521" + out),
        "--n-components: expected a whole number >= 1 and <= 2219520");
    expect_usage_error(
        run_opusim("capture --profile gen2 --input " + good + " --n-components 0" + out),
        "--n-components");
    expect_usage_error(run_opusim("capture --profile gen2 --input " + good +
                                  " --n-components 10 --input-roi big" + out),
                       "--input-roi: expected one of full, small, auto");
    expect_usage_error(run_opusim("capture --profile gen3 --input " + good +
                                  " --n-components 10 --noise-seed x" + out),
                       "--noise-seed");
    EXPECT_FALSE(fs::exists(path("y.npy")));
}

}  // namespace
