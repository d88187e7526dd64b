#include "daemon_fixture.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <thread>

#include "opusim/opu.hpp"

extern char** environ;

DaemonProcess::DaemonProcess(std::string socket) : socket_(std::move(socket)) {}

DaemonProcess::~DaemonProcess() {
    if (pid_ > 0) stop();
}

namespace {

bool answers(const std::string& socket) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const bool connected =
        ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
}

}  // namespace

void DaemonProcess::start() {
    std::vector<std::string> arguments{OPUSIMD_PATH,      "--socket",
                                       socket_,           "--foreground",
                                       "--device-server", OPUSIM_DEVICE_SERVER_PATH};
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, OPUSIMD_PATH, nullptr, nullptr, argv.data(), environ) != 0) {
        throw std::runtime_error("cannot start opusimd");
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!answers(socket_)) {
        if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("opusimd silent");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

int DaemonProcess::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

ScratchFolder::ScratchFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "opusimd-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    folder_ = pattern;
}

ScratchFolder::~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
}

std::vector<std::uint8_t> random_rows(std::size_t rows, std::size_t n, std::uint32_t seed) {
    std::mt19937 generator(seed);
    std::vector<std::uint8_t> x(rows * n);
    for (auto& value : x) value = static_cast<std::uint8_t>(generator() & 1u);
    return x;
}

std::vector<std::uint16_t> transform_on(const std::string& device,
                                        const std::vector<std::uint8_t>& x, std::size_t rows,
                                        std::size_t n) {
    opusim::OpuSettings settings;
    settings.device = device;
    settings.n_components = 64;
    settings.max_n_features = n;
    opusim::Opu opu(settings);
    opu.fit1d(n);
    return opu.transform(opusim::ArrayView<std::uint8_t>(x, {rows, n})).output.values;
}

std::uint64_t frames_hash(const std::vector<std::uint16_t>& frames) {
    std::uint64_t hash = 1469598103934665603ull;
    for (const auto value : frames) {
        for (const unsigned byte : {value & 0xFFu, unsigned{value} >> 8u}) {
            hash = (hash ^ byte) * 1099511628211ull;
        }
    }
    return hash;
}
