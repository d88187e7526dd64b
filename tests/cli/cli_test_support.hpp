// Running the built `opusim` as a user would (OPUSIM_CLI_PATH), for the command-line tests: one
// helper for every test_cli*.cpp instead of a copy per file.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

namespace opusim::cli_testing {

struct CliRun {
    int exit_code = -1;
    std::string output;       // stdout, then stderr
    std::string stdout_text;  // stdout alone: what --json outputs are parsed from (stderr may
                              // carry notes, such as the wait for a device another test holds)
    std::string stderr_text;  // stderr alone: where a --json error object goes
};

// Runs `opusim ARGUMENTS` through the shell and collects its output and exit code.
inline CliRun run_opusim(const std::string& arguments) {
    CliRun run;
    std::string stderr_path =
        (std::filesystem::temp_directory_path() / "opusim_cli_XXXXXX").string();
    const int stderr_fd = ::mkstemp(stderr_path.data());
    if (stderr_fd < 0) return run;
    ::close(stderr_fd);
    const std::string command =
        std::string(OPUSIM_CLI_PATH) + " " + arguments + " 2>'" + stderr_path + "'";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe != nullptr) {
        std::array<char, 4096> buffer{};
        std::size_t n = 0;
        while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
            run.stdout_text.append(buffer.data(), n);
        }
        const int status = ::pclose(pipe);
        run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::ifstream errors(stderr_path, std::ios::binary);
    run.stderr_text.assign(std::istreambuf_iterator<char>(errors), {});
    run.output = run.stdout_text + run.stderr_text;
    std::filesystem::remove(stderr_path);
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
        stdout_ = run.stdout_text;
        stderr_ = run.stderr_text;
        return run.exit_code;
    }

    std::filesystem::path dir_;
    std::string output_;  // of the last run_cli: stdout, then stderr
    std::string stdout_;  // of the last run_cli: stdout alone (parse --json output from it)
    std::string stderr_;  // of the last run_cli: stderr alone (a --json error object)
};

}  // namespace opusim::cli_testing
