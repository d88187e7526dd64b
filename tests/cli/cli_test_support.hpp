// Running the built `opusim` as a user would (OPUSIM_CLI_PATH), for the command-line tests: one
// helper for every test_cli*.cpp instead of a copy per file.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace opusim::cli_testing {

struct CliRun {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// Runs `opusim ARGUMENTS` through the shell and collects its output and exit code.
inline CliRun run_opusim(const std::string& arguments) {
    const std::string command = std::string(OPUSIM_CLI_PATH) + " " + arguments + " 2>&1";
    CliRun run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        run.output.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

// A fixture with a fresh temporary folder per test (removed afterwards).
class CliTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("opusim_cli_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    // Runs `opusim ARGUMENTS`; keeps stdout and stderr in output_ and returns the exit code.
    int run_cli(const std::string& arguments) {
        const CliRun run = run_opusim(arguments);
        output_ = run.output;
        return run.exit_code;
    }

    std::filesystem::path dir_;
    std::string output_;  // of the last run_cli
};

}  // namespace opusim::cli_testing
