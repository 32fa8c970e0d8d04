"""Throughput under gunicorn, as ratios to a trivial view measured by the same server.

Absolute numbers on a shared two-core machine mean little, so every page is
measured against ``/healthz`` (the middleware stack, ``SELECT 1`` and, with
Redis, a PING), run by the same server just before and after it. Three
servers: the page cache on ("warm"), off ("cold": as right after a
publication), and off with nothing kept for day pages either. ``wrk``
(Debian's package) loads them, or a small Python client when it is missing.
"""

import http.client
import json
import re
import shutil
import signal
import socket
import statistics
import subprocess
import threading
import time

from databases import PYTHON, ROOT, VAR, production_env, shell

PUBLISH_UNDER_LOAD = ROOT / "bench" / "publish_under_load.py"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on loopback in production settings, stopped on leaving the ``with``."""

    def __init__(self, env, workers):
        self.env, self.workers, self.port = env, workers, free_port()

    def __enter__(self):
        command = [PYTHON, "-m", "gunicorn", "newsroom.wsgi", "--workers", str(self.workers)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if fetch(self.port, "/healthz") == 200:
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def fetch(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def load_wrk(port, paths, seconds, connections):
    script = VAR / "paths.lua"
    script.write_text(
        "paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
        "i = 0\nrequest = function()\n  i = i % #paths + 1\n"
        "  return wrk.format('GET', paths[i])\nend\n"
    )
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script)]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}"], check=True, capture_output=True, text=True
    ).stdout
    latencies = {}
    for label in ("50%", "99%"):
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        latencies[label] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
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
            started = time.perf_counter()
            status = fetch(port, path)
            with lock:
                timings.append((time.perf_counter() - started) * 1000)
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


LOAD = load_wrk if shutil.which("wrk") else load_python


def measure(server, name, paths, seconds, connections, aim=None, warm=4):
    for _ in range(warm):  # rounds to fill what each worker process keeps
        for path in paths:
            fetch(server.port, path)
    result = {"name": name, "aim": aim, **LOAD(server.port, paths, seconds, connections)}
    print(
        f"  {name:22} {result['rps']:8.1f} req/s   p50 {result['p50_ms']:7.2f} ms   "
        f"p99 {result['p99_ms']:7.2f} ms   errors {result['errors']}",
        flush=True,
    )
    return result


def against_trivial(server, pages, load):
    """Each page between two runs of the trivial view; its ratio is to their mean.

    The machine's load drifts during a run; the trivial view measured just before
    and after each page follows it.
    """
    trivial = [measure(server, "trivial view", ["/healthz"], **load)]
    results = []
    for page in pages:
        result = measure(server, **page, **load)
        trivial.append(measure(server, "trivial view", ["/healthz"], **load))
        result["ratio"] = result["rps"] / statistics.mean(t["rps"] for t in trivial[-2:])
        if result["aim"] is not None:
            result["met"] = result["ratio"] >= result["aim"]
        results.append(result)
    rates = [t["rps"] for t in trivial]
    base = {
        "name": f"trivial view ({len(rates)} runs, {min(rates):.0f} to {max(rates):.0f} req/s)",
        "aim": None,
        "rps": statistics.mean(rates),
        "ratio": 1.0,
        "p50_ms": statistics.median(t["p50_ms"] for t in trivial),
        "p99_ms": statistics.median(t["p99_ms"] for t in trivial),
        "errors": sum(t["errors"] for t in trivial),
    }
    return [base, *results]


def recent_days(url, count):
    lines = shell(
        url,
        "from digests.models import Digest\n"
        f"for d in Digest.objects.published().order_by('-date')[:{count}]: "
        "print(d.get_absolute_url())",
    )
    return [line for line in lines if line.startswith("/")]


def run(url, redis_url, seconds, connections, workers):
    """Every throughput row on the database at ``url``."""
    days = recent_days(url, 200)
    months = list(dict.fromkeys(day.rsplit("/", 2)[0] + "/" for day in days))[:3]
    load = {"seconds": seconds, "connections": connections}
    servers = [
        (
            "page cache on",
            {"NEWSROOM_PAGE_CACHE_SECONDS": "3600"},
            [{"name": "day page, warm", "paths": [days[0]], "aim": 0.90}],
        ),
        (
            "page cache off",
            {"NEWSROOM_PAGE_CACHE_SECONDS": "0"},
            [
                {"name": "day page, cold", "paths": days, "aim": 0.30},
                {"name": "month page, cold", "paths": months},
                {"name": "RSS feed, cold", "paths": ["/feeds/rss/"]},
            ],
        ),
        (
            "page cache off, nothing kept for day pages",
            {"NEWSROOM_PAGE_CACHE_SECONDS": "0", "NEWSROOM_DAY_PAGE_CACHE_SECONDS": "0"},
            [{"name": "day page, nothing kept", "paths": days, "warm": 0}],
        ),
    ]
    results = []
    for title, settings, pages in servers:
        print(f"{title}:", flush=True)
        with Server(production_env(url, redis_url, settings), workers) as server:
            results += against_trivial(server, pages, load)
    return results


def publication_under_load(url, redis_url, seconds, connections, workers):
    """Readers' p99 while a digest is published, by bench/publish_under_load.py, if present.

    That script (which adds a day to the database) prints a summary line per run:
    the warm run's and the publication's p99 and errors are read from them. When
    it fails, or prints no such lines, the row says so and the run goes on.
    """
    if not PUBLISH_UNDER_LOAD.exists():
        return None
    command = [PYTHON, str(PUBLISH_UNDER_LOAD), "--seconds", str(seconds)]
    command += ["--connections", str(connections), "--workers", str(workers)]
    env = production_env(url, redis_url, {"BENCH_DATABASE_URL": url})
    print("publication under load:", flush=True)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    print(done.stdout, end="", flush=True)
    if done.returncode:
        print(done.stderr[-2000:], flush=True)
    line = r"^\s*{}.*?p99\s+([\d.]+) ms.*?errors (\d+)"
    warm = re.search(line.format(r"warm\b"), done.stdout, flags=re.M)
    during = re.search(line.format("from the publication on"), done.stdout, flags=re.M)
    if done.returncode or not (warm and during):
        return {"failed": f"exit status {done.returncode}, output not understood"}
    return {
        "warm_p99_ms": float(warm.group(1)),
        "p99_ms": float(during.group(1)),
        "errors": int(during.group(2)),
    }
