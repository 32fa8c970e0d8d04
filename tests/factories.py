"""Small builders for test data: each makes one object with sensible defaults."""

import datetime
import itertools

from django.utils import timezone

from digests.models import (
    Analysis,
    AnalysisParagraph,
    Category,
    Digest,
    Item,
    Source,
    TrendPoint,
    TrendSummary,
)

_counter = itertools.count(1)


def category(name=None, **fields):
    return Category.objects.create(name=name or f"栏目{next(_counter)}", **fields)


def source(name=None, **fields):
    return Source.objects.create(name=name or f"来源{next(_counter)}", **fields)


def digest(date=None, status=Digest.Status.DRAFT, **fields):
    """A digest put straight into ``status`` (test set-up only; the desk uses the workflow)."""
    if date is None:
        date = datetime.date(2026, 1, 1) + datetime.timedelta(days=next(_counter))
    if status in (Digest.Status.PUBLISHED, Digest.Status.UNPUBLISHED):
        fields.setdefault("published_at", timezone.now())
    if status == Digest.Status.SCHEDULED:
        fields.setdefault("publish_at", timezone.now() + datetime.timedelta(hours=1))
    return Digest.objects.create(date=date, status=status, **fields)


def item(digest, category=None, source=None, position=None, **fields):
    n = next(_counter)
    fields.setdefault("topic", "AI技术")
    fields.setdefault("title", f"第{n}条新闻标题")
    fields.setdefault("body", f"第{n}条新闻的正文,包含一些细节。")
    return Item.objects.create(
        digest=digest,
        category=category or Category.objects.first() or globals()["category"](),
        source=source,
        position=n if position is None else position,
        **fields,
    )


def full_digest(date=None, status=Digest.Status.DRAFT, items=3, **fields):
    """A digest that passes every edition check: sourced items, analysis and trends."""
    d = digest(date=date, status=status, **fields)
    section = Category.objects.first() or category("AI技术动态")
    origin = Source.objects.first() or source("新华网")
    for _ in range(items):
        item(d, category=section, source=origin)
    analysis = Analysis.objects.create(digest=d, title="分析标题")
    AnalysisParagraph.objects.create(
        analysis=analysis, position=1, label="背景", text="背景说明。"
    )
    trends = TrendSummary.objects.create(digest=d, summary="今日核心趋势。")
    TrendPoint.objects.create(trend_summary=trends, position=1, label="趋势", text="趋势说明。")
    return d
