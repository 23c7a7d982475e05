#!/usr/bin/env bash
# The cost of metrics on the `get` scenario: the same release binary and seeded store, served
# without and with `--metrics-addr` (requests counted and timed, store methods timed, or not: nothing else differs),
# interleaved off/on/off/on, a fresh server each run. `bench load` measures its /healthz ceiling
# first, then `get`, each for SECONDS; the server's CPU time is read from /proc when the get phase
# starts and when it ends. Prints each run, then per round the on/off ratios of get throughput and
# of server CPU per get, with their median and mean over the rounds.
#   bench/metrics-overhead.sh [ROUNDS] [SECONDS] [INCIDENTS] [CONCURRENCY]
# BENCH_DATA=DIR reuses (or keeps) a seeded data directory.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
seconds=${2:-10}
incidents=${3:-20000}
concurrency=${4:-16}
cargo build --release -p threatdb
bin=target/release/threatdb
work=$(mktemp -d)
data=${BENCH_DATA:-$work/data}
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
[ -f "$data/bench.json" ] || $bin bench seed --data-dir "$data" --incidents "$incidents" > /dev/null
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for round in $(seq "$rounds"); do
  for mode in off on; do
    flags=()
    [ "$mode" = on ] && flags=(--metrics-addr 127.0.0.1:0)
    $bin serve --data-dir "$data" --listen 127.0.0.1:0 "${flags[@]}" > "$work/out" 2> /dev/null &
    server=$!
    until grep -q "threatdb listening on" "$work/out"; do sleep 0.1; done
    origin=$(sed -n 's/^threatdb listening on \([^ ]*\).*/\1/p' "$work/out")
    $bin bench load --url "$origin" --data-dir "$data" --scenario get \
      --duration "$seconds" --concurrency "$concurrency" --json "$work/$round-$mode.json" > /dev/null &
    load=$!
    sleep "$seconds.3"
    before=$(cpu_ticks "$server")
    sleep "$seconds"
    after=$(cpu_ticks "$server")
    wait "$load"
    echo "$((after - before))" > "$work/$round-$mode.cpu"
    kill "$server"; wait "$server" 2>/dev/null || true; server=
  done
done
python3 - "$work" "$rounds" "$(getconf CLK_TCK)" "$seconds" <<'PY'
import json, statistics, sys
d, rounds, ticks, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f"{'round':<6}{'metrics':<9}{'get req/s':>11}{'p99 ms':>8}{'ceiling req/s':>15}{'server CPU us/get':>19}")
runs = {}
for r in range(1, rounds + 1):
    for mode in ("off", "on"):
        j = json.load(open(f"{d}/{r}-{mode}.json"))
        get = j["result"]["ops_per_s"]
        us = int(open(f"{d}/{r}-{mode}.cpu").read()) / ticks / (get * seconds) * 1e6
        runs[(r, mode)] = (get, us)
        print(f"{r:<6}{mode:<9}{get:>11.0f}{j['result']['p99_ms']:>8.2f}{j['ceiling']['ops_per_s']:>15.0f}{us:>19.1f}")
tput = [runs[(r, "on")][0] / runs[(r, "off")][0] for r in range(1, rounds + 1)]
cpu = [runs[(r, "on")][1] / runs[(r, "off")][1] for r in range(1, rounds + 1)]
print("\non/off per round, throughput:", " ".join(f"{x:.3f}" for x in tput))
print("on/off per round, CPU per get:", " ".join(f"{x:.3f}" for x in cpu))
print(f"get throughput on/off: median {statistics.median(tput):.3f}, mean {statistics.mean(tput):.3f}")
print(f"server CPU per get on/off: median {statistics.median(cpu):.3f}, mean {statistics.mean(cpu):.3f}")
PY
