"""The read-only API at /api/: its answers, filters, pages, headers, limit and document."""

import copy
import datetime
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache

from digests.api import schemas
from digests.api.views import document
from digests.briefing import parse_text
from digests.demo import demo_files
from digests.exporting import export_digest
from digests.importing import import_briefing
from digests.models import Digest, Tag
from newsroom.settings import redis_cache
from tests import factories
from tests.test_views import add_items

pytestmark = pytest.mark.django_db
S = Digest.Status
SITE = "http://127.0.0.1:8000"


def local(url):
    """An absolute address the API gave, as the test client asks it."""
    assert url.startswith(SITE), url
    return url.removeprefix(SITE)


def pages(client, url):
    """Every page of a list, following ``next`` to the end."""
    found = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        found.append(response.json())
        url = found[-1]["next"] and local(found[-1]["next"])
        assert len(found) < 100
    return found


@pytest.fixture
def week(db):
    """The demo week, published (its items indexed for search)."""
    return [import_briefing(parse_text(p.read_bytes()), publish=True) for p in demo_files()]


@pytest.fixture
def days(db):
    """Five published days of three items (one tagged 芯片), a draft between them."""
    made = []
    for n in range(1, 7):
        status = S.DRAFT if n == 4 else S.PUBLISHED
        digest = factories.full_digest(date=datetime.date(2026, 5, n), status=status)
        digest.items.first().tags.add("芯片")
        made.append(digest)
    return made


# --- the day ---------------------------------------------------------------------------------


def test_the_day_is_the_json_download(client, days):
    response = client.get("/api/digests/2026-05-02")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content.decode() == client.get("/2026/05/02.json").content.decode()
    assert response.content.decode() == export_digest(
        Digest.objects.with_contents().get(date=datetime.date(2026, 5, 2)), "json"
    )
    schemas.Briefing.model_validate(response.json())  # the document describes it
    assert response.has_header("Last-Modified")


def test_a_day_without_a_digest_or_a_bad_date(client, days):
    assert client.get("/api/digests/2026-05-04").status_code == 404  # the draft
    assert client.get("/api/digests/2026-05-09").json()["detail"]
    assert client.get("/api/digests/2026-02-30").status_code == 422
    assert client.get("/api/digests/yesterday").status_code == 422


@pytest.mark.parametrize("items", [10, 300])
def test_the_day_stays_within_the_day_pages_query_budget(
    client, items, django_assert_max_num_queries
):
    digest = factories.full_digest(date=datetime.date(2026, 3, 2), status=S.PUBLISHED, items=1)
    add_items(digest, items - 1)
    # test_views.test_day_page_queries: 8. The API needs no neighbouring days: 6, and
    # 7 the digest's numeric claims (each item's ``claims``).
    with django_assert_max_num_queries(7):
        response = client.get("/api/digests/2026-03-02")
    assert len(json.dumps(response.json()["sections"]).split('"topic"')) == items + 1


# --- digests by range ------------------------------------------------------------------------


def test_digests_by_range_newest_first_with_summaries(client, days):
    body = client.get("/api/digests?date_from=2026-05-02&date_to=2026-05-05").json()
    assert [row["date"] for row in body["results"]] == ["2026-05-05", "2026-05-03", "2026-05-02"]
    first = body["results"][0]
    assert first == {
        "date": "2026-05-05",
        "title": "每日科技新闻速览",
        "item_count": 3,
        "url": f"{SITE}/2026/05/05/",
        "api_url": f"{SITE}/api/digests/2026-05-05",
    }
    assert body["next"] is None
    schemas.DigestPage.model_validate(body)


def test_digests_are_paged_by_cursor_to_the_end(client, days, django_assert_max_num_queries):
    found = pages(client, "/api/digests?limit=2")
    dates = [row["date"] for page in found for row in page["results"]]
    assert dates == ["2026-05-06", "2026-05-05", "2026-05-03", "2026-05-02", "2026-05-01"]
    assert [len(page["results"]) for page in found] == [2, 2, 1]
    assert "limit=2" in found[0]["next"] and "cursor=" in found[0]["next"]
    with django_assert_max_num_queries(1):  # a keyset page: one query, wherever it is
        client.get(local(found[1]["next"]) if found[1]["next"] else "/api/digests")


def test_a_tampered_cursor_is_refused(client, days):
    assert client.get("/api/digests?cursor=2026-05-03").status_code == 400
    next_url = client.get("/api/items?limit=1").json()["next"]
    cursor = next_url.split("cursor=")[1]
    assert client.get(f"/api/digests?cursor={cursor}").status_code == 400  # another list's
    assert client.get("/api/digests?limit=0").json()["results"]  # at least one a page


# --- items -----------------------------------------------------------------------------------


def test_items_shape_and_order(client, days):
    body = client.get("/api/items?limit=4").json()
    schemas.ItemPage.model_validate(body)
    first = body["results"][0]
    item = days[5].items.order_by("position").first()
    assert first["id"] == item.pk and first["date"] == "2026-05-06"
    assert first["section"] == {"name": item.category.name, "slug": item.category.slug}
    assert first["source"] == {"name": item.source.name, "slug": item.source.slug}
    assert first["tags"] == ["芯片"] and first["title"] == item.title
    assert first["url"] == f"{SITE}/items/{item.pk}/"
    assert first["digest_api_url"] == f"{SITE}/api/digests/2026-05-06"
    keys = [(row["date"], row["position"]) for row in body["results"]]
    assert keys == sorted(
        keys, key=lambda key: (-datetime.date.fromisoformat(key[0]).toordinal(), key[1])
    )


def test_items_are_paged_by_cursor_through_every_item(client, days):
    found = pages(client, "/api/items?limit=4")
    ids = [row["id"] for page in found for row in page["results"]]
    published = [d for d in days if d.status == S.PUBLISHED]
    expected = [
        item.pk
        for digest in sorted(published, key=lambda d: d.date, reverse=True)
        for item in digest.items.order_by("position", "id")
    ]
    assert ids == expected and len(ids) == 15
    assert len(found) == 4 and found[-1]["next"] is None


def test_items_filters_are_the_browse_pages(client, days):
    item = days[0].items.first()
    section = item.category.slug
    by_section = pages(client, f"/api/items?section={section}&limit=100")[0]["results"]
    assert by_section and {row["section"]["slug"] for row in by_section} == {section}
    by_tag = client.get(f"/api/items?tag={Tag.objects.get(name='芯片').slug}").json()["results"]
    assert len(by_tag) == 5 and all(row["tags"] == ["芯片"] for row in by_tag)
    by_source = client.get(f"/api/items?source={item.source.slug}&limit=100").json()["results"]
    assert len(by_source) == 15
    by_topic = client.get(f"/api/items?topic={item.topic_slug}&limit=100").json()["results"]
    assert by_topic and {row["topic_slug"] for row in by_topic} == {item.topic_slug}
    ranged = client.get("/api/items?date_from=2026-05-02&date_to=2026-05-03").json()["results"]
    assert {row["date"] for row in ranged} == {"2026-05-02", "2026-05-03"} and len(ranged) == 6
    # Filters are kept in the next page's address.
    paged = pages(client, "/api/items?date_from=2026-05-02&date_to=2026-05-03&limit=4")
    assert "date_from=2026-05-02" in paged[0]["next"]
    assert sum(len(page["results"]) for page in paged) == 6
    bad = client.get("/api/items?section=no-such-section&date_from=soon")
    assert bad.status_code in (400, 422)


def test_search_finds_what_the_browse_page_finds(client, week):
    api_ids = [row["id"] for row in client.get("/api/items?q=芯片&limit=20").json()["results"]]
    page = client.get("/items/?q=芯片").content.decode()
    page_ids = [int(pk) for pk in re.findall(r'href="/items/(\d+)/"', page)]
    assert api_ids and api_ids == list(dict.fromkeys(page_ids))[: len(api_ids)]
    assert client.get("/api/items?q=没有这样的词语哈哈").json()["results"] == []


# --- sections and sources --------------------------------------------------------------------


def test_sections_and_sources_of_published_items(client, days):
    unused = factories.category("无人使用的栏目")
    factories.source("无人使用的来源")
    sections = client.get("/api/sections").json()
    sources = client.get("/api/sources").json()
    assert [s["slug"] for s in sections] == [days[0].items.first().category.slug]
    assert unused.slug not in json.dumps(sections)
    assert sources == [
        {
            "name": "新华网",
            "slug": "xin-hua-wang",
            "kind": "other",
            "website": None,
            "url": f"{SITE}/sources/xin-hua-wang/",
        }
    ]
    for row in sections:
        schemas.Section.model_validate(row)


# --- headers: ETag, CORS ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/digests/2026-05-02", "/api/digests", "/api/items", "/api/sections"]
)
def test_etag_and_not_modified(client, days, url):
    response = client.get(url)
    etag = response["ETag"]
    assert etag and "public" in response["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["Access-Control-Allow-Origin"] == "*"
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_an_edit_changes_the_etag(client, days):
    etag = client.get("/api/digests/2026-05-02")["ETag"]
    item = days[1].items.first()
    item.title = "改过的标题"
    item.save()
    response = client.get("/api/digests/2026-05-02", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and "改过的标题" in response.content.decode()


def test_cors_is_open_for_reading_without_credentials(client, days):
    response = client.get("/api/items", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.has_header("Access-Control-Allow-Credentials")
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/items",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    post = client.options(
        "/api/items", HTTP_ORIGIN="https://x.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert post.status_code == 405
    assert client.post("/api/items").status_code == 405
    # The reader site's pages are not opened by it.
    assert not client.get("/2026/05/02/").has_header("Access-Control-Allow-Origin")


def test_the_api_is_not_kept_in_the_page_cache(client, days):
    response = client.get("/api/items")
    assert not response.has_header("X-Cache")
    assert client.get("/2026/05/02/").has_header("X-Cache")  # pages are


# --- the rate limit --------------------------------------------------------------------------


def test_too_many_requests_from_one_client_answer_429(client, days, settings):
    settings.NEWSROOM_API_RATE = "3/min"
    for _ in range(3):
        assert client.get("/api/sections").status_code == 200
    refused = client.get("/api/items")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Access-Control-Allow-Origin"] == "*"
    # Another client has its own count.
    assert client.get("/api/sections", REMOTE_ADDR="10.0.0.2").status_code == 200
    # Pages are not counted.
    assert client.get("/2026/05/02/").status_code == 200


def test_the_client_address_comes_from_the_proxys_header_when_set(client, days, settings):
    settings.NEWSROOM_API_RATE = "1/min"
    settings.NEWSROOM_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client.get("/api/sections", HTTP_X_FORWARDED_FOR="1.1.1.1, 10.0.0.5").status_code == 200
    assert client.get("/api/sections", HTTP_X_FORWARDED_FOR="9.9.9.9, 10.0.0.5").status_code == 429
    assert client.get("/api/sections", HTTP_X_FORWARDED_FOR="10.0.0.6").status_code == 200


def test_with_redis_down_the_api_answers_without_its_limit(client, days, settings):
    settings.NEWSROOM_API_RATE = "2/min"
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")  # nothing listens there
    assert not cache.available()
    statuses = [client.get("/api/digests/2026-05-02").status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert client.get("/api/items").json()["results"]


# --- the document ----------------------------------------------------------------------------


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_the_openapi_document_is_complete_and_consistent(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc == document()
    assert doc["openapi"].startswith("3.1") and doc["info"]["title"]
    assert set(doc["paths"]) == {
        "/api/digests/{day}",
        "/api/digests",
        "/api/items",
        "/api/sections",
        "/api/sources",
    }
    operation_ids = []
    for path, operations in doc["paths"].items():
        assert set(operations) == {"get"}, path  # read-only
        operation = operations["get"]
        operation_ids.append(operation["operationId"])
        assert "200" in operation["responses"], path
        for name in re.findall(r"{(\w+)}", path):
            assert any(p["name"] == name and p["in"] == "path" for p in operation["parameters"])
    assert len(set(operation_ids)) == len(operation_ids)
    items = {p["name"] for p in doc["paths"]["/api/items"]["get"]["parameters"]}
    assert items == {
        "section",
        "topic",
        "tag",
        "source",
        "date_from",
        "date_to",
        "q",
        "cursor",
        "limit",
    }
    schemas_defined = doc["components"]["schemas"]
    for ref in refs(doc):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas_defined
    day = doc["paths"]["/api/digests/{day}"]["get"]["responses"]
    assert {"200", "404", "410"} <= set(day)


def test_the_openapi_document_validates_against_the_openapi_schema(client):
    """Validated by openapi-spec-validator against the OpenAPI 3.1 specification's schema,
    as code generators and API gateways will read it."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    doc = client.get("/api/openapi.json").json()
    validate(doc)  # raises on any violation
    # And the validator does look: a document broken in one place is refused.
    broken = copy.deepcopy(doc)
    broken["paths"]["/api/items"]["get"]["responses"] = {"200": {"content": "none"}}
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_the_docs_page_uses_no_outside_assets(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page)
    styles = re.findall(r"<link[^>]*\bhref=\"([^\"]+)\"", page)
    assert scripts and styles
    for url in scripts + styles:
        assert url.startswith("/static/ninja/"), url
        # Among the static files collectstatic gathers for WhiteNoise to serve.
        assert finders.find(url.removeprefix("/static/")), url
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert all('type="application/json"' in attributes for attributes in inline)
    assert "https://" not in response["Content-Security-Policy"]
    assert "/api/openapi.json" in page
