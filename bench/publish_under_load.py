"""Readers while a digest is published: no one may wait for a rebuild (issue 9, point 4).

    BENCH_DATABASE_URL=postgres://… REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/publish_under_load.py [--seconds 20] [--connections 16]

It prepares a new day in review (the day after the latest in the database,
generated as ``generate_demo`` does), serves the site with gunicorn (2
workers, production settings, the page cache on, Redis when ``REDIS_URL`` is
set) and runs the task worker (``db_worker``) beside it. Then ``connections``
readers load the home page and the new day's page, one request after another,
twice: a run during which the day is published (a third of the way in), then a
warm run once everything is refreshed. It prints p50/p99 per run, the ratio of
the p99 from the publication on to the warm one (the aim: within 3x), the errors (any
5xx or failed connection; the new day's 404 before its publication is not an
error), how long after the publication the home page showed the new day, and
what the page cache answered (``X-Cache``). It writes into the database it is
given: use a copy.
"""

import argparse
import collections
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"


def env():
    base = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key-not-for-production-use-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'var' / 'bench.sqlite3'}"
        ),
        "NEWSROOM_PAGE_CACHE_SECONDS": "3600",
        "LOG_LEVEL": "ERROR",  # not the new day's 404s before its publication
    }
    return base


def shell(code, extra=None):
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**env(), **(extra or {})},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()


PREPARE = """
import datetime, random
from digests import workflow
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.management.commands.generate_demo import briefing_text
from digests.models import Digest
day = Digest.objects.order_by("-date").values_list("date", flat=True).first()
day = day + datetime.timedelta(days=1)
digest = import_briefing(parse_text(briefing_text(day, random.Random(day.toordinal()))))
workflow.submit(digest, None)
print(digest.pk, digest.get_absolute_url())
"""

# Started before the readers (Django's start-up is not timed); publishes on a line of input.
PUBLISH = """
import sys
from digests import workflow
from digests.models import Digest
digest = Digest.objects.get(pk={pk})
print("ready", flush=True)
sys.stdin.readline()
workflow.publish(digest, None)
print("published", flush=True)
"""


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def fetch(port, path):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.getheader("X-Cache", "-"), body


def start(port, workers):
    # The worker renders pages under the site's address: this server's.
    os.environ["NEWSROOM_SITE_URL"] = f"http://{HOST}:{port}"
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "newsroom.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(),
    )
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--interval", "0.2", "--no-reload", "-v0"],
        cwd=ROOT,
        env=env(),
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if fetch(port, "/healthz")[0] == 200:
                return server, worker
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def load(port, paths, seconds, connections, at=None, action=None):
    """Readers for ``seconds``; ``action`` runs ``at`` seconds in. Returns the samples."""
    start = time.perf_counter()
    stop = start + seconds
    samples, lock = [], threading.Lock()

    def reader(offset):
        n = offset
        while time.perf_counter() < stop:
            path = paths[n % len(paths)]
            n += 1
            began = time.perf_counter()
            try:
                status, cache, body = fetch(port, path)
            except OSError:
                status, cache, body = 0, "-", b""
            ended = time.perf_counter()
            with lock:
                samples.append((began - start, (ended - began) * 1000, path, status, cache, body))

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(connections)]
    for thread in threads:
        thread.start()
    moments = None
    if action is not None:
        time.sleep(at)
        began = time.perf_counter() - start
        action()
        moments = began, time.perf_counter() - start
    for thread in threads:
        thread.join()
    return samples, moments


def p99(values):
    values = sorted(values)
    return values[max(0, int(len(values) * 0.99) - 1)]


def summary(name, samples):
    times = [s[1] for s in samples]
    errors = sum(1 for s in samples if s[3] == 0 or s[3] >= 500)
    caches = collections.Counter(s[4] for s in samples)
    print(
        f"  {name:28} {len(samples):6d} requests  p50 {statistics.median(times):7.1f} ms  "
        f"p99 {p99(times):7.1f} ms  max {max(times):7.1f} ms  errors {errors}  "
        f"X-Cache {dict(caches)}",
        flush=True,
    )
    return p99(times), errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env(), check=True
    )
    pk, day_path = shell(PREPARE)[-1].split()
    print(f"new day in review: {day_path}; cache: {os.environ.get('REDIS_URL') or 'local memory'}")
    port = free_port()
    server, worker = start(port, args.workers)
    publisher = subprocess.Popen(
        [PYTHON, "manage.py", "shell", "-c", PUBLISH.format(pk=pk)],
        cwd=ROOT,
        env=env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        while publisher.stdout.readline().strip() != "ready":
            pass
        paths = ["/", day_path]
        for _ in range(5):
            for path in paths:
                fetch(port, path)

        def publish():
            publisher.stdin.write("go\n")
            publisher.stdin.flush()
            while publisher.stdout.readline().strip() != "published":
                pass

        during, (moment, committed) = load(
            port, paths, args.seconds, args.connections, at=args.seconds / 3, action=publish
        )
        after = [s for s in during if s[0] >= moment]
        summary("whole run", during)
        during_p99, errors = summary("from the publication on", after)
        marker = f'<time datetime="{day_path.strip("/").replace("/", "-")}"'.encode()
        shown = [s[0] + s[1] / 1000 for s in after if s[2] == "/" and marker in s[5]]
        first = min(shown) - committed if shown else float("nan")
        print(
            f"  the publication took {committed - moment:.2f} s; the home page showed "
            f"the new day {first:.2f} s after it committed"
        )
        # Warm: the same pages once everything is refreshed (all from the page cache).
        time.sleep(2)
        warm, _ = load(port, paths, args.seconds, args.connections)
        warm_p99, _ = summary("warm (after)", warm)
        print(
            f"  p99 from the publication on / warm p99: {during_p99 / warm_p99:.2f} "
            f"(aim: at most 3); errors: {errors} (aim: 0)"
        )
    finally:
        for process in (server, worker, publisher):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
