// The sim transport's fault options (faults=NAME:P,..., fault_seed=N): checked when the URI is
// parsed, refused by name when wrong, and reaching the device: a job it fails comes back as the
// driver's typed error and the driver recovers the device, as for a fault the register injects.
#include <gtest/gtest.h>

#include <string>

#include "opusim/driver/device.hpp"
#include "opusim/driver/errors.hpp"
#include "small_job.hpp"
#include "uri_error_expectation.hpp"

namespace {

using namespace opusim::driver;

TEST(FaultUri, TheIssuesExampleParses) {
    const auto uri = DeviceUri::parse(
        "sim:gen2?faults=dma_read:0.01,dropped_frame:0.001,hang:0.0005&fault_seed=7");
    EXPECT_EQ(uri.transport_options.at("faults"), "dma_read:0.01,dropped_frame:0.001,hang:0.0005");
    EXPECT_EQ(uri.transport_options.at("fault_seed"), "7");
    EXPECT_EQ(uri.identity(), "sim:gen2");
    DeviceUri::parse("sim:gen2?fault_seed=18446744073709551615&faults=dma_write:1");
}

TEST(FaultUri, BadValuesAreRefusedByName) {
    expect_uri_error("sim:gen2?faults=", "option faults: expected NAME:PROBABILITY");
    expect_uri_error("sim:gen2?faults=dma:0.1", "option faults: 'dma:0.1': unknown fault 'dma'");
    expect_uri_error("sim:gen2?faults=hang:2", "expected a probability per job in [0, 1]");
    expect_uri_error("sim:gen2?faults=hang:0.7,dma_read:0.7", "their sum must be <= 1");
    expect_uri_error("sim:gen2?faults=hang:0.1&faults=hang:0.2", "given twice");
    expect_uri_error("sim:gen2?faults=hang:0.1&fault_seed=x",
                     "option fault_seed expects an unsigned 64-bit integer, got 'x'");
    expect_uri_error("sim:gen2?faults=hang:0.1&fault_seed=18446744073709551616", "fault_seed");
    expect_uri_error("sim:gen2?faults=hang:0.1&fault_seed=-3", "fault_seed");
    // A seed without faults seeds nothing: refused when the device is opened.
    try {
        Device::open("sim:gen2?fault_seed=3");
        ADD_FAILURE() << "fault_seed without faults was accepted";
    } catch (const UriError& error) {
        EXPECT_NE(std::string(error.what()).find("fault_seed without faults="), std::string::npos)
            << error.what();
    }
}

// Every job meets a DMA write error: each is the typed error, and after each the driver has
// recovered the device (the next job runs and fails the same way, not with a stale state).
TEST(FaultUri, EveryJobFailsAtRateOneAndTheDriverRecoversEachTime) {
    auto device = Device::open("sim:gen2?seed=1&faults=dma_write:1&fault_seed=2&lock_wait=60");
    auto job = make_job(*device, 8);
    for (int attempt = 0; attempt < 3; ++attempt) {
        job.input.sync(SyncDirection::ToDevice);
        job.output.sync(SyncDirection::ToDevice);
        try {
            device->run(job.job, 1.0);
            ADD_FAILURE() << "a job completed on a device that fails every job";
        } catch (const DmaError& error) {
            EXPECT_EQ(error.code(), opusim::contract::DeviceError::DmaWrite);
            EXPECT_LT(error.detail(), 8u);
        }
        job.input.sync(SyncDirection::FromDevice);
        job.output.sync(SyncDirection::FromDevice);
        EXPECT_EQ(device->pending_jobs(), 0u);
    }
}

}  // namespace
