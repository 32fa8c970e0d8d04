"""Read a digest back out of the database as a ``Briefing``, then as text, Markdown or JSON."""

import json

from digests.briefing import (
    Analysis,
    Briefing,
    BriefingItem,
    Labelled,
    Section,
    Trends,
    render_markdown,
    render_text,
)

FORMATS = ("text", "markdown", "json")


def item_claims(digest):
    """The digest's items' claims by item pk, as the briefing's dicts: the desk's
    corrections applied, dismissed ones left out (``content_prefetches`` fetches them)."""
    claims = {}
    for claim in digest.claims.all():
        if claim.item_id is None or claim.status == claim.Status.DISMISSED:
            continue
        claims.setdefault(claim.item_id, []).append(claim_values(claim))
    return claims


def claim_values(claim):
    """A stored claim as the briefing's dict (value and high still Decimals)."""
    return {
        "text": claim.text,
        "value": claim.value,
        "unit": claim.unit,
        "bound": claim.bound,
        "high": claim.high,
        "measure": claim.measure,
    }


def briefing_from_digest(digest, claims=False):
    """The digest as a ``Briefing``; with ``claims`` (the JSON) each item lists its numeric
    claims and each trend point its supporting items."""
    by_item = item_claims(digest) if claims else {}
    sections = [
        Section(
            name=category.name,
            items=[
                BriefingItem(
                    topic=item.topic,
                    title=item.title,
                    body=item.body,
                    source=item.source.name if item.source else None,
                    url=item.url or None,
                    tags=[tag.name for tag in item.tag_list],
                    claims=by_item.get(item.pk, []) if claims else None,
                )
                for item in items
            ],
        )
        for category, items in digest.sections()
    ]
    analysis = getattr(digest, "analysis", None)
    trends = getattr(digest, "trend_summary", None)
    # A trend point's supporting items as their 1-based numbers in the day's order.
    in_order = (item for _category, items in digest.sections() for item in items)
    numbers = {item.pk: n for n, item in enumerate(in_order, start=1)}
    return Briefing(
        date=digest.date,
        title=digest.title,
        lede=digest.lede,
        status=digest.status,
        sections=sections,
        analysis=Analysis(
            title=analysis.title,
            paragraphs=[Labelled(p.label, p.text) for p in analysis.paragraphs.all()],
        )
        if analysis
        else None,
        trends=Trends(
            points=[
                Labelled(
                    p.label,
                    p.text,
                    # With the claims, the JSON's other addition (the text has neither);
                    # left out when the editor chose none, as before points had items.
                    items=_numbers(p, numbers) if claims else None,
                )
                for p in trends.points.all()
            ],
            summary=trends.summary,
        )
        if trends
        else None,
    )


def _numbers(point, numbers):
    """A trend point's supporting items as sorted 1-based numbers, or None if it has none."""
    return sorted(numbers[pk] for pk in point.item_ids if pk in numbers) or None


def export_digest(digest, fmt):
    """Render a digest in one of ``FORMATS``; returns a string."""
    briefing = briefing_from_digest(digest, claims=fmt == "json")
    if fmt == "text":
        return render_text(briefing)
    if fmt == "markdown":
        return render_markdown(briefing)
    if fmt == "json":
        return json.dumps(briefing.to_dict(), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
