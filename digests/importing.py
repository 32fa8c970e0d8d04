"""Store a parsed ``Briefing`` as a digest, in one transaction: all of it or nothing."""

from pathlib import Path

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from digests import aliases, history, search, workflow
from digests.briefing import BriefingError, decode, from_dict, grammar, parse_text
from digests.claims import ledger
from digests.models import (
    Analysis,
    AnalysisParagraph,
    Category,
    Digest,
    DigestEvent,
    Item,
    Source,
    TrendPoint,
    TrendSummary,
)
from digests.models.taxonomy import name_key


class ImportRefused(Exception):
    """The briefing is valid but may not be stored, e.g. its day already has a digest."""


def _categories(names):
    """Each heading's section: an existing one by name or alias (``aliases.resolve``), else new.

    Headings that read as one name (``name_key``) share one new section.
    """
    matches = aliases.resolve(Category, names)
    created, found = {}, {}
    position = None
    for name in names:
        if (row := matches[name].row) is None:
            if name_key(name) not in created:
                if position is None:
                    position = (Category.objects.aggregate(top=Max("position"))["top"] or 0) + 1
                created[name_key(name)] = Category.objects.create(name=name, position=position)
                position += 1
            row = created[name_key(name)]
        found[name] = row
    return found


def _sources(names):
    """Each 来源's source: an existing one by name or alias, else a new one (as for sections)."""
    matches = aliases.resolve(Source, names)
    created, found = {}, {}
    for name in names:
        if (row := matches[name].row) is None:
            row = created.get(name_key(name)) or Source.objects.create(name=name)
            created[name_key(name)] = row
        found[name] = row
    return found


def write_contents(digest, briefing):
    """Replace the digest's items, analysis and trend summary with the briefing's."""
    digest.items.all().delete()
    Analysis.objects.filter(digest=digest).delete()
    TrendSummary.objects.filter(digest=digest).delete()

    categories = _categories([section.name for section in briefing.sections])
    sources = _sources(sorted({item.source for item in briefing.items if item.source}))
    items = []
    for section in briefing.sections:
        for parsed in section.items:
            item = Item(
                digest=digest,
                category=categories[section.name],
                position=len(items) + 1,
                topic=parsed.topic,
                title=parsed.title,
                body=parsed.body,
                source=sources.get(parsed.source),
                url=parsed.url or "",
            )
            item.fill_derived_fields()
            items.append((item, parsed.tags))
    Item.objects.bulk_create([item for item, _ in items])
    for item, tags in items:
        if tags:
            item.tags.set(tags)
    if briefing.analysis:
        analysis = Analysis.objects.create(digest=digest, title=briefing.analysis.title)
        AnalysisParagraph.objects.bulk_create(
            AnalysisParagraph(analysis=analysis, position=n, label=p.label, text=p.text)
            for n, p in enumerate(briefing.analysis.paragraphs, start=1)
        )
    if briefing.trends:
        trends = TrendSummary.objects.create(digest=digest, summary=briefing.trends.summary)
        points = TrendPoint.objects.bulk_create(
            TrendPoint(trend_summary=trends, position=n, label=p.label, text=p.text)
            for n, p in enumerate(briefing.trends.points, start=1)
        )
        # Each point's supporting items, given as 1-based numbers in the day's order.
        TrendPoint.items.through.objects.bulk_create(
            TrendPoint.items.through(trendpoint=point, item=items[number - 1][0])
            for point, parsed in zip(points, briefing.trends.points, strict=True)
            for number in parsed.items or ()
        )
    # Once the analysis and trends exist: the search tokens and, through them, the claims.
    search.index_items(digest.items.all())
    ledger.apply_listed(
        digest,
        {
            item.position: parsed.claims
            for item, parsed in zip([row for row, _tags in items], briefing.items, strict=True)
            if parsed.claims is not None
        },
    )


def import_briefing(briefing, *, user=None, replace=False, publish=False):
    """Create (or with ``replace``, refill) the digest for ``briefing.date``.

    Only a draft is ever replaced. With ``publish`` the new digest goes through
    the workflow as the desk's would: submitted, then approved and published,
    each step guarded by ``user``'s permissions and the edition checks
    (``user=None`` is the system, for the command line).
    """
    with transaction.atomic(), history.revision():
        digest = Digest.objects.select_for_update().filter(date=briefing.date).first()
        replaced = digest is not None
        if replaced:
            if digest.status != Digest.Status.DRAFT:
                raise ImportRefused(
                    _(
                        "The digest of %(date)s is %(status)s; an import only ever replaces "
                        "a draft."
                    )
                    % {"date": briefing.date.isoformat(), "status": digest.get_status_display()}
                )
            if not replace:
                raise ImportRefused(
                    _(
                        "A digest for %(date)s already exists; use --replace to overwrite "
                        "the draft."
                    )
                    % {"date": briefing.date.isoformat()}
                )
            digest.title, digest.lede = briefing.title, briefing.lede
            digest.version = F("version") + 1
            digest.save(update_fields=["title", "lede", "version", "updated_at"])
            digest.refresh_from_db()
        else:
            digest = Digest.objects.create(
                date=briefing.date, title=briefing.title, lede=briefing.lede, created_by=user
            )
        write_contents(digest, briefing)
        action = DigestEvent.Action.REPLACE if replaced else DigestEvent.Action.IMPORT
        history.record(digest, user, _("Imported from text"), action=action)
        if publish:
            workflow.submit(digest, user)
            workflow.publish(digest, user)
    return digest


def parse_any(data, name=""):
    """Parse a briefing from text or from its JSON form (chosen by name or first character)."""
    text = decode(data)
    if name.lower().endswith(".json") or text.lstrip("\ufeff \r\n\t").startswith("{"):
        return from_dict(text.lstrip("\ufeff"))
    return parse_text(text)


def import_file(path, *, user=None, replace=False, publish=False):
    """Read, parse and store one file; raises BriefingError, ImportRefused or OSError."""
    path = Path(path)
    if (size := path.stat().st_size) > grammar.MAX_FILE_BYTES:
        # Refused before reading: the parser would refuse it anyway (decode).
        raise BriefingError(
            _("the file is %(size)d bytes long; at most %(limit)d bytes are allowed")
            % {"size": size, "limit": grammar.MAX_FILE_BYTES}
        )
    return import_briefing(
        parse_any(path.read_bytes(), path.name), user=user, replace=replace, publish=publish
    )
