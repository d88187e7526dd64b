"""opusim: lightonml's Python API on opusim's simulated optical processing unit.

Replace ``lightonml`` by ``opusim`` in the imports; see docs/python.md.
"""
from ._opusim import (DeviceBusyError, DeviceFaultError, DeviceTimeoutError, OpuError,
                      __version__)
from ._verbosity import get_verbose_level, set_verbose_level
from .context import Context, ContextArray
from .opu import OPU
from .types import InputRoiStrategy, OutputRescaling

__all__ = ["OPU", "Context", "ContextArray", "OutputRescaling", "InputRoiStrategy", "OpuError",
           "DeviceBusyError", "DeviceTimeoutError", "DeviceFaultError", "set_verbose_level",
           "get_verbose_level", "__version__"]
