"""Edition checks: what a digest must have before it moves toward readers.

Each check looks at a digest (fetched with ``Digest.objects.with_contents()``)
and returns the list of problems it found, in the desk's words. The level of
each check is its own default, which ``settings.NEWSROOM_EDITION_CHECKS`` may
override: ``required`` checks block a transition, ``recommended`` ones are shown
as warnings, ``off`` ones are not run. The import preview runs the same checks on
a parsed briefing through ``briefing_edition``.
"""

from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digests.claims.checks import analysis_numbers_supported, claims_consistent
from digests.models import ItemLink
from digests.sources.checks import source_share

REQUIRED, RECOMMENDED, OFF = "required", "recommended", "off"


def items_complete(digest):
    problems = []
    for item in digest.items.all():
        missing = [
            name
            for name, value in (
                (_("topic"), item.topic),
                (_("headline"), item.title),
                (_("body"), item.body),
                (_("source"), item.source_id),
            )
            if not (value.strip() if isinstance(value, str) else value)
        ]
        if missing:
            problems.append(
                _("“%(heading)s” has no %(fields)s")
                % {"heading": item.heading, "fields": "、".join(missing)}
            )
    return problems


def sections_not_empty(digest):
    """Sections appear through their items, so an empty edition is what this catches."""
    sections = digest.sections()
    if not sections:
        return [_("The digest has no items, so no sections.")]
    return [
        _("The section “%(name)s” has no items.") % {"name": category.name}
        for category, items in sections
        if not items
    ]


def unique_headlines(digest):
    counts = Counter(item.title.strip() for item in digest.items.all())
    return [
        _("The headline “%(title)s” is used %(count)d times.") % {"title": title, "count": n}
        for title, n in counts.items()
        if n > 1
    ]


def analysis_present(digest):
    analysis = getattr(digest, "analysis", None)
    if analysis is None:
        return [_("The deep analysis (深度解析) is missing.")]
    if not analysis.paragraphs.all():
        return [_("The deep analysis has a title but no paragraphs.")]
    return []


def trends_present(digest):
    trends = getattr(digest, "trend_summary", None)
    if trends is None:
        return [_("The trend summary (趋势总结) is missing.")]
    problems = []
    if not trends.points.all():
        problems.append(_("The trend summary has no trend points."))
    if not trends.summary.strip():
        problems.append(_("The trend summary has no core summary (今日核心趋势总结)."))
    return problems


def comments_resolved(digest):
    """Open review comments; reads the digest's comments (prefetched on the change page)."""
    problems = []
    for comment in digest.comments.all():
        if comment.resolved_at is not None:
            continue
        about = comment.anchor_label or comment.get_anchor_display()
        problems.append(
            _("An open comment on %(about)s: “%(text)s”")
            % {"about": about, "text": Truncator(comment.body).chars(60)}
        )
    return problems


def no_repeats(digest):
    """Items the desk marked a repeat of an earlier published item (``digests.story.desk``)."""
    return [
        _("“%(heading)s” repeats “%(earlier)s”, reported on %(date)s.")
        % {
            "heading": link.item.heading,
            "earlier": link.earlier.heading,
            "date": link.earlier.digest.date.isoformat(),
        }
        for link in repeats(digest)
    ]


def repeat_count():
    """The digest's items marked a repeat, counted within the digest's own query.

    The change page and the desk home annotate their digests with it, so that
    ``no_repeats`` costs no query when (as nearly always) nothing is a repeat.
    """
    counted = (
        ItemLink.objects.filter(item__digest=OuterRef("pk"), kind=ItemLink.Kind.REPEAT)
        .order_by()
        .values("item__digest")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def repeats(digest):
    """The repeat links of the digest's items, in the items' order: none, or one query."""
    if getattr(digest, "repeat_count", None) == 0:
        return []
    return list(
        ItemLink.objects.filter(item__digest=digest, kind=ItemLink.Kind.REPEAT)
        .select_related("item", "earlier__digest")
        .order_by("item__position", "item_id", "earlier__digest__date")
    )


@dataclass(frozen=True)
class Check:
    title: str
    run: object
    default: str = REQUIRED


CHECKS = {
    "items_complete": Check(
        gettext_lazy("Every item has a topic, a headline, a body and a source"),
        items_complete,
    ),
    "sections_not_empty": Check(gettext_lazy("No section is empty"), sections_not_empty),
    "unique_headlines": Check(gettext_lazy("No two items share a headline"), unique_headlines),
    "analysis_present": Check(gettext_lazy("The deep analysis is there"), analysis_present),
    "trends_present": Check(gettext_lazy("The trend summary is there"), trends_present),
    "comments_resolved": Check(
        gettext_lazy("Every review comment is resolved"), comments_resolved, RECOMMENDED
    ),
    "no_repeats": Check(
        gettext_lazy("No item repeats a story already reported"), no_repeats, RECOMMENDED
    ),
    "analysis_numbers_supported": Check(
        gettext_lazy("Every number of the analysis and the trends is reported by an item"),
        analysis_numbers_supported,
        RECOMMENDED,
    ),
    "claims_consistent": Check(
        gettext_lazy("No number contradicts one published in the last 90 days"),
        claims_consistent,
        RECOMMENDED,
    ),
    "source_share": Check(
        gettext_lazy("No individual account supplies too large a share of the items"),
        source_share,
        RECOMMENDED,
    ),
}


@dataclass
class CheckResult:
    name: str
    title: str
    level: str
    problems: list = field(default_factory=list)

    @property
    def passed(self):
        return not self.problems

    @property
    def blocks(self):
        return self.level == REQUIRED and not self.passed


def levels():
    """Each check's level: its own default, unless the setting names it."""
    configured = getattr(settings, "NEWSROOM_EDITION_CHECKS", {})
    unknown = set(configured) - set(CHECKS)
    if unknown:
        raise ValueError(f"NEWSROOM_EDITION_CHECKS names unknown checks: {sorted(unknown)}")
    return {name: configured.get(name, check.default) for name, check in CHECKS.items()}


def run_checks(digest):
    """Run every check that is not off; returns a list of ``CheckResult``."""
    results = []
    for name, level in levels().items():
        if level == OFF:
            continue
        check = CHECKS[name]
        results.append(
            CheckResult(name=name, title=str(check.title), level=level, problems=check.run(digest))
        )
    return results


class _Rows(list):
    """A list that answers ``.all()``, as a related manager does."""

    def all(self):
        return self


def briefing_edition(briefing):
    """A parsed ``Briefing`` shaped as the checks read a digest, for the import preview.

    It offers ``items.all()`` (topic, title, body, source_id, heading, category),
    ``sections()``, ``analysis`` (title, ``paragraphs.all()``) and ``trend_summary``
    (summary, ``points.all()``), ``comments.all()`` (none: a briefing not yet
    imported has no review comments) and ``repeat_count`` (0: nor story links). A
    check that reads more must extend it; tests/test_import_desk.py compares the
    results on a briefing and on its import.
    """
    sections = []
    for section in briefing.sections:
        category = SimpleNamespace(name=section.name)
        items = _Rows(
            SimpleNamespace(
                topic=item.topic,
                title=item.title,
                body=item.body,
                source_id=item.source or None,
                heading=item.heading,
                category=category,
            )
            for item in section.items
        )
        if items:
            sections.append((category, items))
    analysis, trends = briefing.analysis, briefing.trends
    return SimpleNamespace(
        items=_Rows(item for _, items in sections for item in items),
        sections=lambda: sections,
        analysis=analysis
        and SimpleNamespace(title=analysis.title, paragraphs=_Rows(analysis.paragraphs)),
        trend_summary=trends
        and SimpleNamespace(summary=trends.summary, points=_Rows(trends.points)),
        comments=_Rows(),
        repeat_count=0,
    )
