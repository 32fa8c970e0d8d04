"""Public pages: what readers see. Every query starts from ``Digest.objects.published()``
(or ``Item.objects.published()``, which is defined through it)."""

import calendar
import datetime
import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, prefetch_related_objects
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import http_date, urlencode
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

from digests import fragments, search, seo, wayfinding
from digests.exporting import export_digest
from digests.filters import ItemFilter
from digests.models import Category, Digest, Item, Source, Tag
from digests.models.digest import content_prefetches, page_fetch_mode
from digests.pagination import CappedPaginator, older_url
from digests.sources import stats as source_stats
from digests.story import public as story_public

PAGE_SIZE = 20
# Newest day first, in the briefing's order within a day: served by the digests'
# date index and the items' (digest, position) index (docs/performance.md).
LIST_ORDER = ["-digest__date", "position", "id"]

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


class MissingDayMixin:
    """A day with no published briefing answers 404 with the nearest published days.

    A draft, in review, scheduled or reopened day looks exactly like a day that never
    had a digest; a withdrawn day keeps its 410 notice (``WithdrawnNoticeMixin``). An
    address that is not a date at all stays the site's plain 404.
    """

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404 as missing:
            try:
                date = datetime.date(kwargs["year"], kwargs["month"], kwargs["day"])
            except ValueError:
                raise missing from None
            context = {"day": date, "nearest": wayfinding.nearest_days(date)}
            return TemplateResponse(request, "digests/day_missing.html", context, status=404)


class DigestDayView(MissingDayMixin, WithdrawnNoticeMixin, PublishedDigestMixin, DayArchiveView):
    """One day's briefing at /YYYY/MM/DD/, with links to the days before and after.

    The rendered page is kept under what it shows (``digests.fragments``): while
    the digest and its neighbours are unchanged it is served again for one query.
    """

    template_name = "digests/digest_detail.html"

    def get(self, request, *args, **kwargs):
        if not fragments.keeping():
            return super().get(request, *args, **kwargs)
        try:
            date = datetime.date(self.kwargs["year"], self.kwargs["month"], self.kwargs["day"])
        except ValueError:
            raise Http404(_("No such date.")) from None
        state = fragments.day_state(date)
        if state is None:
            raise Http404(_("No briefing was published on this day."))
        key = fragments.page_key(state, request)
        kept = fragments.kept_page(key)
        if kept is not None:
            response = HttpResponse(kept["content"])
            response["Last-Modified"] = kept["last_modified"]
            return response
        response = super().get(request, *args, **kwargs).render()
        fragments.keep_page(key, response)
        return response

    def get_queryset(self):
        """The digest with the published days around it, in one query."""
        return fragments.day_queryset().fetch_mode(page_fetch_mode())

    def get_dated_items(self):
        date_list, object_list, context = super().get_dated_items()
        digest = object_list[0]  # evaluated: allow_empty is False
        context.update(previous_day=digest.previous_date, next_day=digest.next_date)
        return date_list, object_list, context

    def get_previous_day(self, date):
        """Read from the digest's own query instead (``get_dated_items``)."""
        return None

    def get_next_day(self, date):
        return None

    def get_previous_month(self, date):
        """Not shown on a day's page (it links its own month); spares two queries."""
        return None

    def get_next_month(self, date):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        digest = context["object_list"][0]
        prefetch_related_objects([digest], *content_prefetches())
        story_public.attach_links(digest.items.all())  # one query: 此前报道 / 后续报道
        context.update(seo.for_digest(digest), digest=digest, last_updated=digest.last_updated)
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Last-Modified"] = http_date(context["last_updated"].timestamp())
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
        # Each day's distinguishing line: its lede, or its first headlines (one query).
        wayfinding.attach_top_headlines(published.values())
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
        return wayfinding.with_neighbours(Item.objects.published().for_listing())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(seo.for_item(self.object))
        previous_item, next_item = wayfinding.neighbours(self.object)
        context.update(
            previous_item=previous_item,
            next_item=next_item,
            same_topic=wayfinding.same_topic(self.object),
        )
        story_public.attach_links([self.object])  # one query: 此前报道 / 后续报道
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Last-Modified"] = http_date(self.object.last_updated.timestamp())
        return response


class ItemListView(ListView):
    """A paginated list of published items across days; subclasses choose which.

    A list with nothing published in it is a 404, whether the slug is unknown or
    every item under it belongs to a digest readers cannot see. Its count stops
    at a thousand (``digests.pagination``); the last page then links on to
    /items/ with the same filter (``browse_filters``), older days only.
    """

    template_name = "digests/item_list.html"
    paginate_by = PAGE_SIZE
    paginator_class = CappedPaginator
    allow_empty = False
    context_object_name = "items"
    ordering = LIST_ORDER

    def get_queryset(self):
        return self.filter_items(Item.objects.published().for_listing()).order_by(*self.ordering)

    def browse_filters(self):
        """This list as /items/'s query parameters."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = seo.absolute(self.request.path)
        context["older_url"] = older_url(context["page_obj"], self.browse_filters())
        return context


class CategoryItemsView(ItemListView):
    def filter_items(self, items):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return items.filter(category=self.category)

    def browse_filters(self):
        return {"category": self.kwargs["slug"]}

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

    def browse_filters(self):
        return {"topic": self.kwargs["slug"]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first = next(iter(context["items"]))  # evaluates the page once, for the template too
        context.update(heading=first.topic, kind=_("Topic"))
        return context


class TagItemsView(ItemListView):
    def filter_items(self, items):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return items.filter(tags=self.tag)

    def browse_filters(self):
        return {"tag": self.kwargs["slug"]}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.tag.name, kind=_("Tag"), **kwargs)


class SourceItemsView(ItemListView):
    """A source's registry entry (kind, primary or not, citations, sections, 更正) and
    its published items; its figures count published items only (``digests.sources``)."""

    def filter_items(self, items):
        sources = source_stats.with_stats(Source.objects.all())  # its figures, in its query
        self.source = get_object_or_404(sources, slug=self.kwargs["slug"])
        return items.filter(source=self.source)

    def browse_filters(self):
        return {"source": self.kwargs["slug"]}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.source.name,
            kind=_("Source"),
            source=self.source,
            source_sections=source_stats.sections(self.source),
            **kwargs,
        )


class SourceListView(ListView):
    """/sources/: every source readers can see an item of, by name, with its figures."""

    template_name = "digests/source_list.html"
    paginate_by = 50
    context_object_name = "sources"

    def get_queryset(self):
        return source_stats.cited_publicly().order_by("name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(canonical_url=seo.absolute(self.request.path), **kwargs)
        source_stats.attach(context["sources"])  # the page's figures: one grouped query
        return context


class BrowseView(FilterView):
    """/items/: published items by date range, section, topic, tag, source and text.

    Counted up to a thousand, like every list; the last page of a longer list
    links on to the same filters with ``date_to`` at its last day.
    """

    filterset_class = ItemFilter
    template_name = "digests/browse.html"
    extra_context = {"nav": "browse"}
    paginate_by = PAGE_SIZE
    paginator_class = CappedPaginator
    context_object_name = "items"

    def get_queryset(self):
        return Item.objects.published().for_listing().order_by(*LIST_ORDER)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = seo.absolute(self.request.path)
        context["query_string"] = _without_page(self.request)
        context["older_url"] = older_url(context["page_obj"], self.request.GET)
        return context


class SearchView(ListView):
    """/search/?q=: ranked search over headlines, bodies, topics and sources.

    ``search.search`` returns the ranked candidates (at most ``CANDIDATES``, the
    newest matches) as a sequence; the Paginator pages it and only the page's
    items are loaded.
    """

    template_name = "digests/search.html"
    paginate_by = PAGE_SIZE
    context_object_name = "items"

    def search_query(self):
        return self.request.GET.get("q", "").strip()[:200]

    def get_queryset(self):
        return search.search(self.search_query())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            query=self.search_query(),
            # The words to mark, worked out once for the page's twenty items.
            marks=search.words_to_mark(self.search_query()),
            capped=self.object_list.capped,
            older_url=self.older_url(context["page_obj"]),
            query_string=_without_page(self.request),
            canonical_url=seo.absolute(self.request.path),
        )
        if not context["items"]:
            # Nothing to read: the nearest topics, the latest briefing, the sections.
            context.update(wayfinding.search_suggestions(self.search_query()))
        return context

    def older_url(self, page):
        """On the last page of capped results: the older matches, by date, in /items/."""
        if not self.object_list.capped or page is None or page.has_next():
            return None
        params = {"q": self.search_query(), "date_to": self.object_list.oldest_day().isoformat()}
        return f"{reverse('digests:browse')}?{urlencode(params)}"


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
