"""FAVOR+ on numpy arrays through the C++ kernels, with CPU and device projections."""
import numpy as np
import pytest

from opusim import attention


def qkv(length=48, dim=8, seed=0):
    rng = np.random.default_rng(seed)
    return [(0.5 * rng.standard_normal((1, 2, length, dim))).astype(np.float32)
            for _ in range(3)]


def error(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def test_cpu_favor_approaches_exact_attention():
    q, k, v = qkv()
    exact = attention.exact_attention(q, k, v)
    rough = error(attention.favor_attention(q, k, v, attention.iid_projection(32, 8, 1)), exact)
    fine = error(attention.favor_attention(q, k, v, attention.iid_projection(1024, 8, 1)), exact)
    # The estimator's error falls as 1/sqrt(m): 32x the features, ~1/5.7 the error; at least
    # halved whatever the draw.
    assert fine < rough / 2 and fine < 0.05
    causal = attention.favor_attention(q, k, v, attention.iid_projection(1024, 8, 1), causal=True)
    assert error(causal, attention.exact_attention(q, k, v, causal=True)) < 0.1


def test_device_projections(device):
    q, k, v = qkv(length=16)
    linear = attention.DeviceLinearProjection(64, 8, device)
    out, report = attention.favor_attention(q, k, v, linear, return_report=True)
    assert out.shape == q.shape and np.isfinite(out).all()
    assert report["frames"] > 0 and report["device_time_s"] > 0 and report["features"] == 64
    del linear  # closes its device before the next projection opens it
    intensity = attention.DeviceIntensityProjection(64, 8, device)
    optical = attention.favor_attention(q, k, v, intensity, kernel="optical")
    assert np.isfinite(optical).all()
    with pytest.raises(ValueError):
        attention.favor_attention(q, k, v, intensity, kernel="softmax")  # needs a linear one
    del intensity  # closes the device (the traceback above keeps this frame, not the object)


def test_opu_projection_stands_for_a_matrix_in_numpy_products(device):
    w = attention.OPUProjection(32, 8, device)
    x = np.random.default_rng(4).standard_normal((5, 8)).astype(np.float32)
    product = x @ w.T
    assert product.shape == (5, 32) and product.dtype == np.float32
    assert w.total_cost()["rows"] == 5
    # sqrt(2) M x with M's entries N(0, 1/2): E|u_j|^2 = |x|^2. 160 entries: relative sd of the
    # mean square sqrt(2/160) = 11 %, plus the device's error; bound 40 % (over 3.5 sd).
    ratio = np.mean(product ** 2) / np.mean(np.sum(x ** 2, axis=1))
    assert abs(ratio - 1) < 0.4
