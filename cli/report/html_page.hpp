// A self-contained HTML page of figures: inline SVG, an inline style sheet, no script and no
// network reference; each figure with its caption, the commands that reproduce its numbers, and
// those numbers as JSON.
#pragma once

#include <string>
#include <vector>

#include "figure.hpp"

namespace opusim::cli::report {

// TITLE heads the page; INTRO (HTML-escaped) follows it; then each figure.
std::string html_page(const std::string& title, const std::vector<std::string>& intro,
                      const std::vector<Figure>& figures);

}  // namespace opusim::cli::report
