// opusimd end to end: the same frames in-process and through the daemon; clients sharing one
// device; a client killed with SIGKILL mid-job; a daemon restart (typed error, then reconnect);
// exclusive sessions; malformed and hostile connections; the status the daemon reports.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "daemon_fixture.hpp"
#include "opusim.h"
#include "opusim/contract/daemon_protocol.hpp"
#include "opusim/contract/wire_protocol.hpp"
#include "opusim/driver/daemon_client.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/driver/errors.hpp"
#include "opusim/opu.hpp"

extern char** environ;

namespace {

constexpr std::size_t kRows = 40;
constexpr std::size_t kFeatures = 96;
const std::string kDevice = "sim:gen2?seed=11&noise_seed=5";

nlohmann::json status_of(const std::string& socket) {
    return nlohmann::json::parse(opusim::driver::daemon_status_json(socket));
}

std::string via(const std::string& uri, const std::string& socket) {
    return uri + (uri.find('?') == std::string::npos ? "?" : "&") + "via=" + socket;
}

class DaemonTest : public ::testing::Test {
  protected:
    void SetUp() override { daemon_.start(); }
    ScratchFolder folder_;
    DaemonProcess daemon_{folder_.path("opusimd.sock")};
};

TEST_F(DaemonTest, SameFramesInProcessAndThroughTheDaemon) {
    const auto x = random_rows(kRows, kFeatures, 1);
    const auto own = transform_on(kDevice, x, kRows, kFeatures);
    const auto shared = transform_on(via(kDevice, daemon_.socket()), x, kRows, kFeatures);
    ASSERT_EQ(own.size(), kRows * 64);
    EXPECT_EQ(frames_hash(own), frames_hash(shared));
    EXPECT_EQ(own, shared);
}

TEST_F(DaemonTest, EnvironmentSendsEveryDeviceThroughTheDaemon) {
    const auto x = random_rows(kRows, kFeatures, 2);
    const auto own = transform_on(kDevice, x, kRows, kFeatures);
    ::setenv("OPUSIM_DAEMON", daemon_.socket().c_str(), 1);
    std::vector<std::uint16_t> shared;
    nlohmann::json status;
    {
        const auto device = opusim::driver::Device::open(kDevice);
        EXPECT_NE(device->transport_description().find("opusimd"), std::string::npos);
        status = status_of(daemon_.socket());
        shared = transform_on(kDevice, x, kRows, kFeatures);
    }
    ::unsetenv("OPUSIM_DAEMON");
    EXPECT_EQ(own, shared);
    ASSERT_EQ(status["devices"].size(), 1u);
    EXPECT_EQ(status["devices"][0]["clients"].size(), 1u);
    EXPECT_EQ(status["devices"][0]["clients"][0]["pid"], ::getpid());
}

// The C API reaches the daemon the same way (via= in its URI): the same frames and the same
// linear projection as its own device.
TEST_F(DaemonTest, CApiThroughTheDaemonGivesTheSameResults) {
    const auto x = random_rows(kRows, kFeatures, 3);
    std::vector<float> real(kRows * kFeatures);
    for (std::size_t i = 0; i < real.size(); ++i) real[i] = float(x[i]) - 0.25f * float(i % 3);
    struct Results {
        std::vector<std::uint16_t> frames;
        std::vector<float> linear;
    };
    const auto run_c_api = [&](const std::string& uri) {
        Results results{std::vector<std::uint16_t>(kRows * 64), std::vector<float>(kRows * 64)};
        opusim_opu* opu = nullptr;
        EXPECT_EQ(opusim_open(uri.c_str(), 64, &opu), OPUSIM_OK) << opusim_last_error();
        if (opu == nullptr) return results;
        EXPECT_EQ(opusim_set_max_n_features(opu, kFeatures), OPUSIM_OK);
        EXPECT_EQ(opusim_fit1d(opu, kFeatures), OPUSIM_OK) << opusim_last_error();
        EXPECT_EQ(opusim_transform(opu, x.data(), kRows, kFeatures, results.frames.data(), nullptr),
                  OPUSIM_OK)
            << opusim_last_error();
        EXPECT_EQ(opusim_linear_transform(opu, real.data(), kRows, kFeatures, results.linear.data(),
                                          nullptr),
                  OPUSIM_OK)
            << opusim_last_error();
        opusim_close(opu);
        return results;
    };
    const auto own = run_c_api(kDevice);
    const auto shared = run_c_api(via(kDevice, daemon_.socket()));
    const auto status = status_of(daemon_.socket());  // the jobs really ran on the daemon's device
    ASSERT_EQ(status["devices"].size(), 1u);
    EXPECT_GE(status["devices"][0]["jobs"].get<int>(), 2);
    EXPECT_EQ(frames_hash(own.frames), frames_hash(shared.frames));
    EXPECT_EQ(own.linear, shared.linear);
    EXPECT_EQ(own.frames, transform_on(kDevice, x, kRows, kFeatures));
}

// Two clients at once on one device, each with its own seeds: each gets exactly its in-process
// frames (jobs are atomic: configuration, descriptor and completion go through together).
TEST_F(DaemonTest, ClientsShareOneDeviceEachWithItsOwnConfiguration) {
    const std::string first = "sim:gen2?seed=3&noise_seed=4";
    const std::string second = "sim:gen2?seed=8&noise_seed=9";
    const auto x = random_rows(kRows * 4, kFeatures, 3);
    const auto own_first = transform_on(first, x, kRows * 4, kFeatures);
    const auto own_second = transform_on(second, x, kRows * 4, kFeatures);
    ASSERT_NE(own_first, own_second);
    auto a = std::async(std::launch::async, [&] {
        return transform_on(via(first, daemon_.socket()), x, kRows * 4, kFeatures);
    });
    auto b = std::async(std::launch::async, [&] {
        return transform_on(via(second, daemon_.socket()), x, kRows * 4, kFeatures);
    });
    EXPECT_EQ(a.get(), own_first);
    EXPECT_EQ(b.get(), own_second);
    const auto status = status_of(daemon_.socket());
    ASSERT_EQ(status["devices"].size(), 1u);  // one device: seeds are configuration, not identity
    EXPECT_GT(status["devices"][0]["jobs"].get<int>(), 0);
    EXPECT_GT(status["devices"][0]["utilisation"].get<double>(), 0.0);
    EXPECT_EQ(status["devices"][0]["clients"].size(), 0u);  // both closed
}

// A client process killed with SIGKILL while its jobs run: the daemon releases its jobs, buffers
// and registration, and the next client's job succeeds with the right frames.
TEST_F(DaemonTest, ClientKilledMidJobReleasesTheDevice) {
    const std::string uri = via(kDevice, daemon_.socket());
    std::vector<std::string> arguments{OPUSIM_CLI_PATH,  "run",    "--device",     uri,
                                       "--batch",        "200000", "--n-features", "256",
                                       "--n-components", "64"};
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    pid_t child = -1;
    ASSERT_EQ(::posix_spawn(&child, OPUSIM_CLI_PATH, nullptr, nullptr, argv.data(), environ), 0);
    // Until the daemon has run some of its jobs.
    bool busy = false;
    // (Up to 20 s: a loaded machine takes seconds to start the command; it takes well under 1 s.)
    for (int i = 0; i < 800 && !busy; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
        const auto status = status_of(daemon_.socket());
        for (const auto& device : status["devices"]) {
            for (const auto& client : device["clients"]) {
                busy = busy || (client["pid"] == child && client["jobs_done"].get<int>() > 0);
            }
        }
    }
    ASSERT_TRUE(busy) << "the client never ran a job through the daemon";
    ::kill(child, SIGKILL);
    int exit_status = 0;
    ::waitpid(child, &exit_status, 0);
    ASSERT_TRUE(WIFSIGNALED(exit_status))
        << "the client ended by itself first, status " << exit_status;

    const auto x = random_rows(kRows, kFeatures, 4);
    EXPECT_EQ(transform_on(uri, x, kRows, kFeatures), transform_on(kDevice, x, kRows, kFeatures));
    const auto status = status_of(daemon_.socket());
    ASSERT_EQ(status["devices"].size(), 1u);
    EXPECT_EQ(status["devices"][0]["clients"].size(), 0u);
}

// A daemon that stops: its clients get a typed error (never a hang) and, once it is back, open
// the device again and get the same frames.
TEST_F(DaemonTest, DaemonRestartGivesTypedErrorThenClientsReconnect) {
    const std::string uri = via(kDevice, daemon_.socket());
    const auto x = random_rows(kRows, kFeatures, 5);
    const auto own = transform_on(kDevice, x, kRows, kFeatures);
    opusim::OpuSettings settings;
    settings.device = uri;
    settings.n_components = 64;
    settings.max_n_features = kFeatures;
    opusim::Opu opu(settings);
    opu.fit1d(kFeatures);
    EXPECT_EQ(opu.transform(opusim::ArrayView<std::uint8_t>(x, {kRows, kFeatures})).output.values,
              own);
    EXPECT_EQ(daemon_.stop(), 0);  // SIGTERM: a clean shutdown
    struct stat gone {};
    EXPECT_NE(::stat(daemon_.socket().c_str(), &gone), 0) << "the socket outlived the daemon";
    try {
        opu.transform(opusim::ArrayView<std::uint8_t>(x, {kRows, kFeatures}));
        FAIL() << "a transform on a stopped daemon succeeded";
    } catch (const std::exception& error) {
        EXPECT_NE(std::string(error.what()).find("opusimd"), std::string::npos) << error.what();
    }
    EXPECT_THROW(opusim::driver::Device::open(uri), opusim::driver::DriverError);
    daemon_.start();
    EXPECT_EQ(transform_on(uri, x, kRows, kFeatures), own);
}

TEST_F(DaemonTest, ExclusiveSessionRefusesOthersNamingTheHolder) {
    const std::string uri = via(kDevice, daemon_.socket());
    const auto holder = opusim::driver::Device::open(uri + "&exclusive=1");
    try {
        opusim::driver::Device::open(uri);
        FAIL() << "a second client opened an exclusively held device";
    } catch (const opusim::driver::DeviceBusyError& error) {
        const std::string text = error.what();
        EXPECT_NE(text.find("pid " + std::to_string(::getpid())), std::string::npos) << text;
        EXPECT_NE(text.find("exclusive"), std::string::npos) << text;
    }
    // Another exclusive open waits for its timeout, then names the holder too.
    const auto before = std::chrono::steady_clock::now();
    EXPECT_THROW(opusim::driver::Device::open(via("sim:gen2", daemon_.socket()) + "&exclusive=0.3"),
                 opusim::driver::DeviceBusyError);
    EXPECT_GE(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(250));
}

TEST_F(DaemonTest, ExclusiveOpenWaitsForOthersToLeave) {
    const std::string uri = via(kDevice, daemon_.socket());
    auto sharer = opusim::driver::Device::open(uri);
    auto waiting = std::async(std::launch::async,
                              [&] { return opusim::driver::Device::open(uri + "&exclusive=5"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    sharer.reset();
    const auto holder = waiting.get();
    EXPECT_TRUE(status_of(daemon_.socket())["devices"][0]["clients"][0]["exclusive"].get<bool>());
}

int raw_connection(const std::string& socket) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    return fd;
}

// Opens gen2 on a raw connection, as a driver does before its device link.
void open_gen2(opusim::contract::wire::Channel& link) {
    opusim::contract::daemon::OpenRequest request;
    request.profile = "gen2";
    const auto open = opusim::contract::daemon::encode_open(request);
    link.send(opusim::contract::wire::MessageType::DaemonOpen, open.data(), open.size());
    EXPECT_EQ(link.receive().type, opusim::contract::wire::MessageType::Ready);
}

// Hostile bytes are refused and cost the other clients nothing.
TEST_F(DaemonTest, MalformedConnectionsAreRefusedAndOthersGoOn) {
    using opusim::contract::wire::MessageType;
    {  // an open request of garbage
        opusim::contract::wire::Channel link(raw_connection(daemon_.socket()));
        const char junk[] = "\x01\x00\x00\x00\xff\xff\xff\xff";
        link.send(MessageType::DaemonOpen, junk, sizeof junk);
        EXPECT_EQ(link.receive().type, MessageType::Refused);
    }
    {  // a header announcing a gigabyte
        const int fd = raw_connection(daemon_.socket());
        const opusim::contract::wire::MessageHeader header{MessageType::DaemonOpen, 0, 1ull << 30};
        ASSERT_EQ(::send(fd, &header, sizeof header, MSG_NOSIGNAL), ssize_t(sizeof header));
        char byte = 0;
        EXPECT_LE(::recv(fd, &byte, 1, 0), 0);  // closed (or reset: its bytes were never read)
        ::close(fd);
    }
    {  // a register access outside the window after a good open
        opusim::contract::wire::Channel link(raw_connection(daemon_.socket()));
        open_gen2(link);
        const opusim::contract::wire::RegisterAccess access{0x7FFFFFF0u, 0};
        link.send_value(MessageType::ReadRegister, access);
        EXPECT_EQ(link.receive().type, MessageType::Failed);
    }
    {  // shared memory a client could shrink under the device (not sealed)
        opusim::contract::wire::Channel link(raw_connection(daemon_.socket()));
        open_gen2(link);
        const int memory = ::memfd_create("unsealed", MFD_CLOEXEC);
        ASSERT_EQ(::ftruncate(memory, 4096), 0);
        namespace flags = opusim::contract::wire::region_flags;
        const opusim::contract::wire::RegionMessage region{std::uint64_t{1} << 32, 4096,
                                                           flags::kShared, 0};
        link.send_value(MessageType::MapRegion, region, memory);
        ::close(memory);
        const auto answer = link.receive();
        EXPECT_EQ(answer.type, MessageType::Failed);
        EXPECT_NE(std::string(answer.payload.begin(), answer.payload.end()).find("sealed"),
                  std::string::npos);
    }
    const auto x = random_rows(kRows, kFeatures, 6);
    EXPECT_EQ(transform_on(via(kDevice, daemon_.socket()), x, kRows, kFeatures),
              transform_on(kDevice, x, kRows, kFeatures));
}

TEST_F(DaemonTest, SocketIsTheUsersAloneAndABadProfileIsAUriError) {
    struct stat socket {};
    ASSERT_EQ(::stat(daemon_.socket().c_str(), &socket), 0);
    EXPECT_EQ(socket.st_mode & 0777, 0600u);
    EXPECT_THROW(opusim::driver::Device::open(via("sim:no-such-profile", daemon_.socket())),
                 opusim::driver::UriError);
    EXPECT_THROW(opusim::driver::Device::open("sim:gen2?via=" + folder_.path("none.sock")),
                 opusim::driver::DriverError);
}

// Children of PARENT that have ended and were not collected.
int zombie_children(pid_t parent) {
    int zombies = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        if (!std::getline(stat, line)) continue;
        // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
        std::istringstream rest(line.substr(line.rfind(')') + 1));
        char state = 0;
        pid_t ppid = 0;
        if (rest >> state >> ppid && ppid == parent && state == 'Z') ++zombies;
    }
    return zombies;
}

// A device server that fails to start (a profile it refuses) is collected by the daemon: a
// long-lived daemon keeps no zombie or descriptor per refused open.
TEST_F(DaemonTest, RefusedOpensLeaveNoServerBehind) {
    const std::string profile = folder_.path("broken.json");
    std::ofstream(profile) << "{\"name\": \"broken\"}";
    for (int attempt = 0; attempt < 3; ++attempt) {
        EXPECT_THROW(opusim::driver::Device::open(via("sim:" + profile, daemon_.socket())),
                     opusim::driver::DriverError);
    }
    EXPECT_EQ(zombie_children(daemon_.pid()), 0);
    const auto x = random_rows(kRows, kFeatures, 8);  // and the daemon serves on
    EXPECT_EQ(transform_on(via(kDevice, daemon_.socket()), x, kRows, kFeatures),
              transform_on(kDevice, x, kRows, kFeatures));
}

// A device whose jobs hang: its client gets the typed device error (the daemon aborts the job and
// resets the device after the client's wait times out), and the daemon serves the others on.
TEST_F(DaemonTest, HungJobsFailTheirClientAndOthersGoOn) {
    const auto x = random_rows(kRows, kFeatures, 7);
    try {
        transform_on(via("sim:gen2?faults=hang:1&seed=11", daemon_.socket()), x, kRows, kFeatures);
        FAIL() << "a transform on a device whose every job hangs succeeded";
    } catch (const std::exception& error) {
        EXPECT_NE(std::string(error.what()).find("STALLED"), std::string::npos) << error.what();
    }
    EXPECT_EQ(transform_on(via(kDevice, daemon_.socket()), x, kRows, kFeatures),
              transform_on(kDevice, x, kRows, kFeatures));
}

// opusim info through the daemon: the device's section and the daemon's, in text and JSON.
TEST_F(DaemonTest, InfoListsTheDaemonsDevicesAndClients) {
    const std::string command = std::string(OPUSIM_CLI_PATH) + " info --json --device '" +
                                via("sim:gen2", daemon_.socket()) + "'";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string text;
    char chunk[4096];
    for (std::size_t got; (got = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;)
        text.append(chunk, got);
    ASSERT_EQ(::pclose(pipe), 0) << text;
    const auto info = nlohmann::json::parse(text);
    ASSERT_TRUE(info.contains("daemon")) << text;
    const auto& daemon = info["daemon"];
    EXPECT_EQ(daemon["socket"], daemon_.socket());
    EXPECT_EQ(daemon["pid"], daemon_.pid());
    ASSERT_EQ(daemon["devices"].size(), 1u);
    const auto& device = daemon["devices"][0];
    EXPECT_EQ(device["device"], "sim:gen2");
    ASSERT_EQ(device["clients"].size(), 1u);  // the info command itself
    for (const char* key : {"queue_depth", "utilisation", "jobs", "device_time_s", "busy_s"}) {
        EXPECT_TRUE(device.contains(key)) << key;
    }
    EXPECT_NE(device["clients"][0]["pid"], ::getpid());
}

// Peer credentials: with the socket opened to everyone, another user still gets no device (the
// daemon checks SO_PEERCRED). Switching to another user needs root: CI runs the tests as root.
TEST_F(DaemonTest, AnotherUserIsRefusedByPeerCredentials) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another user";
    ASSERT_EQ(::chmod(folder_.path(".").c_str(), 0711), 0);
    ASSERT_EQ(::chmod(daemon_.socket().c_str(), 0666), 0);
    opusim::contract::daemon::OpenRequest request;
    request.profile = "gen2";
    const auto open = opusim::contract::daemon::encode_open(request);
    const opusim::contract::wire::MessageHeader header{
        opusim::contract::wire::MessageType::DaemonOpen, 0, open.size()};
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, daemon_.socket().c_str(), sizeof address.sun_path - 1);
    const pid_t child = ::fork();
    if (child == 0) {  // only system calls from here: no allocation after fork
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) ::_exit(11);
        // The daemon may refuse before reading the request, so a send may fail: the answer counts.
        [[maybe_unused]] const ssize_t sent_header =
            ::send(fd, &header, sizeof header, MSG_NOSIGNAL);
        [[maybe_unused]] const ssize_t sent_open =
            ::send(fd, open.data(), open.size(), MSG_NOSIGNAL);
        opusim::contract::wire::MessageHeader answer{};
        if (::recv(fd, &answer, sizeof answer, MSG_WAITALL) != ssize_t(sizeof answer)) ::_exit(13);
        ::_exit(answer.type == opusim::contract::wire::MessageType::Failed ? 0 : 14);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10 setuid, 11 connect, 13 no answer, 14 admitted";
    EXPECT_EQ(status_of(daemon_.socket())["devices"].size(), 0u);  // no device was started
}

}  // namespace
