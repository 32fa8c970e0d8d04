"""How often each source was cited, in which sections, from when to when, and how it fared.

Readers' figures count only items of published digests (``Item.objects.published()``);
the desk's count every item, with the published count beside. Every figure is a
subquery on the source's row, so a list of sources costs the same few queries
whatever the number of sources and items.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models.functions import Coalesce

from digests.models import Correction, Digest, Item, Source


def _items(published):
    """The items citing the outer source row: published ones only, or all of them."""
    items = Item.objects.filter(source=models.OuterRef("pk")).order_by()
    return items.published() if published else items


def _per_source(items, value):
    """One value per source from ``items``, as a subquery on the outer source row."""
    return models.Subquery(items.values("source").annotate(v=value).values("v"))


def with_stats(sources, *, published=True):
    """Annotate ``sources`` with ``cited`` (items), ``corrected`` (items with a 更正),
    ``first_cited`` and ``last_cited`` (days); of published digests unless told otherwise."""
    items = _items(published)
    corrected = items.filter(models.Exists(Correction.objects.filter(item=models.OuterRef("pk"))))
    return sources.annotate(
        cited=Coalesce(_per_source(items, models.Count("*")), 0),
        corrected=Coalesce(_per_source(corrected, models.Count("*")), 0),
        first_cited=_per_source(items, models.Min("digest__date")),
        last_cited=_per_source(items, models.Max("digest__date")),
    )


def cited_publicly():
    """Sources with at least one published item (their figures: ``attach``)."""
    return Source.objects.filter(models.Exists(_items(published=True)))


def attach(sources):
    """Set the public figures on ``sources`` (a page of them) in one grouped query.

    For a page of a long list this is cheaper than ``with_stats``: the database counts
    the shown sources' published items once, not four subqueries for every row it
    sorts or skips.
    """
    sources = list(sources)
    has_correction = models.Exists(Correction.objects.filter(item=models.OuterRef("pk")))
    rows = (
        Item.objects.published()
        .filter(source__in=[source.pk for source in sources])
        .order_by()
        .values("source")
        .annotate(
            cited=models.Count("*"),
            corrected=models.Count("pk", filter=models.Q(has_correction)),
            first_cited=models.Min("digest__date"),
            last_cited=models.Max("digest__date"),
        )
    )
    figures = {row.pop("source"): row for row in rows}
    empty = {"cited": 0, "corrected": 0, "first_cited": None, "last_cited": None}
    for source in sources:
        for name, value in figures.get(source.pk, empty).items():
            setattr(source, name, value)
    return sources


@dataclass(frozen=True)
class SectionCount:
    name: str
    slug: str
    items: int
    published: int


def sections(source, *, published=True):
    """The sections ``source`` was cited in, most items first, each with its count of
    items and of published ones: one grouped query. Readers' pages pass ``published``
    (the default) and see published items only; the desk's sees every section."""
    items = Item.objects.filter(source=source).order_by()
    if published:
        items = items.published()
    is_published = models.Exists(
        Digest.objects.published().filter(pk=models.OuterRef("digest_id"))
    )
    rows = (
        items.values("category__name", "category__slug")
        .annotate(n=models.Count("*"), p=models.Count("pk", filter=models.Q(is_published)))
        .order_by("-n", "category__name")
    )
    return [
        SectionCount(row["category__name"], row["category__slug"], row["n"], row["p"])
        for row in rows
    ]
