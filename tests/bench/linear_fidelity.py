#!/usr/bin/env python3
"""Issue 12's linear measurement: 48 Gaussian vector pairs x, y of 256 features, then x + y and
0.5 x, through `opusim transform --linear` on sim:gen2 with noise on, off and ideal. Prints the
additivity, homogeneity and angle errors beside what the derived error of one output (the
context's linear_error_limit) predicts for them (docs/device-physics.md "Linear mode").

    /usr/bin/python3 tests/bench/linear_fidelity.py BUILD/bin/opusim [--n-components 20000]

Predictions: the outputs' errors are independent across samples (fresh frames), so with e the
relative rms error of one output, E|L(x+y) - L(x) - L(y)|^2 = e^2 (|L(x+y)|^2 + |Lx|^2 + |Ly|^2)
and E|L(x/2) - L(x)/2|^2 = e_cam^2 (|L(x/2)|^2 + |Lx|^2 / 4), e_cam the camera's part only (x/2
is encoded exactly as x); with noise off the frames of x/2 are those of x, so homogeneity is 0.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def rel(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def norm2(a):
    return float(np.sum(a * a))


def measure(opusim, device, n_components, x, y, folder, extra):
    rows = np.concatenate([x, y, x + y, 0.5 * x]).astype(np.float32)
    source = os.path.join(folder, "in.npy")
    out = os.path.join(folder, "out.npy")
    np.save(source, rows)
    done = subprocess.run([opusim, "transform", "--linear", "--input", source, "--out", out,
                           "--device", device, "--n-components", str(n_components), "--json",
                           "--quiet"] + extra, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit("opusim failed: " + done.stderr)
    summary = json.loads(done.stdout)
    n = len(x)
    z = np.load(out).astype(np.float64)
    lx, ly, lxy, lhalf = z[:n], z[n:2 * n], z[2 * n:3 * n], z[3 * n:]
    error = summary["linear_error"]
    limit = error["limit"]
    camera = np.sqrt(max(limit ** 2 - error["budget"]["encoding"] ** 2, 0.0))
    result = {
        "additivity": rel(lxy, lx + ly),
        "homogeneity": rel(lhalf, 0.5 * lx),
        "limit": limit,
        "additivity_limit": limit * np.sqrt((norm2(lxy) + norm2(lx) + norm2(ly)) / norm2(lxy)),
        "homogeneity_limit": camera * np.sqrt((norm2(lhalf) + norm2(lx) / 4) / norm2(lhalf)),
        "frames": summary["frames"],
        "frames_per_vector": error["frames_per_vector"],
        "budget": error["budget"],
        "exposure_us": summary["exposure_us"],
        "saturated": summary["saturated_values"],
    }
    angle = 0.0
    for i in range(0, n, 2):  # 24 pairs
        a, b = x[i], x[i + 1]
        la, lb = lx[i], lx[i + 1]
        cos_in = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
        cos_out = la @ lb / np.linalg.norm(la) / np.linalg.norm(lb)
        angle = max(angle, abs(cos_in - cos_out))
    result["angle"] = angle
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("opusim")
    parser.add_argument("--n-components", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--noise", default="on,off,ideal")
    args = parser.parse_args()
    extra = []
    rng = np.random.default_rng(args.seed)
    x = rng.standard_normal((48, 256))
    y = rng.standard_normal((48, 256))
    print(f"48 Gaussian pairs of 256 features, {args.n_components} components, sim:gen2")
    print("noise  additivity (limit)  homogeneity (limit)  angle   limit   frames/vector  frames"
          "  exposure_us  saturated")
    with tempfile.TemporaryDirectory() as folder:
        for noise in args.noise.split(","):
            r = measure(args.opusim, f"sim:gen2?noise={noise}", args.n_components, x, y, folder,
                        extra)
            print(f"{noise:5}  {r['additivity']:.4f} ({r['additivity_limit']:.4f})    "
                  f"{r['homogeneity']:.4f} ({r['homogeneity_limit']:.4f})      "
                  f"{r['angle']:.4f}  {r['limit']:.4f}  {r['frames_per_vector']:13d}  "
                  f"{r['frames']:6d}  {r['exposure_us']:11.1f}  {r['saturated']}")
            print("       budget: " + ", ".join(f"{k} {v:.4f}" for k, v in r["budget"].items()))


if __name__ == "__main__":
    main()
