// opusim from C++: random features of binary data, a real Gaussian projection, and an encoder.
// Built against the installed package by tests/sdk/install_test.sh (find_package and pkg-config),
// so this program is what docs/sdk.md shows and it cannot rot.
//
//   example_cpp [DEVICE_URI]      (default: $OPUSIM_DEVICE, else sim:gen2)
#include <cstdint>
#include <iostream>
#include <random>
#include <vector>

#include <opusim/opusim.hpp>

int main(int argc, char** argv) {
    try {
        opusim::OpuSettings settings;
        settings.device = argc > 1 ? argv[1] : "";
        settings.n_components = 256;
        opusim::Opu opu(settings);  // opens the device (exclusive), closed at scope exit

        // 1. Random features of binary vectors: y = |R x|^2 as 8-bit camera values.
        const std::size_t n_samples = 100;
        const std::size_t n_features = 500;
        std::mt19937 rng(42);
        std::bernoulli_distribution bit(0.5);
        std::vector<std::uint8_t> x(n_samples * n_features);
        for (auto& b : x) b = bit(rng) ? 1 : 0;
        opu.fit1d(n_features);
        const auto y = opu.transform(opusim::ArrayView<std::uint8_t>(x, {n_samples, n_features}));
        const auto& c = y.context;
        std::cout << "transform: (" << y.output.shape[0] << ", " << y.output.shape[1] << "), "
                  << c.frames << " frames, device time " << c.device_time_s() << " s, exposure "
                  << c.exposure_us << " us, " << c.input_roi.replication << " mirrors/feature, "
                  << c.saturated_pixels << " saturated values\n";

        // 2. A real Gaussian projection of real vectors, from intensity frames only.
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::vector<float> v(10 * n_features);
        for (auto& value : v) value = normal(rng);
        const auto z = opu.linear_transform(opusim::ArrayView<float>(v, {10, n_features}));
        std::cout << "linear_transform: (" << z.output.shape[0] << ", " << z.output.shape[1]
                  << "), " << z.context.frames
                  << " frames (calibration included), z[0][0] = " << z.output.values[0] << "\n";

        // 3. Real data through an encoder, then the device.
        opusim::BinaryThresholdEncoder encoder;  // thresholds learned by fit: each feature's median
        const auto encoded = encoder.fit_transform(opusim::ArrayView<float>(v, {10, n_features}));
        const auto w = opu.transform(encoded.view());
        const bool ok = y.output.shape == opusim::Shape{n_samples, 256} &&
                        z.output.shape == opusim::Shape{10, 256} && w.output.values.size() == 2560;
        std::cout << (ok ? "ok" : "unexpected shapes") << "\n";
        return ok ? 0 : 1;
    } catch (const opusim::DeviceBusyError& error) {
        std::cerr << "device busy: " << error.what() << "\n";
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "error: " << error.what() << "\n";
        return 1;
    }
}
