"""opusim.OPU(noise='ideal'): float intensities without noise or quantisation (docs/sdk.md
"Ideal mode"); the SDK's equality with the oracle is tested in tests/sdk/test_ideal_mode.cpp."""
import numpy as np
import pytest

from opusim import OPU


def test_ideal_linear_transform_is_noiseless_and_says_so(device):
    x = np.random.default_rng(3).standard_normal((4, 40)).astype(np.float32)
    outputs = []
    for _ in range(2):
        with OPU(n_components=50, opu_device=device, noise="ideal", open_at_init=False) as opu:
            opu.fit1d(n_features=40)
            y = opu.linear_transform(x)
            assert y.context.noise == "ideal"
            assert y.context.saturated_pixels == 0
            outputs.append(np.asarray(y))
            # Camera values cannot carry float intensities: transform says what to use.
            with pytest.raises(Exception, match="ideal"):
                opu.transform(np.ones((2, 40), dtype=np.uint8))
    np.testing.assert_array_equal(outputs[0], outputs[1])
    # Linear within the encoding's rounding: 0.5 x shows the same bit-planes as x.
    with OPU(n_components=50, opu_device=device, noise="ideal", open_at_init=False) as opu:
        opu.fit1d(n_features=40)
        half = np.asarray(opu.linear_transform(0.5 * x))
        whole = np.asarray(opu.linear_transform(x))
    np.testing.assert_allclose(half, 0.5 * whole, rtol=1e-5, atol=1e-6 * np.abs(whole).max())


def test_noise_setting_is_checked_by_name(device):
    with pytest.raises(ValueError, match="noise"):
        OPU(n_components=10, opu_device=device, noise="perfect")
