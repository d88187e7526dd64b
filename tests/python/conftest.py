"""Shared settings of the Python tests: the device (OPUSIM_DEVICE, set by ctest to the gen2
profile by path), and the paths of the command and the examples."""
import gc
import os

import pytest

DEVICE = os.environ.get("OPUSIM_DEVICE", "sim:gen2")


@pytest.fixture(scope="session")
def device():
    return DEVICE


@pytest.fixture(scope="session")
def noiseless_device():
    return DEVICE + "?noise=off"


@pytest.fixture(autouse=True)
def release_devices():
    """Collects what a test left in reference cycles (a failure's traceback keeps its frame, and
    with it any OPU or device projection): the next test opens the same device."""
    yield
    gc.collect()
