"""The story lookup against the whole archive: ``similar_items`` for sampled items, timed.

    python bench/story.py --kind postgresql [--rebuild] [--samples 60] [--repeats 5]
    DATABASE_URL=… DEBUG=0 SECRET_KEY=… python bench/story.py --out FILE

With ``--kind`` it runs itself on that benchmark database (bench/databases.py)
with production settings; without it, on the database the environment names.
``--rebuild`` first fills the story index with ``rebuild_story_index`` and
times it. For each of ``--samples`` items (a fixed random sample of the
archive), loaded with its digest as the desk has it, the lookup is timed
``--repeats`` times for the desk's window (``NEWSROOM_STORY_DAYS``, the
default) and for the whole archive (``days=None``); the first lookup of each
is untimed (imports, the tokenizer). It prints p50/p95/max in milliseconds,
how many earlier items each lookup returned, the queries per lookup and
whether the database's plan of the band query goes through ``storyband_window``
(an index, not a scan).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

from latency import percentile  # noqa: E402

AIM_MS = ("p95", 20)  # the aim for one lookup
SEED = 12


def rebuild(url):
    """Run ``rebuild_story_index`` on the database at ``url`` (then ``ANALYZE`` the bands on
    PostgreSQL, for the planner); the seconds the rebuild took."""
    from databases import manage

    started = time.perf_counter()
    manage(url, "rebuild_story_index", "--batch", "2000", capture=True)
    seconds = time.perf_counter() - started
    if url.startswith("postgres"):
        manage(url, "dbshell", "--", "-c", "ANALYZE digests_storyband", capture=True)
    return seconds


def sample(count):
    """``count`` item ids, a fixed random sample of the published archive."""
    from digests.models import Item

    ids = list(Item.objects.published().order_by("pk").values_list("pk", flat=True))
    return random.Random(SEED).sample(ids, min(count, len(ids)))


def plan(item):
    """The database's plan of the band query of one lookup (the lookup's last-but-one
    query when the item is loaded with its digest)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from digests.story.index import similar_items

    with CaptureQueriesContext(connection) as queries:
        similar_items(item, days=None)
    sql = queries.captured_queries[-1]["sql"]
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return "\n".join(" ".join(map(str, row)) for row in cursor.fetchall())


def time_lookups(ids, repeats, days):
    """Milliseconds of every timed lookup, the items each found, and queries per lookup."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from digests.models import Item
    from digests.story.index import similar_items

    timings, found, queries = [], [], set()
    for pk in ids:
        item = Item.objects.select_related("digest").get(pk=pk)
        similar_items(item, days=days)
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = similar_items(item, days=days)
                timings.append((time.perf_counter() - started) * 1000)
            queries.add(len(captured.captured_queries))
        found.append(len(result))
    return timings, found, sorted(queries)


def summary(label, timings, found, queries):
    statistic, aim = AIM_MS
    values = {"p50": percentile(timings, 50), "p95": percentile(timings, 95)}
    return {
        "lookup": label,
        "p50": round(values["p50"], 2),
        "p95": round(values["p95"], 2),
        "max": round(max(timings), 2),
        "aim": f"{statistic} < {aim} ms",
        "met": values[statistic] < aim,
        "found_median": percentile(found, 50),
        "found_max": max(found),
        "queries": queries,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["postgresql", "sqlite"], help="a benchmark database")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the story index first")
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, help="where to write the JSON")
    args = parser.parse_args()
    if args.kind:
        from databases import database_url, production_env

        url = database_url(args.kind)
        seconds = rebuild(url) if args.rebuild else None
        if seconds is not None:
            print(f"rebuild_story_index: {seconds:.0f} s", flush=True)
        command = [sys.executable, __file__, "--samples", str(args.samples)]
        command += ["--repeats", str(args.repeats)]
        command += ["--out", str(args.out)] if args.out else []
        subprocess.run(command, env=production_env(url), check=True)
        return

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from digests.models import Item
    from digests.models.memory import StoryBand

    items, bands = Item.objects.count(), StoryBand.objects.count()
    print(f"{connection.vendor}: {items} items, {bands} story bands", flush=True)
    if not bands:
        raise SystemExit("The story index is empty: run rebuild_story_index (or --rebuild).")
    ids = sample(args.samples)
    item = Item.objects.select_related("digest").get(pk=ids[0])
    shown = plan(item)
    indexed = "storyband_window" in shown
    results = {"items": items, "bands": bands, "uses_storyband_window": indexed}
    if args.out is None:
        print(shown, flush=True)
    print(f"band query through storyband_window: {results['uses_storyband_window']}", flush=True)
    rows = []
    window = settings.NEWSROOM_STORY_DAYS
    for label, days in ((f"{window} days", window), ("whole archive", None)):
        row = summary(label, *time_lookups(ids, args.repeats, days))
        rows.append(row)
        print(
            f"  {label:14} p50 {row['p50']:6.2f} ms  p95 {row['p95']:6.2f} ms  "
            f"max {row['max']:6.2f} ms  found median {row['found_median']}, "
            f"max {row['found_max']}  queries {row['queries']}  "
            f"{'met' if row['met'] else 'MISSED'} ({row['aim']})",
            flush=True,
        )
    results["lookups"] = rows
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
