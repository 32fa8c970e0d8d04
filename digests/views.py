"""Public pages: what readers see. Every query starts from ``Digest.objects.published()``
(or ``Item.objects.published()``, which is defined through it)."""

import calendar
import datetime
import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.generic import (
    DayArchiveView,
    DetailView,
    ListView,
    MonthArchiveView,
    TemplateView,
    View,
)
from django_filters.views import FilterView

from digests import fragments, search, seo
from digests.exporting import export_digest
from digests.filters import ItemFilter
from digests.models import Category, Digest, Item, Source, Tag
from digests.models.digest import page_fetch_mode
from digests.models.item import tags_prefetch

PAGE_SIZE = 20

log = logging.getLogger(__name__)


class WithdrawnNoticeMixin:
    """A withdrawn day's addresses answer 410 Gone with a short public notice.

    The notice gives the day, that it was withdrawn, the reason and when (from
    the latest withdrawal in its history), and none of its contents. A day
    reopened for editing is not withdrawn any more: it is a 404 until it is
    published again. Any other page not found stays a 404.
    """

    def withdrawn_digests(self):
        """The withdrawn digest this address belongs to, if any (a ``withdrawn()`` queryset)."""
        try:
            date = datetime.date(self.kwargs["year"], self.kwargs["month"], self.kwargs["day"])
        except ValueError:
            return Digest.objects.none()
        return Digest.objects.withdrawn().filter(date=date)

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            digest = self.withdrawn_digests().first()
            if digest is None:
                raise
            return TemplateResponse(
                request, "digests/withdrawn.html", {"digest": digest}, status=410
            )


class PublishedDigestMixin:
    """Date-based views over published digests, by their editorial date."""

    model = Digest
    date_field = "date"
    month_format = "%m"
    day_format = "%d"
    allow_future = True  # publication, not the calendar, decides what readers see
    allow_empty = False

    def get_queryset(self):
        return Digest.objects.published().fetch_mode(page_fetch_mode())


class DigestDayView(WithdrawnNoticeMixin, PublishedDigestMixin, DayArchiveView):
    """One day's briefing at /YYYY/MM/DD/, with links to the days before and after.

    The briefing's body comes from ``digests.fragments``: rendered once per
    version of the digest, its contents fetched only when it is rendered.
    """

    template_name = "digests/digest_detail.html"

    def get_queryset(self):
        """The digest and the published days around it: all a kept page needs."""
        days = Digest.objects.published().values("date")
        return (
            super()
            .get_queryset()
            .annotate(
                previous_date=Subquery(
                    days.filter(date__lt=OuterRef("date")).order_by("-date")[:1]
                ),
                next_date=Subquery(days.filter(date__gt=OuterRef("date")).order_by("date")[:1]),
            )
        )

    def get_dated_queryset(self, **lookup):
        self.dated = super().get_dated_queryset(**lookup)  # evaluated: allow_empty is False
        return self.dated

    def get_previous_day(self, date):
        """The published day before: read from the digest's own query, not another one."""
        return self.dated[0].previous_date

    def get_next_day(self, date):
        return self.dated[0].next_date

    def get_previous_month(self, date):
        """Not shown on a day's page (it links its own month); spares two queries."""
        return None

    def get_next_month(self, date):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        digest = context["object_list"][0]
        context["digest"] = digest
        self.key = fragments.page_key(
            digest, context["previous_day"], context["next_day"], self.request
        )
        self.kept = fragments.kept_page(self.key)
        if self.kept is None:
            fragments.fetch_contents(digest)
            context.update(seo.for_digest(digest), last_updated=digest.last_updated)
        return context

    def render_to_response(self, context, **kwargs):
        if self.kept is not None:
            response = HttpResponse(self.kept["content"])
            last_updated = self.kept["last_updated"]
        else:
            response = super().render_to_response(context, **kwargs).render()
            last_updated = context["last_updated"]
            fragments.keep_page(self.key, response.content, last_updated)
        response["Last-Modified"] = http_date(last_updated.timestamp())
        return response


class LatestDigestView(DigestDayView):
    """The home page: the latest published briefing (its canonical address is its day)."""

    extra_context = {"nav": "today"}

    def get(self, request, *args, **kwargs):
        latest = Digest.objects.published().order_by("-date").values_list("date", flat=True)
        day = latest.first()
        if day is None:
            return TemplateView.as_view(template_name="digests/empty.html")(request)
        self.kwargs.update(year=day.year, month=day.month, day=day.day)
        return super().get(request, *args, **kwargs)


class DigestMonthView(PublishedDigestMixin, MonthArchiveView):
    """A month as a calendar, linking each published day."""

    template_name = "digests/digest_archive_month.html"
    extra_context = {"nav": "archive"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = {digest.date: digest for digest in context["object_list"]}
        month = context["month"]
        context["weeks"] = [
            [(day, published.get(day) if day.month == month.month else None) for day in week]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(
                month.year, month.month
            )
        ]
        context["canonical_url"] = seo.absolute(self.request.path)
        return context


class ArchiveView(TemplateView):
    """/archive/: every month with published briefings, newest first."""

    template_name = "digests/archive.html"
    extra_context = {"nav": "archive"}

    def get_context_data(self, **kwargs):
        months = (
            Digest.objects.published()
            .annotate(month=TruncMonth("date"))
            .values("month")
            .annotate(count=Count("id"))
            .order_by("-month")
        )
        years = {}
        for row in months:
            years.setdefault(row["month"].year, []).append(row)
        return super().get_context_data(
            years=years, canonical_url=seo.absolute(self.request.path), **kwargs
        )


class ItemDetailView(WithdrawnNoticeMixin, DetailView):
    """An item's own page (its permalink), with its corrections."""

    template_name = "digests/item_detail.html"
    context_object_name = "item"

    def withdrawn_digests(self):
        return Digest.objects.withdrawn().filter(items__pk=self.kwargs["pk"])

    def get_queryset(self):
        return Item.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(seo.for_item(self.object))
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Last-Modified"] = http_date(self.object.last_updated.timestamp())
        return response


class ItemListView(ListView):
    """A paginated list of published items across days; subclasses choose which.

    A list with nothing published in it is a 404, whether the slug is unknown or
    every item under it belongs to a digest readers cannot see.
    """

    template_name = "digests/item_list.html"
    paginate_by = PAGE_SIZE
    allow_empty = False
    context_object_name = "items"
    ordering = ["-digest__date", "position", "id"]

    def get_queryset(self):
        return self.filter_items(Item.objects.published().for_listing()).order_by(*self.ordering)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = seo.absolute(self.request.path)
        return context


class CategoryItemsView(ItemListView):
    def filter_items(self, items):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return items.filter(category=self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.category.name,
            description=self.category.description,
            kind=_("Section"),
            feed_url=True,
            category=self.category,
            **kwargs,
        )


class TopicItemsView(ItemListView):
    def filter_items(self, items):
        return items.filter(topic_slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(heading=context["items"][0].topic, kind=_("Topic"))
        return context


class TagItemsView(ItemListView):
    def filter_items(self, items):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return items.filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.tag.name, kind=_("Tag"), **kwargs)


class SourceItemsView(ItemListView):
    def filter_items(self, items):
        self.source = get_object_or_404(Source, slug=self.kwargs["slug"])
        return items.filter(source=self.source)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.source.name, kind=_("Source"), source=self.source, **kwargs
        )


class BrowseView(FilterView):
    """/items/: published items by date range, section, topic, tag, source and text."""

    filterset_class = ItemFilter
    template_name = "digests/browse.html"
    extra_context = {"nav": "browse"}
    paginate_by = PAGE_SIZE
    context_object_name = "items"

    def get_queryset(self):
        return Item.objects.published().for_listing().order_by("-digest__date", "position", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = seo.absolute(self.request.path)
        context["query_string"] = _without_page(self.request)
        return context


class SearchView(ListView):
    """/search/?q=: ranked search over headlines, bodies, topics and sources."""

    template_name = "digests/search.html"
    paginate_by = PAGE_SIZE
    context_object_name = "items"

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()[:200]
        items = search.search(self.query)
        return items.select_related("digest", "category", "source").prefetch_related(
            tags_prefetch()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            query=self.query,
            query_string=_without_page(self.request),
            canonical_url=seo.absolute(self.request.path),
        )
        return context


class DigestExportView(WithdrawnNoticeMixin, PublishedDigestMixin, View):
    """/YYYY/MM/DD.txt, .md and .json: the same as ``export_digest``."""

    content_types = {
        "txt": ("text", "text/plain; charset=utf-8"),
        "md": ("markdown", "text/markdown; charset=utf-8"),
        "json": ("json", "application/json; charset=utf-8"),
    }

    def get(self, request, year, month, day, fmt):
        try:
            date = datetime.date(year, month, day)
        except ValueError:
            raise Http404(_("No such date.")) from None
        digest = get_object_or_404(self.get_queryset().with_contents(), date=date)
        export_format, content_type = self.content_types[fmt]
        response = HttpResponse(export_digest(digest, export_format), content_type=content_type)
        response["Last-Modified"] = http_date(digest.last_updated.timestamp())
        return response


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /search/",
        f"Sitemap: {seo.absolute('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def healthz(request):
    """The database and the cache, each "ok" or "unavailable": for load balancers and monitors.

    200 while the database answers, even with the cache down (pages are then
    built from the database); 503 when the database does not. Cheap enough to
    be the benchmark's baseline: one ``SELECT 1`` and, with Redis, one PING.
    """
    database = _database_answers()
    available = getattr(cache, "available", None)  # per-process caches are always there
    state = {
        "database": "ok" if database else "unavailable",
        "cache": "ok" if available is None or available() else "unavailable",
    }
    return JsonResponse(state, status=200 if database else 503)


def _database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        log.exception("health check: the database does not answer")
        return False
    return True


def _without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
