"""lightonml's get-started example, with only its imports changed, runs on opusim."""
import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(os.environ.get("OPUSIM_PYTHON_EXAMPLES",
                               Path(__file__).resolve().parents[2] / "docs/examples/python"))


def test_get_started_runs():
    result = subprocess.run([sys.executable, str(EXAMPLES / "get_started.py")],
                            capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stderr
    assert "Call fit1d or fit2d before transform" in result.stdout
    assert "ContextArray" in result.stdout and "dtype=uint8" in result.stdout
    assert "torch.uint8" in result.stdout
    assert "'exposure_us'" in result.stdout
