// Device FAVOR+ in ideal mode (noise=ideal): the device's linear projection is, within float
// rounding, the oracle projection of the input as the SDK encodes it (tests/sdk/
// ideal_linear_oracle.hpp), so device FAVOR+ equals CPU FAVOR+ run with that projection.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "../sdk/ideal_linear_oracle.hpp"
#include "kernel_test_support.hpp"
#include "opusim/kernels/device_projection.hpp"
#include "opusim/kernels/exact_attention.hpp"
#include "opusim/kernels/favor_attention.hpp"

namespace opusim::kernels {
namespace {

namespace support = opusim::testing_support;

// CPU projection: u = sqrt(2) M_ideal enc(x), enc the SDK's bit-plane encoding of each row.
class OracleEncodedProjection : public Projection {
  public:
    OracleEncodedProjection(std::vector<double> matrix, std::size_t m, std::size_t d)
        : matrix_(std::move(matrix)), m_(m), d_(d) {}
    std::size_t input_dim() const override { return d_; }
    std::size_t output_dim() const override { return m_; }
    ProjectionOutput output_kind() const override { return ProjectionOutput::Linear; }
    ProjectionBatching batching() const override { return ProjectionBatching::WholeCall; }
    std::string describe() const override { return "oracle of the encoded input"; }

  protected:
    ProjectionCost do_project(ConstMatrix x, Matrix out) override {
        std::vector<float> rows(x.rows * d_);
        for (std::size_t r = 0; r < x.rows; ++r) {
            for (std::size_t f = 0; f < d_; ++f) rows[r * d_ + f] = x.at(r, f);
        }
        const auto encoded = support::sdk_encoded_rows(rows, x.rows, d_);
        const auto y = support::apply_matrix(matrix_, m_, encoded, x.rows, d_);
        for (std::size_t r = 0; r < x.rows; ++r) {
            for (std::size_t j = 0; j < m_; ++j) {
                out.row(r)[j] = static_cast<float>(std::sqrt(2.0) * y[r * m_ + j]);
            }
        }
        return {};
    }

  private:
    std::vector<double> matrix_;
    std::size_t m_;
    std::size_t d_;
};

TEST(IdealMode, DeviceFavorEqualsCpuFavorWithTheOracleOfTheEncodedInput) {
    const std::size_t m = 64, d = 16, length = 48, heads = 2;
    const auto [q, k, v] = testing::random_attention_inputs(heads, length, d, 0.25, 41);
    DeviceLinearProjection projection(m, d, "sim:gen2?seed=5&noise=ideal");
    const Tensor4 device_out = favor_attention(q, k, v, projection, {});
    ASSERT_TRUE(projection.last_context().has_value());
    OracleEncodedProjection oracle(
        support::ideal_linear_matrix(*projection.last_context(), "gen2", 5, d), m, d);
    const Tensor4 oracle_out = favor_attention(q, k, v, oracle, {});
    const double gap = relative_error(device_out, oracle_out);
    std::printf("ideal device FAVOR+ vs CPU FAVOR+ with the oracle of the encoded input: %.2e\n",
                gap);
    // The projections agree to 1e-4 (tests/sdk IdealMode); exp turns that into a relative
    // feature error of |u| x 1e-4 (|u| ~ 0.5) and the output, a ratio of feature-weighted sums,
    // moves by at most about twice that: 1e-4 bounds it with margin.
    EXPECT_LT(gap, 1e-4);
}

}  // namespace
}  // namespace opusim::kernels
