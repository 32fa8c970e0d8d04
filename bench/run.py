"""Benchmark the reader site: requests per second and latency, as ratios to a trivial view.

    .venv/bin/python bench/run.py [--days 2000] [--duration 10] [--redis] [--write-docs]

It builds a database of generated days (``generate_demo``, kept under
bench/var/ for the next run), serves it with gunicorn on loopback in
production settings, and loads it with ``wrk`` (Debian's package) if installed,
else with a small Python client. Every result is printed as a ratio to a light
view (``/healthz``: the middleware stack, ``SELECT 1`` and, with Redis, a PING)
measured by the same server in the same run, since
absolute numbers on a shared two-core machine mean little. ``--write-docs``
records the table in docs/performance.md.

"Warm" pages come from the public page cache; "cold" ones are rendered from
the database, by a second server with the page cache off.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "bench" / "var"
RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs" / "performance.md"
PYTHON = sys.executable


def env(extra=None):
    base = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key-not-for-production-use-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{VAR / 'bench.sqlite3'}"),
        "LOG_LEVEL": "WARNING",
    }
    base.pop("REDIS_URL", None)
    base.update(extra or {})
    return base


def manage(*args, extra=None):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env(extra), check=True)


def shell(code):
    """Run Python in the project's Django shell; returns the lines it printed."""
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()


def prepare(days):
    VAR.mkdir(parents=True, exist_ok=True)
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    count = shell("from digests.models import Digest; print(Digest.objects.published().count())")[
        -1
    ]
    missing = days - int(count)
    if missing > 0:
        manage("generate_demo", "--days", str(missing), "--end", "2026-11-28")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, workers, extra):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "newsroom.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env(extra),
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _ = fetch(self.port, "/healthz")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def fetch(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def load_wrk(port, paths, seconds, connections):
    script = VAR / "paths.lua"
    script.write_text(
        "paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
        "i = 0\nrequest = function()\n  i = i % #paths + 1\n"
        "  return wrk.format('GET', paths[i])\nend\n"
    )
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latencies = {}
    for label in ("50%", "99%"):
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        latencies[label] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": latencies["50%"],
        "p99_ms": latencies["99%"],
        "errors": int(errors.group(1)) if errors else 0,
    }


def load_python(port, paths, seconds, connections):
    stop = time.time() + seconds
    timings, errors, lock = [], [0], threading.Lock()

    def worker(offset):
        n = offset
        while time.time() < stop:
            path = paths[n % len(paths)]
            n += connections
            start = time.perf_counter()
            status, _ = fetch(port, path)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                timings.append(elapsed)
                errors[0] += status >= 400

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.sort()
    return {
        "rps": len(timings) / seconds,
        "p50_ms": statistics.median(timings),
        "p99_ms": timings[int(len(timings) * 0.99) - 1],
        "errors": errors[0],
    }


def measure(server, name, paths, args, load):
    for _ in range(4):  # warm whatever each worker process keeps
        for path in paths:
            fetch(server.port, path)
    result = load(server.port, paths, args.duration, args.connections)
    result["name"] = name
    print(
        f"  {name:18} {result['rps']:9.1f} req/s   p50 {result['p50_ms']:7.2f} ms   "
        f"p99 {result['p99_ms']:7.2f} ms   errors {result['errors']}",
        flush=True,
    )
    return result


def days_paths(count):
    lines = shell(
        "from digests.models import Digest\n"
        f"for d in Digest.objects.published().order_by('-date')[:{count}]: "
        "print(d.get_absolute_url())"
    )
    return [line for line in lines if line.startswith("/")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", action="store_true", help="use Redis (REDIS_URL) as the cache")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    load = load_wrk if shutil.which("wrk") else load_python
    print(f"preparing {args.days} days …", flush=True)
    prepare(args.days)
    days = days_paths(200)
    static = "/static/css/site.css"
    searches = [
        f"/search/?q={quote(q)}"
        for q in ("人形机器人", "固态电池", "量子计算", "开源", "智算中心")
    ]
    cache = (
        {"REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")}
        if args.redis
        else {}
    )

    results = []
    print("page cache on:", flush=True)
    server = Server(args.workers, {**cache, "NEWSROOM_PAGE_CACHE_SECONDS": "3600"})
    try:
        base = measure(server, "trivial view", ["/healthz"], args, load)
        results += [base, measure(server, "static file", [static], args, load)]
        results.append(measure(server, "day page, warm", [days[0]], args, load))
        results.append(measure(server, "month page, warm", ["/2026/11/"], args, load))
        results.append(measure(server, "search, warm", searches, args, load))
        results.append(measure(server, "RSS feed, warm", ["/feeds/rss/"], args, load))
    finally:
        server.stop()
    print("page cache off (day pages still kept by what they show):", flush=True)
    server = Server(args.workers, {**cache, "NEWSROOM_PAGE_CACHE_SECONDS": "0"})
    try:
        cold_base = measure(server, "trivial view (2)", ["/healthz"], args, load)
        cold = [
            measure(server, "day page, cold", days, args, load),
            measure(
                server, "month page, cold", ["/2026/11/", "/2026/10/", "/2026/09/"], args, load
            ),
            measure(server, "search, cold", searches, args, load),
            measure(server, "RSS feed, cold", ["/feeds/rss/"], args, load),
        ]
    finally:
        server.stop()
    print("no caches at all:", flush=True)
    server = Server(
        args.workers,
        {**cache, "NEWSROOM_PAGE_CACHE_SECONDS": "0", "NEWSROOM_DAY_PAGE_CACHE_SECONDS": "0"},
    )
    try:
        bare_base = measure(server, "trivial view (3)", ["/healthz"], args, load)
        bare = [measure(server, "day page, uncached", days, args, load)]
    finally:
        server.stop()
    for result in results:
        result["ratio"] = result["rps"] / base["rps"]
    for result in cold:
        result["ratio"] = result["rps"] / cold_base["rps"]
    for result in bare:
        result["ratio"] = result["rps"] / bare_base["rps"]
    cold_base["ratio"] = bare_base["ratio"] = 1.0
    results += [cold_base, *cold, bare_base, *bare]

    print("\nratios to the trivial view (same server):")
    for result in results:
        print(f"  {result['name']:18} {result['ratio']:6.2f}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H%M%S")
    meta = {
        "days": args.days,
        "duration": args.duration,
        "connections": args.connections,
        "workers": args.workers,
        "cache": "redis" if args.redis else "local memory",
        "client": load.__name__.removeprefix("load_"),
        "when": stamp,
    }
    (RESULTS / f"{stamp}.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2)
    )
    if args.write_docs:
        write_docs(meta, results)


def write_docs(meta, results):
    table = ["| Page | req/s | ratio to trivial | p50 ms | p99 ms |", "|---|---:|---:|---:|---:|"]
    table += [
        f"| {r['name']} | {r['rps']:.0f} | {r['ratio']:.2f} | {r['p50_ms']:.1f} "
        f"| {r['p99_ms']:.1f} |"
        for r in results
    ]
    marker = "redis" if meta["cache"] == "redis" else "locmem"
    block = (
        f"<!-- results:{marker} -->\nMeasured {meta['when']}: {meta['days']} days, gunicorn with "
        f"{meta['workers']} workers, {meta['cache']} cache, {meta['client']} with "
        f"{meta['connections']} connections for {meta['duration']} s per page.\n\n"
        + "\n".join(table)
        + f"\n<!-- /results:{marker} -->"
    )
    text = DOCS.read_text(encoding="utf-8")
    pattern = rf"<!-- results:{marker} -->.*<!-- /results:{marker} -->"
    text = re.sub(pattern, lambda _: block, text, flags=re.S)
    DOCS.write_text(text, encoding="utf-8")
    print(f"recorded in {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
