"""/api/: published digests, items, sections and sources as JSON, with an OpenAPI document.

Every query starts from ``Digest.objects.published()`` or ``Item.objects.published()``,
as the pages' do. Answers are built from the database on each request (the page
cache leaves /api/ alone, so the rate limit sees every request); ``ETag`` and 304
come from ``ConditionalGetMiddleware``.
"""

import datetime
import functools
import json

from django.conf import settings
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, urlencode
from ninja import NinjaAPI, Query
from ninja.throttling import AnonRateThrottle

from digests import seo
from digests.api import cursors, schemas
from digests.briefing.model import claim_json
from digests.exporting import claim_values, export_digest
from digests.filters import ItemFilter, public_choices
from digests.logins import client_ip
from digests.models import Category, Claim, Digest, Item, Source
from digests.models.item import item_count
from digests.views import LIST_ORDER

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class ClientRateThrottle(AnonRateThrottle):
    """``NEWSROOM_API_RATE`` requests per client address, counted in the cache.

    The client's address is found as for logins (``NEWSROOM_CLIENT_IP_HEADER``).
    With the cache unreachable the count is not kept and every request passes:
    the API stays up without its limit rather than going down with Redis.
    """

    scope = "api"
    cache_format = "newsroom:api-throttle:%(ident)s"

    def __init__(self):
        super().__init__(settings.NEWSROOM_API_RATE)

    def allow_request(self, request):
        if self.rate != settings.NEWSROOM_API_RATE:  # changed since start-up (tests)
            self.rate = settings.NEWSROOM_API_RATE
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        return self.cache_format % {"ident": client_ip(request)}


api = NinjaAPI(
    title="Newsroom API",
    version="1",
    description="Published briefings, items, sections and sources, read-only (docs/api.md).",
    urls_namespace="api",
    throttle=[ClientRateThrottle()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def public(view):
    """The site's language for the addresses in an answer, and the pages' ``Cache-Control``."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponse) and response.status_code == 200:
            patch_cache_control(response, public=True, max_age=60)
        return response

    return wrapped


def answer(data, status=200):
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def absolute_api(path, **params):
    params = {key: value for key, value in params.items() if value not in (None, "")}
    query = f"?{urlencode(params)}" if params else ""
    return seo.absolute(reverse(f"api:{path[0]}", kwargs=path[1]) + query)


def day_api_url(date):
    return absolute_api(("digest", {"day": date.isoformat()}))


def limit_of(limit):
    return max(1, min(limit, MAX_LIMIT))


# --- digests -------------------------------------------------------------------------


@api.get(
    "/digests/{day}",
    url_name="digest",
    operation_id="digest",
    tags=["digests"],
    response={200: schemas.Briefing, 404: schemas.Error, 410: schemas.Withdrawn},
    summary="One day's digest",
)
@public
def digest(request, day: datetime.date):
    """The day's briefing, the same document as its ``.json`` download.

    A day that was withdrawn answers 410 with when and why; any other day
    without a published digest answers 404.
    """
    found = Digest.objects.published().with_contents().filter(date=day).first()
    if found is None:
        withdrawn = Digest.objects.withdrawn().filter(date=day).first()
        if withdrawn is None:
            return answer({"detail": "No briefing was published on this day."}, 404)
        return answer(
            {
                "detail": "This briefing was withdrawn.",
                "date": withdrawn.date.isoformat(),
                "reason": withdrawn.withdrawal_reason,
                "withdrawn_at": withdrawn.withdrawn_at.isoformat()
                if withdrawn.withdrawn_at
                else None,
            },
            410,
        )
    response = HttpResponse(
        export_digest(found, "json"), content_type="application/json; charset=utf-8"
    )
    response["Last-Modified"] = http_date(found.last_updated.timestamp())
    return response


@api.get(
    "/digests",
    url_name="digests",
    operation_id="digests",
    tags=["digests"],
    response={200: schemas.DigestPage, 400: schemas.Error},
    summary="Digests by date range",
)
@public
def digests(
    request,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
):
    """Published digests, newest first, ``limit`` (at most 100) a page; ``next`` is the
    next page's address, null on the last."""
    limit = limit_of(limit)
    found = Digest.objects.published()
    if date_from:
        found = found.filter(date__gte=date_from)
    if date_to:
        found = found.filter(date__lte=date_to)
    if cursor:
        try:
            after = datetime.date.fromisoformat(cursors.decode("digests", cursor))
        except (cursors.BadCursor, TypeError, ValueError):
            return answer({"detail": "Invalid cursor."}, 400)
        found = found.filter(date__lt=after)
    rows = list(
        found.order_by("-date")
        # Counted per digest on the page only: a subquery, not a GROUP BY over every day.
        .annotate(item_count=item_count("digest"))
        .values("date", "title", "item_count")[: limit + 1]
    )
    page, more = rows[:limit], len(rows) > limit
    results = [
        {
            "date": row["date"].isoformat(),
            "title": row["title"],
            "item_count": row["item_count"] or 0,
            "url": seo.absolute(day_path(row["date"])),
            "api_url": day_api_url(row["date"]),
        }
        for row in page
    ]
    next_url = None
    if more:
        next_url = absolute_api(
            ("digests", {}),
            date_from=date_from,
            date_to=date_to,
            limit=limit,
            cursor=cursors.encode("digests", page[-1]["date"].isoformat()),
        )
    return answer({"results": results, "next": next_url})


def day_path(date):
    return reverse("digests:day", kwargs={"year": date.year, "month": date.month, "day": date.day})


# --- items ---------------------------------------------------------------------------


class ItemFilters(schemas.Schema):
    section: str | None = None
    topic: str | None = None
    tag: str | None = None
    source: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: str | None = None


@api.get(
    "/items",
    url_name="items",
    operation_id="items",
    tags=["items"],
    response={200: schemas.ItemPage, 400: schemas.Error},
    summary="Items, filtered and searched",
)
@public
def items(
    request,
    filters: Query[ItemFilters],
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
):
    """Published items, newest day first and in the briefing's order within a day.

    The filters are /items/'s: ``section``, ``topic``, ``tag`` and ``source`` by
    slug, ``date_from``/``date_to`` (inclusive), and ``q``, words found by the
    site's search index. A slug nothing published uses is a 400.
    """
    limit = limit_of(limit)
    given = {key: value for key, value in filters.dict().items() if value not in (None, "")}
    if "q" in given:
        given["q"] = given["q"].strip()[:200]
    data = {("category" if key == "section" else key): value for key, value in given.items()}
    filterset = ItemFilter(
        data, queryset=Item.objects.published().for_listing().order_by(*LIST_ORDER)
    )
    if not filterset.is_valid():
        errors = {
            ("section" if field == "category" else field): messages
            for field, messages in filterset.errors.items()
        }
        return answer({"detail": errors}, 400)
    found = filterset.qs
    if cursor:
        try:
            day, position, pk = cursors.decode("items", cursor)
            day = datetime.date.fromisoformat(day)
        except (cursors.BadCursor, TypeError, ValueError):
            return answer({"detail": "Invalid cursor."}, 400)
        found = found.filter(
            Q(digest__date__lt=day)
            | Q(digest__date=day, position__gt=position)
            | Q(digest__date=day, position=position, pk__gt=pk)
        )
    rows = list(found[: limit + 1])
    page, more = rows[:limit], len(rows) > limit
    prefetch_related_objects(page, claims_prefetch())  # each item's numbers: one query
    next_url = None
    if more:
        last = page[-1]
        next_url = absolute_api(
            ("items", {}),
            **given,
            limit=limit,
            cursor=cursors.encode("items", [last.digest.date.isoformat(), last.position, last.pk]),
        )
    return answer({"results": [item_data(item) for item in page], "next": next_url})


def claims_prefetch():
    """An item's numeric claims as readers see them: dismissed ones left out."""
    shown = Claim.objects.exclude(status=Claim.Status.DISMISSED).order_by("part", "start")
    return Prefetch("claims", queryset=shown)


def item_data(item):
    return {
        "id": item.pk,
        "date": item.digest.date.isoformat(),
        "position": item.position,
        "section": {"name": item.category.name, "slug": item.category.slug},
        "topic": item.topic,
        "topic_slug": item.topic_slug,
        "title": item.title,
        "body": item.body,
        "source": {"name": item.source.name, "slug": item.source.slug} if item.source else None,
        "link": item.url or None,
        "tags": [tag.name for tag in item.tag_list],
        "claims": [claim_json(claim_values(claim)) for claim in item.claims.all()],
        "url": seo.absolute(item.get_absolute_url()),
        "digest_api_url": day_api_url(item.digest.date),
    }


# --- sections and sources ------------------------------------------------------------


@api.get(
    "/sections",
    url_name="sections",
    operation_id="sections",
    tags=["sections and sources"],
    response=list[schemas.Section],
    summary="Sections",
)
@public
def sections(request):
    """The sections published items appear under, in the briefing's order."""
    found = Category.objects.filter(pk__in=public_choices()["category"]).order_by(
        "position", "name"
    )
    return answer(
        [
            {
                "name": section.name,
                "slug": section.slug,
                "description": section.description,
                "url": seo.absolute(section.get_absolute_url()),
            }
            for section in found
        ],
    )


@api.get(
    "/sources",
    url_name="sources",
    operation_id="sources",
    tags=["sections and sources"],
    response=list[schemas.Source],
    summary="Sources",
)
@public
def sources(request):
    """The sources of published items, by name."""
    found = Source.objects.filter(pk__in=public_choices()["source"]).order_by("name")
    return answer(
        [
            {
                "name": source.name,
                "slug": source.slug,
                "kind": source.kind,
                "website": source.url or None,
                "url": seo.absolute(source.get_absolute_url()),
            }
            for source in found
        ],
    )


def document():
    """The OpenAPI document, as the API serves it."""
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/")))
