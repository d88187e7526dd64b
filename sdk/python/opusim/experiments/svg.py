"""A small SVG line plot (no plotting library needed): series of (x, y) points, linear or
logarithmic axes, a legend. Enough for the experiments' loss curves and scaling figures."""
import math
from xml.sax.saxutils import escape

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf")
WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 170, 40, 50


class Series:
    """One line: POINTS [(x, y)], LABEL for the legend; FAINT lines are thin and unlabelled
    (e.g. single seeds around their mean)."""

    def __init__(self, label, points, colour=None, faint=False):
        self.label, self.colour, self.faint = label, colour, faint
        self.points = [(float(x), float(y)) for x, y in points
                       if math.isfinite(float(x)) and math.isfinite(float(y))]


def _transform(value, log):
    if log:
        if value <= 0:
            raise ValueError(f"value: a logarithmic axis needs positive values, got {value}")
        return math.log10(value)
    return value


def _ticks(low, high, log):
    if log:  # 1, 2, 5 times the powers of ten within the range (low, high: log10 values)
        return [m * 10.0 ** e for e in range(math.floor(low), math.ceil(high) + 1)
                for m in (1, 2, 5)
                if low - 1e-9 <= math.log10(m * 10.0 ** e) <= high + 1e-9] or [10.0 ** low]
    span = high - low or 1.0
    step = 10 ** math.floor(math.log10(span / 5))
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= 6:
            step *= factor
            break
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def _label(value):
    return f"{value:g}"


def line_plot(path, title, x_label, y_label, series, log_x=False, log_y=False):
    """Writes an SVG file with SERIES (a list of Series)."""
    points = [p for s in series for p in s.points]
    if not points:
        raise ValueError("series: no finite points to plot")
    xs = [_transform(x, log_x) for x, _ in points]
    ys = [_transform(y, log_y) for _, y in points]
    x_low, x_high = min(xs), max(xs)
    y_low, y_high = min(ys), max(ys)
    if x_high == x_low:
        x_low, x_high = x_low - 1, x_high + 1
    if y_high == y_low:
        y_low, y_high = y_low - 1, y_high + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x):
        return LEFT + (_transform(x, log_x) - x_low) / (x_high - x_low) * plot_w

    def py(y):
        return TOP + plot_h - (_transform(y, log_y) - y_low) / (y_high - y_low) * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="14">'
           f'{escape(title)}</text>',
           f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
           'stroke="black"/>']
    for tick in _ticks(x_low, x_high, log_x):
        x = px(tick)
        out.append(f'<line x1="{x:.1f}" y1="{TOP + plot_h}" x2="{x:.1f}" y2="{TOP + plot_h + 5}" '
                   'stroke="black"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">'
                   f'{_label(tick)}</text>')
    for tick in _ticks(y_low, y_high, log_y):
        y = py(tick)
        out.append(f'<line x1="{LEFT - 5}" y1="{y:.1f}" x2="{LEFT}" y2="{y:.1f}" stroke="black"/>')
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
                   'stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{_label(tick)}</text>')
    out.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 12}" text-anchor="middle">'
               f'{escape(x_label)}</text>')
    out.append(f'<text transform="translate(16 {TOP + plot_h / 2}) rotate(-90)" '
               f'text-anchor="middle">{escape(y_label)}</text>')
    legend_y = TOP + 10
    for index, s in enumerate(series):
        colour = s.colour or COLOURS[index % len(COLOURS)]
        if len(s.points) > 0:
            path_data = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(y):.1f}"
                                 for i, (x, y) in enumerate(s.points))
            width, opacity = (0.8, 0.35) if s.faint else (2.0, 1.0)
            out.append(f'<path d="{path_data}" fill="none" stroke="{colour}" '
                       f'stroke-width="{width}" stroke-opacity="{opacity}"/>')
            if len(s.points) == 1 or not s.faint:
                for x, y in s.points if len(s.points) < 12 else []:
                    out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.5" '
                               f'fill="{colour}"/>')
        if s.label and not s.faint:
            out.append(f'<line x1="{WIDTH - RIGHT + 10}" y1="{legend_y}" '
                       f'x2="{WIDTH - RIGHT + 30}" y2="{legend_y}" stroke="{colour}" '
                       'stroke-width="2"/>')
            out.append(f'<text x="{WIDTH - RIGHT + 35}" y="{legend_y + 4}">{escape(s.label)}'
                       '</text>')
            legend_y += 18
    out.append("</svg>")
    with open(path, "w") as stream:
        stream.write("\n".join(out) + "\n")
