#!/usr/bin/python3
"""`opusim run` (defaults: gen2, 3000 x 10,000 -> 1,000, full layout) against its baselines, in
one run, interleaved round by round (issue 10's first two rows; docs/performance.md):

  - the bare integer GEMM of its shape (bench_physics BM_BareDnnlGemmU8S8S32/3000/10000/1000),
  - the numpy simulator (tests/bench/numpy_simulator.py, whole process),
  - optionally another build of opusim (--baseline PREFIX: PREFIX/bin/opusim with PREFIX/lib).

Whole-process wall times; medians over --rounds. Prints the load average before and after (the
machine is shared: read the ratios).

    /usr/bin/python3 tests/bench/main_job_ratio.py --build build/default --rounds 5 \\
        [--baseline /path/to/other/install]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def children_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wall(command, env=None):
    """Wall time, CPU time (user + system of the process and everything it started), stdout."""
    cpu_before = children_cpu_s()
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed, children_cpu_s() - cpu_before, done.stdout


def gemm_seconds(build, threads=None):
    """The bare GEMM's wall time per call; with THREADS=1 its CPU time is all its work."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads)) if threads else None
    _, _, out = wall([os.path.join(build, "bin", "bench_physics"),
                      "--benchmark_filter=BareDnnlGemmU8S8S32/frames:3000/",
                      "--benchmark_format=json", "--benchmark_min_time=0.5"], env)
    run = json.loads(out)["benchmarks"][0]
    return run["real_time"] / 1e3, run["cpu_time"] / 1e3  # milliseconds -> s


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", required=True, help="build dir with bin/opusim, bin/bench_physics")
    parser.add_argument("--baseline", help="install prefix of another opusim to compare")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error(f"--rounds: expected >= 1, got {args.rounds}")
    # A lock folder of its own: other programs using sim:gen2 on this machine must not make a run
    # wait for the device (a wait would be timed).
    os.environ["OPUSIM_LOCK_DIR"] = tempfile.mkdtemp(prefix="opusim-bench-locks-")

    opusim = [os.path.join(args.build, "bin", "opusim"), "run", "--json"]
    numpy_sim = ["/usr/bin/python3", os.path.join(HERE, "numpy_simulator.py"), "--json"]
    baseline_env = None
    if args.baseline:
        baseline_env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(args.baseline, "lib"))
        baseline = [os.path.join(args.baseline, "bin", "opusim"), "run", "--json"]

    load_before = os.getloadavg()
    names = ["opusim run", "numpy simulator"] + (["baseline opusim run"] if args.baseline else [])
    wall_s = {name: [] for name in names + ["bare GEMM"]}
    cpu_s = {name: [] for name in names + ["bare GEMM, 1 thread"]}

    def record(name, command, env=None):
        elapsed, cpu, _ = wall(command, env)
        wall_s[name].append(elapsed)
        cpu_s[name].append(cpu)

    for _ in range(args.rounds):
        record("opusim run", opusim)
        wall_s["bare GEMM"].append(gemm_seconds(args.build)[0])
        cpu_s["bare GEMM, 1 thread"].append(gemm_seconds(args.build, threads=1)[1])
        record("numpy simulator", numpy_sim)
        if args.baseline:
            record("baseline opusim run", baseline, baseline_env)
    load_after = os.getloadavg()

    wall_med = {name: statistics.median(values) for name, values in wall_s.items()}
    cpu_med = {name: statistics.median(values) for name, values in cpu_s.items()}
    report = {
        "rounds": args.rounds,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "wall_s": wall_s,
        "cpu_s": cpu_s,
        "median_wall_s": wall_med,
        "median_cpu_s": cpu_med,
        "wall: opusim run / bare GEMM": wall_med["opusim run"] / wall_med["bare GEMM"],
        "wall: numpy simulator / opusim run": wall_med["numpy simulator"] / wall_med["opusim run"],
        "cpu: opusim run / bare GEMM": cpu_med["opusim run"] / cpu_med["bare GEMM, 1 thread"],
        "cpu: numpy simulator / opusim run": cpu_med["numpy simulator"] / cpu_med["opusim run"],
    }
    if args.baseline:
        report["wall: baseline / opusim run"] = (wall_med["baseline opusim run"] /
                                                 wall_med["opusim run"])
        report["wall: baseline / bare GEMM"] = (wall_med["baseline opusim run"] /
                                                wall_med["bare GEMM"])
        report["cpu: baseline / bare GEMM"] = (cpu_med["baseline opusim run"] /
                                               cpu_med["bare GEMM, 1 thread"])
        report["cpu: numpy simulator / baseline"] = (cpu_med["numpy simulator"] /
                                                     cpu_med["baseline opusim run"])
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
