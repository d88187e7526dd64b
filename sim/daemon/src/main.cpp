// opusimd: simulated OPUs as a shared service (docs/daemon.md).
//   opusimd [--socket PATH] [--foreground] [--group NAME] [--device-server PATH]
// PATH defaults to $XDG_RUNTIME_DIR/opusim/opusimd.sock. --group NAME makes the socket 0660 and
// lets that group's members in (a system-wide socket); otherwise only this user may connect.
// Without --foreground the daemon detaches once its socket is ready. SIGTERM and SIGINT stop it
// cleanly: clients hear the end of their links, device servers are shut down, the socket removed.
#include <dlfcn.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

#include "daemon.hpp"

namespace {

int stop_pipe[2] = {-1, -1};

void on_stop(int) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(stop_pipe[1], &byte, 1);
}

int usage(const std::string& problem) {
    std::fprintf(stderr,
                 "opusimd: %s\n"
                 "usage: opusimd [--socket PATH] [--foreground] [--group NAME]\n"
                 "               [--device-server PATH]\n",
                 problem.c_str());
    return 2;
}

std::string default_socket() {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (runtime == nullptr || *runtime == '\0') return {};
    const std::filesystem::path folder = std::filesystem::path(runtime) / "opusim";
    ::mkdir(folder.c_str(), 0700);
    return (folder / "opusimd.sock").string();
}

// $OPUSIM_DEVICE_SERVER, else <prefix>/libexec/opusim/opusim-device beside <prefix>/bin.
std::string default_device_server(const char* argv0) {
    const char* chosen = std::getenv("OPUSIM_DEVICE_SERVER");
    if (chosen != nullptr && *chosen != '\0') return chosen;
    std::error_code error;
    std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) self = argv0;
    return (self.parent_path() / OPUSIM_BINDIR_TO_SERVER).lexically_normal().string();
}

// The parent says where the daemon serves and returns to the shell; the child serves.
void detach(const std::string& socket) {
    const pid_t child = ::fork();
    if (child > 0) {
        std::fprintf(stderr, "opusimd: serving %s (pid %d)\n", socket.c_str(), int(child));
        std::_Exit(0);
    }
    ::setsid();
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
        ::dup2(null, STDIN_FILENO);
        ::dup2(null, STDOUT_FILENO);
        ::dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO) ::close(null);
    }
}

}  // namespace

int main(int argc, char* argv[]) {
    opusim::daemon::DaemonOptions options;
    bool foreground = false;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--foreground") {
            foreground = true;
            continue;
        }
        if (flag == "--help" || flag == "-h") {
            usage("simulated OPUs shared by the processes that connect to PATH");
            return 0;
        }
        if (i + 1 >= argc) return usage(flag + " needs a value");
        const std::string value = argv[++i];
        if (flag == "--socket") {
            options.socket_path = value;
        } else if (flag == "--device-server") {
            options.device_server = value;
        } else if (flag == "--group") {
            const group* found = ::getgrnam(value.c_str());
            if (found == nullptr) return usage("--group: no group named '" + value + "'");
            options.group = found->gr_gid;
        } else {
            return usage("unknown option " + flag);
        }
    }
    if (options.socket_path.empty()) options.socket_path = default_socket();
    if (options.socket_path.empty()) {
        return usage("--socket PATH is needed when XDG_RUNTIME_DIR is not set");
    }
    if (options.device_server.empty()) options.device_server = default_device_server(argv[0]);
    if (::access(options.device_server.c_str(), X_OK) != 0) {
        return usage("the device server '" + options.device_server +
                     "' is not an executable (--device-server or OPUSIM_DEVICE_SERVER)");
    }
    if (::pipe2(stop_pipe, O_CLOEXEC) != 0) return 1;
    struct sigaction action {};
    action.sa_handler = on_stop;
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    try {
        opusim::daemon::Daemon daemon(options);
        if (foreground) {
            std::fprintf(stderr, "opusimd: serving %s (pid %d)\n", options.socket_path.c_str(),
                         static_cast<int>(::getpid()));
        } else {
            detach(options.socket_path);
        }
        daemon.serve(stop_pipe[0]);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "opusimd: %s\n", error.what());
        return 1;
    }
    return 0;
}
