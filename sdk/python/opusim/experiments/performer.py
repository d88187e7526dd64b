"""One training run: a small Transformer encoder with one attention variant on one task, then
its test accuracy (and, for the device variants, an evaluation with the device in the loop).

    python3 -m opusim.experiments.performer --task digits --attention favor_device --seed 0

Writes OUT/<task>-<attention>-seed<N>.json (atomically); an existing file means the run is done
and it is skipped unless --force. docs/experiments.md describes the settings and the results.
"""
import argparse
import gc
import math
import os
import resource
import sys
import time

import numpy as np
import torch

from .. import attention as opusim_attention
from . import features
from .model import ATTENTIONS, DEVICE_ATTENTIONS, Classifier, FeatureDraws
from .results import run_path, write_json
from .tasks import TASKS, load_task

# Per-task training settings (the flags override them). Steps are fixed so that a run's result
# does not depend on the machine's load; --time-budget stops a run early (recorded) if the
# machine is slower than planned.
TASK_SETTINGS = {
    "digits": {"steps": 150, "batch_size": 32, "lr": 2e-3, "redraw_interval": 50,
               "test_samples": None,
               "device_eval_samples": {"favor_device": 10, "optical": 450}},
    "listops": {"steps": 40, "batch_size": 8, "lr": 1e-3, "redraw_interval": 20,
                "test_samples": 200,
                "device_eval_samples": {"favor_device": 1, "optical": 50}},
}
DEFAULT_TIME_BUDGET_S = 180.0
EVAL_BATCH = 25


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python3 -m opusim.experiments.performer",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", required=True, choices=sorted(TASKS))
    parser.add_argument("--attention", required=True, choices=ATTENTIONS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, help="training steps (default: per task)")
    parser.add_argument("--time-budget", type=float, default=DEFAULT_TIME_BUDGET_S,
                        help="seconds of training wall time at most (default 180)")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--features", type=int, default=64, help="random features m")
    parser.add_argument("--redraw-interval", type=int,
                        help="steps between feature redraws (0: never; default: per task)")
    parser.add_argument("--device", default="sim:gen2", help="device URI of the device variants")
    parser.add_argument("--device-eval-samples", type=int,
                        help="test sequences evaluated with the device in the loop (default: per "
                             "task and variant)")
    parser.add_argument("--train-samples", type=int, help="use the first N training sequences")
    parser.add_argument("--test-samples", type=int, help="use the first N test sequences")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--out", default="experiments-out", help="folder of the JSON results")
    parser.add_argument("--force", action="store_true", help="rerun even if the result exists")
    args = parser.parse_args(argv)
    for name in ("steps", "batch_size", "features", "threads", "train_samples", "test_samples"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            parser.error(f"--{name.replace('_', '-')}: expected a positive integer, got {value}")
    if args.time_budget <= 0 or not math.isfinite(args.time_budget):
        parser.error(f"--time-budget: expected positive seconds, got {args.time_budget}")
    if args.redraw_interval is not None and args.redraw_interval < 0:
        parser.error(f"--redraw-interval: expected >= 0, got {args.redraw_interval}")
    if args.device_eval_samples is not None and args.device_eval_samples < 0:
        parser.error(f"--device-eval-samples: expected >= 0, got {args.device_eval_samples}")
    if args.lr is not None and not args.lr > 0:
        parser.error(f"--lr: expected a positive rate, got {args.lr}")
    return args


def settings_of(args):
    defaults = TASK_SETTINGS[args.task]
    eval_default = defaults["device_eval_samples"].get(args.attention, 0)
    return {"task": args.task, "attention": args.attention, "seed": args.seed,
            "steps": args.steps or defaults["steps"],
            "batch_size": args.batch_size or defaults["batch_size"],
            "lr": args.lr or defaults["lr"], "features": args.features,
            "redraw_interval": (defaults["redraw_interval"] if args.redraw_interval is None
                                else args.redraw_interval), "time_budget_s": args.time_budget,
            "device": args.device if args.attention in DEVICE_ATTENTIONS else None,
            "device_eval_samples": (eval_default if args.device_eval_samples is None
                                    else args.device_eval_samples)
            if args.attention in DEVICE_ATTENTIONS else 0,
            "train_samples": args.train_samples,
            "test_samples": args.test_samples or defaults["test_samples"],
            "threads": args.threads, "d_model": 64, "heads": 4, "layers": 2}


def predictions(model, x, batch=EVAL_BATCH):
    """Class predictions of x (n x L tokens); non-finite logits count as no prediction (-1)."""
    out = []
    with torch.no_grad():
        for start in range(0, len(x), batch):
            logits = model(torch.from_numpy(x[start:start + batch]))
            guess = logits.argmax(-1)
            guess[~torch.isfinite(logits).all(-1)] = -1
            out.append(guess.numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def device_projection(settings, draws):
    """The device projection of an evaluation, on the medium of the run's last draw."""
    uri = features.device_uri(settings["device"], draws.medium_seed())
    head_dim = settings["d_model"] // settings["heads"]
    if settings["attention"] == "favor_device":
        return opusim_attention.DeviceLinearProjection(settings["features"], head_dim, uri)
    thresholds = [t for t in features.OPTICAL_QUARTILES]
    return opusim_attention.DeviceIntensityProjection(settings["features"], head_dim, uri,
                                                      thresholds)


def evaluate_on_device(model, settings, draws, x, y):
    """Accuracy of the first device_eval_samples test sequences with every attention layer's
    random features computed by the device through the SDK (opusim.attention.favor_attention
    with a device projection: one device call per batch and layer), and what it cost."""
    count = min(settings["device_eval_samples"], len(x))
    if count == 0:
        return None
    x, y = x[:count], y[:count]
    reference = predictions(model, x)  # the same model with the measured matrices, in torch
    projection = device_projection(settings, draws)
    started = time.perf_counter()
    try:
        for module in model.attentions:
            module.device_projection = projection
        guess = predictions(model, x, batch=min(EVAL_BATCH, 5 if x.shape[1] > 256 else 25))
    finally:
        for module in model.attentions:
            module.device_projection = None
    cost = projection.total_cost()
    result = {"samples": count, "accuracy": float(np.mean(guess == y)),
              "measured_features_accuracy": float(np.mean(reference == y)),
              "agreement_with_measured_features": float(np.mean(guess == reference)),
              "frames": int(cost["frames"]), "device_time_s": float(cost["device_time_s"]),
              "device_time_per_sequence_s": float(cost["device_time_s"]) / count,
              "rows": int(cost["rows"]), "wall_time_s": time.perf_counter() - started,
              "projection": projection.describe()}
    del projection
    gc.collect()
    return result


def train(settings, task, log=print):
    """Trains and evaluates; returns the run's result dict."""
    torch.manual_seed(settings["seed"])
    torch.set_num_threads(settings["threads"])
    x_train, y_train = task.x_train, task.y_train
    if settings["train_samples"]:
        x_train, y_train = x_train[:settings["train_samples"]], y_train[:settings["train_samples"]]
    x_test, y_test = task.x_test, task.y_test
    if settings["test_samples"]:
        x_test, y_test = x_test[:settings["test_samples"]], y_test[:settings["test_samples"]]
    model = Classifier(settings["attention"], task.vocab, task.length, task.classes,
                       d_model=settings["d_model"], heads=settings["heads"],
                       layers=settings["layers"], n_features=settings["features"])
    draws = FeatureDraws(settings["attention"], settings["features"],
                         settings["d_model"] // settings["heads"], settings["seed"],
                         settings["device"])
    draws.redraw(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings["lr"])
    order = torch.Generator().manual_seed(settings["seed"])
    losses, stopped_by, diverged_at = [], "steps", None
    started = time.perf_counter()
    batch = settings["batch_size"]
    permutation, position = torch.randperm(len(x_train), generator=order), 0
    for step in range(settings["steps"]):
        if time.perf_counter() - started > settings["time_budget_s"]:
            stopped_by = "time_budget"
            break
        if step > 0 and settings["redraw_interval"] and step % settings["redraw_interval"] == 0:
            draws.redraw(model)
        if position + batch > len(x_train):
            permutation, position = torch.randperm(len(x_train), generator=order), 0
        index = permutation[position:position + batch].numpy()
        position += batch
        logits = model(torch.from_numpy(x_train[index]))
        loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y_train[index]))
        if not torch.isfinite(loss):
            stopped_by, diverged_at = "diverged", step
            log(f"step {step}: loss is not finite, training stopped")
            break
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(float(loss))
        if step % 50 == 0:
            log(f"step {step}: loss {float(loss):.4f}")
    train_wall = time.perf_counter() - started
    model.eval()
    evaluation_started = time.perf_counter()
    guess = predictions(model, x_test)
    test_accuracy = float(np.mean(guess == y_test))
    evaluation_wall = time.perf_counter() - evaluation_started
    device_eval = (evaluate_on_device(model, settings, draws, x_test, y_test)
                   if settings["attention"] in DEVICE_ATTENTIONS else None)
    return {"settings": settings, "steps_done": len(losses), "stopped_by": stopped_by,
            "diverged_at_step": diverged_at, "train_losses": losses,
            "final_train_loss": float(np.mean(losses[-20:])) if losses else None,
            "test_accuracy": test_accuracy, "test_samples": int(len(y_test)),
            "redraws": draws.count,
            "device_measurement": draws.measurement.as_dict() if draws.measurement else None,
            "device_eval": device_eval, "train_wall_time_s": train_wall,
            "eval_wall_time_s": evaluation_wall,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "torch_version": torch.__version__}


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    settings = settings_of(args)
    path = run_path(args.out, args.task, args.attention, args.seed)
    if os.path.exists(path) and not args.force:
        print(f"{path}: done already (--force reruns it)")
        return 0
    task = load_task(args.task)
    started = time.perf_counter()
    result = train(settings, task)
    result["run_wall_time_s"] = time.perf_counter() - started
    write_json(path, result)
    device = result["device_eval"]
    print(f"{path}: test accuracy {result['test_accuracy']:.4f} after {result['steps_done']} "
          f"steps ({result['stopped_by']}), {result['run_wall_time_s']:.1f} s"
          + (f"; device in the loop {device['accuracy']:.4f} on {device['samples']}, "
             f"{device['device_time_s']:.2f} s simulated" if device else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
