"""JSON-LD on the reader's pages: what each block carries, and nothing unpublished.

Each block must parse as JSON and carry the properties Google reads for its type,
listed below as data with where the list comes from.
"""

import datetime
import json
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone, translation
from PIL import Image

from digests import seo
from digests.models import Digest, PreviewLink
from digests.preview import share_url
from digests.templatetags import seo_tags
from tests import factories

pytestmark = pytest.mark.django_db
S = Digest.Status
SITE = "http://127.0.0.1:8000"

# Google Search Central, "Article (Article, NewsArticle, BlogPosting) structured data":
# no property is required; these are recommended (author with its name and url), and
# the issue adds what the digest knows (articleSection, inLanguage, isAccessibleForFree).
# https://developers.google.com/search/docs/appearance/structured-data/article
ARTICLE_REQUIRED = ["headline", "url"]
ARTICLE_RECOMMENDED = ["author", "dateModified", "datePublished", "headline", "image"]
ARTICLE_OURS = ["articleSection", "inLanguage", "isAccessibleForFree", "publisher"]
AUTHOR_RECOMMENDED = ["name", "url"]
# "Organization structured data": all recommended; the logo at least 112x112 px, in a
# format Google Images reads (a raster image, not SVG).
# https://developers.google.com/search/docs/appearance/structured-data/organization
ORGANIZATION_RECOMMENDED = ["name", "url", "logo"]
LOGO_MIN_PIXELS = 112
# "Breadcrumb (BreadcrumbList) structured data": required properties.
# https://developers.google.com/search/docs/appearance/structured-data/breadcrumb
BREADCRUMB_REQUIRED = ["itemListElement"]
LIST_ITEM_REQUIRED = ["position", "name", "item"]
# "Sitelinks search box" (WebSite with a SearchAction; Google stopped showing the box
# in November 2024, schema.org still defines it): required properties.
# https://developers.google.com/search/docs/appearance/structured-data/sitelinks-searchbox
WEBSITE_REQUIRED = ["url", "potentialAction"]
SEARCH_ACTION_REQUIRED = ["target", "query-input"]


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def day():
    """A published day of two items, the first tagged and corrected after publication."""
    digest = factories.full_digest(date=datetime.date(2026, 3, 2), status=S.PUBLISHED, items=2)
    item = digest.items.order_by("position").first()
    item.tags.add("芯片")
    later = digest.published_at + datetime.timedelta(days=2)
    item.corrections.create(note="更正:数字有误。", created_at=later)
    return digest


def blocks(page):
    """Every JSON-LD block of a page's head, parsed (a block that is not JSON fails)."""
    head = page.split("</head>", 1)[0]
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)
    return [json.loads(text) for text in found]


def block(page, kind):
    (found,) = [b for b in blocks(page) if b["@type"] == kind]
    return found


def text_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def assert_has(data, names, what):
    missing = [name for name in names if data.get(name) in (None, "", [])]
    assert not missing, f"{what} lacks {missing}"


def assert_organization(organization):
    assert organization["@type"] == "Organization"
    assert_has(organization, ORGANIZATION_RECOMMENDED, "Organization")
    logo = organization["logo"]
    path = urlsplit(logo["url"]).path
    assert path.endswith(".png")
    stored = finders.find(path.removeprefix("/static/"))
    assert stored, path
    with Image.open(stored) as image:
        assert image.format == "PNG"
        assert min(image.size) >= LOGO_MIN_PIXELS
        assert image.size == (logo["width"], logo["height"])


def assert_article(article):
    assert article["@type"] == "NewsArticle"
    assert_has(article, ARTICLE_REQUIRED + ARTICLE_RECOMMENDED + ARTICLE_OURS, "NewsArticle")
    assert_has(article["author"], AUTHOR_RECOMMENDED, "author")
    assert_organization(article["author"])
    assert_organization(article["publisher"])
    assert article["inLanguage"] == "zh-CN" and article["isAccessibleForFree"] is True
    for moment in ("datePublished", "dateModified"):
        assert datetime.datetime.fromisoformat(article[moment]).tzinfo is not None
    assert article["dateModified"] >= article["datePublished"]


def breadcrumb_trail(page):
    trail = block(page, "BreadcrumbList")
    assert trail["@context"] == "https://schema.org"
    assert_has(trail, BREADCRUMB_REQUIRED, "BreadcrumbList")
    steps = trail["itemListElement"]
    for position, step in enumerate(steps, start=1):
        assert step["@type"] == "ListItem"
        assert_has(step, LIST_ITEM_REQUIRED, "ListItem")
        assert step["position"] == position
    return [(step["name"], step["item"].removeprefix(SITE)) for step in steps]


# --- the day and its items -------------------------------------------------------------------


def test_each_of_the_days_articles_carries_what_the_day_knows(client, day):
    page = text_of(client, "/2026/03/02/")
    collection = block(page, "CollectionPage")
    items = list(day.items.order_by("position", "id"))
    articles = collection["hasPart"]
    assert [a["headline"] for a in articles] == [item.title for item in items]
    for article, item in zip(articles, items, strict=True):
        assert_article(article)
        assert article["url"] == f"{SITE}/items/{item.pk}/"
        assert article["articleSection"] == item.category.name
        assert article["datePublished"] == day.published_at.isoformat()
        # No picture of its own and no cover: the day's share card.
        assert article["image"] == [f"{SITE}/2026/03/02/card.png"]
    corrected, plain = articles
    correction = items[0].corrections.get()
    assert corrected["dateModified"] == correction.created_at.isoformat()
    assert plain["dateModified"] == day.published_at.isoformat()
    assert collection["image"] == f"{SITE}/2026/03/02/card.png"
    assert client.get("/2026/03/02/card.png").status_code == 200


def test_the_items_page_carries_the_same_article_and_its_trail(client, day):
    item = day.items.order_by("position").first()
    page = text_of(client, f"/items/{item.pk}/")
    article = block(page, "NewsArticle")
    assert article["@context"] == "https://schema.org"
    assert_article(article)
    assert article["headline"] == item.title and article["keywords"] == ["芯片"]
    assert article["dateModified"] == item.corrections.get().created_at.isoformat()
    assert breadcrumb_trail(page) == [
        ("每日科技新闻速览", "/"),
        ("2026年3月2日", "/2026/03/02/"),
        (item.title, f"/items/{item.pk}/"),
    ]


def test_an_items_own_picture_comes_before_the_card(client, day, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "items").mkdir()
    Image.new("RGB", (800, 450), "#a4262c").save(tmp_path / "items" / "photo.jpg")
    item = day.items.order_by("position").first()
    item.image.name = "items/photo.jpg"
    item.save(update_fields=["image"])
    page = text_of(client, "/2026/03/02/")
    first, second = block(page, "CollectionPage")["hasPart"]
    assert first["image"] == [f"{SITE}{item.image.url}"]
    assert second["image"] == [f"{SITE}/2026/03/02/card.png"]


def test_the_home_page_has_the_website_and_its_search(client, day):
    page = text_of(client, "/")
    website = block(page, "WebSite")
    assert_has(website, WEBSITE_REQUIRED, "WebSite")
    assert website["url"] == f"{SITE}/"
    assert_organization(website["publisher"])
    action = website["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert_has(action, SEARCH_ACTION_REQUIRED, "SearchAction")
    template = action["target"]["urlTemplate"]
    assert action["query-input"] == "required name=search_term_string"
    assert template == f"{SITE}/search/?q={{search_term_string}}"
    # Filled in as a search engine would, it is the site's search.
    response = client.get(template.replace("{search_term_string}", "芯片").removeprefix(SITE))
    assert response.status_code == 200
    assert response.resolver_match.view_name == "digests:search"
    assert response.context["query"] == "芯片"
    # Only the home page has it.
    assert not [b for b in blocks(text_of(client, "/2026/03/02/")) if b["@type"] == "WebSite"]


# --- breadcrumbs ---------------------------------------------------------------------------


def test_the_trails_of_the_day_month_topic_tag_section_and_source_pages(client, day):
    item = day.items.order_by("position").first()
    home = ("每日科技新闻速览", "/")
    trails = {
        "/2026/03/02/": [home, ("2026年3月", "/2026/03/"), ("2026年3月2日", "/2026/03/02/")],
        "/2026/03/": [home, ("归档", "/archive/"), ("2026年3月", "/2026/03/")],
        f"/topics/{item.topic_slug}/": [home, (item.topic, f"/topics/{item.topic_slug}/")],
        "/tags/xin-pian/": [home, ("芯片", "/tags/xin-pian/")],
        f"/categories/{item.category.slug}/": [
            home,
            (item.category.name, f"/categories/{item.category.slug}/"),
        ],
        f"/sources/{item.source.slug}/": [
            home,
            ("来源", "/sources/"),
            (item.source.name, f"/sources/{item.source.slug}/"),
        ],
    }
    for url, trail in trails.items():
        found = breadcrumb_trail(text_of(client, url))
        assert found == trail, url
        for _name, path in found:  # every step is a page readers can open
            assert client.get(path).status_code == 200, path


def test_the_english_pages_trails_are_in_english(client, day):
    with translation.override("en"):
        page = text_of(client, "/en/2026/03/")
    assert breadcrumb_trail(page) == [
        ("每日科技新闻速览", "/en/"),
        ("Archive", "/en/archive/"),
        ("March 2026", "/en/2026/03/"),
    ]


def test_pages_without_a_trail_have_none(client, day):
    for url in ("/", "/archive/", "/items/", "/search/?q=芯片", "/trends/"):
        assert not [b for b in blocks(text_of(client, url)) if b["@type"] == "BreadcrumbList"]


def test_a_headline_cannot_break_out_of_its_block(client, day):
    item = day.items.order_by("position").first()
    item.title = "</script><script>alert(1)</script>"
    item.save(update_fields=["title"])
    page = text_of(client, f"/items/{item.pk}/")
    assert "<script>alert(1)" not in page
    assert breadcrumb_trail(page)[-1][0] == item.title
    assert block(page, "NewsArticle")["headline"] == item.title


# --- the language alternates in the head -----------------------------------------------------


def alternates(page):
    head = page.split("</head>", 1)[0]
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', head))


@pytest.mark.parametrize(
    "path", ["/2026/03/02/", "/2026/03/", "/archive/", "/items/", "/sources/", "/trends/"]
)
def test_each_public_page_names_its_language_versions(client, day, path):
    expected = {"zh-CN": SITE + path, "en": f"{SITE}/en{path}", "x-default": SITE + path}
    assert alternates(text_of(client, path)) == expected
    with translation.override("en"):
        assert alternates(text_of(client, f"/en{path}")) == expected


def test_the_home_page_names_the_versions_of_its_canonical_day(client, day):
    page = text_of(client, "/")
    assert alternates(page)["en"] == f"{SITE}/en/2026/03/02/"


def test_addresses_come_from_the_sites_address(client, day, settings):
    settings.NEWSROOM_SITE_URL = "https://news.example.com"
    settings.ALLOWED_HOSTS = ["news.example.com", "other.example.com"]
    page = client.get("/2026/03/02/", HTTP_HOST="other.example.com").content.decode()
    assert alternates(page)["en"] == "https://news.example.com/en/2026/03/02/"
    assert breadcrumb_trail(page)[0] == ("每日科技新闻速览", "https://news.example.com/")
    assert "other.example.com" not in page


# --- nothing unpublished --------------------------------------------------------------------


def test_no_structured_data_tells_of_an_unpublished_day(client, day, secret):
    item = secret.items.get()
    for url in ("/", "/2026/03/02/", "/2026/03/", "/archive/", "/sources/", "/items/"):
        head = text_of(client, url).split("</head>", 1)[0]
        assert not [word for word in factories.SECRET_WORDS if word in head], url
        assert "2026-12-05" not in head and "/2026/12/" not in head, url
    # Its own addresses: not found, or the withdrawn notice, without any block or alternate.
    for url in ("/2026/12/05/", f"/items/{item.pk}/", "/2026/12/"):
        response = client.get(url)
        assert response.status_code in (404, 410), url
        page = response.content.decode()
        assert not blocks(page) and not alternates(page), url


def test_a_shared_preview_has_no_structured_data_nor_alternates(client, day, reviewer):
    draft = factories.full_digest(date=datetime.date(2026, 3, 5), status=S.REVIEW)
    link = PreviewLink.objects.create(
        digest=draft, created_by=reviewer, expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    page = text_of(client, share_url(link))
    assert draft.items.first().title in page  # the preview itself
    assert not blocks(page) and not alternates(page)
    assert "card.png" not in page.split("</head>", 1)[0]


# --- queries: the head's SEO adds none ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/2026/03/02/", "/2026/03/", "/items/{item}/", "/topics/{topic}/", "/sources/{source}/"],
)
def test_the_alternates_and_trails_are_built_without_a_query(
    client, day, django_assert_num_queries, path
):
    item = day.items.order_by("position").first()
    url = path.format(item=item.pk, topic=item.topic_slug, source=item.source.slug)
    response = client.get(url)
    context = response.context[0].flatten()  # the page's own template's context
    assert context["request"] is response.wsgi_request
    # The view's own queries are pinned in test_views.py/test_lists.py; what this head adds
    # to them, from the objects the view already fetched, is nothing.
    with django_assert_num_queries(0):
        links = seo_tags.hreflang_links(context["canonical_url"])
        data = seo_tags.page_structured_data(context)
    assert len(links) == 3
    assert "application/ld+json" in data


def test_an_address_outside_the_reader_site_has_no_language_versions():
    assert seo.alternates("/admin/") == []
    assert seo.alternates("/no/such/page/") == []
    assert seo_tags.hreflang_links("https://elsewhere.example.com/2026/03/02/") == []
    assert [code for code, _url in seo.alternates("/en/archive/")] == ["zh-CN", "en", "x-default"]
