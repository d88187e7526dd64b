#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <utility>

#include <fmt/core.h>

namespace opusim::cli {
namespace {

double steady_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// "45 s", "3 min 05 s", "2 h 07 min": precise enough to decide whether to wait.
std::string duration_text(double seconds) {
    const auto whole = static_cast<std::uint64_t>(std::ceil(seconds));
    if (whole < 60) return fmt::format("{} s", whole);
    if (whole < 3600) return fmt::format("{} min {:02} s", whole / 60, whole % 60);
    return fmt::format("{} h {:02} min", whole / 3600, whole % 3600 / 60);
}

std::string rate_text(double per_second) {
    return per_second < 10 ? fmt::format("{:.1f}", per_second) : fmt::format("{:.0f}", per_second);
}

}  // namespace

Progress::Progress(std::string label, std::string unit, Options options)
    : label_(std::move(label)), unit_(std::move(unit)), options_(std::move(options)) {
    if (options_.out == nullptr) options_.out = &std::cerr;
    if (!options_.clock) options_.clock = steady_seconds;
    start_s_ = options_.clock();
    last_draw_s_ = start_s_;
}

Progress Progress::on_stderr(std::string label, std::string unit, bool quiet) {
    Options options;
    options.terminal = !quiet && ::isatty(STDERR_FILENO) == 1;
    return Progress(std::move(label), std::move(unit), std::move(options));
}

Progress::~Progress() {
    clear();
}

void Progress::update(std::uint64_t done, std::uint64_t total) {
    if (!options_.terminal) return;
    const double now = options_.clock();
    if (now - last_draw_s_ < options_.min_redraw_s) return;
    last_draw_s_ = now;
    const std::string text = line(done, total, now - start_s_);
    // Spaces cover what a longer previous line left on the terminal.
    const std::size_t pad = drawn_width_ > text.size() ? drawn_width_ - text.size() : 0;
    *options_.out << '\r' << text << std::string(pad, ' ') << std::flush;
    drawn_width_ = text.size();
}

void Progress::clear() {
    if (drawn_width_ == 0) return;
    *options_.out << '\r' << std::string(drawn_width_, ' ') << '\r' << std::flush;
    drawn_width_ = 0;
}

std::function<void(std::uint64_t, std::uint64_t)> Progress::callback() {
    return [this](std::uint64_t done, std::uint64_t total) { update(done, total); };
}

std::string Progress::line(std::uint64_t done, std::uint64_t total, double elapsed_s) const {
    std::string text = fmt::format("{}: {}", label_, done);
    if (total > 0) {
        // Rounded down: 100 % only when the work is done.
        text += fmt::format("/{} {} ({:.0f} %)", total, unit_,
                            std::floor(100.0 * double(std::min(done, total)) / double(total)));
    } else {
        text += " " + unit_;
    }
    if (done == 0 || elapsed_s <= 0) return text;
    const double rate = double(done) / elapsed_s;
    text += fmt::format(", {} {}/s", rate_text(rate), unit_);
    if (total > done) text += ", " + duration_text(double(total - done) / rate) + " left";
    return text;
}

}  // namespace opusim::cli
