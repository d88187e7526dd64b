#include "opusim/kernels/device_projection.hpp"

#include "opusim/driver/device.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace opusim::kernels {
namespace {

OpuSettings linear_settings(std::size_t m, std::size_t d, const std::string& device,
                            const LinearSettings& linear) {
    if (m == 0) throw std::invalid_argument("m (features): expected at least 1, got 0");
    if (d == 0) throw std::invalid_argument("d (dim): expected at least 1, got 0");
    OpuSettings settings;
    settings.device = device;
    settings.n_components = m;
    settings.max_n_features = d;
    settings.linear = linear;
    return settings;
}

}  // namespace

DeviceLinearProjection::DeviceLinearProjection(std::size_t m, std::size_t d,
                                               const std::string& device,
                                               const LinearSettings& linear)
    : m_(m), d_(d), opu_(linear_settings(m, d, device, linear)) {
    opu_.fit1d(d);
    max_features_ = static_cast<std::size_t>(opu_.device_info().max_pixels /
                                             std::max(1u, linear.candidates_per_output));
}

std::string DeviceLinearProjection::describe() const {
    return "device linear mode (" + opu_.device_uri() + ", " +
           std::to_string(opu_.settings().linear.bits) + " bit-planes), m=" + std::to_string(m_) +
           ", d=" + std::to_string(d_);
}

ProjectionCost DeviceLinearProjection::do_project(ConstMatrix x, Matrix out) {
    // The SDK takes dense rows; copy when X is strided.
    std::vector<float> dense_rows;
    const float* rows = x.data;
    if (x.stride != x.cols) {
        dense_rows.resize(x.rows * x.cols);
        for (std::size_t r = 0; r < x.rows; ++r) {
            std::copy(x.row(r), x.row(r) + x.cols, dense_rows.data() + r * x.cols);
        }
        rows = dense_rows.data();
    }
    const Result<float> result = opu_.linear_transform(ArrayView<float>(rows, {x.rows, x.cols}));
    // sqrt(2): the device's entries are N(0, 1/2), FAVOR+'s W is N(0, 1) (docs/reference/favor.md).
    const float scale = static_cast<float>(std::sqrt(2.0));
    for (std::size_t r = 0; r < x.rows; ++r) {
        const float* y = result.output.values.data() + r * m_;
        float* u = out.row(r);
        for (std::size_t j = 0; j < m_; ++j) u[j] = scale * y[j];
    }
    last_context_ = result.context;
    ProjectionCost cost;
    cost.frames = result.context.frames;
    cost.device_time_s = result.context.device_time_s();
    return cost;
}

namespace {

OpuSettings intensity_settings(std::size_t m, std::size_t d, const std::string& device,
                               const std::vector<float>& thresholds) {
    if (m == 0) throw std::invalid_argument("m (features): expected at least 1, got 0");
    if (d == 0) throw std::invalid_argument("d (dim): expected at least 1, got 0");
    if (thresholds.empty()) {
        throw std::invalid_argument("thresholds: expected at least one threshold");
    }
    for (float t : thresholds) {
        if (!std::isfinite(t)) throw std::invalid_argument("thresholds: expected finite values");
    }
    OpuSettings settings;
    settings.device = device;
    settings.n_components = m;
    settings.max_n_features = d * thresholds.size();
    return settings;
}

}  // namespace

DeviceIntensityProjection::DeviceIntensityProjection(std::size_t m, std::size_t d,
                                                     const std::string& device,
                                                     std::vector<float> thresholds)
    : m_(m),
      d_(d),
      thresholds_(std::move(thresholds)),
      opu_(intensity_settings(m, d, device, thresholds_)) {
    opu_.fit1d(d * thresholds_.size());
}

std::string DeviceIntensityProjection::describe() const {
    return "device intensities |R e(x)|^2 (" + opu_.device_uri() + ", " +
           std::to_string(thresholds_.size()) + " threshold(s)), m=" + std::to_string(m_) +
           ", d=" + std::to_string(d_);
}

std::vector<std::uint8_t> DeviceIntensityProjection::encode(ConstMatrix x) const {
    const std::size_t n = d_ * thresholds_.size();
    std::vector<std::uint8_t> code(x.rows * n);
    for (std::size_t r = 0; r < x.rows; ++r) {
        for (std::size_t t = 0; t < thresholds_.size(); ++t) {
            for (std::size_t i = 0; i < d_; ++i) {
                code[r * n + t * d_ + i] = x.at(r, i) > thresholds_[t] ? 1 : 0;
            }
        }
    }
    return code;
}

ProjectionCost DeviceIntensityProjection::do_project(ConstMatrix x, Matrix out) {
    const std::vector<std::uint8_t> code = encode(x);
    const Result<float> result = opu_.transform_rescaled(
        ArrayView<std::uint8_t>(code.data(), {x.rows, d_ * thresholds_.size()}));
    for (std::size_t r = 0; r < x.rows; ++r) {
        const float* y = result.output.values.data() + r * m_;
        std::copy(y, y + m_, out.row(r));
    }
    last_context_ = result.context;
    ProjectionCost cost;
    cost.frames = result.context.frames;
    cost.device_time_s = result.context.device_time_s();
    return cost;
}

}  // namespace opusim::kernels
