// Issue 13's findings as a user meets them through `opusim`: each reproducing command now gives
// a clear error with the documented exit code (2: a bad argument, 1: a failure), and outputs are
// never left half-written.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"
#include "opusim/io/npy.hpp"

namespace {

using nlohmann::json;

class Reliability : public opusim::cli_testing::CliTest {
  protected:
    void SetUp() override {
        CliTest::SetUp();
        ::setenv("OPUSIM_LOCK_DIR", path("locks").c_str(), 1);
    }

    // gen2's profile with EDIT applied, written to NAME; returns its path.
    std::string edited_gen2(const std::string& name, const std::function<void(json&)>& edit) {
        std::ifstream in(std::string(OPUSIM_PROFILE_DIR) + "/gen2.json");
        json document = json::parse(in);
        edit(document);
        std::ofstream(path(name)) << document.dump(1);
        return path(name);
    }
    void write_text(const std::string& name, const std::string& text) {
        std::ofstream(path(name)) << text;
    }
    void expect_exit(int code, const std::string& arguments,
                     std::initializer_list<std::string> needles) {
        EXPECT_EQ(run_cli(arguments), code) << arguments << "\n" << output_;
        for (const auto& needle : needles) {
            EXPECT_NE(output_.find(needle), std::string::npos)
                << arguments << ": output lacks '" << needle << "':\n"
                << output_;
        }
    }
    std::vector<std::string> folder_names() const {
        std::vector<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
            names.push_back(entry.path().filename().string());
        }
        return names;
    }
};

// Findings 1, 6, 7: `profile show` refuses what the device would refuse, naming the key.
TEST_F(Reliability, ProfileShowRefusesWhatTheDeviceRefuses) {
    const auto fifo =
        edited_gen2("fifo.json", [](json& d) { d["controller"]["input_buffer_frames"] = 5000; });
    expect_exit(2, "profile show " + fifo, {"controller.input_buffer_frames"});
    const auto mirrors = edited_gen2("mirrors.json", [](json& d) {
        d["dmd"]["columns"] = 100000;
        d["dmd"]["rows"] = 100000;
    });
    expect_exit(2, "profile show " + mirrors, {"CAP_MAX_MIRRORS"});
    const auto settle = edited_gen2("settle.json", [](json& d) { d["dmd"]["settle_us"] = 1e300; });
    expect_exit(2, "profile show " + settle, {"dmd.settle_us"});
    expect_exit(2, "timing --profile " + settle + " --n-features 64 --n-components 64 --frames 10",
                {"dmd.settle_us"});
    const auto link =
        edited_gen2("link.json", [](json& d) { d["link"]["bandwidth_gb_per_s"] = 1e-300; });
    expect_exit(2, "timing --device sim:" + link + " --n-features 64 --n-components 64 --frames 10",
                {"link.bandwidth_gb_per_s"});
}

// Findings 2 and 14: malformed profile files, every one a usage error naming the file.
TEST_F(Reliability, MalformedProfileFilesAreUsageErrors) {
    write_text("deep.json", std::string(100000, '[') + std::string(100000, ']'));
    expect_exit(2, "profile show " + path("deep.json"), {"deep.json", "nested deeper"});
    expect_exit(
        2, "timing --profile " + path("deep.json") + " --n-features 8 --n-components 8 --frames 2",
        {"nested deeper"});
    write_text("twice.json", R"({"name": "a", "name": "b"})");
    expect_exit(2, "profile show " + path("twice.json"), {"twice.json", "appears twice"});
    write_text("huge.json", R"({"name": 1e400})");
    expect_exit(2, "profile show " + path("huge.json"), {"huge.json", "number overflow"});
    std::filesystem::create_directories(path("folder.json"));
    expect_exit(2, "profile show " + path("folder.json"), {"folder.json", "is a folder"});
}

// Finding 14: a bad URI is a bad argument (exit 2) on every command; --vcd "" too.
TEST_F(Reliability, BadUrisAndTracePathsExitTwo) {
    const auto x = path("x.npy");
    opusim::io::write_npy(x, opusim::io::DType::UInt8, {2, 8},
                          std::vector<std::uint8_t>(16, 1).data());
    expect_exit(2, "info --device 'sim:gen2?bogus=1'", {"--device", "bogus"});
    expect_exit(2, "transform --device 'sim:gen2?seed=x' --input " + x + " --out " + path("y.npy"),
                {"--device", "seed"});
    expect_exit(2, "run --device 'nosuch:gen2'", {"--device"});
    expect_exit(2, "timing --profile gen2 --n-features 8 --n-components 8 --frames 2 --vcd ''",
                {"--vcd"});
    expect_exit(2, "timing --device 'sim:gen2?vcd=' --n-features 8 --n-components 8 --frames 2",
                {"--device", "vcd="});
    expect_exit(
        2,
        "timing --profile gen2 --n-features 8 --n-components 8 --frames 2 --vcd " + dir_.string(),
        {"--vcd", "folder"});
}

// Findings 3 and 13, and item 1's pipes: input checked before allocation and before float32.
TEST_F(Reliability, TransformInputIsCheckedAsStored) {
    std::string header = "\x93NUMPY";
    header.push_back('\x02');
    header.push_back('\x00');
    header.append(4, '\xff');
    header.resize(80, ' ');
    write_text("huge_header.npy", header);
    expect_exit(2, "transform --input " + path("huge_header.npy") + " --out " + path("y.npy"),
                {"--input", "truncated header"});
    for (const double bad : {1.0000000001, 1e-50}) {
        const std::vector<double> values{1.0, 0.0, bad, 1.0};
        opusim::io::write_npy(path("f64.npy"), {2, 2}, values);
        expect_exit(2, "transform --input " + path("f64.npy") + " --out " + path("y.npy"),
                    {"--input", "not binary", "[1, 0]"});
    }
    EXPECT_FALSE(std::filesystem::exists(path("y.npy")));
    opusim::io::write_npy(path("bits.npy"), opusim::io::DType::UInt8, {2, 8},
                          std::vector<std::uint8_t>(16, 1).data());
    expect_exit(0,
                "transform --n-components 16 --input /dev/stdin --out " + path("y.npy") + " < " +
                    path("bits.npy"),
                {"written to"});
    EXPECT_EQ(opusim::io::read_npy(path("y.npy")).shape, (std::vector<std::size_t>{2, 16}));
}

// Finding 10: transform's output is bounded like the other commands' (rows x --n-components).
TEST_F(Reliability, TransformOutputIsBounded) {
    const std::size_t rows = std::size_t{1} << 20;
    opusim::io::write_npy(path("tall.npy"), opusim::io::DType::UInt8, {rows, 1},
                          std::vector<std::uint8_t>(rows, 1).data());
    expect_exit(
        2, "transform --n-components 4096 --input " + path("tall.npy") + " --out " + path("y.npy"),
        {"--n-components", "values in one output array"});
}

// Finding 8: a write that cannot complete leaves nothing (no partial file, no temporary), the
// command fails, and a trace appears only once complete.
TEST_F(Reliability, OutputsAppearWholeOrNotAtAll) {
    expect_exit(1, "medium --seed 3 --pixels 0:4 --mirrors 0:4 --out " + path("missing/m.npy"),
                {"m.npy"});
    EXPECT_FALSE(std::filesystem::exists(path("missing")));
    expect_exit(
        0,
        "timing --profile gen2 --n-features 8 --n-components 8 --frames 3 --vcd " + path("t.vcd"),
        {});
    EXPECT_GT(std::filesystem::file_size(path("t.vcd")), 0u);
    for (const auto& name : folder_names()) {
        EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;
    }
}

}  // namespace
