// opusim's attention kernels and .npy I/O from C++: FAVOR+ attention with random features from
// the CPU and from the simulated OPU, checked against exact softmax attention, and the result
// saved as a NumPy file. Built against the installed package (components kernels and io) by
// tests/sdk/install_test.sh, so it is what docs/sdk.md shows and it cannot rot.
//
//   example_attention [DEVICE_URI] [OUT.npy]   (defaults: $OPUSIM_DEVICE else sim:gen2;
//                                              attention.npy in the current folder)
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <opusim/io/npy.hpp>
#include <opusim/kernels/device_projection.hpp>
#include <opusim/kernels/exact_attention.hpp>
#include <opusim/kernels/favor_attention.hpp>
#include <opusim/kernels/projection.hpp>

namespace kernels = opusim::kernels;

kernels::Tensor4 random_tensor(kernels::Shape4 shape, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 0.5f);
    std::vector<float> values(shape.size());
    for (auto& value : values) value = normal(rng);
    return kernels::Tensor4(shape, std::move(values));
}

int main(int argc, char** argv) {
    try {
        const std::string device = argc > 1 ? argv[1] : "";
        const std::string out_path = argc > 2 ? argv[2] : "attention.npy";
        const std::size_t dim = 16;
        const kernels::Shape4 shape{1, 1, 32, dim};  // (batch, heads, length, dim)
        std::mt19937 rng(3);
        const auto q = random_tensor(shape, rng);
        const auto k = random_tensor(shape, rng);
        const auto v = random_tensor(shape, rng);
        const auto exact = kernels::exact_attention(q, k, v);

        // 1. Random features on the CPU: 256 orthogonal Gaussian projections.
        auto cpu = kernels::make_orthogonal_projection(256, dim, /*seed=*/1);
        const auto on_cpu = kernels::favor_attention(q, k, v, *cpu, kernels::FavorOptions{});
        const double cpu_error = kernels::relative_error(on_cpu, exact);

        // 2. The same with 128 features from the device's linear mode (real Gaussian projections
        //    measured from camera frames through the SDK).
        kernels::DeviceLinearProjection optical(128, dim, device);
        kernels::FavorReport report;
        const auto on_device =
            kernels::favor_attention(q, k, v, optical, kernels::FavorOptions{}, &report);
        const double device_error = kernels::relative_error(on_device, exact);
        std::cout << "FAVOR+ relative error against exact attention: cpu " << cpu_error
                  << ", device " << device_error << " (" << report.projection.frames
                  << " frames, device time " << report.projection.device_time_s << " s)\n";

        // 3. The device result as a (1, 1, 32, 16) float32 .npy file, read back.
        const auto& s = on_device.shape();
        opusim::io::write_npy(out_path, {s.batch, s.heads, s.length, s.dim}, on_device.values());
        const auto saved = opusim::io::read_npy(out_path);
        const bool round_trip = saved.to_float() == on_device.values();
        std::cout << out_path << ": " << saved.size() << " values"
                  << (round_trip ? ", read back equal" : ", read back DIFFERENT") << "\n";

        // Loose bounds (random features are approximations), far below the error of a broken
        // kernel (1 for zeros, large for garbage).
        const bool ok = cpu_error < 0.2 && device_error < 0.5 && round_trip;
        std::cout << (ok ? "ok" : "unexpected result") << "\n";
        return ok ? 0 : 1;
    } catch (const std::exception& error) {
        std::cerr << "error: " << error.what() << "\n";
        return 1;
    }
}
