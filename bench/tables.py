"""The benchmark's two tables per database, in Markdown, and their place in docs/performance.md."""

import re

from databases import ROOT

DOCS = ROOT / "docs" / "performance.md"


def verdict(met):
    return "" if met is None else ("met" if met else "**not met**")


def latency_table(results):
    lines = ["| page | p50 ms | p95 ms | aim | |", "|---|---:|---:|---|---|"]
    for r in results:
        page = f"{r['group']}: {r['page']}"
        if "slowest" in r:
            slowest = r["slowest"]
            page += f"; slowest `{slowest['url']}` "
            page += f"(p50 {slowest['p50']:.0f}, p95 {slowest['p95']:.0f} ms)"
        if r["cache_hits"]:
            page += f" ({r['cache_hits']} answers came from a cache)"
        if r["met"] is None:
            lines.append(
                f"| {page} | | | {r['aim']} | not measured: the latest day links to none |"
            )
            continue
        lines.append(
            f"| {page} | {r['p50']:.1f} | {r['p95']:.1f} | {r['aim']} | {verdict(r['met'])} |"
        )
    return "\n".join(lines)


def throughput_table(results, publication):
    lines = [
        "| page | req/s | ratio to trivial | p50 ms | p99 ms | aim | |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        aim = f"≥ {r['aim']:.2f}" if r["aim"] is not None else ""
        errors = f" ({r['errors']} errors)" if r["errors"] else ""
        lines.append(
            f"| {r['name']}{errors} | {r['rps']:.0f} | {r['ratio']:.2f} | {r['p50_ms']:.1f} "
            f"| {r['p99_ms']:.1f} | {aim} | {verdict(r.get('met'))} |"
        )
    if publication and "failed" in publication:
        lines.append(
            f"| home and day page while a digest is published | | | | "
            f"| p99 ≤ 3× warm, 0 errors | not measured: {publication['failed']} |"
        )
    elif publication:
        p = publication
        times = p["p99_ms"] / p["warm_p99_ms"]
        met = times <= 3 and p["errors"] == 0
        lines.append(
            f"| home and day page while a digest is published ({p['errors']} errors) | | "
            f"| | {p['p99_ms']:.1f} ({times:.1f}× warm {p['warm_p99_ms']:.1f}) "
            f"| p99 ≤ 3× warm, 0 errors | {verdict(met)} |"
        )
    return "\n".join(lines)


def block(kind, meta, latency, throughput, publication):
    """What --write-docs puts between the ``results:<kind>`` markers."""
    parts = [
        f"Measured {meta['date']} on {meta['machine']}, {meta['days']} days, "
        f"{meta['cache']} cache:\n`{meta['command']}`"
    ]
    if latency:
        parts.append(f"In process, each request cold ({meta['repeats']} requests per URL):")
        parts.append(latency_table(latency))
    if throughput:
        parts.append(
            f"Under gunicorn ({meta['workers']} workers, {meta['client']} with "
            f"{meta['connections']} connections for {meta['duration']} s per page):"
        )
        parts.append(throughput_table(throughput, publication))
    body = "\n\n".join(parts)
    return f"<!-- results:{kind} -->\n{body}\n<!-- /results:{kind} -->"


def write_docs(path, kind, text):
    """Replace the ``results:<kind>`` block of the document at ``path`` with ``text``."""
    document = path.read_text(encoding="utf-8")
    pattern = rf"<!-- results:{kind} -->.*?<!-- /results:{kind} -->"
    if not re.search(pattern, document, flags=re.S):
        raise SystemExit(f"{path} has no <!-- results:{kind} --> … <!-- /results:{kind} --> block")
    path.write_text(re.sub(pattern, lambda _: text, document, flags=re.S), encoding="utf-8")
    print(f"recorded in {path}")
