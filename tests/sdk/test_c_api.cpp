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

TEST(CApi, DeviceChecksAreSettingsAndTheirFindingsAreInTheContext) {
    // gen2 with 1 % hot pixels and 5 % stuck mirrors: both found when asked (the draws are exact:
    // tests/sdk/test_defects.cpp), about 10 hot pixels among 1,000 and 5 stuck of 100 features.
    opusim_opu* opu = nullptr;
    ASSERT_EQ(opusim_open("sim:gen2?seed=7&noise_seed=3&set=defects.hot_pixel_fraction=0.01,"
                          "defects.stuck_mirror_fraction=0.05",
                          1000, &opu),
              OPUSIM_OK)
        << opusim_last_error();
    EXPECT_STREQ(opusim_context_exposure_source(opu), "");  // no transform yet
    EXPECT_EQ(opusim_context_stuck_features(opu, nullptr, 0), 0u);
    ASSERT_EQ(opusim_set_detect_stuck_mirrors(opu, 1), OPUSIM_OK);
    ASSERT_EQ(opusim_set_input_roi_strategy(opu, "full"), OPUSIM_OK);
    const std::size_t n = 100;
    std::vector<std::uint8_t> x(2 * n);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i * 7) % 3 == 0;
    std::vector<std::uint16_t> y(2 * 1000);
    auto transform = [&] {
        ASSERT_EQ(opusim_fit1d(opu, n), OPUSIM_OK) << opusim_last_error();
        ASSERT_EQ(opusim_transform(opu, x.data(), 2, n, y.data(), nullptr), OPUSIM_OK)
            << opusim_last_error();
    };
    transform();
    EXPECT_STREQ(opusim_context_exposure_source(opu), "auto");
    EXPECT_GT(opusim_context_exposure_signal_dn(opu), 0.0);
    EXPECT_GT(opusim_context_hot_pixels(opu), 0u);
    EXPECT_EQ(opusim_context_trigger_lag_frames(opu), 0u);
    const std::size_t stuck = opusim_context_stuck_features(opu, nullptr, 0);
    EXPECT_GT(stuck, 0u);
    std::vector<std::uint64_t> slots(stuck + 1, ~std::uint64_t{0});
    EXPECT_EQ(opusim_context_stuck_features(opu, slots.data(), slots.size()), stuck);
    EXPECT_NE(slots[stuck - 1], ~std::uint64_t{0});
    EXPECT_EQ(slots[stuck], ~std::uint64_t{0});  // only COUNT written
    EXPECT_STREQ(opusim_context_stuck_mirror_warning(opu), "");

    ASSERT_EQ(opusim_set_auto_exposure(opu, 0, 0.5), OPUSIM_OK);
    ASSERT_EQ(opusim_set_mask_defective_pixels(opu, 0), OPUSIM_OK);
    ASSERT_EQ(opusim_set_detect_stuck_mirrors(opu, 0), OPUSIM_OK);
    ASSERT_EQ(opusim_set_input_roi_strategy(opu, "full"), OPUSIM_OK);
    transform();
    EXPECT_STREQ(opusim_context_exposure_source(opu), "device");
    EXPECT_EQ(opusim_context_hot_pixels(opu), 0u);
    EXPECT_EQ(opusim_context_stuck_features(opu, nullptr, 0), 0u);

    std::vector<float> real(2 * n, 0.5f);
    std::vector<float> z(2 * 1000);
    ASSERT_EQ(opusim_linear_transform(opu, real.data(), 2, n, z.data(), nullptr), OPUSIM_OK)
        << opusim_last_error();
    EXPECT_GT(opusim_context_linear_error_limit(opu), 0.0);

    EXPECT_EQ(opusim_set_auto_exposure(opu, 1, 0.0), OPUSIM_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(opusim_last_error()).find("auto_exposure_density"), std::string::npos);
    EXPECT_EQ(opusim_set_detect_trigger_lag(nullptr, 1), OPUSIM_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(opusim_context_exposure_warning(nullptr), "");
    opusim_close(opu);
}

}  // namespace
