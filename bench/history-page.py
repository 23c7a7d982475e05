#!/usr/bin/env python3
"""History page latency: a server seeded by `threatdb bench seed`, one incident given 1,000
changes (500 tags added and removed through v2), then GET /v3/groups/{id}/history, a page of
100, 500 times one after another on one keep-alive connection; prints p50 and p99.

    target/release/threatdb bench seed --data-dir D --incidents 10000 --no-ceiling
    target/release/threatdb serve --data-dir D --listen 127.0.0.1:8450 &
    bench/history-page.py D http://127.0.0.1:8450
"""
import base64, hashlib, hmac, http.client, json, sys, time, urllib.parse

data_dir, url = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8450"
seed = json.load(open(f"{data_dir}/bench.json"))
access_id, secret = seed["admin"]["access_id"], seed["admin"]["secret_key"]
origin = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(origin.hostname, origin.port or 80)


def call(method, path, body=None):
    ts = str(int(time.time()))
    signed = f"/api{path}:{method}:{ts}".encode()
    sig = base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()
    headers = {"Timestamp": ts, "Authorization": f"TC {access_id}:{sig}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, "/api" + path, body=body, headers=headers)
    answer = conn.getresponse()
    return answer.status, answer.read()


body = {"type": "Incident", "name": "history bench", "eventDate": "2026-01-01T00:00:00Z"}
status, answer = call("POST", "/v3/groups", json.dumps(body))
assert status == 201, answer
incident = json.loads(answer)["data"]["id"]
for i in range(500):
    call("POST", f"/v2/groups/incidents/{incident}/tags/t{i}")
    call("DELETE", f"/v2/groups/incidents/{incident}/tags/t{i}")
status, answer = call("GET", f"/v3/groups/{incident}/history?count=true&resultLimit=100")
print("changes:", json.loads(answer).get("count"))
times = []
for i in range(500):
    start = time.perf_counter()
    status, _ = call("GET", f"/v3/groups/{incident}/history?resultLimit=100&resultStart={i % 10 * 100}")
    times.append((time.perf_counter() - start) * 1000)
    assert status == 200
times.sort()
print(f"history page of 100: p50 {times[len(times) // 2]:.2f} ms, p99 {times[int(len(times) * 0.99)]:.2f} ms")
