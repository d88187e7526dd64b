#include "opusim_subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "../provenance.hpp"

extern char** environ;

namespace opusim::cli::report {
namespace {

// A pipe whose ends are closed when it goes out of scope.
struct Pipe {
    int ends[2] = {-1, -1};
    Pipe() {
        if (::pipe2(ends, O_CLOEXEC) != 0) {
            throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
        }
    }
    ~Pipe() {
        for (int& fd : ends) close_end(fd);
    }
    static void close_end(int& fd) {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

// Reads OUT and ERR until both are closed.
void drain(int out_fd, int err_fd, std::string& out, std::string& err) {
    std::array<pollfd, 2> fds{{{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}}};
    std::array<char, 65536> buffer{};
    int open = 2;
    while (open > 0) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            const ssize_t got = ::read(fds[i].fd, buffer.data(), buffer.size());
            if (got > 0) {
                (i == 0 ? out : err).append(buffer.data(), static_cast<std::size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                fds[i].fd = -1;
                --open;
            }
        }
    }
}

// The error message of a failed command: its JSON error's message, else its stderr.
std::string error_message(const std::string& err) {
    const auto parsed = nlohmann::json::parse(err, nullptr, false);
    if (parsed.is_object() && parsed.contains("error")) {
        return parsed["error"].value("message", err);
    }
    return err;
}

}  // namespace

std::string command_text(const std::vector<std::string>& args) {
    std::string text = "opusim";
    for (const auto& argument : args) text += " " + shell_quote(argument);
    return text;
}

namespace {

// This process's environment with the NAME=VALUE entries of CHANGES replacing or adding to it.
std::vector<std::string> child_environment(const std::vector<std::string>& changes) {
    std::vector<std::string> entries;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text = *entry;
        const std::string name = text.substr(0, text.find('='));
        bool replaced = false;
        for (const auto& change : changes) {
            replaced = replaced || change.substr(0, change.find('=')) == name;
        }
        if (!replaced) entries.push_back(text);
    }
    entries.insert(entries.end(), changes.begin(), changes.end());
    return entries;
}

}  // namespace

nlohmann::json run_opusim_json(const std::vector<std::string>& args,
                               const std::vector<std::string>& environment) {
    std::vector<std::string> argv_text{"opusim"};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    argv_text.insert(argv_text.end(), {"--json", "--quiet"});
    std::vector<char*> argv;
    for (auto& argument : argv_text) argv.push_back(argument.data());
    argv.push_back(nullptr);
    std::vector<std::string> environment_text = child_environment(environment);
    std::vector<char*> envp;
    for (auto& entry : environment_text) envp.push_back(entry.data());
    envp.push_back(nullptr);
    Pipe out, err;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out.ends[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.ends[1], STDERR_FILENO);
    pid_t child = -1;
    const int spawned =
        ::posix_spawn(&child, "/proc/self/exe", &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        throw std::runtime_error("cannot run " + command_text(args) + ": " +
                                 std::strerror(spawned));
    }
    Pipe::close_end(out.ends[1]);
    Pipe::close_end(err.ends[1]);
    std::string stdout_text, stderr_text;
    drain(out.ends[0], err.ends[0], stdout_text, stderr_text);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error(command_text(args) + " failed: " + error_message(stderr_text));
    }
    const auto parsed = nlohmann::json::parse(stdout_text, nullptr, false);
    if (parsed.is_discarded()) {
        throw std::runtime_error(command_text(args) + " printed no JSON object");
    }
    return parsed;
}

}  // namespace opusim::cli::report
