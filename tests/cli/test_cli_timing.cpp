// `opusim timing` run as a user would: the JSON report carries the model's figures, --vcd writes a
// trace GTKWave opens, bad arguments exit 2 naming the flag.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

// The command-line tests' helper (runs the built `opusim`, per-test temporary folder).
#include "cli_test_support.hpp"

namespace {

namespace fs = std::filesystem;

// Each test's opusim processes lock the device in the test's own folder (as CliSdk does), so
// test processes that ctest runs in parallel never queue for the same sim:gen2.
class CmdTiming : public opusim::cli_testing::CliTest {
  protected:
    void SetUp() override {
        CliTest::SetUp();
        ::setenv("OPUSIM_LOCK_DIR", dir_.c_str(), 1);
    }
    // Runs `opusim timing ARGUMENTS`; returns the exit code, output into output_.
    int run(const std::string& arguments) { return run_cli("timing " + arguments); }
};

TEST_F(CmdTiming, JsonReportHasTheModelsFigures) {
    ASSERT_EQ(run("--profile gen2 --n-features 10000 --n-components 2200000 --frames 300 --json"),
              0)
        << output_;
    const auto report = nlohmann::json::parse(stdout_);
    for (const char* key :
         {"frame_rate_hz", "simulated_time_s", "frames", "bottleneck", "stages", "wall_time_s"}) {
        EXPECT_TRUE(report.contains(key)) << key;
    }
    EXPECT_EQ(report["frames"].get<int>(), 300);
    EXPECT_EQ(report["bottleneck"].get<std::string>(), "link_out");  // 2.2 MB frames on Gen2 x4
    EXPECT_LT(report["frame_rate_hz"].get<double>(), 1.6e9 / 2.2e6);
    for (const auto& stage : report["stages"].items()) {
        EXPECT_GE(stage.value().get<double>(), 0.0) << stage.key();
        EXPECT_LE(stage.value().get<double>(), 1.0) << stage.key();
    }
    EXPECT_GT(report["stages"]["link_out"].get<double>(), 0.95);
}

// Issue 12: at default arguments (--input-roi auto) gen3 reproduces its rate table's 8 kHz
// (within 10 %, docs/timing.md), and the report says which layout auto chose and why.
TEST_F(CmdTiming, Gen3AutoLayoutKeepsTheRateTableRate) {
    ASSERT_EQ(run("--profile gen3 --n-features 145000 --n-components 81000 --frames 2000 --json"),
              0)
        << output_;
    const auto report = nlohmann::json::parse(stdout_);
    EXPECT_NEAR(report["frame_rate_hz"].get<double>(), 8000, 800);
    EXPECT_EQ(report["bottleneck"].get<std::string>(), "readout");
    const auto& chosen = report["input_roi"]["auto"];
    EXPECT_EQ(chosen["replication"].get<int>(), 1);
    EXPECT_LT(chosen["full_rate_hz"].get<double>(), 2500);
    EXPECT_NE(chosen["reason"].get<std::string>().find("bottleneck"), std::string::npos);
    EXPECT_EQ(report["frames"].get<int>(), 2000);  // the probes are not in the statistics
    // Energy (issue 12 item 8): gen3's stated 38 W over the steady frame period.
    const auto& energy = report["energy"];
    EXPECT_DOUBLE_EQ(energy["power_w"].get<double>(), 38.0);
    EXPECT_NEAR(energy["energy_per_frame_j"].get<double>(),
                38.0 * report["frame_period_s"].get<double>(), 1e-12);
    EXPECT_DOUBLE_EQ(energy["macs_per_frame"].get<double>(), 145000.0 * 81000.0);
    EXPECT_TRUE(energy["cpu"].is_null());  // measured only with --cpu-power-w
    ASSERT_EQ(run("--profile gen3 --n-features 145000 --n-components 81000 --frames 20 --json "
                  "--cpu-power-w 65"),
              0)
        << output_;
    const auto compared = nlohmann::json::parse(stdout_)["energy"];
    EXPECT_GT(compared["cpu"]["complex_macs_per_s"].get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(compared["cpu"]["power_w"].get<double>(), 65.0);
    EXPECT_GT(compared["opu_over_cpu"].get<double>(), 0.0);
    ASSERT_EQ(run("--profile gen3 --n-features 145000 --n-components 81000 --frames 20"), 0);
    EXPECT_NE(output_.find("input ROI auto: 1 mirror per feature"), std::string::npos) << output_;
}

TEST_F(CmdTiming, TableAndVcdTrace) {
    const fs::path trace = dir_ / "trace.vcd";
    ASSERT_EQ(run("--profile gen3 --n-features 290000 --n-components 81000 --frames 50 "
                  "--input-roi small --vcd " +
                  trace.string()),
              0)
        << output_;
    EXPECT_NE(output_.find("bottleneck              dmd"), std::string::npos) << output_;
    EXPECT_NE(output_.find("frame rate"), std::string::npos);
    std::ifstream in(trace);
    std::stringstream text;
    text << in.rdbuf();
    const std::string vcd = text.str();
    for (const char* signal :
         {"link_in", "dmd", "exposure", "readout", "link_out", "frames_out", "irq"}) {
        EXPECT_NE(vcd.find(std::string(" ") + signal + " "), std::string::npos) << signal;
    }
    EXPECT_NE(vcd.find("$enddefinitions"), std::string::npos);
    EXPECT_NE(vcd.find("\n#"), std::string::npos);  // value changes over time
}

TEST_F(CmdTiming, FunctionalRunComputesFrames) {
    ASSERT_EQ(
        run("--profile gen2 --n-features 500 --n-components 1000 --frames 40 --functional --json"),
        0)
        << output_;
    const auto report = nlohmann::json::parse(stdout_);
    EXPECT_TRUE(report["functional"].get<bool>());
    EXPECT_EQ(report["frames"].get<int>(), 40);
    EXPECT_NEAR(report["frame_rate_hz"].get<double>(), 2000.0, 2.0);
}

TEST_F(CmdTiming, BadArgumentsNameTheFlag) {
    EXPECT_EQ(run("--profile gen2 --n-features 0 --n-components 10 --frames 5"), 2);
    EXPECT_NE(output_.find("--n-features"), std::string::npos) << output_;
    EXPECT_EQ(run("--profile gen2 --n-features 10 --n-components 99999999 --frames 5"), 2);
    EXPECT_NE(output_.find("--n-components"), std::string::npos) << output_;
    EXPECT_EQ(run("--profile gen2 --n-features 10 --n-components 10 --frames 5 --exposure-us 0"),
              2);
    EXPECT_NE(output_.find("--exposure-us"), std::string::npos) << output_;
    EXPECT_EQ(run("--profile nope --n-features 10 --n-components 10 --frames 5"), 2);
    EXPECT_NE(output_.find("--profile"), std::string::npos) << output_;
    // An unwritable trace path: a usage error naming --vcd (it used to fail inside SystemC's
    // start-up and kill the process with SIGFPE, exit status 136).
    EXPECT_EQ(run("--profile gen2 --n-features 10 --n-components 10 --frames 1 --vcd " +
                  (dir_ / "no_such_folder" / "trace.vcd").string()),
              2);
    EXPECT_NE(output_.find("--vcd: cannot open"), std::string::npos) << output_;
}

}  // namespace
