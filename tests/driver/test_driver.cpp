// The driver on its own: URIs, device identification, DMA buffers and their ownership, jobs on
// the ring, device faults decoded into typed errors and recovered from, exclusive access.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "opusim/contract/dmd_format.hpp"
#include "opusim/contract/registers.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/driver/device_lock.hpp"
#include "opusim/driver/errors.hpp"
#include "opusim/physics/device_geometry.hpp"
#include "opusim/physics/profile.hpp"
#include "small_job.hpp"
#include "uri_error_expectation.hpp"

namespace {

using namespace opusim::driver;
namespace contract = opusim::contract;
namespace fault = contract::fault;

// What the device's capability registers must report: the profile the simulator was given.
const opusim::physics::DeviceProfile& gen2_profile() {
    static const auto profile = opusim::physics::DeviceProfile::load("gen2");
    return profile;
}

void inject(Device& device, std::uint32_t code) {
    device.write_register(opusim::contract::reg::kDebugFaultInject, code);
}

TEST(DeviceUri, ParsesBuiltinsPathsAndOptions) {
    const auto uri = DeviceUri::parse("sim:gen3?seed=7&noise_seed=3&noise=off&lock_wait=2.5");
    EXPECT_EQ(uri.transport, "sim");
    EXPECT_EQ(uri.target, "gen3");
    EXPECT_EQ(uri.medium_seed, 7u);
    EXPECT_EQ(uri.noise_seed, 3u);
    EXPECT_EQ(uri.noise, false);
    EXPECT_EQ(uri.lock_wait_s, 2.5);
    EXPECT_EQ(uri.identity(), "sim:gen3");
    EXPECT_EQ(DeviceUri::parse("sim:profiles/my.json").target, "profiles/my.json");
    const auto ideal = DeviceUri::parse("sim:gen2?noise=ideal");
    EXPECT_EQ(ideal.noise, false);
    EXPECT_EQ(ideal.ideal, true);
    EXPECT_EQ(uri.ideal, false);
}

TEST(DeviceUri, DefaultsToTheEnvironmentThenGen2) {
    const char* saved = std::getenv("OPUSIM_DEVICE");
    const std::string keep = saved ? saved : "";
    ::unsetenv("OPUSIM_DEVICE");
    EXPECT_EQ(DeviceUri::parse("").text, "sim:gen2");
    ::setenv("OPUSIM_DEVICE", "sim:gen3?seed=1", 1);
    EXPECT_EQ(DeviceUri::parse("").target, "gen3");
    if (saved)
        ::setenv("OPUSIM_DEVICE", keep.c_str(), 1);
    else
        ::unsetenv("OPUSIM_DEVICE");
}

TEST(DeviceUri, RejectsWhatItDoesNotKnowByName) {
    expect_uri_error("gen2", "expected TRANSPORT:DEVICE");
    expect_uri_error("pcie:0", "unknown transport 'pcie'");
    expect_uri_error("sim:", "no device");
    expect_uri_error("sim:gen2?colour=red", "unknown option 'colour'");
    expect_uri_error("sim:gen2?seed=-1", "option seed expects an unsigned 64-bit integer");
    expect_uri_error("sim:gen2?seed=99999999999999999999", "unsigned 64-bit");
    expect_uri_error("sim:gen2?noise=maybe", "option noise expects on, off or ideal");
    expect_uri_error("sim:gen2?seed=1&seed=2", "given twice");
    expect_uri_error("sim:gen2?lock_wait=nan", "lock_wait");
    EXPECT_THROW(Device::open("sim:no_such_profile"), UriError);
}

TEST(Device, ReadsIdentificationAndCapabilitiesFromRegisters) {
    auto device = Device::open("sim:gen2?seed=9&noise_seed=4&noise=off");
    const auto& info = device->info();
    EXPECT_EQ(info.id, opusim::contract::kDeviceId);
    EXPECT_EQ(info.dmd_columns, gen2_profile().dmd.columns);
    EXPECT_EQ(info.max_mirrors, gen2_profile().dmd.mirrors());
    EXPECT_EQ(info.bit_depth, gen2_profile().camera.bits);
    EXPECT_EQ(info.input_frame_bytes, (info.max_mirrors + 7) / 8);
    const auto config = device->config();
    EXPECT_EQ(config.medium_seed, 9u);
    EXPECT_EQ(config.noise_seed, 4u);
    EXPECT_FALSE(config.noise);
    EXPECT_EQ(config.exposure_us, gen2_profile().camera.exposure_us);
}

}  // namespace

SmallJob make_job(Device& device, std::uint32_t frames, std::uint32_t n_components) {
    const auto layout =
        contract::make_input_layout(device.info().dmd, 64, contract::InputRoiStrategy::Full);
    auto config = device.config();
    config.n_features = layout.n_features;
    config.replication = layout.replication;
    config.first_mirror = layout.first_mirror;
    config.roi_x = 0;
    config.roi_y = 500;
    config.roi_width = device.info().camera_width;
    config.roi_height = 1;
    config.n_components = n_components;
    device.configure(config);
    std::vector<std::uint8_t> bits(frames * 64);
    for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = (i % 2) == 0;
    SmallJob job;
    job.input = device.allocate(frames * device.info().input_frame_bytes);
    job.output = device.allocate(frames * n_components * device.info().bytes_per_pixel);
    contract::format_frames(layout, bits.data(), frames, job.input.data());
    job.job.input = &job.input;
    job.job.input_stride = device.info().input_frame_bytes;
    job.job.output = &job.output;
    job.job.output_stride = n_components * device.info().bytes_per_pixel;
    job.job.frames = frames;
    return job;
}

namespace {

TEST(Device, RunsJobsThroughTheRingWithDeviceTimestamps) {
    auto device = Device::open("sim:gen2?seed=1");
    auto job = make_job(*device, 5);
    job.input.sync(SyncDirection::ToDevice);
    job.output.sync(SyncDirection::ToDevice);
    // Two jobs queued before the first wait: the ring runs both.
    const auto first = device->submit(job.job);
    const auto second = device->submit(job.job);
    EXPECT_EQ(device->pending_jobs(), 2u);
    const auto a = device->wait(first, 1.0);
    const auto b = device->wait(second, 1.0);
    EXPECT_EQ(a.frames, 5u);
    EXPECT_EQ(b.frames, 5u);
    EXPECT_GT(a.end_s, a.start_s);
    EXPECT_GE(b.start_s, a.start_s);
    job.output.sync(SyncDirection::FromDevice);
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < job.output.size(); ++i) sum += job.output.data()[i];
    EXPECT_GT(sum, 0u);
    EXPECT_EQ(device->counters().frames_out, 10u);
    EXPECT_THROW(device->wait(first, 1.0), UsageError);  // already collected
}

TEST(Device, RegisteredApplicationMemoryIsUsedInPlace) {
    auto device = Device::open("sim:gen2?seed=1&noise=off");
    auto job = make_job(*device, 3);
    std::vector<std::uint8_t> mine(job.output.size(), 0xEE);
    Buffer registered = device->register_memory(mine.data(), mine.size());
    job.job.output = &registered;
    job.input.sync(SyncDirection::ToDevice);
    registered.sync(SyncDirection::ToDevice);
    device->run(job.job, 1.0);
    registered.sync(SyncDirection::FromDevice);
    EXPECT_NE(mine[0], 0xEE);  // the device wrote the application's own vector
}

TEST(Device, ABufferNotSyncedToTheDeviceIsADmaError) {
    auto device = Device::open("sim:gen2?seed=1");
    auto job = make_job(*device, 2);
    job.input.sync(SyncDirection::ToDevice);  // output left host-owned
    try {
        device->run(job.job, 1.0);
        FAIL() << "expected a DmaError";
    } catch (const DmaError& error) {
        EXPECT_EQ(error.code(), opusim::contract::DeviceError::DmaWrite);
        EXPECT_NE(std::string(error.what()).find("not synced"), std::string::npos);
    }
    // Recovered: the same job with both buffers synced runs.
    job.output.sync(SyncDirection::ToDevice);
    EXPECT_EQ(device->run(job.job, 1.0).frames, 2u);
}

TEST(Device, RejectsJobsAndConfigurationsOutsideItsLimits) {
    auto device = Device::open("sim:gen2?seed=1");
    auto job = make_job(*device, 2);
    job.job.frames = 3;  // the buffers hold 2
    EXPECT_THROW(device->submit(job.job), UsageError);
    auto config = device->config();
    config.exposure_us = 1e9;
    EXPECT_THROW(device->configure(config), UsageError);
    config = device->config();
    config.roi_y = device->info().camera_height;
    EXPECT_THROW(device->configure(config), UsageError);
}

TEST(Device, InjectedDeviceFaultsSurfaceAsTypedErrorsAndRecover) {
    auto device = Device::open("sim:gen2?seed=1");
    auto job = make_job(*device, 4);
    job.input.sync(SyncDirection::ToDevice);
    job.output.sync(SyncDirection::ToDevice);

    inject(*device, fault::kDmaReadError);
    EXPECT_THROW(device->run(job.job, 1.0), DmaError);
    inject(*device, fault::kDropFrame);
    EXPECT_THROW(device->run(job.job, 1.0), FrameDroppedError);
    inject(*device, fault::kHangNoInterrupt);
    try {
        device->run(job.job, 0.2);
        FAIL() << "expected a TimeoutError";
    } catch (const TimeoutError& error) {
        EXPECT_NE(std::string(error.what()).find("no completion"), std::string::npos);
    }
    // After each failure the driver reset the device; it works again.
    EXPECT_EQ(device->run(job.job, 1.0).frames, 4u);
}

TEST(Device, FailureCancelsTheJobsQueuedBehindIt) {
    auto device = Device::open("sim:gen2?seed=1");
    auto job = make_job(*device, 2);
    job.input.sync(SyncDirection::ToDevice);
    job.output.sync(SyncDirection::ToDevice);
    inject(*device, fault::kDmaWriteError);
    const auto first = device->submit(job.job);
    const auto second = device->submit(job.job);
    EXPECT_THROW(device->wait(first, 1.0), DmaError);
    try {
        device->wait(second, 1.0);
        FAIL() << "expected the queued job to be cancelled";
    } catch (const DeviceError&) {
        FAIL() << "a cancelled job is not a device error of its own";
    } catch (const DriverError& error) {
        EXPECT_NE(std::string(error.what()).find("cancelled"), std::string::npos);
    }
}

TEST(Device, IsThreadSafe) {
    auto device = Device::open("sim:gen2?seed=1");
    auto a = make_job(*device, 3);
    auto b = make_job(*device, 3);
    for (auto* job : {&a, &b}) {
        job->input.sync(SyncDirection::ToDevice);
        job->output.sync(SyncDirection::ToDevice);
    }
    std::vector<std::uint32_t> frames(2);
    std::thread first([&] {
        for (int i = 0; i < 5; ++i) frames[0] += device->run(a.job, 1.0).frames;
    });
    std::thread second([&] {
        for (int i = 0; i < 5; ++i) frames[1] += device->run(b.job, 1.0).frames;
    });
    first.join();
    second.join();
    EXPECT_EQ(frames[0], 15u);
    EXPECT_EQ(frames[1], 15u);
}

// A lock folder of the test's own, so that tests running in parallel (which open sim:gen2 too)
// never hold the lock this test contends for.
class PrivateLockFolder {
  public:
    PrivateLockFolder() {
        char pattern[] = "/tmp/opusim-lock-test-XXXXXX";
        folder_ = ::mkdtemp(pattern) ? pattern : "";
        const char* saved = std::getenv("OPUSIM_LOCK_DIR");
        had_ = saved != nullptr;
        if (had_) saved_ = saved;
        ::setenv("OPUSIM_LOCK_DIR", folder_.c_str(), 1);
    }
    ~PrivateLockFolder() {
        if (had_) {
            ::setenv("OPUSIM_LOCK_DIR", saved_.c_str(), 1);
        } else {
            ::unsetenv("OPUSIM_LOCK_DIR");
        }
        std::system(("rm -rf '" + folder_ + "'").c_str());
    }
    PrivateLockFolder(const PrivateLockFolder&) = delete;
    PrivateLockFolder& operator=(const PrivateLockFolder&) = delete;

  private:
    std::string folder_;
    std::string saved_;
    bool had_ = false;
};

TEST(ExclusiveAccess, ASecondOpenInTheSameProcessIsRefused) {
    const PrivateLockFolder locks;
    auto device = Device::open("sim:gen2");
    try {
        Device::open("sim:gen2?lock_wait=0");
        FAIL() << "expected DeviceBusyError";
    } catch (const DeviceBusyError& error) {
        EXPECT_EQ(error.holder_pid(), ::getpid());
        EXPECT_NE(std::string(error.what()).find(std::to_string(::getpid())), std::string::npos);
    }
    // Another device is another lock (and another simulator process): it opens.
    EXPECT_NO_THROW(Device::open("sim:gen3?lock_wait=0"));
}

// Runs COMMAND, returning its exit status and capturing stdout+stderr into OUTPUT.
int run_command(const std::string& command, std::string* output) {
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return -1;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) *output += buffer;
    const int status = ::pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ExclusiveAccess, AnotherProcessIsRefusedWithTheHoldersPid) {
    const PrivateLockFolder locks;
    auto device = Device::open("sim:gen2");
    std::string output;
    // The child inherits OPUSIM_LOCK_DIR, so it contends for this process's lock.
    const int status = run_command(
        std::string(OPUSIM_CLI_PATH) + " info --device 'sim:gen2?lock_wait=0.2'", &output);
    EXPECT_EQ(status, 1) << output;
    EXPECT_NE(output.find("in use by process " + std::to_string(::getpid())), std::string::npos)
        << output;
    device.reset();
    output.clear();
    EXPECT_EQ(run_command(std::string(OPUSIM_CLI_PATH) + " info --device 'sim:gen2?lock_wait=0'",
                          &output),
              0)
        << output;
}

// Sets (or unsets, for nullptr) the environment variable NAME for the scope.
class ScopedEnvironment {
  public:
    ScopedEnvironment(const char* name, const char* value) : name_(name) {
        const char* saved = std::getenv(name);
        had_ = saved != nullptr;
        if (had_) saved_ = saved;
        if (value != nullptr) {
            ::setenv(name, value, 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~ScopedEnvironment() {
        if (had_) {
            ::setenv(name_.c_str(), saved_.c_str(), 1);
        } else {
            ::unsetenv(name_.c_str());
        }
    }
    ScopedEnvironment(const ScopedEnvironment&) = delete;
    ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

  private:
    std::string name_;
    std::string saved_;
    bool had_ = false;
};

std::string made_temp_folder() {
    char pattern[] = "/tmp/opusim-lock-home-XXXXXX";
    return ::mkdtemp(pattern) ? pattern : "";
}

std::string driver_error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const DriverError& error) {
        return error.what();
    }
    return "";
}

// Issue 13, item 5 and finding 4: without OPUSIM_LOCK_DIR the locks live in a folder of the
// user's own, $XDG_RUNTIME_DIR/opusim or <temp>/opusim-<uid>, mode 0700; a folder open to others,
// owned by someone else or a symlink is refused rather than used.
TEST(ExclusiveAccess, TheDefaultLockFolderIsPrivate) {
    const std::string runtime = made_temp_folder();
    const std::string temp = made_temp_folder();
    const ScopedEnvironment no_lock_dir("OPUSIM_LOCK_DIR", nullptr);
    {
        const ScopedEnvironment xdg("XDG_RUNTIME_DIR", runtime.c_str());
        EXPECT_EQ(DeviceLock::directory(), std::filesystem::path(runtime) / "opusim");
    }
    const ScopedEnvironment no_xdg("XDG_RUNTIME_DIR", nullptr);
    const ScopedEnvironment tmpdir("TMPDIR", temp.c_str());
    const auto dir = std::filesystem::path(temp) / ("opusim-" + std::to_string(::geteuid()));
    EXPECT_EQ(DeviceLock::directory(), dir);
    struct stat info {};
    ASSERT_EQ(::lstat(dir.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);
    ::chmod(dir.c_str(), 0755);
    EXPECT_NE(driver_error_of([] { DeviceLock::directory(); }).find("open to other users"),
              std::string::npos);
    std::filesystem::remove(dir);
    std::filesystem::create_directory_symlink(runtime, dir);
    EXPECT_NE(driver_error_of([] { DeviceLock::directory(); }).find("is a symlink"),
              std::string::npos);
    std::filesystem::remove_all(runtime);
    std::filesystem::remove_all(temp);
}

// Finding 4: a symlink planted where the lock file goes is not followed (the file it points to
// is not overwritten); the open fails with a DriverError naming the lock file.
TEST(ExclusiveAccess, ALockFileSymlinkIsNotFollowed) {
    const PrivateLockFolder locks;
    const std::string victim_folder = made_temp_folder();
    const auto victim = std::filesystem::path(victim_folder) / "precious.txt";
    std::ofstream(victim) << "precious";
    const auto lock_file = DeviceLock::directory() /
                           DeviceLock::file_name(DeviceLock::key_of(DeviceUri::parse("sim:gen2")));
    std::filesystem::create_symlink(victim, lock_file);
    EXPECT_NE(
        driver_error_of([] { Device::open("sim:gen2?lock_wait=0"); }).find(lock_file.string()),
        std::string::npos);
    std::ifstream in(victim);
    std::string text;
    in >> text;
    EXPECT_EQ(text, "precious");
    std::filesystem::remove_all(victim_folder);
}

// Finding 11: the key is the device's identity, and its file name has a fixed length.
TEST(ExclusiveAccess, TheLockKeyIsTheDevicesIdentity) {
    const std::string folder = made_temp_folder();
    std::filesystem::create_directory(folder + "/sub");
    std::filesystem::copy_file(std::string(OPUSIM_PROFILE_DIR) + "/gen2.json", folder + "/p.json");
    const auto key = [](const std::string& uri) {
        return DeviceLock::key_of(DeviceUri::parse(uri));
    };
    EXPECT_EQ(key("sim:" + folder + "/p.json"), key("sim:" + folder + "/sub/../p.json"));
    EXPECT_EQ(key("sim:" + folder + "/p.json"), key("sim:" + folder + "/./p.json?lock_wait=3"));
    EXPECT_EQ(key("sim:gen2"), key("sim:gen2?lock_wait=1&vcd=/tmp/x.vcd"));
    // Seeds are configuration registers of the same device, not another device.
    EXPECT_EQ(key("sim:gen2"), key("sim:gen2?seed=7&noise_seed=1&noise=on"));
    EXPECT_NE(key("sim:gen2"), key("sim:gen3"));
    EXPECT_NE(DeviceLock::file_name("sim:a/b"), DeviceLock::file_name("sim:a_b"));
    const std::string long_key = "sim:/" + std::string(5000, 'x') + ".json";
    EXPECT_LE(DeviceLock::file_name(long_key).size(), 80u);
    EXPECT_EQ(DeviceLock::file_name(long_key).size(), DeviceLock::file_name(long_key + "y").size());
    std::filesystem::remove_all(folder);
}

// Finding 16: after about a second, a waiting process says whom it waits for.
TEST(ExclusiveAccess, AWaitingProcessSaysWhomItWaitsFor) {
    const PrivateLockFolder locks;
    auto device = Device::open("sim:gen2");
    std::string output;
    const int status = run_command(
        std::string(OPUSIM_CLI_PATH) + " info --device 'sim:gen2?lock_wait=1.5'", &output);
    EXPECT_NE(status, 0) << output;
    EXPECT_NE(output.find("waiting up to 1.5 s"), std::string::npos) << output;
    EXPECT_NE(output.find("process " + std::to_string(::getpid())), std::string::npos) << output;
}

// The lock is taken after the profile is checked: a bad profile is refused at once even while
// someone holds the lock of that device.
TEST(ExclusiveAccess, ABadProfileIsRefusedWithoutWaitingForTheLock) {
    const PrivateLockFolder locks;
    const std::string folder = made_temp_folder();
    const std::string profile = folder + "/bad.json";
    std::ofstream(profile) << "{\"name\": \"bad\"}";
    const std::string uri = "sim:" + profile + "?lock_wait=20";
    const DeviceLock held(DeviceLock::key_of(DeviceUri::parse(uri)), 0);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(Device::open(uri), UriError);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10);
    std::filesystem::remove_all(folder);
}

}  // namespace
