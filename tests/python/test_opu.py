"""opusim.OPU: lightonml's arguments, shapes, types, context, errors, exclusive access."""
import io
import threading
import time

import numpy as np
import pytest

import opusim
import opusim.opu
from opusim import OPU, ContextArray, OutputRescaling
from opusim._progress import ProgressBar


def random_bits(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 2, size=shape, dtype=np.uint8)


def test_transform_keeps_batch_dims_returns_uint8_with_context(device):
    with OPU(n_components=300, opu_device=device, input_roi_strategy="small") as opu:
        opu.fit1d(n_features=64)
        y = opu.transform(random_bits((3, 5, 64)).astype(bool))
        assert isinstance(y, ContextArray)
        assert y.shape == (3, 5, 300)
        assert y.dtype == np.uint8  # gen2's 8-bit camera, as lightonml's device
        c = y.context
        assert c.frames >= 15 and c.device_time_s > 0 and c.exposure_us > 0
        assert c.fmt_type == "small" and c.fmt_factor == 1
        assert c.output_roi_shape[0] * c.output_roi_shape[1] >= 300
        assert c.as_dict()["frames"] == c.frames
        assert y[0].context is c  # slices keep the context
        owner = y
        while isinstance(owner, np.ndarray):
            owner = owner.base
        assert type(owner).__name__ == "PyCapsule"  # the SDK's buffer itself, not a copy
        one = opu.transform(random_bits(64))
        assert one.shape == (300,)


def test_packed_input_gives_the_same_frames(noiseless_device):
    x = random_bits((4, 70), seed=1)
    with OPU(n_components=200, opu_device=noiseless_device, input_roi_strategy="small") as opu:
        opu.fit1d(n_features=70)
        unpacked = np.array(opu.transform(x))
        opu.fit1d(n_features=70, packed=True)
        packed = np.array(opu.transform(np.packbits(x, axis=-1)))
    np.testing.assert_array_equal(unpacked, packed)


def test_fit2d_and_torch_tensors(device):
    torch = pytest.importorskip("torch")
    with OPU(n_components=100, opu_device=device, input_roi_strategy="small") as opu:
        x = random_bits((2, 8, 8), seed=2)
        y = opu.fit_transform2d(x)
        assert y.shape == (2, 100)
        t = opu.transform(torch.from_numpy(x))
        assert isinstance(t, torch.Tensor) and t.dtype == torch.uint8 and t.shape == (2, 100)


def test_linear_transform_float32_and_rescaling(device):
    # Gaussian inputs, rescale=variance: entries of unit variance times ||x||^2 / n_features.
    # 8 rows x 200 outputs = 1600 entries: the sample variance has relative sd sqrt(2/1600) =
    # 3.5 %, so 5 sd = 18 %; the device's global scale is within 2 % (docs/sdk.md: 4 % on a
    # variance) and its error adds ~1.3 % of energy (relative error 0.11): bound 25 %.
    x = np.random.default_rng(3).standard_normal((8, 50)).astype(np.float32)
    with OPU(n_components=200, opu_device=device, input_roi_strategy="full") as opu:
        opu.fit1d(n_features=50)
        y = opu.linear_transform(x)
        assert y.dtype == np.float32 and y.shape == (8, 200)
        expected = np.mean(np.sum(x ** 2, axis=1)) / 50
        assert abs(np.mean(y ** 2) / expected - 1) < 0.25
        opu.rescale = OutputRescaling.none
        raw = opu.linear_transform(x)
        # no rescaling: entries N(0, 1/2) per unit of ||x||^2
        assert abs(np.mean(raw ** 2) / (0.5 * np.mean(np.sum(x ** 2, axis=1))) - 1) < 0.25
        assert raw.context.frames > 0
        # The drift check is off (LinearSettings::recalibration_error_bound = 0): nothing estimated.
        assert raw.context.drift_error_estimate == 0 and raw.context.recalibrations == 0


def test_exclusive_access(device):
    first = OPU(n_components=10, opu_device=device + "?lock_wait=0")
    try:
        with pytest.raises(opusim.DeviceBusyError, match="already open") as error:
            OPU(n_components=10, opu_device=device + "?lock_wait=0")
        assert isinstance(error.value, opusim.OpuError)
    finally:
        first.close()
    second = OPU(n_components=10, opu_device=device + "?lock_wait=0")  # free again
    second.close()


def count_for(seconds):
    """How far a Python loop counts in SECONDS of wall time (this thread holding the GIL)."""
    end = time.perf_counter() + seconds
    count = 0
    while time.perf_counter() < end:
        count += 1
    return count


def test_device_runs_without_the_gil(device):
    with OPU(n_components=500, opu_device=device, input_roi_strategy="small") as opu:
        opu.fit1d(n_features=100)
        x = random_bits((8000, 100))  # long enough to measure (> 0.1 s) on a fast machine
        rate = count_for(0.1) / 0.1
        worker = threading.Thread(target=opu.transform, args=(x,))
        start = time.perf_counter()
        worker.start()
        counted = 0
        while worker.is_alive():
            counted += count_for(0.01)
        elapsed = time.perf_counter() - start
    # With the GIL released the loop runs at its own pace while the device works (the worker
    # only needs the GIL for the call's Python parts); held through the call, the loop would
    # get only the interpreter's 5 ms switch slices around it: under 10 % of the pace.
    assert elapsed > 0.1
    assert counted > 0.25 * rate * elapsed


def test_errors_name_the_argument(device):
    with pytest.raises(TypeError, match="opu_device"):
        OPU(n_components=10, opu_device=3)
    with pytest.raises(ValueError, match="n_components"):
        OPU(n_components=0, opu_device=device, open_at_init=False)
    with pytest.raises(ValueError, match="rescale"):
        OPU(n_components=10, opu_device=device, open_at_init=False, rescale="bogus")
    with pytest.raises(ValueError, match="input_roi_strategy"):
        OPU(n_components=10, opu_device=device, open_at_init=False, input_roi_strategy="tiny")
    with pytest.raises(opusim.OpuError, match="nosuchprofile"):
        OPU(n_components=10, opu_device="sim:nosuchprofile")
    with OPU(n_components=10, opu_device=device, input_roi_strategy="small") as opu:
        with pytest.raises(AssertionError, match="fit1d"):
            opu.transform(random_bits(8))
        with pytest.raises(TypeError, match="bogus"):
            opu.fit1d(n_features=8, bogus=1)
        opu.fit1d(n_features=8)
        with pytest.raises(TypeError, match="X"):
            opu.transform(np.zeros(8, dtype=np.float32))
        with pytest.raises(ValueError, match="X"):
            opu.transform(np.full(8, 2, dtype=np.int64))
        with pytest.raises(ValueError, match="x"):
            opu.transform(random_bits((2, 9)))
        with pytest.raises(ValueError, match="X"):
            opu.transform(random_bits((1, 1, 1, 1, 8)))
        bad = random_bits((2, 8))
        bad[1, 4] = 7
        with pytest.raises(ValueError, match=r"sample 1, feature 4"):
            opu.transform(bad)
        with pytest.raises(ValueError, match="exposure_us"):
            opu.fit1d(n_features=8, exposure_us=1e12)


def test_version_and_properties(device):
    with OPU(n_components=10, opu_device=device) as opu:
        assert opu.version().startswith("opusim version")
        assert "camera" in opu.version(devices=True)
        assert opu.max_n_features == opu.device_info()["max_mirrors"]
        assert opu.max_n_components == opu.device_info()["max_pixels"] > 1000000  # gen2
        opu.n_components = 20
        assert opu.n_components == 20


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_a_terminal_unless_disabled(device, monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(opusim.opu, "ProgressBar",
                        lambda label: ProgressBar(label, stream=terminal, delay_s=0))
    x = random_bits((600, 32))
    with OPU(n_components=50, opu_device=device, input_roi_strategy="small") as opu:
        opu.fit1d(n_features=32)
        opu.transform(x)
        drawn = terminal.getvalue()
        assert "opusim transform" in drawn and "600/600 frames" in drawn
        opu.disable_pbar = True
        opu.transform(x)
        assert terminal.getvalue() == drawn


@pytest.mark.parametrize("kind, error_type", [
    ("busy", opusim.DeviceBusyError), ("timeout", opusim.DeviceTimeoutError),
    ("fault", opusim.DeviceFaultError), ("driver", opusim.OpuError)])
def test_driver_errors_become_opu_errors_with_the_drivers_message(kind, error_type):
    from opusim._opusim import _testing
    with pytest.raises(error_type, match="the driver's words") as error:
        _testing.throw_driver_error(kind, "the driver's words")
    assert isinstance(error.value, opusim.OpuError)
    if kind == "timeout":
        assert isinstance(error.value, TimeoutError)


def test_faults_from_the_uri_are_recovered_and_counted(noiseless_device):
    """Issue 13's faults= option through Python: every row answered, equal to the fault-free
    output, the retries in the context. Half the jobs fail a DMA read (fault_seed fixed); eight
    transforms are at least eight jobs, so P(no fault at all) <= 2^-8."""
    x = random_bits((8, 8, 64))

    def transforms(device):
        with OPU(n_components=200, opu_device=device, input_roi_strategy="small") as opu:
            opu.fit1d(n_features=64)
            return [opu.transform(rows) for rows in x]

    clean = transforms(noiseless_device)
    recovered = transforms(noiseless_device + "&faults=dma_read:0.5&fault_seed=11")
    for got, want in zip(recovered, clean):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
        assert got.context.frames == want.context.frames + got.context.retry_frames
    assert sum(y.context.retries for y in recovered) > 0
    assert sum(y.context.retry_frames for y in recovered) > 0
    assert all(y.context.retries == 0 for y in clean)
