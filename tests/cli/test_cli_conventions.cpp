// What every command-line user expects of every `opusim` command, run as a user would: the
// version everywhere, --device everywhere, --json everywhere with JSON errors, no progress lines
// on a redirected stderr, help without internal option names, and a provenance sidecar beside
// every .npy that reproduces it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"
#include "opusim.h"
#include "opusim/io/npy.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Each test's opusim processes lock the device in the test's own folder (see test_cli_sdk.cpp).
class CliConventions : public opusim::cli_testing::CliTest {
  protected:
    void SetUp() override {
        CliTest::SetUp();
        ::setenv("OPUSIM_LOCK_DIR", dir_.c_str(), 1);
        ::unsetenv("OPUSIM_DEVICE");
    }
    void TearDown() override {
        ::unsetenv("OPUSIM_DEVICE");
        CliTest::TearDown();
    }

    // Binary rows (frames x features) as x.npy; returns its path.
    std::string binary_input(std::size_t frames = 6, std::size_t features = 40) {
        std::vector<std::uint8_t> bits(frames * features);
        for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = (i * 7 % 5) < 2;
        opusim::io::write_npy(path("x.npy"), {frames, features}, bits);
        return path("x.npy");
    }

    // Small (1, 1, 4, 8) q, k, v and an (m, 8) W for opusim favor; returns the flags.
    std::string favor_inputs() {
        std::vector<float> values(4 * 8);
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = float(i % 5) * 0.1f - 0.2f;
        for (const char* name : {"q", "k", "v"}) {
            opusim::io::write_npy(path(std::string(name) + ".npy"), {1, 1, 4, 8}, values);
        }
        std::vector<float> w(6 * 8);
        for (std::size_t i = 0; i < w.size(); ++i) w[i] = float(i % 3) - 1.0f;
        opusim::io::write_npy(path("w.npy"), {6, 8}, w);
        return "--q " + path("q.npy") + " --k " + path("k.npy") + " --v " + path("v.npy") +
               " --projection-matrix " + path("w.npy");
    }

    // Runs ARGUMENTS, expecting success and one JSON object; returns it.
    json run_json(const std::string& arguments) {
        const int code = run_cli(arguments + " --json");
        EXPECT_EQ(code, 0) << arguments << "\n" << output_;
        try {
            return json::parse(stdout_);
        } catch (const json::exception&) {
            ADD_FAILURE() << arguments << ": not one JSON object:\n" << output_;
            return json::object();
        }
    }

    std::vector<std::uint8_t> bytes_of(const std::string& file) {
        return opusim::io::read_npy(file).bytes;
    }

    json sidecar_of(const std::string& file) {
        std::ifstream in(file + ".json");
        EXPECT_TRUE(in.good()) << file << ".json is missing";
        return in.good() ? json::parse(in) : json::object();
    }
};

TEST_F(CliConventions, VersionFromEveryInterface) {
    EXPECT_STREQ(opusim_version(), OPUSIM_PROJECT_VERSION);
    ASSERT_EQ(run_cli("--version"), 0);
    EXPECT_EQ(output_, std::string("opusim ") + OPUSIM_PROJECT_VERSION + "\n");
    ASSERT_EQ(run_cli("info"), 0) << output_;
    EXPECT_NE(output_.find(std::string("simulator_version       ") + OPUSIM_PROJECT_VERSION),
              std::string::npos)
        << output_;
}

TEST_F(CliConventions, EveryJsonOutputCarriesTheVersion) {
    const std::string x = binary_input();
    const std::vector<std::string> commands = {
        "run --batch 4 --n-features 20 --n-components 16",
        "attention --seq-len 8 --dim 4 --heads 1 --features 8 --projection iid",
        "info",
        "profile show gen2",
        "timing --n-features 100 --n-components 100 --frames 10",
        "transform --input " + x + " --n-components 16 --out " + path("t.npy"),
        "capture --input " + x + " --n-components 16 --out " + path("c.npy"),
        "flatfield --photons 100 --frames 2 --pixels 10 --out " + path("f.npy"),
        "medium --seed 3 --pixels 0:2 --mirrors 0:3 --out " + path("m.npy"),
        "favor " + favor_inputs() + " --out " + path("o.npy"),
    };
    for (const auto& command : commands) {
        const json report = run_json(command);
        EXPECT_EQ(report.value("version", ""), OPUSIM_PROJECT_VERSION) << command;
    }
    // The printed profile, version included, is still a loadable profile.
    std::ofstream(path("printed.json")) << run_json("profile show gen3").dump(2);
    EXPECT_EQ(run_cli("profile show " + path("printed.json")), 0) << output_;
}

TEST_F(CliConventions, WhatTheNewJsonReportsSay) {
    const std::string x = binary_input(6, 40);
    const json transform = run_json("transform --input " + x + " --n-components 16 --out " +
                                    path("t.npy") + " --device 'sim:gen2?seed=5'");
    EXPECT_EQ(transform["shape"], json({6, 16}));
    EXPECT_EQ(transform["out"], path("t.npy"));
    EXPECT_EQ(transform["device"], "sim:gen2?seed=5&noise_seed=1&noise=on");
    EXPECT_EQ(transform["frames"], 6);
    EXPECT_GT(transform["device_time_s"].get<double>(), 0);
    const json capture = run_json("capture --profile gen3 --input " + x +
                                  " --n-components 16 --out " + path("c.npy"));
    EXPECT_EQ(capture["shape"], json({6, 16}));
    EXPECT_EQ(capture["profile"], "gen3");
    EXPECT_EQ(capture["frames"], 6);
    const json medium =
        run_json("medium --seed 3 --pixels 0:2 --mirrors 0:3 --out " + path("m.npy"));
    EXPECT_EQ(medium["shape"], json({2, 3}));
    EXPECT_TRUE(medium["device"].is_null());
}

TEST_F(CliConventions, ErrorsUnderJsonAreOneJsonObjectWithTheUsualExitCodes) {
    EXPECT_EQ(run_cli("capture --json --n-components 0 --input " + binary_input() + " --out " +
                      path("c.npy")),
              2);
    json error = json::parse(stderr_);
    EXPECT_EQ(error["error"]["kind"], "usage");
    EXPECT_EQ(error["error"]["command"], "capture");
    EXPECT_NE(error["error"]["message"].get<std::string>().find("--n-components"),
              std::string::npos);
    EXPECT_EQ(error["version"], OPUSIM_PROJECT_VERSION);

    EXPECT_EQ(run_cli("medium --json --seed 1 --pixels 0:2 --mirrors 0:2 --out " +
                      (dir_ / "no/such/m.npy").string()),
              1);
    error = json::parse(stderr_);
    EXPECT_EQ(error["error"]["kind"], "runtime");
    EXPECT_NE(error["error"]["message"].get<std::string>().find("no/such/m.npy"),
              std::string::npos);

    // Found while parsing the options: still JSON.
    EXPECT_EQ(run_cli("timing --json --no-such-flag"), 2);
    EXPECT_EQ(json::parse(stderr_)["error"]["kind"], "usage");
    // Without --json, the text messages as before.
    EXPECT_EQ(run_cli("timing --no-such-flag"), 2);
    EXPECT_NE(output_.find("opusim timing: unrecognised option '--no-such-flag'"),
              std::string::npos)
        << output_;
}

TEST_F(CliConventions, DeviceUriMeansTheSameAsProfileAndSeedFlags) {
    const std::string x = binary_input();
    const std::string uri = "'sim:gen2?seed=7&noise_seed=3&noise=off'";
    const std::string flags = "--profile gen2 --seed 7 --noise-seed 3 --noise off";
    const std::vector<std::string> commands = {
        "capture --input " + x + " --n-components 32",
        "flatfield --photons 2000 --frames 3 --pixels 20",
    };
    for (const auto& command : commands) {
        ASSERT_EQ(run_cli(command + " --device " + uri + " --out " + path("a.npy")), 0) << output_;
        ASSERT_EQ(run_cli(command + " " + flags + " --out " + path("b.npy")), 0) << output_;
        EXPECT_EQ(bytes_of(path("a.npy")), bytes_of(path("b.npy"))) << command;
        // And differs with other seeds (the seeds do reach the device).
        ASSERT_EQ(
            run_cli(command + " --device 'sim:gen2?seed=8&noise_seed=4' --out " + path("c.npy")), 0)
            << output_;
        EXPECT_NE(bytes_of(path("a.npy")), bytes_of(path("c.npy"))) << command;
    }
    const std::string block = "medium --pixels 0:4 --mirrors 10:20";
    ASSERT_EQ(run_cli(block + " --device 'sim:gen3?seed=9' --out " + path("a.npy")), 0) << output_;
    ASSERT_EQ(run_cli(block + " --profile gen3 --seed 9 --out " + path("b.npy")), 0) << output_;
    EXPECT_EQ(bytes_of(path("a.npy")), bytes_of(path("b.npy")));

    const std::string timing = "timing --n-features 64 --n-components 64 --frames 20 --functional";
    const json by_uri = run_json(timing + " --device 'sim:gen3?seed=9'");
    const json by_profile = run_json(timing + " --profile gen3");
    for (const char* key : {"frame_rate_hz", "frames", "bottleneck", "simulated_time_s"}) {
        EXPECT_EQ(by_uri[key], by_profile[key]) << key;
    }
    EXPECT_EQ(by_uri["device"], "sim:gen3?seed=9&noise_seed=1&noise=on");
    EXPECT_EQ(by_profile["profile"], "gen3");
}

TEST_F(CliConventions, DeviceComesFromTheEnvironmentAndConflictsAreUsageErrors) {
    ::setenv("OPUSIM_DEVICE", "sim:gen3?seed=4", 1);
    EXPECT_EQ(
        run_json("flatfield --photons 10 --frames 1 --pixels 8 --out " + path("f.npy"))["device"],
        "sim:gen3?seed=4&noise_seed=1&noise=on");
    EXPECT_EQ(run_json("medium --pixels 0:1 --mirrors 0:1 --out " + path("m.npy"))["seed"], 4);
    ::unsetenv("OPUSIM_DEVICE");
    EXPECT_EQ(run_json("timing --n-features 10 --n-components 10 --frames 2")["device"],
              "sim:gen2?seed=2002&noise_seed=1&noise=on");

    const std::string x = binary_input();
    EXPECT_EQ(run_cli("capture --device sim:gen2 --profile gen2 --input " + x +
                      " --n-components 8 --out " + path("c.npy")),
              2);
    EXPECT_NE(output_.find("--device and --profile"), std::string::npos) << output_;
    EXPECT_EQ(run_cli("flatfield --device 'sim:gen2?seed=1' --seed 2 --photons 1 --frames 1 "
                      "--pixels 1 --out " +
                      path("g.npy")),
              2);
    EXPECT_NE(output_.find("--seed and --device's seed="), std::string::npos) << output_;
    EXPECT_EQ(run_cli("timing --device 'sim:gen2?colour=red' --n-features 10 --n-components 10 "
                      "--frames 2"),
              2);
    EXPECT_NE(output_.find("--device: device URI 'sim:gen2?colour=red': unknown option"),
              std::string::npos)
        << output_;
    EXPECT_FALSE(fs::exists(path("c.npy")));
    EXPECT_FALSE(fs::exists(path("g.npy")));
}

TEST_F(CliConventions, EveryOutputHasASidecarThatReproducesIt) {
    const std::string x = binary_input();
    const std::vector<std::pair<std::string, std::string>> writers = {
        {"transform --input " + x + " --n-components 16", "t.npy"},
        {"capture --input " + x + " --n-components 16", "c.npy"},
        {"flatfield --photons 100 --frames 2 --pixels 10", "f.npy"},
        {"medium --profile gen2 --pixels 0:2 --mirrors 0:3", "m.npy"},
        {"favor " + favor_inputs(), "o.npy"},
    };
    for (const auto& [command, file] : writers) {
        ASSERT_EQ(run_cli(command + " --out " + path(file)), 0) << output_;
        const json sidecar = sidecar_of(path(file));
        for (const char* key : {"version", "file", "sha1", "command", "argv", "working_directory",
                                "device", "profile", "seeds", "created_utc"}) {
            EXPECT_TRUE(sidecar.contains(key)) << file << ": " << key;
        }
        EXPECT_EQ(sidecar["version"], OPUSIM_PROJECT_VERSION);
        EXPECT_EQ(sidecar["file"], file);
        EXPECT_EQ(sidecar["sha1"].get<std::string>().size(), 40u);
        EXPECT_NE(sidecar["command"].get<std::string>().find(path(file)), std::string::npos);
        EXPECT_EQ(sidecar["created_utc"].get<std::string>().size(), 20u);  // ...T..:..:..Z
    }
    const json capture = sidecar_of(path("c.npy"));
    EXPECT_EQ(capture["device"], "sim:gen2?seed=2002&noise_seed=1&noise=on");
    EXPECT_EQ(capture["profile"]["name"], "gen2");
    EXPECT_EQ(capture["profile"]["sha1"].get<std::string>().size(), 40u);
    EXPECT_EQ(capture["seeds"], json({{"medium_seed", 2002}, {"noise_seed", 1}, {"noise", true}}));
    EXPECT_TRUE(sidecar_of(path("o.npy"))["device"].is_null());  // favor: no device
    // No temporary left behind.
    for (const auto& entry : fs::directory_iterator(dir_)) {
        EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos)
            << entry.path();
    }
}

TEST_F(CliConventions, RunningTheRecordedCommandReproducesTheFileBitForBit) {
    const std::string x = binary_input(12, 50);
    ASSERT_EQ(run_cli("capture --device 'sim:gen3?seed=21&noise_seed=22' --input " + x +
                      " --n-components 24 --input-roi small --out " + path("y.npy")),
              0)
        << output_;
    const auto first = bytes_of(path("y.npy"));
    const json sidecar = sidecar_of(path("y.npy"));
    fs::remove(path("y.npy"));
    fs::remove(path("y.npy.json"));
    const std::string again = "cd '" + sidecar["working_directory"].get<std::string>() + "' && " +
                              sidecar["command"].get<std::string>() + " > /dev/null";
    ASSERT_EQ(std::system(again.c_str()), 0) << again;
    EXPECT_EQ(bytes_of(path("y.npy")), first);
    EXPECT_EQ(sidecar_of(path("y.npy"))["sha1"], sidecar["sha1"]);
}

TEST_F(CliConventions, AFailedWriteLeavesNoFileBehind) {
    // The output names a folder: the rename fails after the data was written to a temporary.
    fs::create_directory(path("taken.npy"));
    EXPECT_EQ(run_cli("flatfield --photons 10 --frames 2 --pixels 4 --out " + path("taken.npy")),
              1);
    EXPECT_NE(output_.find("taken.npy: cannot be written"), std::string::npos) << output_;
    for (const auto& entry : fs::directory_iterator(dir_)) {
        EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos)
            << entry.path();
    }
    EXPECT_FALSE(fs::exists(path("taken.npy.json")));
}

TEST_F(CliConventions, NoProgressLinesOnARedirectedStderrAndQuietEverywhere) {
    ASSERT_EQ(run_cli("run --batch 600 --n-features 50 --n-components 32"), 0) << output_;
    EXPECT_EQ(output_.find('\r'), std::string::npos) << output_;
    ASSERT_EQ(run_cli("flatfield --photons 10 --frames 3000 --pixels 1000 --out " + path("f.npy")),
              0)
        << output_;
    EXPECT_EQ(output_.find('\r'), std::string::npos);
    for (const char* command : {"run", "attention", "transform", "capture", "timing", "favor",
                                "medium", "flatfield", "profile", "info"}) {
        EXPECT_EQ(run_cli(std::string(command) + " --quiet --help"), 0) << command;
        EXPECT_NE(output_.find("--quiet"), std::string::npos) << command;
    }
    ASSERT_EQ(run_cli("info --quiet"), 0) << output_;
}

TEST_F(CliConventions, HelpAndErrorsNameWhatTheUserTypes) {
    ASSERT_EQ(run_cli("profile --help"), 0);
    EXPECT_EQ(output_.find("--action"), std::string::npos) << output_;
    EXPECT_EQ(output_.find("--profile"), std::string::npos) << output_;
    EXPECT_EQ(run_cli("profile"), 2);
    EXPECT_NE(output_.find("expected an action: opusim profile show NAME|PATH"), std::string::npos)
        << output_;
    EXPECT_EQ(output_.find("--action"), std::string::npos) << output_;
    EXPECT_EQ(run_cli("profile show"), 2);
    EXPECT_NE(output_.find("expected the profile to show"), std::string::npos) << output_;
    EXPECT_EQ(output_.find("--profile"), std::string::npos) << output_;
}

}  // namespace
