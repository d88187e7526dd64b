// Soak: FRAMES frames through the SDK on one open device, then the peak resident memory of this
// process and of its device server (issue 13, item 6: memory independent of run length). Run by
// tests/bench/soak_rss.sh at 10^5 and 10^7 frames; not a ctest test (it measures, asserts nothing).
//
// The device is gen2 shrunk to a 32 x 32 DMD and a 64 x 64 sensor (written to a temporary
// profile), so a frame costs little and the run length, not the frame size, is what varies.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "opusim/opu.hpp"
#include "opusim/physics/profile.hpp"

namespace {

namespace fs = std::filesystem;

// VmHWM (peak resident set) of process PID in kB, or -1.
long peak_rss_kb(const std::string& pid) {
    std::ifstream status("/proc/" + pid + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
}

// The device server: our child process named opusim-device.
std::string device_server_pid() {
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string pid = entry.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string self, name, state;
        long parent = 0;
        if (!(stat >> self >> name >> state >> parent)) continue;
        if (parent == ::getpid() && name.find("opusim-device") != std::string::npos) return pid;
    }
    return "";
}

fs::path tiny_profile() {
    nlohmann::json profile = opusim::physics::DeviceProfile::load("gen2").to_json();
    profile["name"] = "soak";
    profile["dmd"]["columns"] = 32;
    profile["dmd"]["rows"] = 32;
    profile["dmd"]["ones_min"] = 0;
    profile["dmd"]["ones_max"] = 1024;
    profile["camera"]["width"] = 64;
    profile["camera"]["height"] = 64;
    const fs::path path =
        fs::temp_directory_path() / ("opusim_soak_" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << profile.dump(1);
    return path;
}

}  // namespace

int main(int argc, char** argv) {
    const std::uint64_t frames = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
    const std::size_t n_features = 64;
    const std::size_t batch = static_cast<std::size_t>(std::min<std::uint64_t>(frames, 100000));
    const fs::path profile = tiny_profile();
    opusim::OpuSettings settings;
    settings.device = "sim:" + profile.string() + "?lock_wait=60";
    settings.n_components = 16;
    settings.max_n_features = n_features;
    opusim::Opu opu(settings);
    opu.fit1d(n_features);
    std::vector<std::uint8_t> bits(batch * n_features);
    std::uint32_t state = 12345;
    for (auto& bit : bits) {
        state = state * 1664525u + 1013904223u;
        bit = static_cast<std::uint8_t>(state >> 31);
    }
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t done = 0;
    while (done < frames) {
        const std::size_t rows =
            static_cast<std::size_t>(std::min<std::uint64_t>(batch, frames - done));
        const opusim::ArrayView<std::uint8_t> x(bits.data(), {rows, n_features});
        const auto result = opu.transform(x);
        done += rows;
    }
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto stats = opu.device_statistics();
    const std::string server = device_server_pid();
    nlohmann::json report = {
        {"frames", done},
        {"wall_s", wall_s},
        {"device_frames_out", stats.frames_out},
        {"latency_p50_us", stats.latency_p50_s * 1e6},
        {"latency_p99_us", stats.latency_p99_s * 1e6},
        {"host_peak_rss_kb", peak_rss_kb("self")},
        {"device_server_peak_rss_kb", server.empty() ? -1 : peak_rss_kb(server)}};
    std::cout << report.dump() << "\n";
    opu.close();
    fs::remove(profile);
    return 0;
}
