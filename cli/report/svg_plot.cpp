#include "svg_plot.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "png_encoder.hpp"

namespace opusim::cli::report {
namespace {

// Plot area margins in pixels: room for tick labels, axis labels, title and legend.
constexpr double kRight = 20, kTop = 34, kBottom = 52, kLegendWidth = 262;

std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
}

// A tick label: short, with SI-like exponents for large or small values.
std::string tick_label(double value) {
    char text[32];
    const double magnitude = std::fabs(value);
    if (value == 0) return "0";
    if (magnitude >= 1e5 || magnitude < 1e-3) {
        std::snprintf(text, sizeof text, "%.3g", value);
    } else {
        std::snprintf(text, sizeof text, "%.6g", value);
    }
    return text;
}

// Ticks at 1, 2, 5 x 10^k covering [min, max], about five of them.
std::vector<double> linear_ticks(double min, double max) {
    const double span = max - min;
    if (!(span > 0)) return {min};
    const double rough = span / 5;
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    double step = power;
    for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
        step = factor * power;
        if (span / step <= 6) break;
    }
    std::vector<double> ticks;
    for (double t = std::ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
        ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
    }
    return ticks;
}

// Decades; with 1, 2 and 5 in each decade when the range spans fewer than three.
std::vector<double> log_ticks(double min, double max) {
    std::vector<double> ticks;
    const bool fine = std::log10(max / min) < 3;
    for (double e = std::floor(std::log10(min)); e <= std::log10(max) + 1e-9; e += 1) {
        for (const double m : fine ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
            const double t = m * std::pow(10.0, e);
            if (t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9)) ticks.push_back(t);
        }
    }
    return ticks;
}

}  // namespace

const std::string& series_colour(std::size_t index) {
    static const std::array<std::string, 7> kColours{"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                     "#E69F00", "#56B4E9", "#000000"};
    return kColours[index % kColours.size()];
}

std::string xml_escape(const std::string& text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

SvgPlot::SvgPlot(PlotOptions options) : options_(std::move(options)) {
    if (!(options_.x.max > options_.x.min)) options_.x.max = options_.x.min + 1;
    if (!(options_.y.max > options_.y.min)) options_.y.max = options_.y.min + 1;
    if (options_.log_x && options_.x.min <= 0) options_.x.min = options_.x.max * 1e-6;
    if (options_.log_y && options_.y.min <= 0) options_.y.min = options_.y.max * 1e-6;
}

double SvgPlot::left() const {
    return options_.left_margin;
}

double SvgPlot::legend_x() const {
    return options_.legend_left ? left() + 8 : options_.width - kRight - kLegendWidth - 4;
}

double SvgPlot::px(double x) const {
    const double width = options_.width - left() - kRight;
    const double t = options_.log_x ? (std::log10(x) - std::log10(options_.x.min)) /
                                          (std::log10(options_.x.max) - std::log10(options_.x.min))
                                    : (x - options_.x.min) / (options_.x.max - options_.x.min);
    return left() + t * width;
}

double SvgPlot::py(double y) const {
    const double height = options_.height - kTop - kBottom;
    const double t = options_.log_y ? (std::log10(y) - std::log10(options_.y.min)) /
                                          (std::log10(options_.y.max) - std::log10(options_.y.min))
                                    : (y - options_.y.min) / (options_.y.max - options_.y.min);
    return options_.height - kBottom - t * height;
}

bool SvgPlot::visible(double x, double y) const {
    const auto inside = [](double v, const AxisRange& r, bool log) {
        return std::isfinite(v) && (!log || v > 0) && v >= r.min - 1e-12 * std::fabs(r.min) &&
               v <= r.max + 1e-12 * std::fabs(r.max);
    };
    return inside(x, options_.x, options_.log_x) && inside(y, options_.y, options_.log_y);
}

void SvgPlot::legend_entry(const std::string& colour, const std::string& label, bool dashed) {
    if (label.empty()) return;
    const double y = kTop + 8 + 16.0 * static_cast<double>(legend_.size());
    const double x = legend_x() + 6;
    std::ostringstream out;
    out << "<line x1='" << number(x) << "' y1='" << number(y) << "' x2='" << number(x + 18)
        << "' y2='" << number(y) << "' stroke='" << colour << "' stroke-width='3'"
        << (dashed ? " stroke-dasharray='5,3'" : "") << "/><text x='" << number(x + 24) << "' y='"
        << number(y + 4) << "' font-size='11'>" << xml_escape(label) << "</text>";
    legend_.push_back(out.str());
}

void SvgPlot::line(const std::vector<double>& x, const std::vector<double>& y,
                   const std::string& colour, const std::string& label, bool dashed) {
    std::ostringstream points;
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (visible(x[i], y[i])) points << number(px(x[i])) << "," << number(py(y[i])) << " ";
    }
    body_ += "<polyline fill='none' stroke='" + colour + "' stroke-width='2'" +
             (dashed ? " stroke-dasharray='6,4'" : "") + " points='" + points.str() + "'/>\n";
    legend_entry(colour, label, dashed);
}

void SvgPlot::scatter(const std::vector<double>& x, const std::vector<double>& y,
                      const std::string& colour, const std::string& label) {
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (!visible(x[i], y[i])) continue;
        body_ += "<circle cx='" + number(px(x[i])) + "' cy='" + number(py(y[i])) +
                 "' r='3.5' fill='" + colour + "'/>\n";
    }
    legend_entry(colour, label, false);
}

void SvgPlot::histogram(const std::vector<double>& edges, const std::vector<double>& heights,
                        const std::string& colour, const std::string& label) {
    const double floor = options_.log_y ? options_.y.min : std::max(options_.y.min, 0.0);
    for (std::size_t i = 0; i + 1 < edges.size() && i < heights.size(); ++i) {
        if (!visible(edges[i], heights[i]) || !visible(edges[i + 1], floor)) continue;
        const double top = py(heights[i]);
        body_ += "<rect x='" + number(px(edges[i])) + "' y='" + number(top) + "' width='" +
                 number(std::max(px(edges[i + 1]) - px(edges[i]), 0.5)) + "' height='" +
                 number(std::max(py(floor) - top, 0.0)) + "' fill='" + colour +
                 "' fill-opacity='0.55'/>\n";
    }
    legend_entry(colour, label, false);
}

void SvgPlot::rectangle(double x0, double x1, double y0, double y1, const std::string& colour,
                        const std::string& tooltip, bool outlined) {
    const double start = std::clamp(px(x0), left(), options_.width - kRight);
    const double stop = std::clamp(px(x1), left(), options_.width - kRight);
    if (stop <= start) return;
    const double top = py(y1), bottom = py(y0);
    body_ +=
        "<rect x='" + number(start) + "' y='" + number(top) + "' width='" +
        number(std::max(stop - start, 0.6)) + "' height='" + number(bottom - top) + "' fill='" +
        colour + "'" +
        (outlined ? " stroke='#000' stroke-width='2.5'" : " stroke='#fff' stroke-width='0.4'") +
        "><title>" + xml_escape(tooltip) + "</title></rect>\n";
}

void SvgPlot::vertical_line(double x, const std::string& colour, const std::string& label) {
    if (!visible(x, options_.log_y ? options_.y.max : options_.y.min)) return;
    body_ += "<line x1='" + number(px(x)) + "' y1='" + number(kTop) + "' x2='" + number(px(x)) +
             "' y2='" + number(options_.height - kBottom) + "' stroke='" + colour +
             "' stroke-width='1.5' stroke-dasharray='4,3'/>\n";
    legend_entry(colour, label, true);
}

void SvgPlot::horizontal_line(double y, const std::string& colour, const std::string& label) {
    if (!visible(options_.log_x ? options_.x.max : options_.x.min, y)) return;
    body_ += "<line x1='" + number(left()) + "' y1='" + number(py(y)) + "' x2='" +
             number(options_.width - kRight) + "' y2='" + number(py(y)) + "' stroke='" + colour +
             "' stroke-width='1.5' stroke-dasharray='4,3'/>\n";
    legend_entry(colour, label, true);
}

void SvgPlot::note(double x, double y, const std::string& text, const std::string& colour) {
    if (!visible(x, y)) return;
    body_ += "<text x='" + number(px(x)) + "' y='" + number(py(y)) + "' font-size='11' fill='" +
             colour + "'>" + xml_escape(text) + "</text>\n";
}

void SvgPlot::y_categories(const std::vector<std::string>& names) {
    categories_ = names;
}

std::string SvgPlot::axes() const {
    std::ostringstream out;
    const double bottom = options_.height - kBottom, right = options_.width - kRight;
    out << "<rect x='" << number(left()) << "' y='" << number(kTop) << "' width='"
        << number(right - left()) << "' height='" << number(bottom - kTop)
        << "' fill='none' stroke='#444'/>\n";
    const auto x_ticks = options_.log_x ? log_ticks(options_.x.min, options_.x.max)
                                        : linear_ticks(options_.x.min, options_.x.max);
    for (const double t : x_ticks) {
        out << "<line x1='" << number(px(t)) << "' y1='" << number(bottom) << "' x2='"
            << number(px(t)) << "' y2='" << number(bottom + 5) << "' stroke='#444'/>"
            << "<text x='" << number(px(t)) << "' y='" << number(bottom + 18)
            << "' font-size='11' text-anchor='middle'>" << tick_label(t) << "</text>\n";
    }
    if (categories_.empty()) {
        const auto y_ticks = options_.log_y ? log_ticks(options_.y.min, options_.y.max)
                                            : linear_ticks(options_.y.min, options_.y.max);
        for (const double t : y_ticks) {
            out << "<line x1='" << number(left() - 5) << "' y1='" << number(py(t)) << "' x2='"
                << number(right) << "' y2='" << number(py(t)) << "' stroke='#ddd'/><text x='"
                << number(left() - 8) << "' y='" << number(py(t) + 4)
                << "' font-size='11' text-anchor='end'>" << tick_label(t) << "</text>\n";
        }
    } else {
        for (std::size_t i = 0; i < categories_.size(); ++i) {
            out << "<text x='" << number(left() - 6) << "' y='"
                << number(py(static_cast<double>(i) + 0.5) + 4)
                << "' font-size='11' text-anchor='end'>" << xml_escape(categories_[i])
                << "</text>\n";
        }
    }
    out << "<text x='" << number((left() + right) / 2) << "' y='" << number(options_.height - 12)
        << "' font-size='12' text-anchor='middle'>" << xml_escape(options_.x_label) << "</text>\n";
    out << "<text transform='translate(16," << number((kTop + bottom) / 2)
        << ") rotate(-90)' font-size='12' text-anchor='middle'>" << xml_escape(options_.y_label)
        << "</text>\n";
    out << "<text x='" << number(left()) << "' y='20' font-size='14' font-weight='bold'>"
        << xml_escape(options_.title) << "</text>\n";
    return out.str();
}

std::string SvgPlot::svg() const {
    std::ostringstream out;
    out << "<svg xmlns='http://www.w3.org/2000/svg' width='" << options_.width << "' height='"
        << options_.height << "' viewBox='0 0 " << options_.width << " " << options_.height
        << "' font-family='sans-serif'>\n<rect width='100%' height='100%' fill='#fff'/>\n"
        << "<svg x='0' y='0' width='" << options_.width << "' height='" << options_.height << "'>\n"
        << body_ << "</svg>\n"
        << axes();
    if (!legend_.empty()) {
        out << "<rect x='" << number(legend_x()) << "' y='" << number(kTop) << "' width='"
            << number(kLegendWidth) << "' height='" << number(16.0 * double(legend_.size()) + 4)
            << "' fill='#fff' fill-opacity='0.85' stroke='#ccc'/>\n";
        for (const auto& entry : legend_) out << entry << "\n";
    }
    out << "</svg>\n";
    return out.str();
}

std::string image_svg(const std::vector<double>& values, std::size_t rows, std::size_t cols,
                      double low, double high, int width, const std::string& title) {
    std::vector<std::uint8_t> pixels(rows * cols);
    const double span = high > low ? high - low : 1;
    for (std::size_t i = 0; i < pixels.size(); ++i) {
        const double t = std::clamp((values[i] - low) / span, 0.0, 1.0);
        pixels[i] = static_cast<std::uint8_t>(std::lround(255 * t));
    }
    const std::string png = base64(encode_gray_png(pixels, static_cast<std::uint32_t>(rows),
                                                   static_cast<std::uint32_t>(cols)));
    const double scale = double(width) / double(cols);
    const int image_height = static_cast<int>(std::lround(double(rows) * scale));
    const int height = image_height + 70;
    std::ostringstream out;
    out << "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' "
           "width='"
        << width + 20 << "' height='" << height << "' viewBox='0 0 " << width + 20 << " " << height
        << "' font-family='sans-serif'>\n<rect width='100%' height='100%' fill='#fff'/>\n"
        << "<text x='10' y='20' font-size='14' font-weight='bold'>" << xml_escape(title)
        << "</text>\n<image x='10' y='30' width='" << width << "' height='" << image_height
        << "' preserveAspectRatio='none' style='image-rendering:pixelated' "
           "xlink:href='data:image/png;base64,"
        << png << "'/>\n";
    // Colour bar: black (LOW) to white (HIGH).
    out << "<defs><linearGradient id='grey'><stop offset='0' stop-color='#000'/><stop offset='1' "
           "stop-color='#fff'/></linearGradient></defs><rect x='10' y='"
        << image_height + 38 << "' width='200' height='10' fill='url(#grey)' stroke='#444'/>"
        << "<text x='10' y='" << image_height + 62 << "' font-size='11'>" << tick_label(low)
        << " DN</text><text x='210' y='" << image_height + 62
        << "' font-size='11' text-anchor='end'>" << tick_label(high) << " DN</text>\n</svg>\n";
    return out.str();
}

}  // namespace opusim::cli::report
