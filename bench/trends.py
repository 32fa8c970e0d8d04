"""/trends/, a topic's and a section's trend page, timed cold against the whole archive.

    python bench/trends.py --kind postgresql [--prepare 6000] [--rebuild] [--repeats 20]
    DATABASE_URL=… DEBUG=0 SECRET_KEY=… python bench/trends.py --out FILE

With ``--kind`` it runs itself on that benchmark database (bench/databases.py)
with production settings; without it, on the database the environment names.
``--prepare DAYS`` first fills the database up to that many generated days
(``bench/databases.py``'s ``prepare``); ``--rebuild`` rewrites the trends'
counts with ``rebuild_trends`` and times it (done anyway when there are none,
as in an archive generated before /trends/ existed).

Each page is asked once untimed (imports, templates), then ``--repeats`` times
**cold**: the cache is cleared before every request and the address carries a
query string never asked before, so the page cache is missed and the page is
built from the database, as after a publication. It
prints p50/p95/max in milliseconds and the queries per page, against the
issue's aim (p95 under 100 ms at 16 years of briefings).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

from latency import percentile  # noqa: E402

AIM_MS = ("p95", 100)


def rebuild(url):
    """Run ``rebuild_trends`` on the database at ``url`` (then ``ANALYZE`` its table on
    PostgreSQL, for the planner); the seconds the rebuild took."""
    from databases import manage

    started = time.perf_counter()
    manage(url, "rebuild_trends", "--batch", "500", capture=True)
    seconds = time.perf_counter() - started
    if url.startswith("postgres"):
        manage(url, "dbshell", "--", "-c", "ANALYZE digests_topicday", capture=True)
    return seconds


def has_counts(url):
    from databases import shell

    printed = shell(url, "from digests.models import TopicDay; print(TopicDay.objects.exists())")
    return printed[-1] == "True"


def pages():
    """The pages to time: the overview, the archive's most frequent topic and section."""
    from django.db.models import Sum
    from django.urls import reverse

    from digests.models import Category, TopicDay

    def busiest(kind):
        row = (
            TopicDay.objects.published()
            .filter(kind=kind)
            .values("key")
            .annotate(n=Sum("items"))
            .order_by("-n", "key")
            .first()
        )
        return row and row["key"]

    found = {"/trends/": reverse("digests:trends")}
    topic = busiest(TopicDay.Kind.TOPIC)
    if topic:
        found["topic page"] = reverse("digests:trend-topic", args=[topic])
    section = busiest(TopicDay.Kind.SECTION)
    if section:
        slug = Category.objects.get(pk=int(section)).slug
        found["section page"] = reverse("digests:trend-section", args=[slug])
    return found


def time_page(client, url, repeats):
    """Milliseconds of ``repeats`` cold requests, and the queries each made."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    check(client.get(url), url)  # untimed: imports, templates
    timings, queries = [], set()
    for n in range(repeats):
        # Everything cleared, and an address never asked before: a worker's recent pages
        # (kept in front of Redis) cannot answer it either.
        cache.clear()
        asked = f"{url}?bench={time.time_ns()}-{n}"
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(asked)
            timings.append((time.perf_counter() - started) * 1000)
        check(response, url)
        if response.get("X-Cache", "miss") != "miss":
            raise SystemExit(f"{url} was served from the cache ({response['X-Cache']})")
        queries.add(len(captured.captured_queries))
    return timings, sorted(queries)


def check(response, url):
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")


def summary(label, url, timings, queries):
    statistic, aim = AIM_MS
    values = {"p50": percentile(timings, 50), "p95": percentile(timings, 95)}
    return {
        "page": label,
        "url": url,
        "requests": len(timings),
        "p50": round(values["p50"], 2),
        "p95": round(values["p95"], 2),
        "max": round(max(timings), 2),
        "aim": f"{statistic} < {aim} ms",
        "met": values[statistic] < aim,
        "queries": queries,
    }


def measure(repeats):
    """Every page's summary, on the database Django is set up with."""
    from django.test import Client

    client = Client()
    return [
        summary(label, url, *time_page(client, url, repeats)) for label, url in pages().items()
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["postgresql", "sqlite"], help="a benchmark database")
    parser.add_argument("--prepare", type=int, metavar="DAYS", help="fill up to DAYS days first")
    parser.add_argument("--rebuild", action="store_true", help="rewrite the trends' counts first")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--out", type=Path, help="where to write the JSON")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.kind:
        from databases import database_url, prepare, production_env

        url = database_url(args.kind)
        if args.prepare:
            prepare(url, args.prepare)
        if args.rebuild or not has_counts(url):
            print(f"rebuild_trends: {rebuild(url):.1f} s", flush=True)
        command = [sys.executable, __file__, "--repeats", str(args.repeats)]
        command += ["--out", str(args.out)] if args.out else []
        subprocess.run(command, env=production_env(url), check=True)
        return

    import django

    django.setup()
    from django.db import connection

    from digests.models import Digest, TopicDay

    days = Digest.objects.published().count()
    print(f"{connection.vendor}: {days} published days, {TopicDay.objects.count()} counts")
    results = {"days": days, "pages": measure(args.repeats)}
    for row in results["pages"]:
        print(
            f"  {row['page']:13} p50 {row['p50']:7.2f} ms  p95 {row['p95']:7.2f} ms  "
            f"max {row['max']:7.2f} ms  queries {row['queries']}  "
            f"{'met' if row['met'] else 'MISSED'} ({row['aim']})  {row['url']}",
            flush=True,
        )
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
