"""The sources' edition check (``digests.edition`` lists it)."""

from collections import Counter

from django.conf import settings
from django.utils.translation import ngettext

from digests.models import Item, Source
from digests.models.taxonomy import name_key


def _sources(items):
    """Each item's source row, or None; in the import preview an item carries only the
    name written after 来源, looked up among the individual accounts (one query)."""
    if all(isinstance(item, Item) for item in items):
        return [item.source for item in items]  # a saved digest: prefetched with its items
    if not any(item.source_id for item in items):
        return [None] * len(items)
    individuals = _individuals()
    return [individuals.get(name_key(item.source_id or "")) for item in items]


def _individuals():
    """The individual accounts by the ``name_key`` of their names and aliases.

    Names and aliases of sources share one space of keys (``name_clash``), so a name
    that means an individual account means it here as in the importer
    (``digests.aliases.resolve``); a name that means no such account is not weighed.
    """
    rows = Source.objects.filter(kind__in=Source.INDIVIDUAL_KINDS).values_list(
        "pk", "name", "kind", "aliases__name"
    )
    found = {}
    for pk, name, kind, alias in rows:
        source = found.get(name_key(name)) or Source(pk=pk, name=name, kind=kind)
        found[name_key(name)] = source
        if alias:
            found[name_key(alias)] = source
    return found


def source_share(digest):
    """An individual account supplying more than its share of the day's items.

    A name the preview does not know yet becomes a source of kind “other” on import,
    so it is never warned about before the desk has given it a kind.
    """
    items = list(digest.items.all())
    limit = settings.NEWSROOM_SOURCE_SHARE
    counts = Counter(
        source
        for source in _sources(items)
        if source is not None and source.kind in Source.INDIVIDUAL_KINDS
    )
    problems = []
    for source, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].name)):
        share = count / len(items)
        if share > limit:
            problems.append(
                ngettext(
                    "%(source)s (%(kind)s) supplies %(count)d of the day's %(total)d items "
                    "(%(share)d%%), more than the %(limit)d%% one account may supply.",
                    "%(source)s (%(kind)s) supplies %(count)d of the day's %(total)d items "
                    "(%(share)d%%), more than the %(limit)d%% one account may supply.",
                    count,
                )
                % {
                    "source": source.name,
                    "kind": source.get_kind_display(),
                    "count": count,
                    "total": len(items),
                    "share": round(share * 100),
                    "limit": round(limit * 100),
                }
            )
    return problems
