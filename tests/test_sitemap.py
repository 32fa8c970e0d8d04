"""The sitemap: an index, a section per kind of public page, pages of ``LIMIT`` addresses,
hreflang alternates, and nothing readers cannot see.

The sitemaps.org XSD is not shipped by any package the project installs (and lxml is
not a dependency), so the schema's required structure is checked with ElementTree:
the namespaces, ``loc`` on every entry, the W3C date format of ``lastmod``, the
allowed ``changefreq`` values and ``priority`` between 0 and 1.
"""

import datetime
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from digests import sitemaps
from digests.models import Category, Digest, Item, Source
from tests import factories

pytestmark = pytest.mark.django_db
S = Digest.Status
SITE = "http://127.0.0.1:8000"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
CHANGEFREQ = {"always", "hourly", "daily", "weekly", "monthly", "yearly", "never"}
# W3C Datetime as sitemaps.org allows it: a date, or a date and time with its zone.
W3C_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?")


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def published():
    """Two published days in two months, with a tag, a source and a correction."""
    first = factories.full_digest(date=datetime.date(2026, 2, 27), status=S.PUBLISHED, items=2)
    second = factories.full_digest(date=datetime.date(2026, 3, 2), status=S.PUBLISHED, items=2)
    item = second.items.first()
    item.tags.add("芯片")
    later = second.published_at + datetime.timedelta(days=3)
    item.corrections.create(note="更正:数字有误。", created_at=later)
    return [first, second]


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def section_addresses(client):
    """Every page of every section, read from the index."""
    index = xml(client, "/sitemap.xml")
    assert index.tag == f"{{{NS['s']}}}sitemapindex"
    return [loc.text for loc in index.findall("s:sitemap/s:loc", NS)]


def local(address):
    parts = urlsplit(address)
    assert f"{parts.scheme}://{parts.netloc}" == SITE, address
    return parts.path + (f"?{parts.query}" if parts.query else "")


def entries(client):
    """{loc: {hreflang: href}} over every page of every section (a loc listed twice fails)."""
    found = {}
    for address in section_addresses(client):
        urlset = xml(client, local(address))
        assert urlset.tag == f"{{{NS['s']}}}urlset"
        for url in urlset.findall("s:url", NS):
            loc = url.find("s:loc", NS).text
            assert loc not in found, loc
            found[loc] = {
                link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)
            }
    return found


def paths(found):
    return {local(loc) for loc in found}


def test_every_kind_of_public_page_is_listed_in_both_languages(client, published):
    found = entries(client)
    second = published[1]
    item = second.items.first()
    section = Category.objects.get()
    source = Source.objects.get()
    expected = {
        "/",
        "/archive/",
        "/items/",
        "/sources/",
        "/2026/02/27/",
        "/2026/03/02/",
        "/2026/02/",
        "/2026/03/",
        f"/items/{item.pk}/",
        f"/categories/{section.slug}/",
        f"/topics/{item.topic_slug}/",
        "/tags/xin-pian/",
        f"/sources/{source.slug}/",
        "/trends/",
    }
    listed = paths(found)
    for path in expected:
        assert path in listed, path
        assert f"/en{path}" in listed, path
    assert len(listed) == 2 * len({p for p in listed if not p.startswith("/en/")})
    # Each public page answers (a listed address that 404s would be worse than none).
    for path in sorted(expected):
        assert client.get(path).status_code == 200, path


def test_each_address_has_its_alternates_and_an_x_default(client, published):
    for loc, alternates in entries(client).items():
        path = local(loc)
        chinese = path.removeprefix("/en")
        assert alternates == {
            "zh-CN": SITE + chinese,
            "en": SITE + "/en" + chinese,
            "x-default": SITE + chinese,
        }, loc


def test_the_files_have_the_structure_the_schema_requires(client, published):
    index = client.get("/sitemap.xml")
    assert index["X-Robots-Tag"] == "noindex, noodp, noarchive"
    root = ET.fromstring(index.content)
    for entry in root:
        assert entry.tag == f"{{{NS['s']}}}sitemap"
        assert entry[0].tag == f"{{{NS['s']}}}loc"
        lastmod = entry.find("s:lastmod", NS)
        assert lastmod is None or W3C_DATE.fullmatch(lastmod.text), lastmod.text
    for address in section_addresses(client):
        for url in xml(client, local(address)):
            assert url.tag == f"{{{NS['s']}}}url"
            loc = url.find("s:loc", NS).text
            assert loc.startswith(SITE + "/") and len(loc) < 2048
            lastmod = url.find("s:lastmod", NS)
            assert lastmod is None or W3C_DATE.fullmatch(lastmod.text), lastmod.text
            assert url.find("s:changefreq", NS).text in CHANGEFREQ
            assert 0 <= float(url.find("s:priority", NS).text) <= 1


def test_the_index_leaves_out_a_section_with_nothing_to_list(client):
    """sitemaps.org's schema wants at least one address in a urlset: a section with none
    (here: tags, when no published item has one) is not in the index; every listed file
    has an address."""
    factories.full_digest(date=datetime.date(2026, 2, 27), status=S.PUBLISHED, items=1)
    listed = [local(address) for address in section_addresses(client)]
    assert "/sitemap-tags.xml" not in listed and "/sitemap-days.xml" in listed
    for address in listed:
        assert xml(client, address).findall("s:url", NS), address


def test_a_day_and_an_item_are_dated_by_their_latest_correction(client, published):
    first, second = published
    corrected = second.items.first()
    correction = corrected.corrections.get()
    other = second.items.exclude(pk=corrected.pk).get()
    dates = {}
    for section in ("days", "items"):
        for url in xml(client, f"/sitemap-{section}.xml").findall("s:url", NS):
            dates[local(url.find("s:loc", NS).text)] = url.find("s:lastmod", NS).text

    def day(moment):  # Django's sitemap template writes the (local) date of the last change
        return timezone.localtime(moment).date().isoformat()

    assert dates["/2026/03/02/"] == dates["/en/2026/03/02/"] == day(correction.created_at)
    assert dates[f"/items/{corrected.pk}/"] == day(correction.created_at)
    assert dates[f"/items/{other.pk}/"] == day(second.published_at)
    assert dates["/2026/02/27/"] == day(first.published_at)
    assert day(correction.created_at) != day(second.published_at)
    # The index dates the days and the items by the latest change of all.
    index = xml(client, "/sitemap.xml")
    for name in ("days", "items"):
        entry = [e for e in index if e.find("s:loc", NS).text == f"{SITE}/sitemap-{name}.xml"]
        lastmod = datetime.datetime.fromisoformat(entry[0].find("s:lastmod", NS).text)
        assert lastmod == correction.created_at


def test_nothing_readers_cannot_see_is_listed(client, published, secret):
    found = entries(client)
    listed = paths(found)
    text = " ".join(listed)
    secret_item = secret.items.get()
    assert "/2026/12/" not in text  # neither the day nor its month
    assert f"/items/{secret_item.pk}/" not in listed
    for slug in (
        secret_item.category.slug,
        secret_item.topic_slug,
        secret_item.source.slug,
        *(tag.slug for tag in secret_item.tags.all()),
    ):
        assert f"/{slug}/" not in text, slug
    # The published content is all there still.
    assert {f"/items/{pk}/" for pk in Item.objects.published().values_list("pk", flat=True)} <= (
        listed
    )


# --- more than 50,000 items: pages of LIMIT addresses, listed by the index -------------------


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 4 addresses, so that a few items make several pages."""
    monkeypatch.setattr(sitemaps.SiteSitemap, "limit", 4)


def test_a_long_section_is_split_into_pages_and_every_item_is_listed(client, small_pages):
    factories.full_digest(date=datetime.date(2026, 3, 1), status=S.PUBLISHED, items=7)
    factories.full_digest(date=datetime.date(2026, 3, 3), status=S.DRAFT, items=2)
    addresses = [local(a) for a in section_addresses(client)]
    # 7 items in two languages: 14 addresses, pages of 4.
    assert [a for a in addresses if a.startswith("/sitemap-items.xml")] == [
        "/sitemap-items.xml",
        "/sitemap-items.xml?p=2",
        "/sitemap-items.xml?p=3",
        "/sitemap-items.xml?p=4",
    ]
    listed = []
    for page in range(1, 5):
        urls = xml(client, f"/sitemap-items.xml?p={page}").findall("s:url/s:loc", NS)
        assert len(urls) == (4 if page < 4 else 2)
        listed += [local(url.text) for url in urls]
    published = Item.objects.published().values_list("pk", flat=True)
    expected = {f"{prefix}/items/{pk}/" for pk in published for prefix in ("", "/en")}
    assert len(listed) == len(set(listed)) == 14 and set(listed) == expected
    assert client.get("/sitemap-items.xml?p=5").status_code == 404
    assert client.get("/sitemap-items.xml?p=x").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_the_default_page_size_keeps_within_the_sitemaps_org_limit():
    assert 0 < sitemaps.LIMIT <= 50_000
    assert all(section.limit == sitemaps.LIMIT for section in sitemaps.SITEMAPS.values())


@pytest.mark.parametrize(
    ("start", "stop"), [(0, 4), (1, 5), (3, 4), (4, 9), (5, 6), (0, 14), (13, 20), (14, 18)]
)
def test_language_pairs_read_the_same_as_the_whole_list(start, stop):
    rows = list(range(7))
    whole = [(row, code) for row in rows for code in ("zh-hans", "en")]
    pairs = sitemaps.LanguagePairs(rows, ["zh-hans", "en"])
    assert pairs.count() == len(pairs) == 14
    assert pairs[start:stop] == whole[start:stop]


def test_language_pairs_read_only_the_rows_of_the_slice(django_assert_num_queries):
    factories.full_digest(date=datetime.date(2026, 3, 1), status=S.PUBLISHED, items=5)
    rows = Item.objects.order_by("id")
    ids = list(rows.values_list("id", flat=True))
    pairs = sitemaps.LanguagePairs(rows, ["zh-hans", "en"])
    with django_assert_num_queries(1) as queries:  # the rows 1 to 3 (LIMIT 3 OFFSET 1)
        page = pairs[3:7]
    assert [(row.pk, code) for row, code in page] == [
        (ids[1], "en"),
        (ids[2], "zh-hans"),
        (ids[2], "en"),
        (ids[3], "zh-hans"),
    ]
    assert "LIMIT 3" in queries.captured_queries[0]["sql"]


# --- queries: the same however long the archive ----------------------------------------------

SECTION_QUERIES = [
    # 1 count the sections with a published item, 2 the page of them.
    ("/sitemap-sections.xml", 2),
    # 1 count the published days, 2 the page of them with their latest corrections.
    ("/sitemap-days.xml", 2),
    # 1 count the months with a published day, 2 the page of them.
    ("/sitemap-months.xml", 2),
    # 1 count the published items, 2 the page of them with their days' publication and
    # their latest corrections.
    ("/sitemap-items.xml", 2),
    ("/sitemap-items.xml?p=2", 2),
    # 1 the topics of published items (one recursive query; the list is paged in memory).
    ("/sitemap-topics.xml", 1),
    # 1 count the tags with a published item, 2 the page of them.
    ("/sitemap-tags.xml", 2),
    # 1 count the sources with a published item, 2 the page of them.
    ("/sitemap-sources.xml", 2),
    # 1 the topics and sections counted on /trends/, 2 the sections' slugs.
    ("/sitemap-trends.xml", 2),
    # The home page and the lists that are always there: no query.
    ("/sitemap-pages.xml", 0),
    # The index: days 1 the latest publication, 2 the latest correction of a published
    # item, 3 count; months 4 count; items 5, 6 as days, 7 count; sections 8 count;
    # topics 9; tags 10 count; sources 11 count; trends 12, 13.
    ("/sitemap.xml", 13),
]


@pytest.mark.parametrize(("url", "queries"), SECTION_QUERIES)
def test_section_queries_do_not_grow_with_the_archive(
    client, small_pages, django_assert_num_queries, url, queries
):
    def day(date, items):
        digest = factories.full_digest(date=date, status=S.PUBLISHED, items=items)
        for item in digest.items.all():
            item.tags.add(f"标签{item.pk}")
            item.corrections.create(note="更正。")

    day(datetime.date(2026, 3, 1), 3)
    for size in ("small", "large"):
        if size == "large":
            day(datetime.date(2026, 4, 1), 6)
            day(datetime.date(2026, 5, 1), 6)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, (url, size)
