#include "defect_pixels.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace opusim::sdk_detail {

namespace {
constexpr double kNoResponseFraction = 0.01;
constexpr double kLeastMedianResponseDn = 1.0;

// Per pixel: do its values over the frames of VALUES (frames x n) all equal?
std::vector<bool> constant_pixels(const std::vector<float>& values, std::size_t n) {
    std::vector<bool> constant(n, true);
    for (std::size_t i = n; i < values.size(); ++i) {
        if (values[i] != values[i % n]) constant[i % n] = false;
    }
    return constant;
}

std::vector<double> frame_means(const std::vector<float>& values, std::size_t n) {
    std::vector<double> means(n, 0.0);
    const std::size_t frames = values.size() / n;
    for (std::size_t i = 0; i < values.size(); ++i) means[i % n] += values[i];
    for (double& m : means) m /= double(frames);
    return means;
}
}  // namespace

std::vector<PixelVerdict> classify_pixels(const DarkLitFrames& frames, double full_scale_dn) {
    const std::size_t n = frames.n_outputs;
    const std::vector<double> dark = frame_means(frames.dark, n);
    const std::vector<double> lit = frame_means(frames.lit, n);
    const std::vector<bool> constant = constant_pixels(frames.lit, n);
    std::vector<double> response(n);
    for (std::size_t j = 0; j < n; ++j) response[j] = lit[j] - dark[j];
    std::vector<double> sorted = response;
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(n / 2), sorted.end());
    const double median = sorted[n / 2];
    std::vector<PixelVerdict> verdicts(n, PixelVerdict::Good);
    if (median < kLeastMedianResponseDn) return verdicts;
    for (std::size_t j = 0; j < n; ++j) {
        if (response[j] >= kNoResponseFraction * median || !constant[j]) continue;
        verdicts[j] = dark[j] >= full_scale_dn - 0.5 ? PixelVerdict::Hot : PixelVerdict::Dead;
    }
    return verdicts;
}

PixelMask mask_defective_pixels(std::size_t n_components, std::size_t max_outputs,
                                double full_scale_dn,
                                const std::function<DarkLitFrames(std::size_t n_read)>& measure) {
    std::size_t n_read = n_components;
    for (;;) {
        const std::vector<PixelVerdict> verdicts = classify_pixels(measure(n_read), full_scale_dn);
        PixelMask mask;
        mask.device_outputs = n_read;
        for (std::size_t j = 0; j < n_read; ++j) {
            if (verdicts[j] == PixelVerdict::Hot) mask.hot.push_back(j);
            if (verdicts[j] == PixelVerdict::Dead) mask.dead.push_back(j);
            if (verdicts[j] == PixelVerdict::Good && mask.outputs.size() < n_components) {
                mask.outputs.push_back(j);
            }
        }
        if (mask.outputs.size() == n_components) return mask;
        n_read += n_components - mask.outputs.size();
        if (n_read > max_outputs) {
            throw std::runtime_error("defective pixels: " + std::to_string(n_components) +
                                     " good pixels need more than the " +
                                     std::to_string(max_outputs) + " the camera's ROI can serve");
        }
    }
}

}  // namespace opusim::sdk_detail
