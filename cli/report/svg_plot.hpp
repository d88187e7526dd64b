// A small SVG plot writer for the report and sweep pages: one plot is a frame with axes (linear
// or logarithmic), ticks, labels, a title and a legend, holding lines, scatter points, histogram
// bars, rectangles in data coordinates (a timeline), reference lines and notes. The output is one
// self-contained <svg> element (no script, no external reference), valid XML.
#pragma once

#include <string>
#include <vector>

namespace opusim::cli::report {

struct AxisRange {
    double min = 0;
    double max = 1;
};

struct PlotOptions {
    int width = 640;
    int height = 400;
    std::string title;
    std::string x_label;
    std::string y_label;
    bool log_x = false;
    bool log_y = false;
    AxisRange x;
    AxisRange y;
    bool legend_left = false;  // legend in the top-left corner (else top-right)
    int left_margin = 78;      // room for the y tick labels (wider for category names)
};

// The colours series are drawn in, by index (a colour-blind-safe palette).
const std::string& series_colour(std::size_t index);

// Text escaped for XML content and attribute values.
std::string xml_escape(const std::string& text);

class SvgPlot {
  public:
    explicit SvgPlot(PlotOptions options);

    void line(const std::vector<double>& x, const std::vector<double>& y, const std::string& colour,
              const std::string& label, bool dashed = false);
    void scatter(const std::vector<double>& x, const std::vector<double>& y,
                 const std::string& colour, const std::string& label);
    // Bars over [edges[i], edges[i+1]) of height heights[i].
    void histogram(const std::vector<double>& edges, const std::vector<double>& heights,
                   const std::string& colour, const std::string& label);
    // A rectangle in data coordinates; TOOLTIP becomes its <title>.
    void rectangle(double x0, double x1, double y0, double y1, const std::string& colour,
                   const std::string& tooltip, bool outlined = false);
    void vertical_line(double x, const std::string& colour, const std::string& label);
    void horizontal_line(double y, const std::string& colour, const std::string& label);
    // Text at data coordinates (left-aligned).
    void note(double x, double y, const std::string& text, const std::string& colour = "#222");
    // Category names on the y axis at integer positions 0..n-1 (the timeline's rows), instead of
    // numeric ticks.
    void y_categories(const std::vector<std::string>& names);

    std::string svg() const;

  private:
    double left() const;
    double legend_x() const;
    double px(double x) const;
    double py(double y) const;
    bool visible(double x, double y) const;
    void legend_entry(const std::string& colour, const std::string& label, bool dashed);
    std::string axes() const;

    PlotOptions options_;
    std::string body_;
    std::vector<std::string> legend_;
    std::vector<std::string> categories_;
};

// A grayscale image of ROWS x COLS VALUES (row-major), scaled so LOW is black and HIGH white,
// drawn WIDTH pixels wide as an embedded PNG under a title, with a colour bar.
std::string image_svg(const std::vector<double>& values, std::size_t rows, std::size_t cols,
                      double low, double high, int width, const std::string& title);

}  // namespace opusim::cli::report
