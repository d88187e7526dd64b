#!/bin/sh
# Soak benchmark (issue 13, item 6): peak resident memory after 10^5 and after 10^7 frames,
# through `opusim timing` and through the SDK, to show memory does not grow with run length.
#   tests/bench/soak_rss.sh [BUILD_DIR]       (default build/default; FRAMES_LONG=... to change 10^7)
# `opusim timing`: the peak RSS of the command's process tree (the command and its device server:
# RUSAGE_CHILDREN's maxrss, which Linux carries up from every reaped descendant), measured in a
# fresh Python for each run. The SDK: soak_sdk reports its own VmHWM and its device server's.
set -eu
build=${1:-build/default}
long=${FRAMES_LONG:-10000000}
export OPUSIM_LOCK_DIR="${TMPDIR:-/tmp}/opusim-soak-locks-$$"
python=/usr/bin/python3

tree_peak_kb() {
    "$python" -c '
import resource, subprocess, sys, time
start = time.monotonic()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, round(time.monotonic() - start, 1))
' "$@"
}

for frames in 100000 "$long"; do
    set -- $(tree_peak_kb "$build/bin/opusim" timing --profile gen2 --n-features 64 \
        --n-components 64 --frames "$frames" --frametime-us 0 --quiet)
    echo "opusim timing, $frames frames: peak RSS of the process tree $1 kB ($2 s)"
done
for frames in 100000 "$long"; do
    echo "SDK transform, $frames frames: $("$build/bin/soak_sdk" "$frames")"
done
rm -rf "$OPUSIM_LOCK_DIR"
