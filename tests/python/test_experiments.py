"""opusim.experiments (docs/experiments.md): the ListOps generator, the FAVOR+ feature maps
against the C++ kernels and exact attention, the device's measured matrices, a tiny run of every
attention variant on each task, resumable results, and the summary's table and figures."""
import math
import os
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from opusim import attention  # noqa: E402
from opusim.experiments import features, performer, summary, tasks  # noqa: E402
from opusim.experiments.model import ATTENTIONS  # noqa: E402
from opusim.experiments.results import finished_runs  # noqa: E402


def relative_error(a, b):
    return float(torch.linalg.norm(a - b) / torch.linalg.norm(b))


def test_listops_values_and_generator():
    assert tasks.listops_value("MAX", [2, 9, 4]) == 9
    assert tasks.listops_value("MIN", [2, 9, 4]) == 2
    assert tasks.listops_value("MED", [7, 1, 3, 5]) == 3  # lower median of 1 3 5 7
    assert tasks.listops_value("SM", [7, 5, 9]) == 1
    x, y = tasks.listops_examples(20, seed=4, length=512)
    again, _ = tasks.listops_examples(20, seed=4, length=512)
    assert x.shape == (20, 512) and np.array_equal(x, again)
    lengths = (x != tasks.PAD).sum(1)
    assert lengths.min() >= 32 and lengths.max() <= 512
    for row, label in zip(x, y):  # every expression parses back to its label
        stack = []
        for token in row[row != tasks.PAD]:
            if token == tasks.CLOSE_TOKEN:
                operator, values = stack.pop()
                value = tasks.listops_value(operator, values)
                if stack:
                    stack[-1][1].append(value)
            elif token >= tasks.OPEN_TOKEN["MAX"]:
                stack.append((tasks.OPERATORS[token - tasks.OPEN_TOKEN["MAX"]], []))
            else:
                stack[-1][1].append(int(token) - tasks.DIGIT_TOKEN)
        assert not stack and value == label
    with pytest.raises(ValueError, match="length"):
        tasks.listops_examples(1, seed=0, length=16)


def qkv(length=64, dim=16, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return [0.5 * torch.randn(1, 2, length, dim, generator=generator) for _ in range(3)]


def test_favor_features_match_the_cpp_kernels_and_approximate_softmax():
    q, k, v = qkv()
    exact = torch.softmax(q @ k.transpose(-1, -2) / 4, -1) @ v
    projection = attention.orthogonal_projection(256, 16, 7)
    w = features.orthogonal_matrix(256, 16, 7)
    positive = features.linear_attention(features.positive_features(q, w, True),
                                         features.positive_features(k, w, False), v)
    trig = features.linear_attention(features.trig_features(q, w), features.trig_features(k, w),
                                     v)
    # Same definitions as the C++ kernels (docs/kernels.md), float32 either way: equal to
    # rounding (the sums run over 64 keys and 256 features: ~1e-6 relative each).
    assert relative_error(positive, attention.favor_attention(q, k, v, projection)) < 1e-4
    assert relative_error(trig, attention.favor_attention(q, k, v, projection,
                                                          kernel="trig")) < 1e-4
    # FAVOR+ error ~ 1/sqrt(m) times an O(1) factor at |c x|^2 ~ 1 (test_torch.py; docs/kernels.md
    # measures 0.057 at d = 64, m = 256): 0.25 is four times 1/sqrt(256). Trigonometric features
    # have the larger variance (Choromanski et al. 2021, Lemma 2), so only a looser bound: 1.
    assert relative_error(positive, exact) < 0.25
    assert relative_error(trig, exact) < 1.0


def test_optical_features_estimate_the_polynomial_kernel_of_the_codes():
    q, k, v = qkv(length=32, seed=1)
    thresholds = features.OPTICAL_QUARTILES
    m, bits = 4096, 16 * len(thresholds)
    generator = torch.Generator().manual_seed(2)
    r_real, r_imag = (math.sqrt(0.5) * torch.randn(m, bits, generator=generator)
                      for _ in range(2))
    approximate = features.linear_attention(
        features.optical_features(q, r_real, r_imag, thresholds),
        features.optical_features(k, r_real, r_imag, thresholds), v)
    eq, ek = (features.thermometer_code(features.scale(x), thresholds) for x in (q, k))
    dot = eq @ ek.transpose(-1, -2)
    kappa = eq.pow(2).sum(-1, keepdim=True) * ek.pow(2).sum(-1).unsqueeze(-2) + dot.pow(2)
    exact = (kappa / kappa.sum(-1, keepdim=True)) @ v
    # Each feature product |r.a|^2 |r.b|^2 estimates kappa with a relative sd of about 2 (a product
    # of two correlated unit exponentials); 4096 features give 2/64 = 0.03 per pair, less after
    # averaging over 32 keys: 0.1 is three times the per-pair bound.
    assert relative_error(approximate, exact) < 0.1
    # The straight-through code: hard bits forward, a gradient backward.
    x = torch.tensor([[-1.0, 0.3]], requires_grad=True)
    code = features.thermometer_code(x, thresholds)
    assert code.tolist() == [[0.0, 1.0, 0.0, 1.0, 0.0, 0.0]]  # threshold-major: t0, t1, t2
    code.sum().backward()
    assert (x.grad > 0).all()


def test_device_matrices_are_gaussian_and_a_new_seed_redraws_them(device):
    measurement = features.DeviceMeasurement(device)
    w = measurement.gaussian_matrix(32, 16, seed=5)
    other = measurement.gaussian_matrix(32, 16, seed=6)
    assert w.shape == (32, 16) and measurement.frames > 0 and measurement.device_time_s > 0
    # 512 N(0, 1) entries: the variance estimate has sd sqrt(2/512) = 0.06; the device's 8 % rms
    # error adds < 0.01. Five sd: |var - 1| < 0.32, |mean| < 5/sqrt(512) = 0.22.
    assert abs(float(w.var()) - 1) < 0.32 and abs(float(w.mean())) < 0.22
    # Two media are independent: correlation of 512 pairs ~ N(0, 1/512), five sd = 0.22.
    correlation = float(torch.corrcoef(torch.stack([w.flatten(), other.flatten()]))[0, 1])
    assert abs(correlation) < 0.22
    assert features.device_uri("sim:gen2?noise=off&seed=1", 9) == \
        "sim:gen2?noise=off&seed=9&lock_wait=3600"


def tiny_settings(task, variant, device, **changes):
    settings = {"task": task, "attention": variant, "seed": 0, "steps": 3, "batch_size": 4,
                "lr": 3e-3, "features": 16, "redraw_interval": 2, "time_budget_s": 60.0,
                "device": device if variant in ("favor_device", "optical") else None,
                "device_eval_samples": 1, "train_samples": 8, "test_samples": 4, "threads": 1,
                "d_model": 64, "heads": 4, "layers": 2}
    settings.update(changes)
    return settings


@pytest.fixture(scope="module")
def small_listops():
    x, y = tasks.listops_examples(12, seed=3, length=512)
    return tasks.Task("listops", tasks.LISTOPS_VOCAB, 512, 10, x[:8], y[:8], x[8:], y[8:])


@pytest.mark.parametrize("variant", ATTENTIONS)
def test_every_variant_learns_a_tiny_digits_set(variant, device):
    settings = tiny_settings("digits", variant, device, steps=20, redraw_interval=8)
    result = performer.train(settings, tasks.digits_task(), log=lambda _: None)
    losses = result["train_losses"]
    assert result["steps_done"] == 20 and result["stopped_by"] == "steps"
    assert result["redraws"] == (0 if variant == "softmax" else 3)  # steps 0, 8, 16
    # Eight examples, 20 Adam steps: the model memorises them (the loss at least halves: ln 10 =
    # 2.3 at the start). A variant whose features or gradients were broken would not.
    assert np.mean(losses[-5:]) < 0.5 * losses[0]
    assert 0 <= result["test_accuracy"] <= 1 and result["test_samples"] == 4
    if variant in ("favor_device", "optical"):
        assert result["device_measurement"]["frames"] > 0
        evaluation = result["device_eval"]
        assert evaluation["samples"] == 1 and evaluation["frames"] > 0
        assert evaluation["rows"] == 2 * 2 * 4 * 64  # q and k, 2 layers, 4 heads, 64 tokens
        assert evaluation["device_time_s"] > 0


@pytest.mark.parametrize("variant", ATTENTIONS)
def test_every_variant_runs_listops(variant, device, small_listops):
    settings = tiny_settings("listops", variant, device, steps=2,
                             device_eval_samples=1 if variant == "optical" else 0)
    result = performer.train(settings, small_listops, log=lambda _: None)
    assert result["steps_done"] == 2 and all(math.isfinite(x) for x in result["train_losses"])
    assert 0 <= result["test_accuracy"] <= 1
    if variant == "optical":
        assert result["device_eval"]["frames"] >= 2 * 2 * 4 * 512


def test_runs_are_resumable_and_summarised(tmp_path, capsys):
    out = str(tmp_path / "runs")
    arguments = ["--task", "digits", "--attention", "softmax", "--seed", "1", "--steps", "2",
                 "--train-samples", "8", "--test-samples", "8", "--out", out]
    assert performer.main(arguments) == 0
    path = os.path.join(out, "digits-softmax-seed1.json")
    written = os.stat(path).st_mtime_ns
    assert performer.main(arguments) == 0
    assert "done already" in capsys.readouterr().out
    assert os.stat(path).st_mtime_ns == written
    assert os.listdir(out) == ["digits-softmax-seed1.json"]  # no temporary file left
    (run,) = finished_runs(out)
    assert run["steps_done"] == 2 and len(run["train_losses"]) == 2
    figures = str(tmp_path / "figures")
    assert summary.main(["--runs", out, "--figures", figures]) == 0
    assert "| digits | softmax | 1 |" in capsys.readouterr().out
    root = ElementTree.parse(os.path.join(figures, "loss-digits.svg")).getroot()
    assert root.tag.endswith("svg") and len(root.findall("{http://www.w3.org/2000/svg}path")) == 2
    with pytest.raises(SystemExit):
        performer.main(["--task", "digits", "--attention", "gauss"])
    with pytest.raises(SystemExit):
        performer.main(["--task", "digits", "--attention", "softmax", "--steps", "0"])
