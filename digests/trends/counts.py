"""The counts behind /trends/: written per published day, read per week and per month.

Writing: ``recount_days`` rewrites the ``TopicDay`` rows of some days from their
published items (``Item.objects.published()``): a day whose digest is not
published has no rows. The workflow calls it for a digest's day in the
transaction of every change that brings the digest to readers or takes it away;
``rebuild_trends`` calls it for the whole archive, a batch of days at a time.

Reading: the pages ask for one window of daily rows (the last weeks) and one
grouped query per month; weeks are the seven-day spans ending on the latest
published day, so the latest week is never a partial one.
"""

import datetime
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models.functions import TruncMonth

from digests.models import Digest, Item, TopicDay

K = TopicDay.Kind

# The charts' spans: weeks of the overview and of a topic's or section's page, months of
# the overview. A topic's or section's page shows every month of the archive.
WEEKS = 12
PAGE_WEEKS = 26
MONTHS = 24
# Rising and falling: the last RECENT_WEEKS against the BEFORE_WEEKS before them, as items
# per week; a topic is weighed only with at least MIN_ITEMS items in those 16 weeks, so a
# topic seen once or twice does not top the list.
RECENT_WEEKS = 4
BEFORE_WEEKS = 12
MIN_ITEMS = 4
MOVERS = 8  # topics listed as rising, and as falling
LEADING = 8  # topics charted on the overview
TOPIC_LINKS = 60  # topics of the last MONTHS linked from the overview, the most frequent
LATEST_ITEMS = 10  # items on a topic's or section's page
BATCH_DAYS = 200  # days per transaction of ``rebuild``


# --- writing --------------------------------------------------------------------------


def recount_days(days):
    """Rewrite the rows of ``days`` (dates) from their published items; the rows written.

    Three queries whatever the number of days: delete, count per topic and section
    (one grouped query each), insert. Call it inside the transaction of the change.
    """
    days = sorted(set(days))
    if not days:
        return 0
    with transaction.atomic():
        TopicDay.objects.filter(day__in=days).delete()
        items = Item.objects.published().filter(digest__date__in=days).order_by()
        topics = items.values("digest__date", "topic_slug").annotate(
            n=models.Count("*"), label=models.Max("topic")
        )
        sections = items.values("digest__date", "category_id").annotate(
            n=models.Count("*"), label=models.Max("category__name")
        )
        rows = [
            TopicDay(
                kind=K.TOPIC,
                key=r["topic_slug"],
                name=r["label"],
                day=r["digest__date"],
                items=r["n"],
            )
            for r in topics
        ] + [
            TopicDay(
                kind=K.SECTION,
                key=str(r["category_id"]),
                name=r["label"],
                day=r["digest__date"],
                items=r["n"],
            )
            for r in sections
        ]
        TopicDay.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def recount_digest(digest):
    """Rewrite the counts of ``digest``'s day (the workflow's hook: published, withdrawn,
    republished, reopened)."""
    return recount_days([digest.date])


def stale_days():
    """Days with rows but no published digest (left by a change made outside the workflow)."""
    published = Digest.objects.published().filter(date=models.OuterRef("day"))
    return (
        TopicDay.objects.filter(~models.Exists(published))
        .order_by("day")
        .values_list("day", flat=True)
        .distinct()
    )


def rebuild(after=None, batch=BATCH_DAYS, progress=None):
    """Rewrite every published day's rows, oldest first, ``batch`` days a transaction.

    Days with rows but no published digest are cleared first. ``after`` (a date)
    resumes an interrupted run after the last day it reported; ``progress`` is
    called with (days done, days in all, last day) after each batch. Returns the
    days and the rows written.
    """
    TopicDay.objects.filter(day__in=list(stale_days())).delete()
    dates = Digest.objects.published().order_by("date").values_list("date", flat=True)
    if after is not None:
        dates = dates.filter(date__gt=after)
    total = dates.count()
    done = rows = 0
    last = after
    while True:
        chunk = list(dates.filter(date__gt=last)[:batch] if last else dates[:batch])
        if not chunk:
            break
        rows += recount_days(chunk)
        done, last = done + len(chunk), chunk[-1]
        if progress:
            progress(done, total, last)
    return done, rows


# --- reading --------------------------------------------------------------------------


@dataclass
class Series:
    """One topic's or section's counts over the spans of a chart."""

    kind: str
    key: str
    name: str
    counts: list = field(default_factory=list)
    slug: str = ""  # a section's slug (its key is its id); a topic's key
    chart: object = None  # its ``charts.Chart``, once a page draws it

    @property
    def total(self):
        return sum(self.counts)

    @property
    def url_name(self):
        return "digests:trend-topic" if self.kind == K.TOPIC else "digests:trend-section"


@dataclass(frozen=True)
class Span:
    """A week or a month of a chart: its first and last day."""

    start: datetime.date
    end: datetime.date


@dataclass
class Mover:
    """A topic rising or falling: items per week lately and before."""

    key: str
    name: str
    recent: int
    before: int

    @property
    def recent_rate(self):
        return self.recent / RECENT_WEEKS

    @property
    def before_rate(self):
        return self.before / BEFORE_WEEKS

    @property
    def change(self):
        return self.recent_rate - self.before_rate


def latest_day():
    """The latest published day, which the weeks end on; None before the first."""
    return Digest.objects.published().order_by("-date").values_list("date", flat=True).first()


def weeks(end, count):
    """The ``count`` seven-day spans ending on ``end``, oldest first."""
    return [
        Span(end - datetime.timedelta(days=7 * n + 6), end - datetime.timedelta(days=7 * n))
        for n in reversed(range(count))
    ]


def months(first, last):
    """Every calendar month from ``first``'s to ``last``'s, oldest first."""
    spans = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        start = datetime.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        spans.append(Span(start, datetime.date(year, month, 1) - datetime.timedelta(days=1)))
    return spans


def month_back(day, count):
    """The first day of the month ``count - 1`` months before ``day``'s."""
    index = day.year * 12 + day.month - 1 - (count - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


def daily_rows(since, until, kind=None, key=None):
    """Published rows from ``since`` to ``until`` as (kind, key, name, day, items): one query."""
    rows = TopicDay.objects.published().filter(day__gte=since, day__lte=until)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if key is not None:
        rows = rows.filter(key=key)
    return list(rows.order_by().values_list("kind", "key", "name", "day", "items"))


def monthly_rows(since, until, kind=None, key=None):
    """Published rows summed per month (from ``since``'s, or the first), as (kind, key, name,
    month, items): one grouped query."""
    rows = TopicDay.objects.published().filter(day__lte=until)
    if since is not None:
        rows = rows.filter(day__gte=since)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if key is not None:
        rows = rows.filter(key=key)
    grouped = (
        rows.annotate(month=TruncMonth("day"))
        .order_by()
        .values("kind", "key", "month")
        .annotate(n=models.Sum("items"), label=models.Max("name"))
    )
    return [(r["kind"], r["key"], r["label"], _as_date(r["month"]), r["n"]) for r in grouped]


def _as_date(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def bucket(rows, spans):
    """Series per (kind, key) of ``rows`` counted into ``spans`` (sorted, non-overlapping).

    A row's name becomes the series' name when it is the latest seen, so a topic
    shows its latest label.
    """
    series, latest = {}, {}
    starts = [span.start for span in spans]
    for kind, key, name, day, items in rows:
        index = _span_index(starts, spans, day)
        if index is None:
            continue
        one = series.get((kind, key))
        if one is None:
            one = series[(kind, key)] = Series(kind, key, name, [0] * len(spans), slug=key)
        one.counts[index] += items
        if latest.get((kind, key), day) <= day:
            latest[(kind, key)] = day
            one.name = name
    return series


def _span_index(starts, spans, day):
    from bisect import bisect_right

    index = bisect_right(starts, day) - 1
    if index < 0 or day > spans[index].end:
        return None
    return index


def movers(rows, end):
    """Topics rising and falling: the last ``RECENT_WEEKS`` against the ``BEFORE_WEEKS``
    before, in items per week, among topics with at least ``MIN_ITEMS`` items in those weeks."""
    split = end - datetime.timedelta(days=7 * RECENT_WEEKS)
    start = split - datetime.timedelta(days=7 * BEFORE_WEEKS)
    found = {}
    for kind, key, name, day, items in sorted(rows, key=lambda row: row[3]):
        if kind != K.TOPIC or not start < day <= end:
            continue
        mover = found.setdefault(key, Mover(key, name, 0, 0))
        mover.name = name  # the latest label
        if day > split:
            mover.recent += items
        else:
            mover.before += items
    weighed = [m for m in found.values() if m.recent + m.before >= MIN_ITEMS]
    rising = sorted(
        (m for m in weighed if m.change > 0), key=lambda m: (-m.change, -m.recent, m.key)
    )
    falling = sorted(
        (m for m in weighed if m.change < 0), key=lambda m: (m.change, -m.before, m.key)
    )
    return rising[:MOVERS], falling[:MOVERS]


def name_sections(series, categories):
    """Give section series their section's current name and slug; drop sections gone."""
    named = []
    for one in series:
        category = categories.get(int(one.key)) if one.key.isdigit() else None
        if category is None:
            continue
        one.name, one.slug = category.name, category.slug
        named.append(one)
    return named


def leading(series, count):
    """The ``count`` series with most items, most first (ties by name)."""
    return sorted(series, key=lambda one: (-one.total, one.name))[:count]
