"""Benchmark the site at archive scale, on PostgreSQL and on SQLite: two tables per database.

    .venv/bin/python bench/run.py [--database postgresql sqlite] [--days 6000]
        [--redis] [--quick] [--write-docs]

For each database it fills a benchmark database with generated days (kept for
the next run; bench/databases.py says where), migrates it and reindexes what
the tokenizer changed, then measures:

1. **In-process cold latency** (bench/latency.py): Django's test client in one
   process, production settings, the cache cleared before every request; p50
   and p95 per page kind (search, lists, feeds, the desk, day and month pages)
   against the aims of issue 9.
2. **Throughput under gunicorn** (bench/throughput.py), as ratios to a trivial
   view measured by the same server in the same run, and the readers' p99
   while a digest is published (bench/publish_under_load.py, when present).

``--write-docs`` records both tables in docs/performance.md between the
``<!-- results:postgresql -->`` / ``<!-- results:sqlite -->`` markers; every
run's raw numbers are kept in bench/results/.
"""

import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import tables
import throughput
from databases import PYTHON, ROOT, VAR, database_url, machine, prepare, production_env

RESULTS = ROOT / "bench" / "results"


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", nargs="+", choices=["postgresql", "sqlite"], default=["postgresql", "sqlite"]
    )
    parser.add_argument("--sqlite-path", help="the SQLite file (default bench/var/bench.sqlite3)")
    parser.add_argument("--days", type=int, default=6000)
    parser.add_argument("--repeats", type=int, default=20, help="cold requests per URL")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--redis",
        action="store_true",
        help="use Redis (REDIS_URL, default db 14) as the cache; the benchmark flushes that db",
    )
    parser.add_argument("--only", choices=["latency", "throughput"], help="one table only")
    parser.add_argument("--quick", action="store_true", help="5 requests per URL, 3 s of wrk")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--docs", type=Path, default=tables.DOCS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.duration = 5, 3
    return args


def latency(url, redis_url, repeats):
    print("in-process cold latency:", flush=True)
    out = VAR / "latency.json"
    command = [PYTHON, str(ROOT / "bench" / "latency.py"), "--repeats", str(repeats)]
    # Cold means every layer: cache.clear() does not reach a worker's own page memory
    # in front of Redis (ignored if that setting goes).
    env = production_env(url, redis_url, {"NEWSROOM_RECENT_PAGES": "0"})
    if subprocess.run([*command, "--out", str(out)], env=env).returncode:
        raise SystemExit("bench/latency.py failed (above)")
    return json.loads(out.read_text(encoding="utf-8"))


def main():
    args = arguments()
    redis_url = None
    if args.redis:
        redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    for kind in args.database:
        url = database_url(kind, args.sqlite_path)
        print(f"== {kind}: preparing {args.days} days …", flush=True)
        prepare(url, args.days)
        meta = {
            "database": kind,
            "date": datetime.date.today().isoformat(),
            "machine": machine(url),
            "command": shlex.join(["python", "bench/run.py", *sys.argv[1:]]),
            "days": args.days,
            "cache": "Redis" if redis_url else "local-memory",
            "repeats": args.repeats,
            "workers": args.workers,
            "connections": args.connections,
            "duration": args.duration,
            "client": throughput.LOAD.__name__.removeprefix("load_"),
        }
        cold, rates, publication = [], [], None
        if args.only != "throughput":
            cold = latency(url, redis_url, args.repeats)
        if args.only != "latency":
            rates = throughput.run(url, redis_url, args.duration, args.connections, args.workers)
            publication = throughput.publication_under_load(
                url, redis_url, 2 * args.duration, args.connections, args.workers
            )
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y-%m-%dT%H%M%S")
        record = {"meta": meta, "latency": cold, "throughput": rates, "publication": publication}
        (RESULTS / f"{stamp}-{kind}.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        text = tables.block(kind, meta, cold, rates, publication)
        print(f"\n{text}\n", flush=True)
        if args.write_docs:
            tables.write_docs(args.docs, kind, text)


if __name__ == "__main__":
    main()
