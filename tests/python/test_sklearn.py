"""OPUMap for scikit-learn: a Pipeline, cross-validation, and the digits workload (docs/python.md
records the accuracies this test prints)."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.linear_model import RidgeClassifier  # noqa: E402
from sklearn.model_selection import cross_val_score, train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from opusim import OPU  # noqa: E402
from opusim.encoding.base import SequentialBaseTwoEncoder  # noqa: E402
from opusim.projections.sklearn import OPUMap  # noqa: E402

N_COMPONENTS = 2000
GRAY_LEVELS = 4  # 3 bits per pixel: 192 binary features


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    return train_test_split(data.data.astype(np.float32), data.target, test_size=0.25,
                            random_state=0, stratify=data.target)


@pytest.fixture(scope="module")
def opu(device):
    with OPU(n_components=N_COMPONENTS, opu_device=device) as opu:
        yield opu


def classifier():
    return [("scale", StandardScaler()), ("ridge", RidgeClassifier(alpha=10.0))]


def cpu_random_features(x, n_components, seed=0):
    """lightonml's CPU simulation of the OPU: |x R|^2, R complex Gaussian (E|R_ij|^2 = 1)."""
    rng = np.random.default_rng(seed)
    r = (rng.standard_normal((x.shape[1], n_components))
         + 1j * rng.standard_normal((x.shape[1], n_components))) / np.sqrt(2)
    return np.abs(x.astype(np.float64) @ r) ** 2


def test_digits_device_cpu_and_raw_pixels(digits, opu):
    x_train, x_test, y_train, y_test = digits
    device = Pipeline([("encode", SequentialBaseTwoEncoder(GRAY_LEVELS)),
                       ("opu", OPUMap(n_components=N_COMPONENTS, opu=opu))] + classifier())
    device_accuracy = device.fit(x_train, y_train).score(x_test, y_test)

    encoder = SequentialBaseTwoEncoder(GRAY_LEVELS).fit(x_train)
    cpu = Pipeline(classifier()).fit(cpu_random_features(encoder.transform(x_train),
                                                         N_COMPONENTS), y_train)
    cpu_accuracy = cpu.score(cpu_random_features(encoder.transform(x_test), N_COMPONENTS),
                             y_test)
    raw_accuracy = Pipeline(classifier()).fit(x_train, y_train).score(x_test, y_test)
    print(f"\ndigits test accuracy: device {device_accuracy:.4f}, CPU random features "
          f"{cpu_accuracy:.4f}, raw pixels {raw_accuracy:.4f} ({len(y_test)} test digits)")
    # 450 test digits: an accuracy near 0.95 has a binomial sd of 0.01. A linear classifier on
    # the pixels is known to reach ~0.95 on this set; 2000 quadratic random features of the
    # codes (|Rx|^2 is a degree-2 kernel) separate at least as well, so both are >= raw - 3 sd;
    # the device adds camera noise and 8-bit rounding to the same features: within 3 sd + 0.02
    # of the CPU's.
    assert raw_accuracy > 0.90
    assert cpu_accuracy > raw_accuracy - 0.03
    assert device_accuracy > cpu_accuracy - 0.05
    assert device_accuracy > 0.90


def test_cross_validation_clones_share_the_device(digits, opu):
    x_train, _, y_train, _ = digits
    pipeline = Pipeline([("encode", SequentialBaseTwoEncoder(GRAY_LEVELS)),
                         ("opu", OPUMap(n_components=500, opu=opu))] + classifier())
    scores = cross_val_score(pipeline, x_train[:600], y_train[:600], cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.8)
    opu.n_components = N_COMPONENTS
