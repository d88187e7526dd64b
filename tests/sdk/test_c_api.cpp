// The C API: status codes, last-error messages, and the same results as the C++ API.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "opusim.h"
#include "opusim/opusim.hpp"

namespace {

TEST(CApi, TransformMatchesTheCppApi) {
    const std::size_t rows = 6;
    const std::size_t n = 40;
    std::vector<std::uint8_t> x(rows * n);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i % 3) == 0;
    std::vector<std::uint16_t> from_cpp;
    {
        opusim::OpuSettings settings;
        settings.device = "sim:gen2?seed=2&noise_seed=5";
        settings.n_components = 25;
        opusim::Opu opu(settings);
        opu.fit1d(n);
        from_cpp = opu.transform(opusim::ArrayView<std::uint8_t>(x, {rows, n})).output.values;
    }
    opusim_opu* opu = nullptr;
    ASSERT_EQ(opusim_open("sim:gen2?seed=2&noise_seed=5", 25, &opu), OPUSIM_OK)
        << opusim_last_error();
    EXPECT_EQ(opusim_n_components(opu), 25u);
    ASSERT_EQ(opusim_fit1d(opu, n), OPUSIM_OK);
    std::vector<std::uint16_t> y(rows * 25);
    opusim_context context;
    ASSERT_EQ(opusim_transform(opu, x.data(), rows, n, y.data(), &context), OPUSIM_OK);
    EXPECT_EQ(y, from_cpp);
    EXPECT_EQ(context.frames, rows);
    EXPECT_GT(context.end_s, context.start_s);

    std::vector<float> real(rows * n, 0.25f);
    real[3] = -1.0f;
    std::vector<float> z(rows * 25);
    EXPECT_EQ(opusim_linear_transform(opu, real.data(), rows, n, z.data(), nullptr), OPUSIM_OK)
        << opusim_last_error();
    opusim_close(opu);
}

TEST(CApi, ErrorsAreCodesWithMessages) {
    opusim_opu* opu = nullptr;
    EXPECT_EQ(opusim_open("sim:gen2?bogus=1", 10, &opu), OPUSIM_ERROR_URI);
    EXPECT_NE(std::string(opusim_last_error()).find("unknown option 'bogus'"), std::string::npos);
    EXPECT_EQ(opu, nullptr);
    ASSERT_EQ(opusim_open("sim:gen2", 10, &opu), OPUSIM_OK);
    opusim_opu* second = nullptr;
    EXPECT_EQ(opusim_open("sim:gen2?lock_wait=0", 10, &second), OPUSIM_ERROR_DEVICE_BUSY);
    std::vector<std::uint8_t> x(20, 3);
    std::vector<std::uint16_t> y(20);
    EXPECT_EQ(opusim_transform(opu, x.data(), 2, 10, y.data(), nullptr), OPUSIM_ERROR_NOT_FITTED);
    EXPECT_EQ(opusim_fit1d(opu, 5000), OPUSIM_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(opusim_last_error()).find("max_n_features"), std::string::npos);
    ASSERT_EQ(opusim_fit1d(opu, 10), OPUSIM_OK);
    EXPECT_EQ(opusim_transform(opu, x.data(), 2, 10, y.data(), nullptr),
              OPUSIM_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(opusim_last_error()).find("binary"), std::string::npos);
    EXPECT_EQ(opusim_transform(nullptr, x.data(), 2, 10, y.data(), nullptr),
              OPUSIM_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(opusim_status_name(OPUSIM_ERROR_TIMEOUT), "OPUSIM_ERROR_TIMEOUT");
    opusim_close(opu);
    opusim_close(nullptr);
}

TEST(CApi, NanExposureIsAnErrorNotASilentReset) {
    opusim_opu* opu = nullptr;
    ASSERT_EQ(opusim_open("sim:gen2?noise=off", 10, &opu), OPUSIM_OK) << opusim_last_error();
    EXPECT_EQ(opusim_set_exposure_us(opu, std::numeric_limits<double>::quiet_NaN()),
              OPUSIM_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(opusim_last_error()).find("exposure_us"), std::string::npos)
        << opusim_last_error();
    EXPECT_EQ(opusim_set_exposure_us(opu, 0.0), OPUSIM_OK);  // documented: restores the device's
    opusim_close(opu);
}

}  // namespace
