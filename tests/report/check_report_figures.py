#!/usr/bin/python3
"""Tests that look at `opusim report`: every SVG parses as XML, renders with rsvg-convert to an
image of the size it declares that is not blank, the HTML embeds each SVG and no script or
network reference, and a few numbers in the figures equal the --json output of the commands the
figures name.

usage: check_report_figures.py OPUSIM RSVG_CONVERT WORK_DIR
"""
import json
import shlex
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from html import escape as html_escape_quoted
from pathlib import Path


def html_escape(text):
    """As the page escapes text (xml_escape in cli/report/svg_plot.cpp)."""
    return html_escape_quoted(text, quote=True).replace("&#x27;", "&apos;")


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def run_json(opusim, args):
    out = subprocess.run([opusim] + args + ["--json", "--quiet"], capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"opusim {' '.join(args)} exited {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def decode_png(data):
    """(width, height, rows of RGBA bytes) of an 8-bit RGB/RGBA PNG (what rsvg-convert writes)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("rsvg-convert did not write a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = header[:4]
    if depth != 8 or colour not in (2, 6):
        fail(f"unexpected PNG format: depth {depth}, colour type {colour}")
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                line[i] = (line[i] + paeth(left, up, corner)) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows


def check_svg(path, rsvg):
    root = ET.parse(path).getroot()  # raises on malformed XML
    if not root.tag.endswith("svg"):
        fail(f"{path}: root element is {root.tag}")
    width, height = int(root.get("width")), int(root.get("height"))
    png = path.with_suffix(".png")
    subprocess.run([rsvg, "-o", str(png), str(path)], check=True)
    w, h, channels, rows = decode_png(png.read_bytes())
    if (w, h) != (width, height):
        fail(f"{path}: rendered {w}x{h}, declared {width}x{height}")
    # Not blank: a good share of the pixels are not background white, in several colours.
    colours, inked = set(), 0
    for line in rows[::2]:
        for x in range(0, w * channels, channels * 2):
            pixel = bytes(line[x:x + 3])
            colours.add(pixel)
            inked += pixel != b"\xff\xff\xff"
    sampled = len(rows[::2]) * len(range(0, w * channels, channels * 2))
    if inked < 0.01 * sampled or len(colours) < 3:
        fail(f"{path}: looks blank ({inked} of {sampled} sampled pixels inked, "
             f"{len(colours)} colours)")
    print(f"ok {path.name}: {w}x{h}, {100 * inked / sampled:.1f} % inked, {len(colours)} colours")


def main():
    opusim, rsvg, work = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    work.mkdir(parents=True, exist_ok=True)
    html, svg_dir = work / "report.html", work / "svg"
    report = run_json(opusim, ["report", "--device", "sim:gen2", "--out", str(html),
                               "--svg-dir", str(svg_dir)])
    page = html.read_text()
    if "<script" in page or "http://" in page.replace("http://www.w3.org/", "") \
            or "https://" in page:
        fail("the page holds a script or a network reference")
    svgs = sorted(svg_dir.glob("*.svg"))
    expected = {"speckle", "speckle_2", "photon_transfer", "timeline", "throughput"}
    if {p.stem for p in svgs} != expected:
        fail(f"SVG files {[p.stem for p in svgs]}, expected {sorted(expected)}")
    for svg in svgs:
        if svg.read_text() not in page:
            fail(f"{svg.name} is not embedded in the page as written")
        check_svg(svg, rsvg)

    figures = report["figures"]
    # The timeline's numbers are `opusim timing --json` of the command the figure names (shown on
    # the page, HTML-escaped).
    command = report["commands"]["timeline"][0]
    if html_escape(command) not in page:
        fail(f"the timeline's command is not on the page: {command}")
    timeline_args = shlex.split(command, comments=True)[1:]
    timing = run_json(opusim, timeline_args)
    if timing["frame_rate_hz"] != figures["timeline"]["frame_rate_hz"]:
        fail(f"timeline rate {figures['timeline']['frame_rate_hz']} != timing's "
             f"{timing['frame_rate_hz']}")
    if timing["trace"] != figures["timeline"]["trace"]:
        fail("timeline trace differs from opusim timing's")
    # A throughput point against its own timing run.
    point = figures["throughput"]["points"][0]
    device = report["device"]
    again = run_json(opusim, ["timing", "--device", device, "--n-features", "10000",
                              "--n-components", str(point["n_components"]), "--frames", "200",
                              "--input-roi", "small"])
    if again["frame_rate_hz"] != point["frame_rate_hz"]:
        fail(f"throughput point {point} != timing's {again['frame_rate_hz']}")
    # gen2: 2 kHz (frametime-bound) up to the link limit, link_out-bound on the full sensor
    # (docs/timing.md, LargeRoiOnGen2LinkIsReportedLinkBound).
    if abs(point["frame_rate_hz"] - 2000) > 2 or figures["throughput"]["points"][-1][
            "bottleneck"] != "link_out":
        fail(f"gen2 throughput not as docs/timing.md says: {figures['throughput']['points']}")
    # Photon transfer: the fitted gain and saturation against the profile's. Each variance is
    # estimated from 20,000 pixel differences (relative standard error sqrt(2/20000) = 1 %), and
    # the fit pools several points, so 5 % is about five standard errors.
    ptc = figures["photon_transfer"]
    gain, profile_gain = ptc["fitted"]["system_gain_dn_per_electron"], \
        ptc["profile"]["system_gain_dn_per_electron"]
    if abs(gain / profile_gain - 1) > 0.05:
        fail(f"fitted gain {gain} vs profile {profile_gain}")
    print("ok numbers: timeline, throughput and photon transfer match their commands and profile")


if __name__ == "__main__":
    main()
