#include "linear_noise_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace opusim::sdk_detail {

std::vector<double> plane_weights(unsigned bits) {
    const double levels = std::ldexp(1.0, static_cast<int>(bits)) - 1.0;
    std::vector<double> weights(bits);
    for (unsigned b = 0; b < bits; ++b) {
        weights[b] = std::ldexp(1.0, static_cast<int>(bits - 1 - b)) / levels;
    }
    return weights;
}

std::size_t PlaneSchedule::total_pairs() const {
    std::size_t total = 0;
    for (const unsigned n : pairs) total += n;
    return total;
}

PlaneSchedule schedule_planes(unsigned bits, unsigned total_pairs) {
    if (total_pairs < bits) {
        throw std::invalid_argument("linear.plane_pairs must be >= linear.bits (" +
                                    std::to_string(bits) + "), got " + std::to_string(total_pairs));
    }
    const std::vector<double> w = plane_weights(bits);
    PlaneSchedule schedule;
    schedule.pairs.assign(bits, 1);
    for (unsigned extra = bits; extra < total_pairs; ++extra) {
        std::size_t best = 0;
        double best_gain = -1;
        for (std::size_t b = 0; b < bits; ++b) {
            const double n = schedule.pairs[b];
            const double gain = w[b] * w[b] * (1.0 / n - 1.0 / (n + 1.0));
            if (gain > best_gain) {
                best_gain = gain;
                best = b;
            }
        }
        ++schedule.pairs[best];
    }
    // Odd planes leave one sign's weight w_b / n_b over; choosing the signs from the largest
    // leftover down so that the running sum stays near 0 cancels them (a greedy balance).
    schedule.first_sign.assign(bits, 1);
    double offset = 0;
    for (std::size_t b = 0; b < bits; ++b) {
        if (schedule.pairs[b] % 2 == 0) continue;
        const double leftover = w[b] / schedule.pairs[b];
        schedule.first_sign[b] = offset > 0 ? -1 : 1;
        offset += schedule.first_sign[b] * leftover;
    }
    schedule.offset_weight = offset;
    return schedule;
}

CameraNoise fit_camera_noise(const std::vector<double>& mean_above_dark,
                             const std::vector<double>& variance, bool integer_values) {
    CameraNoise noise;
    noise.quantisation = integer_values ? 1.0 / 12.0 : 0.0;
    // Normal equations of variance = a + b m + c m^2 (m scaled to ~1 for conditioning).
    double scale = 0;
    for (const double m : mean_above_dark) scale = std::max(scale, std::abs(m));
    if (!(scale > 0) || mean_above_dark.size() < 3) return noise;
    std::array<std::array<double, 4>, 3> system{};
    for (std::size_t i = 0; i < mean_above_dark.size(); ++i) {
        const double m = mean_above_dark[i] / scale;
        const std::array<double, 3> basis{1.0, m, m * m};
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c) system[r][c] += basis[r] * basis[c];
            system[r][3] += basis[r] * variance[i];
        }
    }
    // Gaussian elimination with partial pivoting.
    for (int col = 0; col < 3; ++col) {
        int pivot = col;
        for (int r = col + 1; r < 3; ++r) {
            if (std::abs(system[r][col]) > std::abs(system[pivot][col])) pivot = r;
        }
        std::swap(system[col], system[pivot]);
        if (std::abs(system[col][col]) < 1e-300) return noise;  // degenerate: no spread
        for (int r = 0; r < 3; ++r) {
            if (r == col) continue;
            const double factor = system[r][col] / system[col][col];
            for (int c = col; c < 4; ++c) system[r][c] -= factor * system[col][c];
        }
    }
    const double a = system[0][3] / system[0][0];
    const double b = system[1][3] / system[1][1] / scale;
    const double c = system[2][3] / system[2][2] / (scale * scale);
    noise.gain = std::max(b, 0.0);
    noise.floor = std::max(a - noise.quantisation, 0.0);
    noise.laser = std::sqrt(std::max(c, 0.0));
    return noise;
}

bool rounding_limited(const CameraNoise& noise, double level) {
    const double temporal =
        noise.floor + noise.gain * level + noise.laser * noise.laser * level * level;
    return noise.quantisation > temporal;
}

LinearErrorAccumulator::LinearErrorAccumulator(const CameraNoise& noise,
                                               const LinearSignalLevels& levels,
                                               const PlaneSchedule& schedule, unsigned repeats)
    : noise_(noise),
      levels_(levels),
      schedule_(schedule),
      repeats_(repeats),
      weights_(plane_weights(static_cast<unsigned>(schedule.pairs.size()))) {
    for (const double r : levels_.reference) {
        inverse_reference_sum_ += 1.0 / r;
        reference_sum_ += r;
    }
}

void LinearErrorAccumulator::add(const float* x, const std::vector<double>& x_encoded,
                                 double max_abs, const std::vector<std::size_t>& lit) {
    double norm = 0;
    double rounding = 0;
    for (std::size_t f = 0; f < levels_.n_features; ++f) {
        norm += double(x[f]) * double(x[f]);
        rounding += (double(x[f]) - x_encoded[f]) * (double(x[f]) - x_encoded[f]);
    }
    signal_ += norm;
    encoding_ += rounding;
    const double m = double(levels_.reference.size());
    if (m == 0 || !(levels_.feature > 0)) return;
    const double u1 = levels_.feature;
    // Per pair of plane b showing pattern P (lit features n_P, U = u1 n_P), summed over the
    // pixels j with 1 / R_j from the signal's variance 2 R_j u1 |x|^2 / max^2:
    //   4 (w_b / n_b)^2 [2 (floor + q) / R_j + gain (1 + 2 U / R_j)
    //                    + laser^2 (R_j + 4 U + 4 U^2 / R_j)]  * max^2 / (2 u1 m).
    const double common = max_abs * max_abs / (2.0 * u1 * m);
    const double laser2 = noise_.laser * noise_.laser;
    for (std::size_t b = 0; b < schedule_.pairs.size(); ++b) {
        const unsigned n = schedule_.pairs[b] * repeats_;
        const double coefficient = 4.0 * (weights_[b] / n) * (weights_[b] / n) * common;
        for (unsigned pair = 0; pair < n; ++pair) {
            const std::size_t lit_count =
                schedule_.sign(b, pair) > 0 ? lit[b] : levels_.n_features - lit[b];
            const double u = u1 * double(lit_count);
            floor_ += coefficient * 2.0 * noise_.floor * inverse_reference_sum_;
            quantisation_ += coefficient * 2.0 * noise_.quantisation * inverse_reference_sum_;
            shot_ += coefficient * noise_.gain * (m + 2.0 * u * inverse_reference_sum_);
            laser_ += coefficient * laser2 *
                      (reference_sum_ + 4.0 * u * m + 4.0 * u * u * inverse_reference_sum_);
        }
    }
    offset_ += common * inverse_reference_sum_;
}

double LinearErrorAccumulator::offset_weight() const {
    double weight = 0;
    for (std::size_t b = 0; b < schedule_.pairs.size(); ++b) {
        const unsigned n = schedule_.pairs[b] * repeats_;
        if (n % 2 == 1) weight += weights_[b] * schedule_.first_sign[b] / double(n);
    }
    return weight;
}

LinearErrorBudget LinearErrorAccumulator::budget(double offset_variance, double reference_variance,
                                                 std::size_t frames_per_vector) const {
    LinearErrorBudget budget;
    budget.frames_per_vector = frames_per_vector;
    if (!(signal_ > 0)) return budget;
    auto relative = [&](double energy) { return std::sqrt(std::max(energy, 0.0) / signal_); };
    budget.shot = relative(shot_);
    budget.read = relative(floor_);
    budget.quantisation = relative(quantisation_);
    budget.laser = relative(laser_);
    budget.encoding = relative(encoding_);
    // Calibration: the offset h enters every output with weight offset_weight; the reference
    // R_j sets the output's scale 1 / (2 sqrt(R_j)), so its error dR gives a relative error
    // dR / (2 R_j).
    double gain_error = 0;
    for (const double r : levels_.reference) gain_error += reference_variance / (4.0 * r * r);
    if (!levels_.reference.empty()) gain_error /= double(levels_.reference.size());
    const double weight = offset_weight();
    const double offset = weight * weight * offset_variance * offset_;
    budget.calibration = std::sqrt(offset / signal_ + gain_error);
    return budget;
}

double error_limit(const LinearErrorBudget& budget) {
    return std::sqrt(budget.shot * budget.shot + budget.read * budget.read +
                     budget.quantisation * budget.quantisation + budget.laser * budget.laser +
                     budget.encoding * budget.encoding);
}

}  // namespace opusim::sdk_detail
