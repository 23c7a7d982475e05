#!/usr/bin/env bash
# GET /v2/groups/incidents/{id} with HMAC vs the unauthenticated /healthz ceiling, both with wrk
# (a C load generator, so the client is not the limit), in one run on a fresh server.
#   bench/get-by-id-wrk.sh [SECONDS] [CONNECTIONS]
# The signature is made once: a signed request stays valid for 300 s, so runs must be shorter.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-16}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p threatdb
dir=$(mktemp -d)
target/release/threatdb serve --data-dir "$dir" --listen 127.0.0.1:0 > "$dir/out" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
until grep -q "threatdb listening on" "$dir/out"; do sleep 0.1; done
origin=$(sed -n 's/^threatdb listening on \([^ ]*\).*/\1/p' "$dir/out")
set -a; . "$dir/credentials.env"; set +a
target/release/threatdb api --base-url "$origin/api" POST /v2/groups/incidents \
  --data '{"name":"wrk target","eventDate":"2017-03-21T00:00:00Z"}' > /dev/null
headers=$(python3 - <<'PY'
import base64, hashlib, hmac, os, time
path, ts = "/api/v2/groups/incidents/1", int(time.time())
sig = base64.b64encode(hmac.new(os.environ["TC_API_SECRET_KEY"].encode(), f"{path}:GET:{ts}".encode(), hashlib.sha256).digest()).decode()
print(f"Timestamp: {ts}\nAuthorization: TC {os.environ['TC_API_ACCESS_ID']}:{sig}")
PY
)
ts=$(echo "$headers" | head -1); auth=$(echo "$headers" | tail -1)
echo "GET /v2/groups/incidents/1 (HMAC):"
wrk -t2 -c"$connections" -d"${seconds}s" -H "$ts" -H "$auth" "$origin/api/v2/groups/incidents/1" | grep -E "Latency|Requests/sec|Non-2xx"
echo "GET /healthz (ceiling):"
wrk -t2 -c"$connections" -d"${seconds}s" "$origin/healthz" | grep -E "Latency|Requests/sec"
