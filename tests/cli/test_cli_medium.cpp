// `opusim medium` run as a user would: the .npy holds exactly the Medium's true block, and bad
// arguments exit with code 2 and a message naming the flag.
#include <gtest/gtest.h>

#include <complex>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_test_support.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/physics/medium.hpp"

namespace {

namespace fs = std::filesystem;
using opusim::cli_testing::CliTest;

class CliMedium : public CliTest {
  protected:
    // Runs `opusim medium ARGUMENTS`; returns the exit code, output into output_.
    int run(const std::string& arguments) { return run_cli("medium " + arguments); }
    void expect_usage_error(const std::string& arguments, const std::string& needle) {
        EXPECT_EQ(run(arguments + " --out " + out()), 2) << arguments << "\n" << output_;
        EXPECT_NE(output_.find(needle), std::string::npos) << arguments << "\n" << output_;
        EXPECT_FALSE(fs::exists(out())) << arguments;
    }
    std::string out() const { return path("m.npy"); }
};

TEST_F(CliMedium, WritesTheTrueBlock) {
    for (const char* storage : {"int8", "float32"}) {
        ASSERT_EQ(run("--seed 77 --pixels 3:9 --mirrors 1001:1014 --storage " +
                      std::string(storage) + " --out " + out()),
                  0)
            << output_;
        const auto array = opusim::io::read_npy(out());
        ASSERT_EQ(array.dtype, opusim::io::DType::Complex64);
        ASSERT_EQ(array.shape, (std::vector<std::size_t>{6, 13}));
        opusim::physics::MediumParams params;
        params.storage = storage;
        const opusim::physics::Medium medium(params, 77);
        std::vector<std::complex<float>> expected(6 * 13);
        medium.block(3, 9, 1001, 1014, expected.data());
        const auto* values = array.data<std::complex<float>>();
        for (std::size_t e = 0; e < expected.size(); ++e) {
            ASSERT_EQ(values[e], expected[e]) << storage << " element " << e;
        }
    }
}

TEST_F(CliMedium, ProfileGivesSeedAndGeometry) {
    ASSERT_EQ(run("--profile gen2 --pixels 0:2 --mirrors 0:3 --out " + out()), 0) << output_;
    EXPECT_EQ(opusim::io::read_npy(out()).shape, (std::vector<std::size_t>{2, 3}));
    fs::remove(out());
    expect_usage_error("--profile gen2 --pixels 0:2 --mirrors 0:99999999", "--mirrors");
    expect_usage_error("--profile gen2 --pixels 0:99999999 --mirrors 0:2", "--pixels");
    expect_usage_error("--profile no_such_profile --pixels 0:2 --mirrors 0:2", "--profile");
}

TEST_F(CliMedium, RejectsBadArguments) {
    expect_usage_error("--pixels 0:2 --mirrors 0:2", "--seed");
    expect_usage_error("--seed -1 --pixels 0:2 --mirrors 0:2", "--seed");
    expect_usage_error("--seed 18446744073709551616 --pixels 0:2 --mirrors 0:2", "--seed");
    expect_usage_error("--seed 1 --pixels 5:3 --mirrors 0:2", "--pixels");
    expect_usage_error("--seed 1 --pixels 0:2 --mirrors x", "--mirrors");
    expect_usage_error("--seed 1 --pixels 0:2 --mirrors 0:2 --storage int4", "--storage");
    expect_usage_error("--seed 1 --pixels 0:100000 --mirrors 0:100000", "2^28");
    expect_usage_error("--seed 1 --pixels 0:2 --mirrors 0:2 --bogus 3", "bogus");
    EXPECT_EQ(run("--seed 1 --pixels 0:2 --mirrors 0:2"), 2) << output_;  // no --out
    EXPECT_NE(output_.find("out"), std::string::npos) << output_;
}

TEST_F(CliMedium, UnwritableOutputIsAnError) {
    EXPECT_EQ(run("--seed 1 --pixels 0:2 --mirrors 0:2 --out " + (dir_ / "no/such/m.npy").string()),
              1)
        << output_;
    EXPECT_NE(output_.find("no/such/m.npy"), std::string::npos) << output_;
}

}  // namespace
