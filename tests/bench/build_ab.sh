#!/bin/bash
# Two builds of opusim side by side, interleaved round by round (docs/performance.md): the camera
# and medium micro-benchmarks, the small-frame functional run, the main job and the quick start's
# attention command, with wall and CPU time of each process tree; then whether the two builds'
# --json outputs agree once wall-clock fields are dropped.
#
#   tests/bench/build_ab.sh NEW_BUILD_DIR OLD_BUILD_DIR [ROUNDS]
#
# Set OPUSIM_LOCK_DIR to a folder of your own on a shared machine, so another user's sim:gen2
# never makes a run wait for the device (the wait would count as wall time).
set -euo pipefail
NEW=${1:?NEW_BUILD_DIR (e.g. build/default)}
OLD=${2:?OLD_BUILD_DIR (a build of the commit to compare with)}
ROUNDS=${3:-2}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "== start $(date -u +%H:%M:%S) $(uptime)"
for round in $(seq "$ROUNDS"); do
    for which in new old; do
        bin=$NEW/bin
        [ "$which" = old ] && bin=$OLD/bin
        echo "-- $which round $round"
        "$bin/bench_physics" --benchmark_filter='CameraGrab/noise:1|MediumBlock/float32:0/threads:1' \
            --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>&1 | grep median
        /usr/bin/time -f "$which round $round functional: %e s wall, %U+%S s cpu" \
            "$bin/opusim" run --n-features 64 --n-components 2040 --batch 20000 --json --quiet \
            > "$OUT/fps-$which.json"
        /usr/bin/python3 -c "import json,sys; print('simulated_frames_per_wall_s', json.load(open(sys.argv[1]))['simulated_frames_per_wall_s'])" "$OUT/fps-$which.json"
        /usr/bin/time -f "$which round $round main job: %e s wall, %U+%S s cpu" \
            "$bin/opusim" run --json --quiet > "$OUT/run-$which.json"
        /usr/bin/time -f "$which round $round attention: %e s wall, %U+%S s cpu" \
            "$bin/opusim" attention --seq-len 1024 --dim 64 --heads 4 --features 256 --scale 0.25 \
            --json > "$OUT/attention-$which.json"
    done
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
WALL_CLOCK = ('wall', 'speed', 'host', 'elapsed', 'date', 'cpu', 'favor_time', 'break_even')
def without_wall_clock(value):
    if isinstance(value, dict):
        return {k: without_wall_clock(v) for k, v in value.items()
                if not any(word in k for word in WALL_CLOCK)}
    if isinstance(value, list):
        return [without_wall_clock(v) for v in value]
    return value
for name in ('fps', 'run', 'attention'):
    new = without_wall_clock(json.load(open(f'{out}/{name}-new.json')))
    old = without_wall_clock(json.load(open(f'{out}/{name}-old.json')))
    print(name, 'outputs equal (wall-clock fields dropped):', new == old)
PY
echo "== end $(date -u +%H:%M:%S) $(uptime)"
