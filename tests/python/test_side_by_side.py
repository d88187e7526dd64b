"""The same inputs through the C++ SDK (the `opusim transform` command) and through the Python
module give the same camera frames, bit for bit: both open the device fresh, so the frames are
numbered from 0 and carry the same camera noise."""
import os
import subprocess

import numpy as np

from opusim import OPU
from opusim.encoding.base import BinaryThresholdEncoder

CLI = os.environ.get("OPUSIM_CLI", "opusim")


def run_cli(tmp_path, x, device, *flags):
    np.save(tmp_path / "x.npy", x)
    subprocess.run([CLI, "transform", "--input", str(tmp_path / "x.npy"), "--out",
                    str(tmp_path / "y.npy"), "--device", device, "--n-components", "300",
                    "--input-roi", "small", "--quiet", *flags], check=True)
    return np.load(tmp_path / "y.npy")


def test_binary_frames_are_bit_identical(tmp_path, device):
    x = np.random.default_rng(7).integers(0, 2, size=(40, 100), dtype=np.uint8)
    cpp = run_cli(tmp_path, x, device)
    with OPU(n_components=300, opu_device=device, input_roi_strategy="small") as opu:
        opu.fit1d(n_features=100)
        python = opu.transform(x)
    assert python.dtype == cpp.dtype == np.uint8
    np.testing.assert_array_equal(np.asarray(python), cpp)
    assert np.count_nonzero(cpp) > cpp.size // 2  # real frames, not a blank


def test_encoded_frames_are_bit_identical(tmp_path, device):
    # The command's binary_threshold encoder (C++, per-feature median) and the Python one.
    x = np.random.default_rng(8).standard_normal((30, 100)).astype(np.float32)
    cpp = run_cli(tmp_path, x, device, "--encoder", "binary_threshold")
    with OPU(n_components=300, opu_device=device, input_roi_strategy="small") as opu:
        opu.fit1d(n_features=100)
        python = opu.transform(BinaryThresholdEncoder().fit_transform(x))
    np.testing.assert_array_equal(np.asarray(python), cpp)
