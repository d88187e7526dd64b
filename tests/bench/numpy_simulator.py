#!/usr/bin/python3
"""The numpy simulator opusim is measured against (issue 10; docs/performance.md).

Written the way lightonml's simulated OPU is: a stored complex64 transmission matrix
R (n_features x n_components, i.i.d. circular Gaussian, E|R|^2 = 1) and the transform
Y = |X R|^2 of the binary inputs X (uint8), with no camera noise, no quantisation and no timing.
It is a baseline for speed only: it models none of what opusim models.

Run with Debian's interpreter (python3-numpy), as the benchmark command does:

    /usr/bin/python3 tests/bench/numpy_simulator.py --json

The shape defaults to `opusim run`'s (3000 vectors x 10,000 features -> 1,000 components, half the
features on). Prints the wall time of each phase and of the whole process.
"""
import argparse
import json
import time

START = time.perf_counter()

import numpy as np  # noqa: E402  (imported after START: the import is part of the process's cost)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-vectors", type=int, default=3000)
    parser.add_argument("--n-features", type=int, default=10000)
    parser.add_argument("--n-components", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    for name in ("n_vectors", "n_features", "n_components"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')}: expected >= 1, got {getattr(args, name)}")

    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    shape = (args.n_features, args.n_components)
    matrix = (rng.standard_normal(shape, dtype=np.float32)
              + 1j * rng.standard_normal(shape, dtype=np.float32)).astype(np.complex64)
    matrix *= np.float32(np.sqrt(0.5))
    t1 = time.perf_counter()
    x = rng.integers(0, 2, size=(args.n_vectors, args.n_features), dtype=np.uint8)
    t2 = time.perf_counter()
    y = np.abs(x @ matrix) ** 2
    t3 = time.perf_counter()

    result = {
        "shape": [args.n_vectors, args.n_features, args.n_components],
        "matrix_s": t1 - t0,
        "input_s": t2 - t1,
        "transform_s": t3 - t2,
        "total_s": t3 - START,
        "mean_intensity": float(y.mean()),
        "numpy": np.__version__,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
