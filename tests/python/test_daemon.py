"""opusim.OPU through opusimd (issue 16): the URI option via= gives the frames of an in-process
device, and a stopped daemon is a Python exception, not a hang."""
import os
import socket
import subprocess
import time

import numpy as np
import pytest

from opusim import OPU


@pytest.fixture
def daemon(tmp_path):
    opusimd = os.path.join(os.path.dirname(os.environ["OPUSIM_CLI"]), "opusimd")
    path = str(tmp_path / "opusimd.sock")
    process = subprocess.Popen([opusimd, "--socket", path, "--foreground"],
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        probe = socket.socket(socket.AF_UNIX)
        try:
            probe.connect(path)
            break
        except OSError:
            assert time.monotonic() < deadline, "opusimd did not answer"
            time.sleep(0.02)
        finally:
            probe.close()
    yield process, path
    process.terminate()
    process.wait(timeout=10)


def test_same_frames_through_the_daemon_then_an_error_when_it_stops(device, daemon):
    process, path = daemon
    x = np.random.default_rng(3).integers(0, 2, size=(20, 50), dtype=np.uint8)
    shared_device = device + ("&" if "?" in device else "?") + "seed=4&via=" + path
    own_device = device + ("&" if "?" in device else "?") + "seed=4"
    with OPU(n_components=64, opu_device=own_device) as opu:
        own = np.asarray(opu.fit_transform1d(x))
    with OPU(n_components=64, opu_device=shared_device) as opu:
        shared = np.asarray(opu.fit_transform1d(x))
        assert np.array_equal(own, shared)
        process.terminate()
        assert process.wait(timeout=10) == 0
        with pytest.raises(Exception, match="opusimd"):
            opu.transform(x)
