#!/bin/sh
# The installed module: `cmake --install` to a temporary prefix, then the interpreter imports
# opusim from <prefix>/lib/python3/dist-packages (nothing from the build tree on its path) and
# runs a transform: the extension must find the opusim libraries through its relative RUNPATH,
# and the driver its device server beside them. The device is the installed gen2 profile named
# by path: a device lock of its own (sim:gen2's is shared by every test run on the machine).
# Usage: installed_module_test.sh BUILD_DIR PYTHON WORK_DIR
set -eu
build=$1
python=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
cd "$work"
env -u OPUSIM_DEVICE -u OPUSIM_PROFILE_PATH -u OPUSIM_DEVICE_SERVER -u LD_LIBRARY_PATH \
    PYTHONPATH="$work/prefix/lib/python3/dist-packages" PYTHONDONTWRITEBYTECODE=1 \
    "$python" -c '
import numpy as np
import opusim
assert opusim.__file__.startswith("'"$work"'/prefix/"), opusim.__file__
with opusim.OPU(n_components=100,
                opu_device="sim:'"$work"'/prefix/share/opusim/profiles/gen2.json",
                input_roi_strategy="small") as opu:
    y = opu.fit_transform1d(np.ones((2, 16), dtype=np.uint8))
assert y.shape == (2, 100) and y.context.frames == 2
print("installed opusim", opusim.__version__, "from", opusim.__file__)
'
