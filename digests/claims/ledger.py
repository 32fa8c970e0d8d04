"""Writing the digests' numeric claims, and the desk's corrections of them.

``record(pks)`` rewrites the ``Claim`` rows of the digests ``pks`` from their
text (items, analysis, trends) with the pure extractor; it is called at the end
of ``digests.search.index_items``, which every writer of a digest goes through
(the importer, the desk's save, a restore, the inbox), so the claims are written
in the same transaction as the text they come from. A claim the desk corrected
or dismissed keeps its status and values while its text at the same place (the
block, the item, the part and the n-th occurrence of the same text there) is
unchanged. Each analysis and trends claim is linked (``supported_by``) to the
day's items with a claim that ``supports()`` it.
"""

from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from digests import history, public_cache
from digests.briefing import claim_matching
from digests.briefing import claims as extractor
from digests.models import AnalysisParagraph, Claim, Digest, DigestEvent, Item, TrendPoint

B, S = Claim.Block, Claim.Status
# The values the desk may correct; ``status`` says whether it did.
CORRECTABLE = ("value", "high", "bound", "unit", "measure")
KEPT = (*CORRECTABLE, "status")
CHUNK = 500


def _limit(field, text):
    return (text or "")[: Claim._meta.get_field(field).max_length]


def texts(digest_items, analysis_title, paragraphs, summary, points):
    """The parts of one digest that hold claims, as ``(block, item, part, text)``.

    ``digest_items`` are the items in order; ``paragraphs`` and ``points`` the
    analysis' paragraphs and trend points in order (their part is their 1-based place).
    """
    for item in digest_items:
        yield B.ITEM, item, 0, item.title
        yield B.ITEM, item, 1, item.body
    if analysis_title:
        yield B.ANALYSIS, None, 0, analysis_title
    for n, paragraph in enumerate(paragraphs, start=1):
        yield B.ANALYSIS, None, n, paragraph.text
    if summary:
        yield B.TRENDS, None, 0, summary
    for n, point in enumerate(points, start=1):
        yield B.TRENDS, None, n, point.text


def found(parts):
    """The extractor's claims of ``parts`` (from ``texts``) as unsaved ``Claim`` rows."""
    rows = []
    for block, item, part, text in parts:
        for claim in extractor.extract(text or ""):
            rows.append(
                Claim(
                    item=item,
                    block=block,
                    part=part,
                    start=claim.start,
                    end=claim.end,
                    text=_limit("text", claim.text),
                    value=claim.value,
                    high=claim.high,
                    bound=_limit("bound", claim.bound),
                    unit=_limit("unit", claim.unit),
                    measure=_limit("measure", claim.measure),
                )
            )
    return rows


def pure(row):
    """A stored claim as the extractor's ``Claim``, for ``supports`` and ``contradicts``."""
    return extractor.Claim(
        text=row.text,
        start=row.start,
        end=row.end,
        value=row.value,
        unit=row.unit,
        bound=row.bound,
        high=row.high,
        measure=row.measure,
    )


def keys(rows):
    """Each row's place: block, item, part, its text and which occurrence of that text."""
    seen = defaultdict(int)
    for row in rows:
        place = (row.block, row.item_id, row.part, row.text)
        yield row, (*place, seen[place])
        seen[place] += 1


def supporters(rows):
    """For each analysis and trends row (not dismissed), the items with a claim supporting it."""
    item_claims = [(r.item_id, pure(r)) for r in rows if r.item_id and r.status != S.DISMISSED]
    links = {}
    for row in rows:
        if row.block == B.ITEM or row.status == S.DISMISSED:
            continue
        claim = pure(row)
        links[row] = sorted(
            {pk for pk, other in item_claims if claim_matching.supports(claim, other)}
        )
    return links


def record(pks):
    """Rewrite the claims of the digests ``pks``; returns how many rows were written.

    A constant number of queries whatever the number of digests and items: 1 the
    items, 2 the digests' analysis titles and core summaries (joined), 3 the analysis
    paragraphs, 4 the trend points, 5 the claims as they were; then, if there were
    any, 6-8 their delete (the claims, their links, the claims); and if there are
    any now, one INSERT of the claims and one of their links (per ``CHUNK``).
    """
    pks = sorted(set(pks))
    if not pks:
        return 0
    with transaction.atomic(savepoint=False):
        items = defaultdict(list)
        for item in Item.objects.filter(digest_id__in=pks).only(
            "id", "digest_id", "title", "body", "position"
        ):
            items[item.digest_id].append(item)
        # An analysis' and a trend summary's primary key is their digest's.
        paragraphs, points = defaultdict(list), defaultdict(list)
        for p in AnalysisParagraph.objects.filter(analysis_id__in=pks):
            paragraphs[p.analysis_id].append(p)
        titles, summaries = {}, {}
        for pk, title, summary in Digest.objects.filter(pk__in=pks).values_list(
            "pk", "analysis__title", "trend_summary__summary"
        ):
            titles[pk], summaries[pk] = title, summary
        for p in TrendPoint.objects.filter(trend_summary_id__in=pks):
            points[p.trend_summary_id].append(p)
        existing = list(
            Claim.objects.filter(digest_id__in=pks).order_by(
                "digest", "block", "item", "part", "start"
            )
        )
        kept = {(row.digest_id, *key): row for row, key in keys(existing) if row.status != S.FOUND}
        rows = []
        for pk in pks:
            order = lambda x: (x.position, x.pk)  # noqa: E731
            parts = texts(
                sorted(items[pk], key=order),
                titles.get(pk),
                sorted(paragraphs[pk], key=order),
                summaries.get(pk),
                sorted(points[pk], key=order),
            )
            digest_rows = found(parts)
            for row, key in keys(digest_rows):
                row.digest_id = pk
                if (old := kept.get((pk, *key))) is not None:
                    for name in KEPT:
                        setattr(row, name, getattr(old, name))
            rows.extend(digest_rows)
        if existing:
            Claim.objects.filter(digest_id__in=pks).delete()
        Claim.objects.bulk_create(rows, batch_size=CHUNK)
        link(rows)
    return len(rows)


def link(rows):
    """Write ``supported_by`` of saved ``rows`` (one or more whole digests) in one insert."""
    by_digest = defaultdict(list)
    for row in rows:
        by_digest[row.digest_id].append(row)
    through = Claim.supported_by.through
    links = [
        through(claim_id=row.pk, item_id=item_pk)
        for digest_rows in by_digest.values()
        for row, item_pks in supporters(digest_rows).items()
        for item_pk in item_pks
    ]
    through.objects.bulk_create(links, batch_size=CHUNK)


class ClaimLocked(Exception):
    """The claim's digest may not change now (withdrawn)."""


def desk_changed(claims, user):
    """After the desk corrected, dismissed or restored ``claims`` (saved): relink their
    digests' support, give each digest a new version in its history, and let readers
    see it at once when the digest is public. Called by the admin in the transaction
    of the change; refused (``ClaimLocked``) for a withdrawn digest."""
    pks = sorted({claim.digest_id for claim in claims})
    for digest in Digest.objects.select_for_update().filter(pk__in=pks):
        if digest.status == Digest.Status.UNPUBLISHED:
            raise ClaimLocked(_("The claims of a withdrawn digest cannot be changed."))
        rows = list(Claim.objects.filter(digest=digest))
        Claim.supported_by.through.objects.filter(claim__digest=digest).delete()
        link(rows)
        digest.version += 1  # the .json changed: a new version, as a correction makes
        digest.save(update_fields=["version", "updated_at"])
        changed = [claim for claim in claims if claim.digest_id == digest.pk]
        note = _("Numbers checked: %(list)s") % {
            "list": "、".join(f"{c.text} ({c.get_status_display()})" for c in changed)
        }
        with history.revision():
            history.record(digest, user, comment=note, action=DigestEvent.Action.SAVE)
        if digest.is_published:
            public_cache.changed(digest=digest)


def apply_listed(digest, listed):
    """Apply an imported ``.json``'s claims lists: ``listed`` maps an item's position to
    its ``claims`` (dicts as ``digests.briefing.schema`` reads them).

    An item with a list keeps the numbers it lists, with the listed values (corrected
    where they differ from the text's), and the numbers it leaves out are dismissed:
    the ``.json`` leaves dismissed numbers out. A listed number is matched to a found
    one by its text, the n-th listing of a text to its n-th occurrence in the item;
    listed numbers the text no longer has are ignored. Returns how many rows changed.
    """
    if not listed:
        return 0
    wanted = {}
    for position, claims in listed.items():
        seen = defaultdict(int)
        for claim in claims:
            wanted[(position, claim["text"], seen[claim["text"]])] = claim
            seen[claim["text"]] += 1
    rows = list(
        Claim.objects.filter(digest=digest, item__position__in=list(listed))
        .select_related("item")
        .order_by("item__position", "part", "start")
    )
    seen = defaultdict(int)
    changed = []
    for row in rows:
        place = (row.item.position, row.text)
        claim = wanted.get((*place, seen[place]))
        seen[place] += 1
        if claim is None:
            row.status = S.DISMISSED
        else:
            values = {name: claim.get(name) for name in CORRECTABLE}
            if any(_differs(getattr(row, name), value) for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, "" if value is None and name != "high" else value)
                row.status = S.CORRECTED
            else:
                continue
        changed.append(row)
    Claim.objects.bulk_update(changed, KEPT, batch_size=CHUNK)
    if changed:
        Claim.supported_by.through.objects.filter(claim__digest=digest).delete()
        link(list(Claim.objects.filter(digest=digest)))
    return len(changed)


def _differs(stored, given):
    if stored in (None, "") and given in (None, ""):
        return False
    return stored != given


def part_text(row):
    """The text of the part ``row`` was found in, read afresh (a query or two)."""
    if row.block == B.ITEM:
        item = Item.objects.only("title", "body").get(pk=row.item_id)
        return item.body if row.part else item.title
    if row.block == B.ANALYSIS:
        if row.part == 0:
            titles = Digest.objects.filter(pk=row.digest_id)
            return titles.values_list("analysis__title", flat=True)[0]
        rows = AnalysisParagraph.objects.filter(analysis_id=row.digest_id)
    else:
        if row.part == 0:
            summaries = Digest.objects.filter(pk=row.digest_id)
            return summaries.values_list("trend_summary__summary", flat=True)[0]
        rows = TrendPoint.objects.filter(trend_summary_id=row.digest_id)
    texts = list(rows.order_by("position", "pk").values_list("text", flat=True))
    return texts[row.part - 1] if row.part <= len(texts) else ""


def as_found(row):
    """Set ``row``'s values back to what the extractor finds at its place (not saved)."""
    for claim in extractor.extract(part_text(row) or ""):
        if (claim.start, claim.text) == (row.start, row.text):
            for name in ("bound", "unit", "measure"):
                setattr(row, name, _limit(name, getattr(claim, name)))
            row.value, row.high = claim.value, claim.high
            return True
    return False
