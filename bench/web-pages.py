#!/usr/bin/env python3
"""Web page latency: signs in to a running server as a web login and requests each page
kind 200 times one after another on one keep-alive connection; prints p50 and p99 of each.

    target/release/threatdb bench seed --data-dir D --incidents 1000000 --no-ceiling
    target/release/threatdb admin --data-dir D user web --access-id ACCESS_ID --login bench
    echo 'a long bench password' | target/release/threatdb admin --data-dir D user password --login bench --password-stdin
    target/release/threatdb serve --data-dir D --listen 127.0.0.1:8450 &
    bench/web-pages.py http://127.0.0.1:8450 bench 'a long bench password' [PATH ...]

With no PATH: the dashboard (/), the incidents list (/incidents), an incident, its History tab.
A search is a PATH like '/search?q=phishing' (an indicator found once answers 303, counted too).
"""
import http.client, re, sys, time, urllib.parse

url, login, password = sys.argv[1], sys.argv[2], sys.argv[3]
paths = sys.argv[4:]
origin = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(origin.hostname, origin.port or 80)
cookies = {}


def call(method, path, body=None):
    headers = {"Accept": "text/html"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    answer = conn.getresponse()
    for name, value in answer.getheaders():
        if name.lower() == "set-cookie":
            k, v = value.split(";", 1)[0].split("=", 1)
            cookies[k] = v
    return answer.status, answer.read().decode()


status, page = call("GET", "/signin")
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
form = urllib.parse.urlencode({"csrf": csrf, "next": "/", "login": login, "password": password})
status, _ = call("POST", "/signin", form)
assert status in (302, 303), f"sign-in answered {status}"
if not paths:
    status, page = call("GET", "/incidents")
    incident = re.search(r'href="/incidents/(\d+)"', page).group(1)
    paths = ["/", "/incidents", f"/incidents/{incident}", f"/incidents/{incident}/history"]
for path in paths:
    times = []
    for _ in range(200):
        started = time.perf_counter()
        status, _ = call("GET", path)
        times.append((time.perf_counter() - started) * 1000)
        assert status in (200, 303), f"{path}: {status}"
    times.sort()
    print(f"{path}: p50 {times[len(times) // 2]:.2f} ms, p99 {times[int(len(times) * 0.99) - 1]:.2f} ms")
