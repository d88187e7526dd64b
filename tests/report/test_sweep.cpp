// opusim sweep: the grid's points are `opusim run` results in grid order, the same bytes whatever
// the parallelism, each equal to the run its command names; CSV, JSON and HTML land whole.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"

namespace {

using opusim::cli_testing::CliTest;

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

constexpr const char* kGrid =
    "sweep --device sim:gen2 --set camera.bits=8,12 --set run.n_components=100,2000 "
    "--set run.batch=16 --set run.n_features=1000 --quiet";

TEST_F(CliTest, SweepIsTheSameWhateverTheParallelism) {
    ASSERT_EQ(run_cli(std::string(kGrid) + " --jobs 1 --out " + path("one")), 0) << output_;
    ASSERT_EQ(run_cli(std::string(kGrid) + " --jobs 3 --out " + path("three")), 0) << output_;
    const std::string csv = read_file(dir_ / "one" / "sweep.csv");
    EXPECT_EQ(csv, read_file(dir_ / "three" / "sweep.csv"));
    EXPECT_EQ(read_file(dir_ / "one" / "sweep.json"), read_file(dir_ / "three" / "sweep.json"));
    // Header plus 2 x 2 x 1 x 1 points, first axis slowest.
    std::istringstream lines(csv);
    std::vector<std::string> rows;
    for (std::string line; std::getline(lines, line);) rows.push_back(line);
    ASSERT_EQ(rows.size(), 5u) << csv;
    EXPECT_EQ(
        rows[0].rfind("camera.bits,run.n_components,run.batch,run.n_features,frame_rate_hz", 0),
        0u);
    EXPECT_EQ(rows[1].rfind("8,100,", 0), 0u);
    EXPECT_EQ(rows[2].rfind("8,2000,", 0), 0u);
    EXPECT_EQ(rows[3].rfind("12,100,", 0), 0u);
    // Only the three files, no temporaries.
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_ / "one")) {
        (void)entry;
        ++files;
    }
    EXPECT_EQ(files, 3u);
    const std::string page = read_file(dir_ / "one" / "index.html");
    EXPECT_NE(page.find("<svg"), std::string::npos);
    EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST_F(CliTest, SweepPointIsItsRunCommand) {
    ASSERT_EQ(run_cli(std::string(kGrid) + " --out " + path("grid")), 0) << output_;
    const auto sweep = nlohmann::json::parse(read_file(dir_ / "grid" / "sweep.json"));
    const auto& point = sweep["points"][3];
    EXPECT_EQ(point["parameters"]["camera.bits"], "12");
    const std::string command = point["command"].get<std::string>();
    ASSERT_EQ(command.rfind("opusim ", 0), 0u);
    ASSERT_EQ(run_cli(command.substr(7) + " --json --quiet"), 0) << output_;
    auto run = nlohmann::json::parse(stdout_);
    for (const char* wall :
         {"wall_time_s", "simulated_frames_per_wall_s", "simulation_speed", "version"}) {
        run.erase(wall);
    }
    EXPECT_EQ(run, point["result"]);
    // The same light in DN per microsecond of exposure (the gain is per electron; automatic
    // exposure may choose another exposure for the 12-bit camera, whose full well clips before
    // its ADC's range), but only the 8-bit camera reaches its ADC's full scale (255): speckle's
    // exponential tail puts exp(-252 / 37) ~ 0.1 % of the 32,000 values there (about 30; none at
    // all has probability e^-30).
    const auto& eight = sweep["points"][1]["result"];
    EXPECT_NEAR(point["result"]["noise"]["mean_signal_dn"].get<double>() *
                    eight["exposure_us"].get<double>() /
                    point["result"]["exposure_us"].get<double>(),
                eight["noise"]["mean_signal_dn"].get<double>(), 1.0);
    EXPECT_EQ(point["result"]["noise"]["saturated_fraction"].get<double>(), 0.0);
    EXPECT_GT(sweep["points"][1]["result"]["noise"]["saturated_fraction"].get<double>(), 0.0);
}

TEST_F(CliTest, SweepRefusesBadAxes) {
    EXPECT_EQ(run_cli("sweep --set camera.bits=8,9 --out " + path("x")), 2) << output_;
    EXPECT_NE(output_.find("--set camera.bits=9"), std::string::npos) << output_;
    EXPECT_EQ(run_cli("sweep --set run.n_pixels=1,2 --out " + path("x")), 2) << output_;
    EXPECT_NE(output_.find("run.n_pixels"), std::string::npos) << output_;
    EXPECT_EQ(run_cli("sweep --out " + path("x")), 2) << output_;
    EXPECT_EQ(run_cli("sweep --set camera.bits=8,,12 --out " + path("x")), 2) << output_;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "x" / "sweep.csv"));
}

}  // namespace
