#!/usr/bin/env bash
# Is `threatdb bench load` the limit? Side by side in one run on one fresh, seeded server:
#   1. the HTTP ceiling (GET /healthz) driven by wrk (a C load generator) and by `bench load`;
#   2. GET /v2/groups/incidents/{id} with HMAC driven by wrk (one signature made up front, one
#      incident) and by `bench load` (a new signature per request, random incidents).
# Each pair runs twice, alternating, so machine noise falls on both alike. Prints requests/s and
# the ratios: `bench load` should drive /healthz as hard as wrk (within 10 %), and GET by id
# should reach 70 % of the ceiling.
#   bench/load-vs-wrk.sh [SECONDS] [CONNECTIONS] [INCIDENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
connections=${2:-16}
incidents=${3:-10000}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p threatdb
bin=target/release/threatdb
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
$bin bench seed --data-dir "$dir" --incidents "$incidents" --no-ceiling > /dev/null 2>&1
RUST_LOG=warn $bin serve --data-dir "$dir" --listen 127.0.0.1:0 > "$dir/out" 2>/dev/null &
server=$!
until grep -q "threatdb listening on" "$dir/out"; do sleep 0.1; done
origin=$(sed -n 's/^threatdb listening on \([^ ]*\).*/\1/p' "$dir/out")
headers=$(python3 - "$dir/bench.json" <<'PY'
import base64, hashlib, hmac, json, sys, time
admin = json.load(open(sys.argv[1]))["admin"]
path, ts = "/api/v2/groups/incidents/1", int(time.time())
sig = base64.b64encode(hmac.new(admin["secret_key"].encode(), f"{path}:GET:{ts}".encode(), hashlib.sha256).digest()).decode()
print(f"Timestamp: {ts}\nAuthorization: TC {admin['access_id']}:{sig}")
PY
)
ts=$(echo "$headers" | head -1); auth=$(echo "$headers" | tail -1)
wrk_rate() { wrk -t2 -c"$connections" -d"${seconds}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
# `bench load` measures the ceiling, then the scenario: prints both rates.
load_rates() {
  $bin bench load --url "$origin" --data-dir "$dir" --scenario get --concurrency "$connections" \
    --duration "$seconds" --json "$dir/load.json" > /dev/null
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(round(d['ceiling']['ops_per_s']), round(d['result']['ops_per_s']))" "$dir/load.json"
}
declare -a wc lc wg lg
for round in 1 2; do
  wc+=("$(wrk_rate "$origin/healthz")")
  read -r c g < <(load_rates)
  lc+=("$c"); lg+=("$g")
  wg+=("$(wrk_rate -H "$ts" -H "$auth" "$origin/api/v2/groups/incidents/1")")
done
python3 - "${wc[*]}" "${lc[*]}" "${wg[*]}" "${lg[*]}" <<'PY'
import sys
wc, lc, wg, lg = ([float(x) for x in a.split()] for a in sys.argv[1:5])
m = lambda xs: sum(xs) / len(xs)
print(f"{'':34}{'round 1':>10}{'round 2':>10}{'mean':>10}")
for name, xs in [("/healthz, wrk", wc), ("/healthz, bench load", lc),
                 ("GET by id (HMAC), wrk", wg), ("GET by id (HMAC), bench load", lg)]:
    print(f"{name:34}" + "".join(f"{x:>10.0f}" for x in xs) + f"{m(xs):>10.0f}")
print(f"bench load / wrk on /healthz:        {m(lc) / m(wc):.0%}")
print(f"GET by id / ceiling, bench load:     {m(lg) / m(lc):.0%}")
print(f"GET by id / ceiling, wrk:            {m(wg) / m(wc):.0%}")
PY
