"""The day page's marked analysis numbers: each supported number linked to its items.

Computed from the digest's claims (``content_prefetches`` fetches them with the
page) and its items, in Python: no query of its own. A number is marked when an
item of the day has a claim that ``supports()`` it, as ``supported_by`` records.
"""

from dataclasses import dataclass, field

from digests.briefing import claim_matching
from digests.claims.ledger import pure
from digests.models import Claim


@dataclass
class Segment:
    """A run of a paragraph's text; ``items`` are the supporting items of a number."""

    text: str
    items: list = field(default_factory=list)
    key: str = ""


def paragraphs(digest):
    """The analysis' paragraphs as ``(paragraph, segments)``, supported numbers marked."""
    analysis = getattr(digest, "analysis", None)
    if analysis is None:
        return []
    rows = [row for row in digest.claims.all() if row.status != Claim.Status.DISMISSED]
    items = {item.pk: item for item in digest.items.all()}
    reported = [(row.item_id, pure(row)) for row in rows if row.item_id in items]
    marked = []
    for n, paragraph in enumerate(analysis.paragraphs.all(), start=1):
        segments, at = [], 0
        for row in rows:
            if row.block != Claim.Block.ANALYSIS or row.part != n or row.start < at:
                continue
            if paragraph.text[row.start : row.end] != row.text:
                continue  # the stored claim is older than the text: leave it unmarked
            claim = pure(row)
            pks = list(
                dict.fromkeys(pk for pk, o in reported if claim_matching.supports(claim, o))
            )
            if not pks:
                continue
            segments.append(Segment(paragraph.text[at : row.start]))
            key = f"claim-{row.pk}"
            segments.append(Segment(row.text, [items[pk] for pk in pks], key))
            at = row.end
        segments.append(Segment(paragraph.text[at:]))
        marked.append((paragraph, segments))
    return marked
