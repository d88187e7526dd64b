"""The SDK's automatic exposure and device-defect handling through opusim.OPU: the keyword
arguments turn each on or off, and the context says what was found (docs/sdk.md "Automatic
exposure", "Device defects")."""
import numpy as np
import pytest

from opusim import OPU


def random_bits(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 2, size=shape, dtype=np.uint8)


def with_options(device, options):
    return device + ("&" if "?" in device else "?") + options


def test_auto_exposure_on_off_and_fixed(device):
    x = random_bits((2, 200))
    with OPU(n_components=100, opu_device=device, input_roi_strategy="small",
             open_at_init=False) as opu:
        opu.fit1d(n_features=200)
        assert opu.transform(x).context.exposure_source == "auto"
        opu.fit1d(n_features=200, exposure_us=500.0)
        fixed = opu.transform(x).context
        assert fixed.exposure_source == "user" and fixed.exposure_us == 500.0
    with OPU(n_components=100, opu_device=device, input_roi_strategy="small",
             auto_exposure=False, open_at_init=False) as opu:
        opu.fit1d(n_features=200)
        assert opu.transform(x).context.exposure_source == "device"
    with pytest.raises(ValueError, match="auto_exposure_density"):
        OPU(n_components=100, opu_device=device, auto_exposure_density=0.0, open_at_init=False)
    with pytest.raises(TypeError, match="auto_exposure"):
        OPU(n_components=100, opu_device=device, auto_exposure="yes", open_at_init=False)


def test_defective_pixels_masked_unless_turned_off(device):
    uri = with_options(device, "seed=7&set=defects.hot_pixel_fraction=0.01,"
                               "defects.dead_pixel_fraction=0.01")
    x = random_bits((2, 300))
    contexts = []
    for mask in (True, False):
        with OPU(n_components=1000, opu_device=uri, mask_defective_pixels=mask,
                 open_at_init=False) as opu:
            opu.fit1d(n_features=300)
            contexts.append(opu.transform(x).context)
    masked, unmasked = contexts
    # 1 % of 1,000 pixels each: about 10 (none with probability ~4e-5).
    assert masked.hot_pixels and masked.dead_pixels
    assert len(masked.sdk["output_pixels"]) == 1000
    assert not unmasked.hot_pixels and not unmasked.dead_pixels
    assert masked.trigger_lag_frames == 0 and masked.stuck_features == []


def test_stuck_mirrors_found_when_asked(device):
    uri = with_options(device, "seed=7&set=defects.stuck_mirror_fraction=0.05")
    x = random_bits((2, 100))
    with OPU(n_components=1000, opu_device=uri, detect_stuck_mirrors=True,
             open_at_init=False) as opu:
        opu.fit1d(n_features=100)
        c = opu.transform(x).context
    # 5 % of 100 features: about 5 (none with probability 0.006); the layout grew past them.
    assert c.stuck_features and c.stuck_mirror_warning == ""
    assert c.sdk["input_roi"]["n_features"] >= 100 + len(c.stuck_features)
    assert c.sdk["stuck_mirror_scan_frames"] > 100
    # Off by default.
    with OPU(n_components=1000, opu_device=uri, open_at_init=False) as opu:
        opu.fit1d(n_features=100)
        assert opu.transform(x).context.stuck_features == []
