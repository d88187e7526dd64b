// Bad input gets a clear error naming the argument; device faults during a transform are retried
// (the same frames come back: noise is keyed by sequence number) or surface as typed errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "opusim/contract/registers.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/opusim.hpp"

namespace {

using opusim::ArrayView;
using opusim::Opu;
using opusim::OpuSettings;
namespace fault = opusim::contract::fault;

// Arms a fault for the next job of the device OPU opened (its DEBUG_FAULT_INJECT register).
void inject(Opu& opu, std::uint32_t code) {
    opu.device().write_register(opusim::contract::reg::kDebugFaultInject, code);
}

template <class Call>
void expect_invalid(Call&& call, const std::string& fragment) {
    try {
        call();
        ADD_FAILURE() << "accepted; expected an error mentioning '" << fragment << "'";
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
}

OpuSettings small_settings() {
    OpuSettings settings;
    settings.device = "sim:gen2?seed=3&noise_seed=4";
    settings.n_components = 20;
    settings.max_n_features = 100;
    return settings;
}

TEST(BadInput, WrongShapeNonBinaryNanAndTooManyFeaturesAreNamed) {
    Opu opu(small_settings());
    EXPECT_THROW(opu.transform(ArrayView<std::uint8_t>(nullptr, {0, 10})),
                 std::logic_error);  // not fitted
    expect_invalid([&] { opu.fit1d(101); }, "n_features: 101 exceeds max_n_features 100");
    expect_invalid([&] { opu.fit1d(0); }, "n_features");
    opu.fit1d(10);
    std::vector<std::uint8_t> bits(3 * 10, 0);
    expect_invalid(
        [&] {
            opu.transform(ArrayView<std::uint8_t>(bits, {3, 9}));
        },
        "the last axes must be 10 features");
    expect_invalid(
        [&] {
            opu.transform(ArrayView<std::uint8_t>(bits, {1, 1, 1, 3, 10}));
        },
        "expected 1 to 4 dimensions");
    bits[14] = 2;
    expect_invalid(
        [&] {
            opu.transform(ArrayView<std::uint8_t>(bits, {3, 10}));
        },
        "x[sample 1, feature 4] = 2: transform needs binary input");
    std::vector<float> real(3 * 10, 0.5f);
    real[7] = std::numeric_limits<float>::quiet_NaN();
    expect_invalid(
        [&] {
            opu.linear_transform(ArrayView<float>(real, {3, 10}));
        },
        "x[sample 0, feature 7] is not finite");
    opusim::Overrides bad;
    bad.exposure_us = 1e12;
    bits[14] = 1;
    expect_invalid(
        [&] {
            opu.transform(ArrayView<std::uint8_t>(bits, {3, 10}), bad);
        },
        "exposure_us");
    OpuSettings huge = small_settings();
    huge.max_n_features = 2'000'000;
    huge.open_at_init = false;
    Opu other(huge);
    opu.close();
    expect_invalid([&] { other.fit1d(2'000'000); }, "exceeds the 1039680 mirrors");
    OpuSettings no_outputs = small_settings();
    no_outputs.n_components = 0;
    expect_invalid([&] { Opu{no_outputs}; }, "n_components");
}

TEST(BadInput, PackedRowsWithPadBitsSetAreRejected) {
    Opu opu(small_settings());
    opu.fit1d(10, true);
    std::vector<std::uint8_t> packed{0xFF, 0xC0, 0xFF, 0xE0};  // row 1 lights pad bit 10
    expect_invalid([&] { opu.transform(ArrayView<std::uint8_t>(packed, {2, 2})); }, "pad bit");
}

TEST(Faults, AFailedPassIsRetriedAndGivesTheSameFrames) {
    std::vector<std::uint8_t> bits(12 * 30);
    for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = (i * 7 % 3) == 0;
    std::vector<std::uint16_t> clean;
    {
        Opu opu(small_settings());
        opu.fit1d(30);
        clean = opu.transform(ArrayView<std::uint8_t>(bits, {12, 30})).output.values;
    }
    for (const std::uint32_t code :
         {fault::kDropFrame, fault::kDmaReadError, fault::kHangNoInterrupt}) {
        Opu opu(small_settings());
        opu.fit1d(30);
        inject(opu, code);
        const auto result = opu.transform(ArrayView<std::uint8_t>(bits, {12, 30}));
        EXPECT_EQ(result.context.retries, 1u);
        EXPECT_EQ(result.output.values, clean);
    }
}

TEST(Faults, WithoutRetriesTheTypedErrorReachesTheApplication) {
    auto settings = small_settings();
    settings.max_retries = 0;
    Opu opu(settings);
    opu.fit1d(30);
    std::vector<std::uint8_t> bits(4 * 30, 1);
    inject(opu, fault::kHangNoInterrupt);
    EXPECT_THROW(opu.transform(ArrayView<std::uint8_t>(bits, {4, 30})), opusim::TimeoutError);
    inject(opu, fault::kDmaWriteError);
    EXPECT_THROW(opu.transform(ArrayView<std::uint8_t>(bits, {4, 30})), opusim::DmaError);
    inject(opu, fault::kDropFrame);
    EXPECT_THROW(opu.transform(ArrayView<std::uint8_t>(bits, {4, 30})), opusim::FrameDroppedError);
    // And the device works again afterwards.
    EXPECT_EQ(opu.transform(ArrayView<std::uint8_t>(bits, {4, 30})).output.values.size(), 80u);
}

TEST(Lifecycle, OpenCloseAndRaii) {
    auto settings = small_settings();
    settings.open_at_init = false;
    Opu opu(settings);
    EXPECT_FALSE(opu.is_open());
    opu.open();
    EXPECT_TRUE(opu.is_open());
    EXPECT_THROW(Opu{small_settings()}, opusim::DeviceBusyError);  // exclusive
    opu.close();
    opu.close();                       // idempotent
    { Opu scoped(small_settings()); }  // RAII releases the device
    Opu again(small_settings());
    EXPECT_TRUE(again.is_open());
    Opu moved(std::move(again));
    EXPECT_TRUE(moved.is_open());
    EXPECT_THROW(again.is_open(), std::logic_error);  // NOLINT(bugprone-use-after-move): on purpose
}

}  // namespace
