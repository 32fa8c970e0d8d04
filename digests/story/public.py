"""Stories as readers see them: 此前报道 / 后续报道 links and the story thread.

Readers see only the desk's *follow-up* decisions (``ItemLink.Kind.FOLLOW_UP``),
and only when both items are published (``Item.objects.published()``): a repeat
or an unrelated mark is the desk's business, and an item of a draft, a digest in
review, a scheduled or a withdrawn one is never named, linked or walked through.

The links are read as plain values (``StoryNeighbour``), not model instances, so
that a template can show them without loading anything more.
"""

import datetime
from typing import NamedTuple

from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from digests.models import Digest, Item, ItemLink

# The thread page walks at most this many items (and so at most this many steps) out
# from the item it is asked for, nearest first; a longer story is shown cut there.
THREAD_LIMIT = 50


class StoryNeighbour(NamedTuple):
    """The other end of a follow-up link, as a link on the page shows it."""

    pk: int
    date: datetime.date
    topic: str
    title: str
    position: int

    def get_absolute_url(self):
        return reverse("digests:item", kwargs={"pk": self.pk})


def published_follow_ups():
    """Follow-up links readers may see: both ends are items of published digests."""
    published = Digest.objects.published()
    return ItemLink.objects.filter(
        Exists(published.filter(pk=OuterRef("item__digest_id"))),
        Exists(published.filter(pk=OuterRef("earlier__digest_id"))),
        kind=ItemLink.Kind.FOLLOW_UP,
    )


_NEIGHBOUR_FIELDS = ("id", "digest__date", "topic", "title", "position")


def attach_links(items):
    """Give each item ``story_earlier`` and ``story_later`` (lists of ``StoryNeighbour``).

    One query for all of them, whatever their number: the follow-up links that
    touch any of the items, with both ends' date, topic and headline joined in.
    Returns the items as a list.
    """
    items = list(items)
    by_pk = {item.pk: item for item in items}
    for item in items:
        item.story_earlier, item.story_later = [], []
    if not by_pk:
        return items
    ends = [f"{end}__{field}" for end in ("item", "earlier") for field in _NEIGHBOUR_FIELDS]
    rows = _touching(list(by_pk), *ends)
    width = len(_NEIGHBOUR_FIELDS)
    for row in rows:
        later, earlier = StoryNeighbour(*row[:width]), StoryNeighbour(*row[width:])
        if later.pk in by_pk:
            by_pk[later.pk].story_earlier.append(earlier)
        if earlier.pk in by_pk:
            by_pk[earlier.pk].story_later.append(later)
    for item in items:
        item.story_earlier.sort(key=_briefing_order)
        item.story_later.sort(key=_briefing_order)
    return items


def _touching(pks, *fields):
    """``fields`` of the published follow-ups from or to any of the items ``pks``: one query.

    (SQLite answers the ``OR`` from the two links' indexes, "MULTI-INDEX OR".)
    """
    follow_ups = published_follow_ups().filter(Q(item__in=pks) | Q(earlier__in=pks))
    return follow_ups.order_by().values_list(*fields)


def _briefing_order(neighbour):
    return (neighbour.date, neighbour.position, neighbour.pk)


class Thread(NamedTuple):
    """A story through the days: its published items in date order, and whether it was cut."""

    items: list
    truncated: bool


def thread(item, limit=THREAD_LIMIT):
    """The story ``item`` belongs to: every published item joined to it by follow-ups.

    Walks the links both ways (back to the first report and forward along every
    follow-up), one query per step, nearest items first, and stops at ``limit``
    items: a story of more is cut to the ``limit`` nearest (``truncated``). A
    story of one item (no published follow-up either way) is an empty thread.
    One more query loads the items found, with their day, section and source.
    """
    found = [item.pk]
    seen = {item.pk}
    frontier = [item.pk]
    truncated = False
    while frontier and not truncated:
        links = sorted(_touching(frontier, "pk", "item_id", "earlier_id"))  # in link order
        pairs = [(later, earlier) for _pk, later, earlier in links]
        step = []
        for pair in pairs:
            for pk in pair:
                if pk in seen:
                    continue
                if len(found) >= limit:
                    truncated = True
                    break
                seen.add(pk)
                found.append(pk)
                step.append(pk)
        frontier = step
    if len(found) == 1:
        return Thread([], False)
    items = (
        Item.objects.published()
        .filter(pk__in=found)
        .select_related("digest", "category", "source")
        .defer(*Item.SEARCH_FIELDS)
        .order_by("digest__date", "position", "pk")
    )
    return Thread(list(items), truncated)


# The most linked pages one change queues for the worker to render again (refresh).
MAX_LINKED_PAGES = 100


def linked_pages(digest):
    """The other ends of ``digest``'s follow-up links that readers see: ``(item pk, day)``.

    Whatever ``digest``'s own state, so that its publication adds, and its withdrawal
    takes away, the 此前报道 / 后续报道 links on those pages (``digests.refresh``).
    One query; at most ``MAX_LINKED_PAGES``, the newest days first.
    """
    published = Item.objects.published()
    follow_ups = ItemLink.objects.filter(kind=ItemLink.Kind.FOLLOW_UP).order_by()
    back = follow_ups.filter(
        Exists(published.filter(pk=OuterRef("earlier_id"))), item__digest=digest
    ).values_list("earlier_id", "earlier__digest__date")
    forward = follow_ups.filter(
        Exists(published.filter(pk=OuterRef("item_id"))), earlier__digest=digest
    ).values_list("item_id", "item__digest__date")
    rows = back.union(forward).order_by("-earlier__digest__date", "-earlier_id")
    return list(rows[:MAX_LINKED_PAGES])


def day_link_state():
    """What a day page's story links depend on, as annotations of a digest query.

    For the links from the day's items back to earlier ones and for those from
    later items to the day's: the sum, over the published ones, of the link's id
    plus the other digest's ``version``. It changes when such a link is made,
    changed to another kind or removed, when the other digest is published or
    withdrawn (a withdrawal drops its links), and when it is edited or corrected
    (its version rises) — so a kept day page (``digests.fragments``) is rendered
    again when, and only when, its 此前报道 / 后续报道 links may have changed.
    """
    published = Digest.objects.published()

    def signature(own, other):
        other_published = Exists(published.filter(pk=OuterRef(f"{other}__digest_id")))
        links = (
            ItemLink.objects.filter(
                other_published,
                kind=ItemLink.Kind.FOLLOW_UP,
                **{f"{own}__digest": OuterRef("pk")},
            )
            .order_by()
            .values(f"{own}__digest")
            .annotate(total=Sum(F("id") + F(f"{other}__digest__version")))
            .values("total")
        )
        return Coalesce(Subquery(links), 0)

    return {
        "earlier_links": signature("item", "earlier"),
        "later_links": signature("earlier", "item"),
    }
