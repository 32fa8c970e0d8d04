"""Lists across days at archive scale: fixed queries per page, capped counts, the way on."""

import datetime
import re

import pytest
from django.core.cache import cache

from digests.models import Digest, Item
from digests.pagination import CappedPaginator
from tests.test_views import add_items, big_digest

pytestmark = pytest.mark.django_db
S = Digest.Status


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """The pages as built from the database (test_cache.py tests the caches)."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS = 0


# The queries every /items/ page makes before its items: 1 the public counters (the
# browse choices are kept under the public generation), 2 sections, 3 sources and 4 tags
# with a published item (one probe each), 5 the topics of published items (one probe
# each, in one recursive query).
CHOICES = 5
# What the form then shows: 1 its sections, 2 its tags, 3 its sources.
FORM = 3
# A page of items: 1 the capped count, 2 the items with their days, sections and
# sources (joined), 3 their tags, 4 their corrections.
PAGE = 4
# A list under a slug: 1 that it has a published item (an empty list is a 404), then PAGE.
LIST = 1 + PAGE

LIST_PAGES = [
    ("/items/", CHOICES + FORM + PAGE),
    ("/items/?page=2", CHOICES + FORM + PAGE),
    # Each filter in use is first looked up by the form: 1 the section, 2 the source.
    ("/items/?category=lan-mu-1&source=lai-yuan-1", CHOICES + 2 + FORM + PAGE),
    ("/items/?topic=zhu-ti-1", CHOICES + FORM + PAGE),
    ("/items/?tag=biao-qian-jia", CHOICES + 1 + FORM + PAGE),
    ("/items/?date_from=2026-03-01&date_to=2026-03-02", CHOICES + FORM + PAGE),
    # 1 the section by its slug, then LIST.
    ("/categories/lan-mu-0/", 1 + LIST),
    ("/categories/lan-mu-0/?page=2", 1 + LIST),
    ("/topics/zhu-ti-0/", LIST),
    # 1 the tag by its slug, then LIST.
    ("/tags/biao-qian-jia/", 1 + LIST),
    # 1 the source by its slug with its registry figures (subqueries), 2 its sections
    # with their counts (one grouped query), then LIST.
    ("/sources/lai-yuan-0/", 2 + LIST),
    # 1 count the sources with a published item, 2 the page of them, 3 their figures.
    ("/sources/", 3),
    # 1 the months with published days and how many (one grouped query).
    ("/archive/", 1),
    # 1 the month's digests, 2 its days, 3 the month before, 4 the month after, 5 the
    # first headlines of the days without a lede (their list lines).
    ("/2026/03/", 5),
    # 1 the item with its day, section and source (and its neighbours of the day, as
    # subqueries), 2 its tags, 3 its corrections, 4 the topic's other items, 5 its story
    # links (earlier and later follow-ups whose days are published).
    ("/items/{item}/", 5),
    # The sitemap's index (each section's pages: tests/test_sitemap.py): days 1 the latest
    # publication, 2 the latest correction of a published item, 3 count; months 4 count;
    # items 5, 6 as days, 7 count; sections 8 count (one probe each); topics 9 (one
    # recursive query); tags 10 and sources 11 count; trends 12 the topics and sections
    # counted, 13 the sections' slugs.
    ("/sitemap.xml", 13),
    # 1 count the published items, 2 the page of them with their latest corrections.
    ("/sitemap-items.xml", 2),
    ("/robots.txt", 0),
]


@pytest.mark.parametrize(("url", "queries"), LIST_PAGES)
def test_list_page_queries(client, django_assert_num_queries, url, queries):
    """Each list page's queries, the same with 10 items in a day and with 300."""
    big_digest(datetime.date(2026, 3, 1), 60)
    digest = big_digest(datetime.date(2026, 3, 2), 10)
    url = url.format(item=digest.items.first().pk)
    for size in (10, 300):
        if size == 300:
            add_items(digest, 290)
        assert digest.items.count() == size
        cache.clear()
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200, url


# --- counts that stop at a cap, and the way past it -------------------------------------


@pytest.fixture
def small_cap(monkeypatch):
    """A cap of 25 items: a second page of 5, then the way on."""
    monkeypatch.setattr(CappedPaginator, "cap", 25)


@pytest.fixture
def four_days():
    """Four published days of 12 items each: 48 items, more than the cap."""
    return [big_digest(datetime.date(2026, 3, day), 12) for day in range(1, 5)]


def test_a_list_under_the_cap_counts_exactly(client, four_days):
    page = client.get("/en/items/").content.decode()
    assert "48 items" in page and "Page 1 of 3<" in page
    assert "older-days" not in page  # the pager's own Older link is enough


def test_a_long_list_counts_up_to_the_cap(client, four_days, small_cap):
    page = client.get("/en/items/").content.decode()
    assert "25+ items" in page and "48 items" not in page
    assert "Page 1 of 2+" in page
    section = client.get("/en/categories/lan-mu-0/")  # 16 items: under the cap
    assert "16 items" in section.content.decode()


def test_pages_past_the_cap_are_not_found(client, four_days, small_cap):
    second = client.get("/items/?page=2").content.decode()
    assert second.count('class="item-row"') == 5  # items 21 to 25
    assert client.get("/items/?page=3").status_code == 404
    assert client.get("/topics/zhu-ti-0/?page=3").status_code == 404


def test_the_last_page_goes_on_to_older_days(client, four_days, small_cap):
    """Items 21-25 (days of 12, newest first) end with 2 March's first: the way on starts there."""
    last = client.get("/en/items/?source=lai-yuan-1&page=1")
    page = last.content.decode()
    # lai-yuan-1 has 3 of every 12 items: 12 in all, under the cap, so no way on.
    assert "older-days" not in page
    page = client.get("/en/items/?page=2").content.decode()
    older = re.search(r'class="older-days" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert older == "/en/items/?date_to=2026-03-02"
    rest = client.get(older).content.decode()
    days = re.findall(r'<time datetime="(2026-03-\d\d)">', rest)
    assert days and max(days) == "2026-03-02"


@pytest.mark.parametrize(
    ("url", "filters"),
    [
        ("/en/categories/lan-mu-0/", "category=lan-mu-0"),
        ("/en/topics/zhu-ti-0/", "topic=zhu-ti-0"),
        ("/en/sources/lai-yuan-0/", "source=lai-yuan-0"),
        ("/en/tags/biao-qian-jia/", "tag=biao-qian-jia"),
    ],
)
def test_a_capped_list_goes_on_in_browse_with_its_filter(client, monkeypatch, url, filters):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for day in range(1, 5):
        digest = big_digest(datetime.date(2026, 3, day), 12)
        for item in digest.items.all():
            item.tags.add("标签甲")
    page = client.get(url).content.decode()
    assert "3+ items" in page
    older = re.search(r'class="older-days" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert older == f"/en/items/?{filters}&date_to=2026-03-04"
    listed = client.get(older)
    assert listed.status_code == 200
    assert "3+ items" in listed.content.decode()


def test_browse_text_uses_the_search_index(client, four_days):
    """/items/?q= matches words as /search/ does, published items only, newest first."""
    item = Item.objects.filter(digest__date=datetime.date(2026, 3, 2)).first()
    Item.objects.filter(pk=item.pk).update(title="钠离子电池产线投产")
    from digests import search

    search.index_items(Item.objects.filter(pk=item.pk))
    page = client.get("/items/?q=钠离子电池").content.decode()
    assert page.count('class="item-row"') == 1 and "钠离子电池产线投产" in page
