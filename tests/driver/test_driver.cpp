// The driver on its own: URIs, device identification, DMA buffers and their ownership, jobs on
// the ring, device faults decoded into typed errors and recovered from, exclusive access.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
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

void expect_uri_error(const std::string& text, const std::string& fragment) {
    try {
        DeviceUri::parse(text);
        ADD_FAILURE() << text << " was accepted";
    } catch (const UriError& error) {
        EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
}

TEST(DeviceUri, RejectsWhatItDoesNotKnowByName) {
    expect_uri_error("gen2", "expected TRANSPORT:DEVICE");
    expect_uri_error("pcie:0", "unknown transport 'pcie'");
    expect_uri_error("sim:", "no device");
    expect_uri_error("sim:gen2?colour=red", "unknown option 'colour'");
    expect_uri_error("sim:gen2?seed=-1", "option seed expects an unsigned 64-bit integer");
    expect_uri_error("sim:gen2?seed=99999999999999999999", "unsigned 64-bit");
    expect_uri_error("sim:gen2?noise=maybe", "option noise expects on or off");
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

}  // namespace
