#!/bin/sh
# The opusimd load test (issue 16): CLIENTS client processes x JOBS jobs of ROWS rows on one
# shared device through the daemon, against one in-process client. Loopback only (a Unix
# socket in a temporary folder), bounded in time (about a minute on 2 cores).
#   tests/bench/daemon_load.sh [BUILD_DIR] [CLIENTS] [JOBS] [ROWS]
# Checks every client's every row is answered exactly once and equals what the same client gets
# in-process (hash of all its output rows in order); prints p50/p99 job latency and throughput.
set -eu
build=${1:-build/default}
clients=${2:-8}
jobs=${3:-100}
rows=${4:-16}
device="sim:gen2?seed=3&noise_seed=4"
work=$(mktemp -d)
trap 'kill "$daemon" 2>/dev/null || true; rm -rf "$work"' EXIT
"$build/bin/opusimd" --socket "$work/opusimd.sock" --foreground 2>"$work/opusimd.log" &
daemon=$!
while [ ! -S "$work/opusimd.sock" ]; do sleep 0.05; done

# In-process: each client's workload alone, one after another (the references and the baseline).
i=0
while [ "$i" -lt "$clients" ]; do
    "$build/bin/daemon_load" "$i" "$device" "$jobs" "$rows" >>"$work/own.jsonl"
    i=$((i + 1))
done
# Through the daemon: every client at once.
pids=""
i=0
while [ "$i" -lt "$clients" ]; do
    "$build/bin/daemon_load" "$i" "$device&via=$work/opusimd.sock" "$jobs" "$rows" \
        >"$work/shared.$i.jsonl" &
    pids="$pids $!"
    i=$((i + 1))
done
for pid in $pids; do wait "$pid"; done
cat "$work"/shared.*.jsonl >"$work/shared.jsonl"
kill -TERM "$daemon"; wait "$daemon" || true
/usr/bin/python3 - "$work/own.jsonl" "$work/shared.jsonl" "$jobs" "$rows" <<'PY'
import json, statistics, sys
own = {r["client"]: r for r in map(json.loads, open(sys.argv[1]))}
shared = {r["client"]: r for r in map(json.loads, open(sys.argv[2]))}
jobs, rows = int(sys.argv[3]), int(sys.argv[4])
# The clients' jobs from the first start to the last end (process start and fit excluded, as
# in the in-process client's wall time).
wall = max(r["end"] for r in shared.values()) - min(r["start"] for r in shared.values())
assert sorted(own) == sorted(shared), "a client did not report"
for c in own:
    assert shared[c]["rows"] == jobs * rows, f"client {c}: {shared[c]['rows']} rows answered"
    assert shared[c]["hash"] == own[c]["hash"], f"client {c}: rows differ from in-process"
lat = sorted(l for r in shared.values() for l in r["latencies_ms"])
own_lat = sorted(l for r in own.values() for l in r["latencies_ms"])
pct = lambda v, p: v[min(len(v) - 1, int(p / 100 * len(v)))]
one = statistics.median(r["wall_s"] for r in own.values())
print(f"clients {len(shared)} x {jobs} jobs x {rows} rows: every row answered once, "
      f"identical to in-process")
print(f"job latency via daemon: p50 {pct(lat, 50):.2f} ms, p99 {pct(lat, 99):.2f} ms "
      f"(in-process client alone: p50 {pct(own_lat, 50):.2f} ms, p99 {pct(own_lat, 99):.2f} ms)")
total = len(shared) * jobs * rows
print(f"throughput via daemon: {total / wall:.0f} rows/s over {wall:.2f} s; one in-process "
      f"client: {jobs * rows / one:.0f} rows/s; ratio {total / wall / (jobs * rows / one):.2f}")
PY
