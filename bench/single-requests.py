#!/usr/bin/env python3
"""Median latency of single signed v2 requests against a running threatdb (one at a time, over
one keep-alive connection): the rare-match list requests, and the common ones for reference.

    bench/single-requests.py URL DATA_DIR [OWNER] [REPEATS]

URL is the server's origin (http://127.0.0.1:8450), DATA_DIR a directory seeded by
`threatdb bench seed` (its bench.json has the administrator's credentials), OWNER defaults to
"Bench Org 00", REPEATS to 20. Standard library only.
"""
import base64
import hashlib
import hmac
import http.client
import json
import statistics
import sys
import time
import urllib.parse


def sign(secret, target, method, ts):
    msg = f"{target}:{method}:{ts}".encode()
    return base64.b64encode(hmac.new(secret.encode(), msg, hashlib.sha256).digest()).decode()


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    url, data_dir = sys.argv[1], sys.argv[2]
    owner = sys.argv[3] if len(sys.argv) > 3 else "Bench Org 00"
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    info = json.load(open(f"{data_dir}/bench.json"))
    access_id, secret = info["admin"]["access_id"], info["admin"]["secret_key"]
    host = urllib.parse.urlsplit(url).netloc
    conn = http.client.HTTPConnection(host)
    o = "owner=" + urllib.parse.quote_plus(owner)
    targets = [
        ("first page (resultCount)", f"/api/v2/groups/incidents?{o}"),
        ("eventDate> filter", f"/api/v2/groups/incidents?{o}&filters=eventDate%3E2024-01-01T00%3A00%3A00Z"),
        ("dateAdded> filter", f"/api/v2/groups/incidents?{o}&filters=dateAdded%3E2020-01-01T00%3A00%3A00Z"),
        ("name^Op (no match)", f"/api/v2/groups/incidents?{o}&filters=name%5EOp"),
        ("name^Incident 4242: (rare)", f"/api/v2/groups/incidents?{o}&filters=name%5EIncident%204242%3A"),
        ("label TLP:RED list", f"/api/v2/securityLabels/TLP%3ARED/groups/incidents?{o}"),
        ("eventDate 1-hour window", f"/api/v2/groups/incidents?{o}&filters=eventDate%3E2023-06-01T00%3A00%3A00Z,eventDate%3C2023-06-01T01%3A00%3A00Z"),
    ]
    print(f"{'request':32} {'median ms':>10} {'p90 ms':>8}  resultCount")
    for name, target in targets:
        times, count = [], None
        for _ in range(repeats):
            ts = int(time.time())
            headers = {"Timestamp": str(ts), "Authorization": f"TC {access_id}:{sign(secret, target, 'GET', ts)}"}
            t = time.perf_counter()
            conn.request("GET", target, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            times.append((time.perf_counter() - t) * 1000)
            if resp.status != 200:
                print(f"{name}: HTTP {resp.status} {body[:200]!r}", file=sys.stderr)
                break
            count = json.loads(body)["data"].get("resultCount")
        times.sort()
        p90 = times[int(len(times) * 0.9) - 1] if times else 0
        print(f"{name:32} {statistics.median(times):10.2f} {p90:8.2f}  {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
