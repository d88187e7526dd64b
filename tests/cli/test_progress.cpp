// The progress display on its own (cli/progress.hpp), with an injected clock and stream and
// the terminal check forced: what it draws, how often, and that it leaves a clean line.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "progress.hpp"

namespace {

using opusim::cli::Progress;

class ProgressDisplay : public ::testing::Test {
  protected:
    Progress::Options options(bool terminal) {
        Progress::Options o;
        o.out = &out_;
        o.clock = [this] { return now_; };
        o.terminal = terminal;
        return o;
    }
    std::ostringstream out_;
    double now_ = 100.0;
};

TEST_F(ProgressDisplay, LineShowsDoneTotalRateAndTimeLeft) {
    const Progress progress("opusim capture", "frames", options(false));
    EXPECT_EQ(progress.line(50, 200, 5.0),
              "opusim capture: 50/200 frames (25 %), 10 frames/s, 15 s left");
    EXPECT_EQ(progress.line(3000, 63000, 1.0),
              "opusim capture: 3000/63000 frames (4 %), 3000 frames/s, 20 s left");
    EXPECT_EQ(progress.line(100, 100000, 1.0),
              "opusim capture: 100/100000 frames (0 %), 100 frames/s, 16 min 39 s left");
    EXPECT_EQ(progress.line(1, 10000, 1.0),
              "opusim capture: 1/10000 frames (0 %), 1.0 frames/s, 2 h 46 min left");
    // Nothing done yet: no rate to extrapolate from.
    EXPECT_EQ(progress.line(0, 200, 0.5), "opusim capture: 0/200 frames (0 %)");
    // 100 % only once everything is done (rounded down), and no time left then.
    EXPECT_EQ(progress.line(999, 1000, 1.0),
              "opusim capture: 999/1000 frames (99 %), 999 frames/s, 1 s left");
    EXPECT_EQ(progress.line(1000, 1000, 2.0),
              "opusim capture: 1000/1000 frames (100 %), 500 frames/s");
    // Unknown total: the count and rate only.
    EXPECT_EQ(progress.line(40, 0, 2.0), "opusim capture: 40 frames, 20 frames/s");
}

TEST_F(ProgressDisplay, DrawsNothingWhenNotATerminal) {
    {
        Progress progress("opusim run", "frames", options(false));
        for (int i = 1; i <= 10; ++i) {
            now_ += 1.0;
            progress.update(std::uint64_t(i), 10);
        }
    }
    EXPECT_EQ(out_.str(), "");
}

TEST_F(ProgressDisplay, RedrawsOneLineAtMostFiveTimesASecondAndClearsIt) {
    const std::string line = "job: 100/100 frames (100 %), 167 frames/s";
    {
        Progress progress("job", "frames", options(true));
        progress.update(1, 100);  // at once: not yet (short commands never draw)
        EXPECT_EQ(out_.str(), "");
        now_ += 0.25;
        progress.update(10, 100);
        EXPECT_EQ(out_.str(), "\rjob: 10/100 frames (10 %), 40 frames/s, 3 s left");
        for (int i = 0; i < 10; ++i) {  // 10 updates within 0.1 s: no redraw
            now_ += 0.01;
            progress.update(11 + std::uint64_t(i), 100);
        }
        const std::string drawn = out_.str();
        EXPECT_EQ(std::count(drawn.begin(), drawn.end(), '\r'), 1);
        out_.str("");
        now_ += 0.25;
        progress.update(100, 100);  // shorter than the line before: padded over it
        const std::string previous = "job: 10/100 frames (10 %), 40 frames/s, 3 s left";
        EXPECT_EQ(out_.str(), "\r" + line + std::string(previous.size() - line.size(), ' '));
        out_.str("");
    }
    // Destroyed: the line is blanked and the cursor back at its start.
    EXPECT_EQ(out_.str(), "\r" + std::string(line.size(), ' ') + "\r");
}

TEST_F(ProgressDisplay, TheCallbackDrawsLikeUpdate) {
    Progress progress("opusim transform", "frames", options(true));
    const auto callback = progress.callback();
    now_ += 1.0;
    callback(5, 20);
    EXPECT_EQ(out_.str(), "\ropusim transform: 5/20 frames (25 %), 5.0 frames/s, 3 s left");
    progress.clear();
    progress.clear();  // idempotent
    EXPECT_EQ(out_.str().substr(out_.str().size() - 1), "\r");
}

}  // namespace
