// `opusim favor` and `opusim attention` run as a user would: favor reproduces the golden
// performer-pytorch outputs from the .npy files (tests/data/favor), attention reports what it
// promises (JSON keys, errors within the expectation of docs/reference/favor.md §5, device frames
// and time), bad arguments exit 2 naming the flag.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"
#include "opusim/io/npy.hpp"

namespace {

namespace fs = std::filesystem;

std::string golden(const std::string& name) {
    return std::string(OPUSIM_TEST_DATA_DIR) + "/favor/" + name;
}

class CliAttention : public opusim::cli_testing::CliTest {
  protected:
    std::string favor_inputs(const std::string& q = golden("q.npy"),
                             const std::string& k = golden("k.npy"),
                             const std::string& v = golden("v.npy"),
                             const std::string& w = golden("W.npy")) const {
        return "favor --q " + q + " --k " + k + " --v " + v + " --projection-matrix " + w;
    }
    void expect_usage_error(const std::string& arguments, const std::string& needle) {
        EXPECT_EQ(run_cli(arguments), 2) << arguments << "\n" << output_;
        EXPECT_NE(output_.find(needle), std::string::npos) << arguments << "\n" << output_;
    }
};

// Every element within rtol 1e-5 / atol 1e-6 (the golden tolerance of docs/reference/favor.md §5).
void expect_matches_golden(const std::string& file, const std::string& golden_name) {
    const opusim::io::NpyArray out = opusim::io::read_npy(file);
    const opusim::io::NpyArray expected = opusim::io::read_npy(golden(golden_name));
    ASSERT_EQ(out.dtype, opusim::io::DType::Float32);
    ASSERT_EQ(out.shape, expected.shape);
    const float* a = out.data<float>();
    const float* b = expected.data<float>();
    std::size_t bad = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (std::abs(double(a[i]) - b[i]) > 1e-6 + 1e-5 * std::abs(double(b[i]))) ++bad;
    }
    EXPECT_EQ(bad, 0u) << golden_name;
}

TEST_F(CliAttention, FavorReproducesTheGoldenOutputs) {
    ASSERT_EQ(run_cli(favor_inputs() + " --out " + path("o.npy")), 0) << output_;
    expect_matches_golden(path("o.npy"), "softmax_noncausal_out.npy");
    ASSERT_EQ(run_cli(favor_inputs() + " --causal --out " + path("c.npy")), 0) << output_;
    expect_matches_golden(path("c.npy"), "softmax_causal_out.npy");
    ASSERT_EQ(run_cli(favor_inputs() + " --kernel relu --out " + path("r.npy")), 0) << output_;
    expect_matches_golden(path("r.npy"), "relu_noncausal_out.npy");
}

TEST_F(CliAttention, FavorTakesFloat64Inputs) {
    const opusim::io::NpyArray q = opusim::io::read_npy(golden("q.npy"));
    opusim::io::write_npy(path("q64.npy"), q.shape, q.to_double());
    ASSERT_EQ(run_cli(favor_inputs(path("q64.npy")) + " --out " + path("o.npy")), 0) << output_;
    expect_matches_golden(path("o.npy"), "softmax_noncausal_out.npy");
}

TEST_F(CliAttention, FavorRejectsBadInputNamingTheFlag) {
    const opusim::io::NpyArray v = opusim::io::read_npy(golden("v.npy"));
    std::vector<float> values = v.to_float();
    values[17] = std::nanf("");
    opusim::io::write_npy(path("v_nan.npy"), v.shape, values);
    expect_usage_error(favor_inputs(golden("q.npy"), golden("k.npy"), path("v_nan.npy")) +
                           " --out " + path("o.npy"),
                       "--v: expected finite values, got NaN at [0, 0, 0, 17]");

    std::vector<float> narrow(1 * 2 * 128 * 16, 0.5f);
    opusim::io::write_npy(path("k16.npy"), {1, 2, 128, 16}, narrow);
    expect_usage_error(favor_inputs(golden("q.npy"), path("k16.npy")) + " --out " + path("o.npy"),
                       "--k: expected d 32 (that of --q), got 16");

    std::vector<float> w(64 * 31, 0.1f);
    opusim::io::write_npy(path("w31.npy"), {64, 31}, w);
    expect_usage_error(
        favor_inputs(golden("q.npy"), golden("k.npy"), golden("v.npy"), path("w31.npy")) +
            " --out " + path("o.npy"),
        "--projection-matrix: expected columns d 32 (that of --q), got 31");

    std::vector<std::int32_t> ints(1 * 2 * 128 * 32, 1);
    opusim::io::write_npy(path("q_int.npy"), {1, 2, 128, 32}, ints);
    expect_usage_error(favor_inputs(path("q_int.npy")) + " --out " + path("o.npy"),
                       "--q: expected dtype float32 or float64, got int32");

    expect_usage_error(favor_inputs(golden("W.npy")) + " --out " + path("o.npy"),
                       "--q: expected 4 dimensions (B, H, L, d), got shape (64, 32)");
    expect_usage_error(favor_inputs() + " --kernel optical --out " + path("o.npy"),
                       "--kernel: expected softmax or relu, got 'optical'");
    EXPECT_FALSE(fs::exists(path("o.npy")));
}

TEST_F(CliAttention, AttentionOnTheCpuReportsItsErrors) {
    ASSERT_EQ(run_cli("attention --seq-len 512 --dim 64 --heads 1 --features 256 --projection "
                      "orthogonal --json"),
              0)
        << output_;
    const auto json = nlohmann::json::parse(stdout_);
    for (const char* key :
         {"rel_error_vs_exact", "cpu_favor_rel_error_vs_exact", "device_time_s", "frames",
          "wall_time_s", "cpu_projection_time_s", "break_even_features"}) {
        EXPECT_TRUE(json.contains(key)) << key;
    }
    // favor.md §5: orthogonal features at sigma = 0.25, d = 64, L = 512, m ~ 256 give ~0.057;
    // allow 1.5x for one draw of W (tests/kernels explains the bound).
    EXPECT_LT(json["rel_error_vs_exact"].get<double>(), 1.5 * 0.057 * 1.02);
    EXPECT_GT(json["rel_error_vs_exact"].get<double>(), 0.0);
    EXPECT_EQ(json["frames"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(json["device_time_s"].get<double>(), 0.0);
    EXPECT_TRUE(json["break_even_features"].is_null());
}

TEST_F(CliAttention, AttentionOnTheDeviceReportsFramesAndDeviceTime) {
    ASSERT_EQ(run_cli("attention --device 'sim:gen2?seed=3&noise=off' --seq-len 32 --dim 16 "
                      "--heads 1 --features 64 --causal --json"),
              0)
        << output_;
    const auto json = nlohmann::json::parse(stdout_);
    // 64 rows (queries and keys) x 16 frames (8 bit-planes x reference on/off) + calibration.
    EXPECT_GE(json["frames"].get<std::uint64_t>(), 64u * 16u);
    // gen2: 500 us a frame, from the model.
    EXPECT_GE(json["device_time_s"].get<double>(), 0.999 * 500e-6 * json["frames"].get<double>());
    EXPECT_FALSE(json["break_even_features"].is_null());
    // Device features are i.i.d.; with m = 64 FAVOR+ is ~10 % off exact attention (golden data
    // README, m = 64) — allow 2x for the device's own error and one draw.
    EXPECT_LT(json["rel_error_vs_exact"].get<double>(), 0.2);
}

// --plane-pairs sets the linear mode's frame pairs per vector (the attention default is 8, kept
// on a noiseless camera too): the device's output values are projected rows x frames a vector x
// features, so the frames a vector follow from the JSON.
TEST_F(CliAttention, AttentionPlanePairsSetTheFramesPerVector) {
    const std::string workload =
        "attention --device 'sim:gen2?seed=3&noise=off' --seq-len 32 "
        "--dim 16 --heads 1 --features 64 --json";
    const auto frames_per_vector = [this](const std::string& arguments) {
        EXPECT_EQ(run_cli(arguments), 0) << output_;
        const auto json = nlohmann::json::parse(stdout_);
        const auto values = json["device_conditions"]["output_values"].get<std::uint64_t>();
        const auto rows = json["projected_rows"].get<std::uint64_t>();
        EXPECT_EQ(rows, 64u);  // 32 queries and 32 keys
        return double(values) / double(rows * json["features"].get<std::uint64_t>());
    };
    EXPECT_EQ(frames_per_vector(workload), 16.0);
    EXPECT_EQ(frames_per_vector(workload + " --plane-pairs 12"), 24.0);
}

TEST_F(CliAttention, AttentionWithTheOpticalKernelOnTheDevice) {
    ASSERT_EQ(run_cli("attention --device 'sim:gen2?seed=3&noise=off' --seq-len 32 --dim 16 "
                      "--heads 1 --features 64 --kernel optical --json"),
              0)
        << output_;
    const auto json = nlohmann::json::parse(stdout_);
    // Intensity mode: one frame per query or key row (64 rows), calibration aside.
    EXPECT_GE(json["frames"].get<std::uint64_t>(), 64u);
    EXPECT_GT(json["device_time_s"].get<double>(), 0.0);
    EXPECT_EQ(json["kernel"].get<std::string>(), "optical");
    EXPECT_TRUE(std::isfinite(json["rel_error_vs_exact"].get<double>()));
    EXPECT_FALSE(json["device_conditions"].is_null());
}

TEST_F(CliAttention, AttentionRejectsBadArguments) {
    expect_usage_error("attention --seq-len 0 --dim 8 --heads 1 --features 8 --projection iid",
                       "--seq-len: expected a whole number >= 1, got 0");
    expect_usage_error("attention --seq-len 8 --dim 8 --heads 1 --features 8 --projection gpu",
                       "--projection: expected device, orthogonal or iid, got 'gpu'");
    expect_usage_error(
        "attention --seq-len 8 --dim 8 --heads 1 --features 8 --projection "
        "orthogonal --kernel optical",
        "--projection: the optical kernel needs intensities");
    expect_usage_error(
        "attention --seq-len 8 --dim 8 --heads 1 --features 8 --projection iid "
        "--scale -1",
        "--scale: expected a finite value > 0");
    expect_usage_error("attention --seq-len 8 --dim 8 --heads 1 --features 8 --plane-pairs 4",
                       "--plane-pairs: expected 8 (one per bit-plane) to 1024 frame pairs");
    expect_usage_error(
        "attention --seq-len 8 --dim 8 --heads 1 --features 8 --bits 10 --plane-pairs 9",
        "--plane-pairs: expected 10 (one per bit-plane)");
    expect_usage_error(
        "attention --seq-len 8 --dim 8 --heads 1 --features 8 --projection iid --plane-pairs 8",
        "--plane-pairs: only used with --projection device");
    // A negative seed used to wrap silently to 2^64 - 1.
    expect_usage_error(
        "attention --seq-len 8 --dim 8 --heads 1 --features 8 --projection iid --seed -1",
        "--seed: expected a whole number >= 0");
}

TEST_F(CliAttention, AttentionRefusesSizesThatWouldExhaustMemoryOrRunForHours) {
    // Used to end in "std::bad_alloc" after allocating the 8 x 1e11 projection.
    expect_usage_error(
        "attention --seq-len 4 --dim 8 --heads 1 --features 100000000000 --projection iid",
        "--features: 100000000000 features make");
    // The orthogonal baseline QR-factors d x d blocks (bad_alloc after ~30 s at d = 100000).
    expect_usage_error("attention --seq-len 4 --dim 100000 --heads 1 --features 8 --projection iid",
                       "--dim: expected at most 4096");
    // 2^28 values per tensor pass, but exact attention would need L^2 = 2^56 multiply-adds.
    expect_usage_error(
        "attention --seq-len 268435456 --dim 1 --heads 1 --features 1 --projection iid",
        "exact attention needs H x L^2 x d");
}

}  // namespace
