// One client of the opusimd load test (tests/bench/daemon_load.sh): JOBS transforms of ROWS rows
// each on DEVICE (with via= for the daemon, without for an in-process device), each one device
// job; prints one JSON line: the client, the rows answered, a hash of every output row in order,
// each job's wall-clock latency, the client's wall time and when its jobs started and ended
// (seconds since the epoch, to measure the clients' common throughput).
//   daemon_load CLIENT DEVICE JOBS ROWS
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "opusim/opu.hpp"

int main(int argc, char* argv[]) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: daemon_load CLIENT DEVICE JOBS ROWS\n");
        return 2;
    }
    const unsigned client = static_cast<unsigned>(std::stoul(argv[1]));
    const std::size_t jobs = std::stoul(argv[3]);
    const std::size_t rows = std::stoul(argv[4]);
    constexpr std::size_t kFeatures = 256;
    opusim::OpuSettings settings;
    settings.device = argv[2];
    settings.n_components = 64;
    settings.max_n_features = kFeatures;
    settings.n_samples_by_pass = rows;  // one device job per transform
    opusim::Opu opu(settings);
    opu.fit1d(kFeatures);
    std::mt19937 generator(client);
    std::vector<std::uint8_t> x(rows * kFeatures);
    std::uint64_t hash = 1469598103934665603ull;
    std::size_t answered = 0;
    std::vector<double> latencies_ms;
    const auto epoch = [] {
        return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    const double start_epoch = epoch();
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t job = 0; job < jobs; ++job) {
        for (auto& value : x) value = static_cast<std::uint8_t>(generator() & 1u);
        const auto begin = std::chrono::steady_clock::now();
        const auto y = opu.transform(opusim::ArrayView<std::uint8_t>(x, {rows, kFeatures}));
        latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
                .count());
        answered += y.output.values.size() / 64;
        for (const auto value : y.output.values) hash = (hash ^ value) * 1099511628211ull;
    }
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const nlohmann::json line{{"client", client},
                              {"rows", answered},
                              {"hash", std::to_string(hash)},
                              {"latencies_ms", latencies_ms},
                              {"wall_s", wall_s},
                              {"start", start_epoch},
                              {"end", epoch()}};
    std::printf("%s\n", line.dump().c_str());
    return 0;
}
