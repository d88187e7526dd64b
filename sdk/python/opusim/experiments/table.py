"""The whole table: every task x attention variant x seed, each run in its own process
(`opusim.experiments.performer`), JOBS at a time. Resumable: finished runs (their JSON file
exists) are skipped. Extra arguments after `--` go to every run (e.g. `-- --steps 2000`).

    python3 -m opusim.experiments.table --out docs/experiments/runs --jobs 2
"""
import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from .model import ATTENTIONS
from .results import run_path
from .tasks import TASKS


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python3 -m opusim.experiments.table",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", nargs="+", default=["digits", "listops"], choices=sorted(TASKS))
    parser.add_argument("--attentions", nargs="+", default=list(ATTENTIONS), choices=ATTENTIONS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time (default 1)")
    parser.add_argument("--out", default="experiments-out")
    parser.add_argument("run_arguments", nargs="*", help="after --: passed to every run")
    args = parser.parse_args(argv)
    if args.jobs <= 0:
        parser.error(f"--jobs: expected a positive integer, got {args.jobs}")
    return args


def run_one(command, log_path):
    started = time.perf_counter()
    with open(log_path, "w") as log:
        code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT)
    return code, time.perf_counter() - started


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    os.makedirs(args.out, exist_ok=True)
    pending = []
    # Seed-major: a partial table has every variant at the first seeds.
    for seed in args.seeds:
        for task in args.tasks:
            for attention in args.attentions:
                if os.path.exists(run_path(args.out, task, attention, seed)):
                    print(f"skip {task} {attention} seed {seed}: done", flush=True)
                    continue
                command = [sys.executable, "-m", "opusim.experiments.performer", "--task", task,
                           "--attention", attention, "--seed", str(seed), "--out", args.out]
                pending.append((command + args.run_arguments,
                                os.path.join(args.out, f".{task}-{attention}-seed{seed}.log")))
    failures = 0
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for (command, log_path), (code, seconds) in zip(
                pending, pool.map(lambda job: run_one(*job), pending)):
            status = "ok" if code == 0 else f"FAILED (exit {code}, log {log_path})"
            failures += code != 0
            print(f"{' '.join(command[3:])}: {status}, {seconds:.0f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
