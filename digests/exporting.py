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


def briefing_from_digest(digest):
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
                )
                for item in items
            ],
        )
        for category, items in digest.sections()
    ]
    analysis = getattr(digest, "analysis", None)
    trends = getattr(digest, "trend_summary", None)
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
            points=[Labelled(p.label, p.text) for p in trends.points.all()],
            summary=trends.summary,
        )
        if trends
        else None,
    )


def export_digest(digest, fmt):
    """Render a digest in one of ``FORMATS``; returns a string."""
    briefing = briefing_from_digest(digest)
    if fmt == "text":
        return render_text(briefing)
    if fmt == "markdown":
        return render_markdown(briefing)
    if fmt == "json":
        return json.dumps(briefing.to_dict(), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
