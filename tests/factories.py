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


# --- a digest readers must not see ---------------------------------------------------

# Every state of a digest that is not published; a reader sees none of them.
UNPUBLISHED_STATES = [
    Digest.Status.DRAFT,
    Digest.Status.REVIEW,
    Digest.Status.SCHEDULED,
    Digest.Status.UNPUBLISHED,
]

# A day with a section, topic, source, tag and words of its own, in a month of its own,
# so that a leak anywhere on the reader site shows as one of SECRET_WORDS.
SECRET_BRIEFING = """每日科技新闻速览(2026-12-05)
草稿栏目
草稿主题-草稿独有标题
只在草稿里出现的正文,包含独有词语量子纠缠麒麟。
来源:草稿来源
标签:草稿标签
# 深度解析
深度解析:草稿分析
背景:说明。
趋势总结
- 趋势:说明。
今日核心趋势总结:总结。
"""
SECRET_WORDS = ["草稿独有标题", "草稿来源", "草稿标签", "草稿栏目", "草稿主题", "量子纠缠麒麟"]


def unpublished(text, status, reviewer):
    """``text`` imported and moved, as the desk would, into ``status``: a draft, in
    review, scheduled for tomorrow, or published and then withdrawn."""
    from digests import workflow
    from digests.briefing import parse_text
    from digests.importing import import_briefing

    found = import_briefing(parse_text(text))
    if status != Digest.Status.DRAFT:
        workflow.submit(found, None)
    if status == Digest.Status.SCHEDULED:
        workflow.schedule(found, reviewer, timezone.now() + datetime.timedelta(days=1))
    if status == Digest.Status.UNPUBLISHED:
        workflow.publish(found, reviewer)
        workflow.withdraw(found, reviewer, "事实有误")
    found.refresh_from_db()
    assert found.status == status
    return found
