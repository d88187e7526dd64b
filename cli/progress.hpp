// A one-line progress display for work that may run longer than a couple of seconds:
//   opusim transform: 12800/30000 frames (42 %), 2450 frames/s, 7 s left
// redrawn in place with '\r' at most five times a second and cleared when the work ends. Drawn
// only on a terminal, so a redirected stderr (logs, scripts, tests) never holds progress lines,
// and never under --quiet.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

namespace opusim::cli {

class Progress {
  public:
    struct Options {
        std::ostream* out = nullptr;    // where to draw; nullptr: std::cerr
        std::function<double()> clock;  // monotonic seconds; empty: std::chrono::steady_clock
        bool terminal = false;          // draw at all (true when OUT is a terminal)
        double min_redraw_s = 0.2;      // at most five redraws a second
    };

    // LABEL starts the line ("opusim transform"); UNIT names what is counted ("frames").
    Progress(std::string label, std::string unit, Options options);
    // Progress on stderr: drawn when stderr is a terminal and QUIET is false.
    static Progress on_stderr(std::string label, std::string unit, bool quiet);
    ~Progress();  // clears the line
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // DONE of TOTAL units; redraws if the last redraw is old enough.
    void update(std::uint64_t done, std::uint64_t total);
    // Clears the line (idempotent); later updates draw again.
    void clear();
    // update() as a function, for the SDK's ProgressCallback; valid while this Progress lives.
    std::function<void(std::uint64_t, std::uint64_t)> callback();

    // The text shown for DONE of TOTAL after ELAPSED_S seconds of work (without '\r').
    std::string line(std::uint64_t done, std::uint64_t total, double elapsed_s) const;

  private:
    std::string label_;
    std::string unit_;
    Options options_;
    double start_s_ = 0;
    double last_draw_s_ = 0;
    std::size_t drawn_width_ = 0;  // characters on the line now; 0: nothing drawn
};

}  // namespace opusim::cli
