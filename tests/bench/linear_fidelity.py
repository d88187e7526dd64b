#!/usr/bin/env python3
"""Issue 12's linear measurement: 48 Gaussian vector pairs x, y of 256 features, then x + y and
0.5 x, through `opusim transform --linear` on sim:gen2 with noise on, off and ideal. Prints the
additivity, homogeneity and angle errors (docs/device-physics.md "Linear mode: measured").

    /usr/bin/python3 tests/bench/linear_fidelity.py BUILD/bin/opusim [--n-components 20000]
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


def measure(opusim, device, n_components, x, y, folder):
    rows = np.concatenate([x, y, x + y, 0.5 * x]).astype(np.float32)
    source = os.path.join(folder, "in.npy")
    out = os.path.join(folder, "out.npy")
    np.save(source, rows)
    done = subprocess.run([opusim, "transform", "--linear", "--input", source, "--out", out,
                           "--device", device, "--n-components", str(n_components), "--json",
                           "--quiet"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit("opusim failed: " + done.stderr)
    summary = json.loads(done.stdout)
    n = len(x)
    z = np.load(out).astype(np.float64)
    lx, ly, lxy, lhalf = z[:n], z[n:2 * n], z[2 * n:3 * n], z[3 * n:]
    additivity = rel(lxy, lx + ly)
    homogeneity = rel(lhalf, 0.5 * lx)
    angle = 0.0
    for i in range(0, n, 2):  # 24 pairs
        a, b = x[i], x[i + 1]
        la, lb = lx[i], lx[i + 1]
        cos_in = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
        cos_out = la @ lb / np.linalg.norm(la) / np.linalg.norm(lb)
        angle = max(angle, abs(cos_in - cos_out))
    return additivity, homogeneity, angle, summary


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("opusim")
    parser.add_argument("--n-components", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    x = rng.standard_normal((48, 256))
    y = rng.standard_normal((48, 256))
    print(f"48 Gaussian pairs of 256 features, {args.n_components} components, sim:gen2")
    print("noise   additivity  homogeneity  angle (max |cos in - cos out|, 24 pairs)  frames")
    with tempfile.TemporaryDirectory() as folder:
        for noise in ("on", "off", "ideal"):
            add, hom, ang, summary = measure(args.opusim, f"sim:gen2?noise={noise}",
                                             args.n_components, x, y, folder)
            frames = summary.get("context", summary).get("frames", "?")
            print(f"{noise:6}  {add:10.4f}  {hom:11.4f}  {ang:10.4f}  {frames}")


if __name__ == "__main__":
    main()
