"""Where a reader can go next: the nearest published days around a missing one, each
month-list day's distinguishing line, an item's neighbours and its topic's other items,
and what search suggests when it finds nothing.

Everything here reads through ``Digest.objects.published()`` (or
``Item.objects.published()``, ``TopicDay.objects.published()``), in a fixed number of
bounded queries: a draft, in review, scheduled or withdrawn day is never linked.
"""

import datetime
from typing import NamedTuple

from django.db.models import Max, OuterRef, Prefetch, Q, Subquery, Sum, prefetch_related_objects
from django.urls import reverse

from digests.models import Category, Digest, Item, TopicDay
from digests.models.digest import page_fetch_mode

# A month-list day without a lede shows its first headlines, this many.
TOP_HEADLINES = 3
# An item page lists this many other items of its topic, the most recent first.
SAME_TOPIC = 5
# Search suggests this many topics, chosen among the POOL most frequent of the WINDOW
# before the latest published day (a sum of the /trends/ counts, never of the items).
SUGGESTED_TOPICS = 8
TOPIC_POOL = 200
TOPIC_WINDOW = datetime.timedelta(days=365)


class NearestDays(NamedTuple):
    before: datetime.date | None
    after: datetime.date | None


def nearest_days(date):
    """The published days just before and after ``date``: two queries on the
    digests' (status, date) index."""
    days = Digest.objects.published().order_by().values_list("date", flat=True)
    return NearestDays(
        before=days.filter(date__lt=date).order_by("-date").first(),
        after=days.filter(date__gt=date).order_by("date").first(),
    )


def attach_top_headlines(digests):
    """Give each digest without a lede its first ``TOP_HEADLINES`` items as ``top_items``.

    One query (a windowed prefetch), none when every day has a lede.
    """
    first_items = (
        Item.objects.fetch_mode(page_fetch_mode())
        .order_by("position", "id")
        .only("id", "digest_id", "topic", "title")
    )
    without_lede = [digest for digest in digests if not digest.lede]
    prefetch_related_objects(
        without_lede,
        Prefetch("items", queryset=first_items[:TOP_HEADLINES], to_attr="top_items"),
    )


class Neighbour(NamedTuple):
    """An item next to another in its day's briefing: enough for a link."""

    pk: int
    title: str

    def get_absolute_url(self):
        return reverse("digests:item", kwargs={"pk": self.pk})


def with_neighbours(items):
    """Annotate each item with the pk and headline of the items before and after it in
    its day's briefing order (``position``, then ``id``): subqueries of its own query."""
    same_day = Item.objects.filter(digest_id=OuterRef("digest_id")).order_by()
    before = same_day.filter(
        Q(position__lt=OuterRef("position"))
        | Q(position=OuterRef("position"), pk__lt=OuterRef("pk"))
    ).order_by("-position", "-pk")[:1]
    after = same_day.filter(
        Q(position__gt=OuterRef("position"))
        | Q(position=OuterRef("position"), pk__gt=OuterRef("pk"))
    ).order_by("position", "pk")[:1]
    return items.annotate(
        previous_pk=Subquery(before.values("pk")),
        previous_title=Subquery(before.values("title")),
        next_pk=Subquery(after.values("pk")),
        next_title=Subquery(after.values("title")),
    )


def neighbours(item):
    """(previous, next) ``Neighbour`` of an item from ``with_neighbours``, either None.

    No query. The item was found among published items, so its day, and with it both
    neighbours, is published.
    """
    return (
        Neighbour(item.previous_pk, item.previous_title) if item.previous_pk else None,
        Neighbour(item.next_pk, item.next_title) if item.next_pk else None,
    )


def same_topic(item):
    """Up to ``SAME_TOPIC`` other published items of ``item``'s topic, the most recent
    first, with their day's date: one query on the items' topic index."""
    return list(
        Item.objects.published()
        .fetch_mode(page_fetch_mode())
        .filter(topic_slug=item.topic_slug)
        .exclude(pk=item.pk)
        .select_related("digest")
        .only("id", "topic", "title", "digest__id", "digest__date")
        .order_by("-digest__date", "position", "id")[:SAME_TOPIC]
    )


class Topic(NamedTuple):
    name: str
    slug: str
    items: int
    shared: int  # how many of the query's characters its name has


def suggested_topics(query, latest_day):
    """Topics to try instead of ``query``: those sharing the most characters with it,
    then the most frequent; the most frequent alone when none shares one.

    One query over the /trends/ counts of the year before ``latest_day``. Ranking is a
    set intersection per topic: linear in the query and the names, whatever they hold.
    """
    if latest_day is None:
        return []
    rows = (
        TopicDay.objects.published()
        .filter(kind=TopicDay.Kind.TOPIC, day__gt=latest_day - TOPIC_WINDOW)
        .values("key")
        .annotate(name=Max("name"), items=Sum("items"))
        .order_by("-items", "key")[:TOPIC_POOL]
    )
    wanted = {character for character in query.casefold() if not character.isspace()}
    topics = [
        Topic(row["name"], row["key"], row["items"], len(wanted & set(row["name"].casefold())))
        for row in rows
    ]
    sharing = [topic for topic in topics if topic.shared]
    chosen = sorted(sharing, key=lambda t: (-t.shared, -t.items, t.slug)) or topics
    return chosen[:SUGGESTED_TOPICS]


def latest_digest():
    """The latest published digest's date and title, or None: one query."""
    return Digest.objects.published().order_by("-date").only("id", "date", "title").first()


def public_sections():
    """The sections with a published item, in their order: one query, each section
    probed by its first published item (as ``digests.filters.first_public``)."""
    first = Item.objects.published().filter(category=OuterRef("pk")).order_by().values("pk")
    return list(
        Category.objects.alias(first=Subquery(first[:1]))
        .filter(first__isnull=False)
        .only("id", "name", "slug")
    )


def search_suggestions(query):
    """What an empty search offers: nearest topics, the latest briefing and the
    sections; three queries."""
    latest = latest_digest()
    return {
        "suggested_topics": suggested_topics(query, latest and latest.date),
        "latest_digest": latest,
        "sections": public_sections(),
    }
