"""The table and figures of docs/experiments.md from the runs' JSON files:

    python3 -m opusim.experiments.summary --runs docs/experiments/runs --figures docs/experiments

prints the Markdown table (also written to FIGURES/table.md) and writes loss-<task>.svg and,
when RUNS/benchmark.json exists, step-time.svg and step-memory.svg.
"""
import argparse
import os
import statistics
import sys

from .model import ATTENTIONS
from .results import finished_runs, read_json
from .svg import COLOURS, Series, line_plot

SMOOTHING = 10  # steps in the loss curves' trailing mean


def mean_spread(values):
    """'mean ± sd' (sample standard deviation over seeds), or the one value."""
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def group(runs):
    groups = {}
    for run in runs:
        settings = run["settings"]
        groups.setdefault((settings["task"], settings["attention"]), []).append(run)
    return groups


def table(runs):
    lines = ["| task | attention | seeds | test accuracy | min – max | final train loss | "
             "diverged | steps | run wall time (s) | device in the loop: accuracy (samples) | "
             "agrees with measured W | simulated device time / test sequence (s) | device "
             "time of the draws (s) |",
             "|---" * 13 + "|"]
    groups = group(runs)
    for task in sorted({task for task, _ in groups}):
        for attention in ATTENTIONS:
            members = groups.get((task, attention))
            if not members:
                continue
            accuracy = [r["test_accuracy"] for r in members]
            losses = [r["final_train_loss"] for r in members if r["final_train_loss"] is not None]
            diverged = sum(r["stopped_by"] == "diverged" for r in members)
            steps = sorted({r["steps_done"] for r in members})
            wall = statistics.mean(r["run_wall_time_s"] for r in members)
            device = [r["device_eval"] for r in members if r.get("device_eval")]
            if device:
                samples = sorted({d["samples"] for d in device})
                device_accuracy = (f"{mean_spread([d['accuracy'] for d in device])} "
                                   f"({'/'.join(map(str, samples))})")
                agreement = mean_spread([d["agreement_with_measured_features"] for d in device])
                per_sequence = statistics.mean(d["device_time_per_sequence_s"] for d in device)
                per_sequence = f"{per_sequence:.3f}"
                draws = statistics.mean(r["device_measurement"]["device_time_s"] for r in members)
                draws = f"{draws:.2f}"
            else:
                device_accuracy = agreement = per_sequence = draws = "–"
            lines.append(f"| {task} | {attention} | {len(members)} | {mean_spread(accuracy)} | "
                         f"{min(accuracy):.3f} – {max(accuracy):.3f} | {mean_spread(losses)} | "
                         f"{diverged} | {'/'.join(map(str, steps))} | {wall:.0f} | "
                         f"{device_accuracy} | {agreement} | {per_sequence} | {draws} |")
    return "\n".join(lines)


def smoothed(losses):
    """(step, mean of the loss over the SMOOTHING steps up to it), at every step."""
    points = []
    for end in range(1, len(losses) + 1):
        window = losses[max(0, end - SMOOTHING):end]
        points.append((end, sum(window) / len(window)))
    return points


def loss_figure(runs, task, path):
    series = []
    groups = group(runs)
    for index, attention in enumerate(ATTENTIONS):
        members = groups.get((task, attention), [])
        colour = COLOURS[index % len(COLOURS)]
        curves = [smoothed(r["train_losses"]) for r in members]
        for curve in curves:
            series.append(Series(None, curve, colour, faint=True))
        if curves:
            length = min(len(c) for c in curves)
            mean = [(curves[0][i][0], statistics.mean(c[i][1] for c in curves))
                    for i in range(length)]
            series.append(Series(f"{attention} ({len(curves)})", mean, colour))
    line_plot(path, f"{task}: training loss ({SMOOTHING}-step mean; thin: each seed)", "step",
              "cross-entropy", series)


def benchmark_figures(benchmark, folder):
    points = benchmark["points"]
    for key, name, label in (("seconds_per_step", "step-time.svg", "seconds per training step"),
                             ("peak_memory_mib", "step-memory.svg", "peak memory of a step (MiB)")):
        series = []
        for index, attention in enumerate(ATTENTIONS):
            own = sorted((p["length"], max(p[key], 1e-3)) for p in points
                         if p["attention"] == attention)
            if own:
                series.append(Series(attention, own, COLOURS[index % len(COLOURS)]))
        line_plot(os.path.join(folder, name), f"{label} against L (batch 1, 1 thread)",
                  "sequence length L", label, series, log_x=True, log_y=True)


def benchmark_table(benchmark):
    lengths = sorted({p["length"] for p in benchmark["points"]})
    lines = ["| attention | " + " | ".join(f"L = {n}" for n in lengths) + " |",
             "|---" * (len(lengths) + 1) + "|"]
    for attention in ATTENTIONS:
        cells = []
        for length in lengths:
            match = [p for p in benchmark["points"]
                     if p["attention"] == attention and p["length"] == length]
            cells.append(f"{match[0]['seconds_per_step']:.3f} s, "
                         f"{match[0]['peak_memory_mib']:.0f} MiB" if match else "–")
        if any(c != "–" for c in cells):
            lines.append(f"| {attention} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m opusim.experiments.summary",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="experiments-out")
    parser.add_argument("--figures", default="experiments-out")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    runs = [r for r in finished_runs(args.runs) if "settings" in r]
    if not runs:
        parser.error(f"--runs: no run results in {args.runs}")
    os.makedirs(args.figures, exist_ok=True)
    text = table(runs)
    for task in sorted({r["settings"]["task"] for r in runs}):
        loss_figure(runs, task, os.path.join(args.figures, f"loss-{task}.svg"))
    benchmark_path = os.path.join(args.runs, "benchmark.json")
    if os.path.exists(benchmark_path):
        benchmark = read_json(benchmark_path)
        benchmark_figures(benchmark, args.figures)
        text += "\n\n" + benchmark_table(benchmark)
    with open(os.path.join(args.figures, "table.md"), "w") as stream:
        stream.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
