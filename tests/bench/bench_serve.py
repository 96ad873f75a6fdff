#!/usr/bin/env python3
"""bench_serve.py VRAM SOURCE_DIR [--requests N] [--sanitized]: load benchmark of `vram serve` (issue 20).

Starts the server on a free port and sends N (default 10,000) sequential POST /api/v1/estimate
requests over one keep-alive connection, cycling through every scenario preset (YAML bodies).
Prints p50/p99/max latency and the server's resident memory (VmRSS) idle, after a warm-up of
200 requests, and at the end. Fails unless every answer is 200 and the RSS after all requests
is within 10 % of the RSS after warm-up (no growth per request: nothing leaks or accumulates).
docs/performance.md records the figures.

--sanitized: the server is the AddressSanitizer build (scripts/test-sanitizers.sh), run for
"clean under ASan": every answer 200 and a zero exit after SIGTERM, which LeakSanitizer turns
non-zero on any leak and ASan on any memory error. The RSS bound is printed but not applied there:
ASan's quarantine keeps freed blocks mapped (256 MiB by default, ASAN_OPTIONS quarantine_size_mb),
so RSS then measures the sanitizer, not the server."""
import glob
import http.client
import os
import statistics
import subprocess
import sys
import time

vram, src = sys.argv[1], sys.argv[2]
requests = int(sys.argv[sys.argv.index("--requests") + 1]) if "--requests" in sys.argv else 10_000
sanitized = "--sanitized" in sys.argv
warmup = min(200, requests // 10)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


bodies = []
for path in sorted(glob.glob(os.path.join(src, "presets", "scenarios", "*.yaml"))):
    with open(path, "rb") as f:
        bodies.append(f.read())
if not bodies:
    sys.exit("no scenario presets")

server = subprocess.Popen([vram, "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
try:
    line = server.stdout.readline()
    host, port = line.split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    idle = rss_kib(server.pid)
    latencies, bad = [], 0
    warm = 0
    start = time.perf_counter()
    for i in range(requests):
        body = bodies[i % len(bodies)]
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/estimate", body=body, headers={"Content-Type": "application/yaml"})
        res = conn.getresponse()
        res.read()
        latencies.append(time.perf_counter() - t0)
        if res.status != 200:
            bad += 1
        if i + 1 == warmup:
            warm = rss_kib(server.pid)
    elapsed = time.perf_counter() - start
    end = rss_kib(server.pid)
    conn.close()
finally:
    server.terminate()
    rc = server.wait(timeout=30)

latencies.sort()
q = statistics.quantiles(latencies, n=100)
growth = (end - warm) / warm * 100 if warm else 0.0
print(f"requests: {requests} sequential POST /api/v1/estimate ({len(bodies)} scenario presets, keep-alive), "
      f"{requests / elapsed:.0f} requests/s")
print(f"latency: p50 {q[49] * 1e3:.2f} ms, p99 {q[98] * 1e3:.2f} ms, max {latencies[-1] * 1e3:.2f} ms")
print(f"RSS: idle {idle / 1024:.1f} MiB, after {warmup} requests {warm / 1024:.1f} MiB, "
      f"after {requests} {end / 1024:.1f} MiB ({growth:+.1f} %)")
print(f"non-200 answers: {bad}; exit status after SIGTERM: {rc}")
if sanitized:
    print("RSS bound not applied: ASan build (its quarantine holds freed memory)")
ok = bad == 0 and (sanitized or growth <= 10.0) and rc == 0
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
