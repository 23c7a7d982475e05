#!/usr/bin/env bash
# PostgreSQL vs SQLite in one run: `threatdb bench all` on each store with the same dataset and
# settings, then the two throughputs side by side. Needs a PostgreSQL server (see README); uses
# a fresh database named threatdb_bench_<pid> on it and drops it afterwards.
#   bench/compare-stores.sh [INCIDENTS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
incidents=${1:-100000}
seconds=${2:-8}
server=${THREATDB_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
db="threatdb_bench_$$"
cargo build --release -p threatdb
bin=target/release/threatdb
out=$(mktemp -d)
trap 'psql "$server" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$out"' EXIT
psql "$server" -qc "CREATE DATABASE $db"
$bin bench all --quiet --incidents "$incidents" --duration "$seconds" --json "$out/sqlite.json" > "$out/sqlite.txt"
$bin bench all --quiet --incidents "$incidents" --duration "$seconds" --json "$out/pg.json" \
  --data-dir "$out/pg-data" --database "${server%/*}/$db" > "$out/pg.txt"
cat "$out/sqlite.txt" "$out/pg.txt"
python3 - "$out/sqlite.json" "$out/pg.json" <<'PY'
import json, sys
s, p = (json.load(open(f)) for f in sys.argv[1:3])
print(f"\n{'':<16}{'SQLite':>12}{'PostgreSQL':>12}{'PG/SQLite':>11}")
print(f"{'seed rows/s':<16}{s['seed']['store_rows_per_s']:>12.0f}{p['seed']['store_rows_per_s']:>12.0f}{p['seed']['store_rows_per_s']/s['seed']['store_rows_per_s']:>11.2f}")
for a, b in zip(s["scenarios"], p["scenarios"]):
    x, y = a["result"], b["result"]
    print(f"{x['scenario'] + ' ops/s':<16}{x['ops_per_s']:>12.0f}{y['ops_per_s']:>12.0f}{y['ops_per_s']/x['ops_per_s']:>11.2f}   p99 {x['p99_ms']:.1f} / {y['p99_ms']:.1f} ms")
PY
