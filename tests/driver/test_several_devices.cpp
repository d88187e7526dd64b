// Several simulated devices in one process (each is a process of its own behind the driver):
// open at once, they compute what each computes alone; one that fails leaves the others, and the
// next open, working.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "opusim/driver/device.hpp"
#include "opusim/driver/errors.hpp"
#include "small_job.hpp"

namespace {

using namespace opusim::driver;

constexpr double kTimeoutS = 5.0;

std::vector<std::uint8_t> run_once(Device& device, SmallJob& job) {
    job.input.sync(SyncDirection::ToDevice);
    job.output.sync(SyncDirection::ToDevice);
    device.run(job.job, kTimeoutS);
    job.output.sync(SyncDirection::FromDevice);
    return {job.output.data(), job.output.data() + job.output.size()};
}

std::vector<std::uint8_t> alone(const std::string& uri) {
    auto device = Device::open(uri);
    auto job = make_job(*device, 6);
    return run_once(*device, job);
}

TEST(SeveralDevices, Gen2AndGen3OpenAtOnceGiveWhatEachGivesAlone) {
    const std::string gen2 = "sim:gen2?seed=5&noise_seed=8";
    // Different seeds too, so that output from the wrong device could not pass for the right one.
    const std::string gen3 = "sim:gen3?seed=6&noise_seed=9";
    const auto gen2_alone = alone(gen2);
    const auto gen3_alone = alone(gen3);
    auto a = Device::open(gen2);
    auto b = Device::open(gen3);
    EXPECT_EQ(a->info().profile_name, "gen2");
    EXPECT_EQ(b->info().profile_name, "gen3");
    auto job_a = make_job(*a, 6);
    auto job_b = make_job(*b, 6);
    // Interleaved: a, b, then a again on a second job, each device keeping its own state.
    EXPECT_EQ(run_once(*a, job_a), gen2_alone);
    EXPECT_EQ(run_once(*b, job_b), gen3_alone);
    EXPECT_NE(gen2_alone, gen3_alone);
    // The same frames again: the camera noise moves on with the frame sequence, the medium stays.
    job_a.job.first_sequence = 0;
    EXPECT_EQ(run_once(*a, job_a), gen2_alone);
}

// The device servers that are children of this process (pids).
std::set<std::string> device_servers() {
    std::set<std::string> pids;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string pid = entry.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string self, name, state;
        long parent = 0;
        if ((stat >> self >> name >> state >> parent) && parent == ::getpid() &&
            name.find("opusim-device") != std::string::npos && state != "Z") {
            pids.insert(pid);
        }
    }
    return pids;
}

// A simulated device whose process dies (killed, as a crash would end it): the driver says so,
// the other device and the next open are untouched. (The model itself no longer fails: a profile
// it cannot represent is refused at open, and an exception inside its SystemC thread is the
// device error INTERNAL: tests/model ProfileLimits and Faults.)
TEST(SeveralDevices, ASimulationThatFailsBreaksNeitherTheOthersNorTheNextOpen) {
    auto healthy = Device::open("sim:gen3?seed=2");
    auto healthy_job = make_job(*healthy, 3);
    const auto before = run_once(*healthy, healthy_job);
    {
        const auto others = device_servers();
        auto failing = Device::open("sim:gen2?seed=3");
        std::set<std::string> mine;
        for (const auto& pid : device_servers()) {
            if (others.count(pid) == 0) mine.insert(pid);
        }
        ASSERT_EQ(mine.size(), 1u);
        auto job = make_job(*failing, 3);
        ASSERT_EQ(::kill(std::stoi(*mine.begin()), SIGKILL), 0);
        try {
            job.input.sync(SyncDirection::ToDevice);
            job.output.sync(SyncDirection::ToDevice);
            failing->run(job.job, kTimeoutS);
            FAIL() << "the killed simulation ran a job";
        } catch (const DriverError& error) {
            EXPECT_NE(std::string(error.what()).find("signal 9"), std::string::npos)
                << error.what();
        }
        // It stays failed, saying so, rather than hanging or pretending.
        EXPECT_THROW(failing->read_register(0), DriverError);
    }
    // The other device is untouched, and a new open in this process works.
    EXPECT_EQ(run_once(*healthy, healthy_job), before);
    auto fresh = Device::open("sim:gen2?seed=2");
    auto fresh_job = make_job(*fresh, 3);
    EXPECT_EQ(run_once(*fresh, fresh_job).size(), fresh_job.output.size());
}

// Open file descriptors of this process.
std::size_t open_descriptors() {
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        (void)entry;
        ++count;
    }
    return count;
}

TEST(SeveralDevices, OpeningAndClosingLeavesNoDescriptorAndNoProcess) {
    { auto warm_up = Device::open("sim:gen2?seed=4"); }
    const std::size_t before = open_descriptors();
    for (int round = 0; round < 3; ++round) {
        auto device = Device::open("sim:gen2?seed=4");
        auto job = make_job(*device, 2);
        run_once(*device, job);
    }
    EXPECT_EQ(open_descriptors(), before);
    // Every device process was collected: no child is left, running or zombie.
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
}

TEST(SeveralDevices, AnInvalidRequestIsRefusedAndTheDeviceGoesOn) {
    auto device = Device::open("sim:gen2?seed=4");
    auto job = make_job(*device, 2);
    const auto expected = run_once(*device, job);
    job.input.sync(SyncDirection::ToDevice);
    job.output.sync(SyncDirection::ToDevice);
    const auto id = device->submit(job.job);
    // More device time than the device will wait in one request: refused, not a device failure.
    EXPECT_THROW(device->wait(id, 2e6), UsageError);
    job.job.first_sequence = 0;
    auto again = make_job(*device, 2);
    EXPECT_EQ(run_once(*device, again), expected);
}

TEST(SeveralDevices, AMissingDeviceServerIsNamed) {
    const char* saved = std::getenv("OPUSIM_DEVICE_SERVER");
    const std::string keep = saved ? saved : "";
    ::setenv("OPUSIM_DEVICE_SERVER", "/nonexistent/opusim-device", 1);
    try {
        Device::open("sim:gen2");
        ADD_FAILURE() << "opened without a device server";
    } catch (const DriverError& error) {
        EXPECT_NE(std::string(error.what()).find("opusim-device"), std::string::npos)
            << error.what();
        EXPECT_NE(std::string(error.what()).find("/nonexistent/opusim-device"), std::string::npos);
    }
    if (saved) {
        ::setenv("OPUSIM_DEVICE_SERVER", keep.c_str(), 1);
    } else {
        ::unsetenv("OPUSIM_DEVICE_SERVER");
    }
}

}  // namespace
