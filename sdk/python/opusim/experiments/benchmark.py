"""Wall time and peak memory of one training step (forward, backward, optimiser; batch 1)
against the sequence length L, for every attention variant. Each (variant, L) point runs in its
own process, so its peak resident memory is its own. Results: OUT/benchmark.json (atomic;
points already in it are kept, so an interrupted benchmark resumes).

    python3 -m opusim.experiments.benchmark --lengths 256 512 1024 2048 4096

The device variants train with matrices measured once on the device (not timed here: a draw's
cost is in the runs' device_measurement), so their step is FAVOR+'s with another W.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import torch

from .model import ATTENTIONS, Classifier, FeatureDraws
from .results import read_json, write_json

VOCAB, CLASSES = 16, 10


def resident_mib():
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def measure_point(attention, length, steps, device):
    """One point, in this process: seconds per step (median of STEPS after one warm-up) and the
    peak resident memory the steps added (MiB)."""
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = Classifier(attention, VOCAB, length, CLASSES)
    FeatureDraws(attention, 64, 16, 0, device).redraw(model)
    optimizer = torch.optim.AdamW(model.parameters())
    tokens = torch.randint(1, VOCAB, (1, length))
    label = torch.zeros(1, dtype=torch.int64)
    baseline = resident_mib()
    times = []
    for _ in range(steps + 1):
        started = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(model(tokens), label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        times.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timed = sorted(times[1:])
    return {"attention": attention, "length": length, "seconds_per_step": timed[len(timed) // 2],
            "step_times_s": times, "peak_memory_mib": max(0.0, peak - baseline),
            "baseline_rss_mib": baseline}


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python3 -m opusim.experiments.benchmark",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", nargs="+", type=int, default=[256, 512, 1024, 2048, 4096])
    parser.add_argument("--attentions", nargs="+", default=list(ATTENTIONS), choices=ATTENTIONS)
    parser.add_argument("--steps", type=int, default=2, help="timed steps per point (default 2)")
    parser.add_argument("--device", default="sim:gen2")
    parser.add_argument("--out", default="experiments-out")
    parser.add_argument("--point", nargs=2, metavar=("ATTENTION", "LENGTH"),
                        help=argparse.SUPPRESS)  # internal: measure one point, print JSON
    args = parser.parse_args(argv)
    for length in args.lengths:
        if length <= 0:
            parser.error(f"--lengths: expected positive lengths, got {length}")
    if args.steps <= 0:
        parser.error(f"--steps: expected a positive integer, got {args.steps}")
    return args


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    if args.point:
        print(json.dumps(measure_point(args.point[0], int(args.point[1]), args.steps,
                                       args.device)))
        return 0
    path = os.path.join(args.out, "benchmark.json")
    points = read_json(path)["points"] if os.path.exists(path) else []
    done = {(p["attention"], p["length"]) for p in points}
    for length in sorted(args.lengths):
        for attention in args.attentions:
            if (attention, length) in done:
                continue
            command = [sys.executable, "-m", "opusim.experiments.benchmark", "--point", attention,
                       str(length), "--steps", str(args.steps), "--device", args.device]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            point = json.loads(output.strip().splitlines()[-1])
            points.append(point)
            write_json(path, {"points": points, "torch_version": torch.__version__,
                              "threads": 1, "batch": 1})
            print(f"{attention} L={length}: {point['seconds_per_step']:.3f} s/step, "
                  f"{point['peak_memory_mib']:.0f} MiB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
