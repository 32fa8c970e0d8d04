"""The claims' edition checks (``digests.edition`` lists them).

A saved digest is checked on its stored claims (the desk's corrections applied,
dismissed numbers left out: ``content_prefetches`` fetches them); the import
preview's briefing (``edition.briefing_edition``) on the numbers the pure
extractor finds in its text, which is what an import would store.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from digests.briefing import claim_matching
from digests.briefing import claims as extractor
from digests.claims.ledger import pure
from digests.models import Claim, Digest, Item

B = Claim.Block


@dataclass(frozen=True)
class Entry:
    """One number of a digest, with where it is in the desk's words."""

    block: str
    where: str
    claim: extractor.Claim
    item: object = None


def _place(block, part, paragraphs, points):
    """The desk's name for a part of the analysis or the trends."""
    if block == B.ANALYSIS:
        if part == 0:
            return _("the analysis title")
        label = paragraphs[part - 1].label if part <= len(paragraphs) else ""
        return _("analysis, %(label)s") % {"label": label or part}
    if part == 0:
        return _("the core trend summary")
    label = points[part - 1].label if part <= len(points) else ""
    return _("trend “%(label)s”") % {"label": label or part}


def entries(digest):
    """The digest's numbers as ``Entry`` rows: stored for a saved digest, else extracted."""
    analysis = getattr(digest, "analysis", None)
    trends = getattr(digest, "trend_summary", None)
    paragraphs = list(analysis.paragraphs.all()) if analysis else []
    points = list(trends.points.all()) if trends else []
    if isinstance(digest, Digest) and digest.pk:
        items = {item.pk: item for item in digest.items.all()}
        return [
            Entry(
                row.block,
                items[row.item_id].heading
                if row.item_id
                else _place(row.block, row.part, paragraphs, points),
                pure(row),
                items.get(row.item_id),
            )
            for row in digest.claims.all()
            if row.status != Claim.Status.DISMISSED
        ]
    found = []
    for item in digest.items.all():
        for text in (item.title, item.body):
            found += [Entry(B.ITEM, item.heading, c, item) for c in extractor.extract(text)]
    parts = [(B.ANALYSIS, 0, analysis.title)] if analysis else []
    parts += [(B.ANALYSIS, n, p.text) for n, p in enumerate(paragraphs, start=1)]
    parts += [(B.TRENDS, 0, trends.summary)] if trends and trends.summary else []
    parts += [(B.TRENDS, n, p.text) for n, p in enumerate(points, start=1)]
    for block, part, text in parts:
        where = _place(block, part, paragraphs, points)
        found += [Entry(block, where, c) for c in extractor.extract(text)]
    return found


def _number(claim):
    if claim.measure:
        return _("“%(text)s” (%(measure)s)") % {"text": claim.text, "measure": claim.measure}
    return _("“%(text)s”") % {"text": claim.text}


def analysis_numbers_supported(digest):
    """Numbers of the analysis and the trends that no item of the day reports."""
    found = entries(digest)
    reported = [entry.claim for entry in found if entry.block == B.ITEM]
    return [
        _("%(where)s: %(number)s is reported by no item of the day.")
        % {"where": entry.where, "number": _number(entry.claim)}
        for entry in found
        if entry.block != B.ITEM
        and not any(claim_matching.supports(entry.claim, other) for other in reported)
    ]


def published_claims(digest, found):
    """Claims of published items in the ``NEWSROOM_CLAIMS_DAYS`` before the digest's day
    in a unit of ``found``'s measured numbers: one query, through the index on unit and
    digest (``contradicts`` then compares what they measure)."""
    date = getattr(digest, "date", None)
    measured = [entry.claim for entry in found if entry.claim.measure]
    if date is None or not measured:
        return []
    since = date - datetime.timedelta(days=settings.NEWSROOM_CLAIMS_DAYS)
    others = (
        Claim.objects.filter(
            item__isnull=False,
            unit__in={c.unit for c in measured},
            digest__in=Digest.objects.published().filter(date__gte=since, date__lte=date),
        )
        .exclude(status=Claim.Status.DISMISSED)
        .exclude(measure="")
        .select_related("digest", "item__source")
        .order_by("-digest__date", "item__position", "start")
    )
    if getattr(digest, "pk", None):
        others = others.exclude(digest_id=digest.pk)
    return list(others)


def _own_source(item):
    """“ (source)” of one of the digest's items, when known without a query."""
    if item is None:
        return ""
    if isinstance(item, Item):
        name = item.source.name if Item.source.is_cached(item) and item.source else ""
    else:
        name = item.source_id or ""  # the import preview's rows carry the source's name
    return f" ({name})" if name else ""


def claims_consistent(digest):
    """Claims that contradict one published in the last 90 days about the same thing."""
    found = entries(digest)
    others = published_claims(digest, found)
    problems = []
    for entry in found:
        for other in others:
            if other.unit != entry.claim.unit or not entry.claim.measure:
                continue
            if claim_matching.contradicts(entry.claim, pure(other)):
                source = other.item.source.name if other.item.source else _("no source")
                problems.append(
                    _(
                        "%(where)s%(own)s: %(number)s contradicts “%(other)s” in “%(heading)s” "
                        "(%(source)s), published %(date)s."
                    )
                    % {
                        "where": entry.where,
                        "own": _own_source(entry.item),
                        "number": _number(entry.claim),
                        "other": other.text,
                        "heading": other.item.heading,
                        "source": source,
                        "date": other.digest.date.isoformat(),
                    }
                )
    return problems
