"""The public /trends/ pages: sections and topics over weeks and months, as SVG and tables.

Every count comes from ``TopicDay.objects.published()`` (rows of published days,
read through ``Digest.objects.published()``) and every item from
``Item.objects.published()``. Each page makes a fixed number of queries whatever
the archive's length (tests/test_trends.py counts them) and is kept in the public
page cache like any reader page, under the public generation.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from digests import seo
from digests.models import Category, Item, TopicDay
from digests.trends import charts, counts
from digests.views import LIST_ORDER

K = TopicDay.Kind


@dataclass
class Panel:
    """A chart (one series, or small multiples of several) and its data table."""

    id: str
    title: str
    spans: list
    series: list
    span_label: object  # charts.week_label or charts.month_label

    @property
    def first(self):
        """The first span's label (the charts' descriptions start there)."""
        return self.span_label(self.spans[0])

    @cached_property
    def rows(self):
        """The table's rows: a span's label and each series' count in it."""
        return [
            (self.span_label(span), [one.counts[i] for one in self.series])
            for i, span in enumerate(self.spans)
        ]


def small_multiples(panel_id, title, spans, series, span_label):
    """A panel of one sparkline per series, each series carrying its ``chart``."""
    for one in series:
        one.chart = charts.bar_chart(spans, one.counts, span_label, small=True)
    return Panel(panel_id, title, spans, series, span_label)


class TrendsView(TemplateView):
    """/trends/: every section and the leading topics by week and by month, and the topics
    rising or falling over the last four weeks."""

    template_name = "digests/trends/index.html"
    extra_context = {"nav": "trends"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = seo.absolute(self.request.path)
        context["rules"] = rules()
        end = counts.latest_day()  # 1 the latest published day
        if end is None:
            return context
        week_spans = counts.weeks(end, counts.WEEKS)
        since = end - datetime.timedelta(days=7 * (counts.RECENT_WEEKS + counts.BEFORE_WEEKS) - 1)
        daily = counts.daily_rows(since, end)  # 2 every row of the last 16 weeks
        month_spans = counts.months(counts.month_back(end, counts.MONTHS), end)
        monthly = counts.monthly_rows(month_spans[0].start, end)  # 3 per month, 24 months
        categories = {c.pk: c for c in Category.objects.all()}  # 4 the sections' names
        if monthly:  # a younger archive: its months only
            month_spans = counts.months(min(row[3] for row in monthly), end)
        weekly = counts.bucket(daily, week_spans)
        by_month = counts.bucket(monthly, month_spans)

        def sections(found):
            ordered = [
                found[(K.SECTION, str(pk))] for pk in categories if (K.SECTION, str(pk)) in found
            ]
            return counts.name_sections(ordered, categories)

        def topics(found):
            return counts.leading(
                [s for (kind, _key), s in found.items() if kind == K.TOPIC], counts.LEADING
            )

        rising, falling = counts.movers(daily, end)
        all_topics = counts.leading(
            [s for (kind, _key), s in by_month.items() if kind == K.TOPIC], counts.TOPIC_LINKS
        )
        context.update(
            end=end,
            panels=[
                small_multiples(
                    "sections-weeks",
                    _("Sections, week by week"),
                    week_spans,
                    sections(weekly),
                    charts.week_label,
                ),
                small_multiples(
                    "topics-weeks",
                    _("Leading topics, week by week"),
                    week_spans,
                    topics(weekly),
                    charts.week_label,
                ),
                small_multiples(
                    "sections-months",
                    _("Sections, month by month"),
                    month_spans,
                    sections(by_month),
                    charts.month_label,
                ),
                small_multiples(
                    "topics-months",
                    _("Leading topics, month by month"),
                    month_spans,
                    topics(by_month),
                    charts.month_label,
                ),
            ],
            rising=rising,
            falling=falling,
            all_topics=sorted(all_topics, key=lambda one: one.key),
        )
        return context


def rules():
    """The numbers the page states its rules with."""
    return {
        "weeks": counts.WEEKS,
        "months": counts.MONTHS,
        "recent": counts.RECENT_WEEKS,
        "before": counts.BEFORE_WEEKS,
        "minimum": counts.MIN_ITEMS,
        "leading": counts.LEADING,
    }


class SeriesTrendView(TemplateView):
    """A topic's or a section's page: every month of the archive, the last weeks, and its
    latest items. A 404 when nothing published has it."""

    kind = None

    def lookup(self):
        """(its key in ``TopicDay``, the section or None, its published items)."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        key, section, items = self.lookup()
        end = counts.latest_day()  # the latest published day
        if end is None:
            raise Http404(_("Nothing has been published yet."))
        monthly = counts.monthly_rows(None, end, self.kind, key)  # per month
        if not monthly:
            raise Http404(_("Nothing published has this topic or section."))
        first = min(row[3] for row in monthly)
        month_spans = counts.months(first, end)
        week_spans = counts.weeks(end, counts.PAGE_WEEKS)
        daily = counts.daily_rows(week_spans[0].start, end, self.kind, key)  # its last weeks
        by_month = counts.bucket(monthly, month_spans)[(self.kind, key)]
        by_week = counts.bucket(daily, week_spans).get((self.kind, key))
        week_counts = by_week.counts if by_week else [0] * len(week_spans)
        name = section.name if section else by_month.name
        context.update(
            name=name,
            section=section,
            slug=self.kwargs["slug"],
            total=by_month.total,
            end=end,
            month_chart=charts.bar_chart(month_spans, by_month.counts, charts.month_label),
            month_spans=month_spans,
            years=charts.by_year(month_spans, by_month.counts),
            month_headers=charts.month_names(),
            first_month=month_spans[0],
            week_chart=charts.bar_chart(week_spans, week_counts, charts.week_label),
            week_rows=[
                (charts.week_label(span), value)
                for span, value in zip(week_spans, week_counts, strict=True)
            ],
            week_total=sum(week_counts),
            weeks=counts.PAGE_WEEKS,
            # the latest items, with their days, sections and sources, tags and corrections
            items=list(items.for_listing().order_by(*LIST_ORDER)[: counts.LATEST_ITEMS]),
            canonical_url=seo.absolute(self.request.path),
        )
        return context


class TopicTrendView(SeriesTrendView):
    """/trends/topics/<slug>/: one topic over time, linking /topics/<slug>/ for all its items."""

    template_name = "digests/trends/topic.html"
    kind = K.TOPIC

    def lookup(self):
        slug = self.kwargs["slug"]
        return slug, None, Item.objects.published().filter(topic_slug=slug)


class SectionTrendView(SeriesTrendView):
    """/trends/sections/<slug>/: one section over time, linking its section page."""

    template_name = "digests/trends/section.html"
    kind = K.SECTION

    def lookup(self):
        section = get_object_or_404(Category, slug=self.kwargs["slug"])  # the section
        return str(section.pk), section, Item.objects.published().filter(category=section)
