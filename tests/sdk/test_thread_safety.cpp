// Opu is documented as thread-safe: its getters take the lock its setters take (issue 13,
// finding 9). Without the lock the reads race with the writes, which the thread-sanitizer build
// reports as a data race; here the values read are also checked to be ones some writer set.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "opusim/opu.hpp"

namespace opusim {
namespace {

TEST(OpuThreads, GettersAndSettersMayRunConcurrently) {
    OpuSettings settings;
    settings.open_at_init = false;  // settings only: no device needed
    settings.n_components = 1;
    Opu opu(settings);
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (std::size_t i = 0; i < 20000; ++i) {
            opu.set_n_components(1 + i % 7);
            opu.set_input_roi_strategy(i % 2 ? InputRoiStrategy::Small : InputRoiStrategy::Full);
        }
        done = true;
    });
    std::size_t reads = 0;
    while (!done || reads < 1000) {
        const std::size_t n = opu.n_components();
        EXPECT_GE(n, 1u);
        EXPECT_LE(n, 7u);
        const OpuSettings copy = opu.settings();
        EXPECT_GE(copy.n_components, 1u);
        const InputRoiStrategy strategy = opu.input_roi_strategy();
        EXPECT_TRUE(strategy == InputRoiStrategy::Small || strategy == InputRoiStrategy::Full);
        EXPECT_EQ(opu.max_n_features(), settings.max_n_features);
        ++reads;
    }
    writer.join();
}

}  // namespace
}  // namespace opusim
