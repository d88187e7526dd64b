#include "opusim/contract/device_server_process.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

extern char** environ;

namespace opusim::contract::wire {
namespace {

std::vector<char*> server_environment(std::string& wait_policy) {
    std::vector<char*> env;
    bool has_policy = false;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        has_policy = has_policy || std::strncmp(*entry, "OMP_WAIT_POLICY=", 16) == 0;
        env.push_back(*entry);
    }
    if (!has_policy) {
        wait_policy = "OMP_WAIT_POLICY=passive";
        env.push_back(wait_policy.data());
    }
    env.push_back(nullptr);
    return env;
}

// Closes its descriptor on every path out of start_device_server.
class ServerEnd {
  public:
    explicit ServerEnd(int fd) : fd_(fd) {}
    ~ServerEnd() { ::close(fd_); }
    ServerEnd(const ServerEnd&) = delete;
    ServerEnd& operator=(const ServerEnd&) = delete;
    int fd() const { return fd_; }

  private:
    int fd_;
};

}  // namespace

ServerProcess start_device_server(const std::string& program, std::vector<std::string> arguments) {
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
        throw std::system_error(errno, std::generic_category(), "device link: socketpair");
    }
    ServerProcess server;
    server.link = std::make_unique<Channel>(ends[0]);
    const ServerEnd server_end(ends[1]);
    arguments.insert(arguments.begin(), {program, "--link-fd", std::to_string(kServerLinkFd)});
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 clears close-on-exec on the link's copy; nothing else of this process is inherited
    // (no lock file of another device, no pipe of the application's).
    posix_spawn_file_actions_adddup2(&actions, server_end.fd(), kServerLinkFd);
    posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
    posix_spawn_file_actions_addclosefrom_np(&actions, kServerLinkFd + 1);
    std::string wait_policy;
    std::vector<char*> env = server_environment(wait_policy);
    const int failed =
        ::posix_spawn(&server.pid, program.c_str(), &actions, nullptr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    if (failed != 0) {
        throw std::system_error(failed, std::generic_category(),
                                "cannot start the device server " + program);
    }
    return server;
}

std::string collect_device_server(pid_t pid, std::chrono::milliseconds grace) {
    if (pid <= 0) return "already collected";
    int status = 0;
    pid_t waited = 0;
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while ((waited = ::waitpid(pid, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() < deadline) {
        ::usleep(1000);
    }
    if (waited == 0) {
        ::kill(pid, SIGKILL);
        do {
            waited = ::waitpid(pid, &status, 0);
        } while (waited < 0 && errno == EINTR);
    }
    if (waited < 0) return "exit status unknown";
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return "exit status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace opusim::contract::wire
