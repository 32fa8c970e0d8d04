"""The small things readers notice: the day's heading, month-list lines, the page of a
missing day, search that finds nothing, and an item's neighbours (digests/wayfinding.py)."""

import datetime
import re
import time

import pytest
from django.utils import timezone, translation

from digests import wayfinding
from digests.models import Category, Digest, Item
from digests.trends import counts
from tests import factories

pytestmark = pytest.mark.django_db
S = Digest.Status
HIDDEN = [S.DRAFT, S.REVIEW, S.SCHEDULED, S.UNPUBLISHED]
FEB_2 = datetime.date(2026, 2, 2)  # a Monday


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """The pages as built from the database (test_cache.py tests the caches)."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS = 0


def html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def h1(page):
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)).strip()


def published(date, **fields):
    return factories.digest(date=date, status=S.PUBLISHED, **fields)


# --- 9. the day's heading and the month list ------------------------------------------------


def test_day_heading_names_the_day_and_weekday_in_each_language(client):
    digest = published(FEB_2)
    factories.item(digest)
    assert h1(html(client, "/2026/02/02/")) == "2026年2月2日 星期一"
    assert h1(html(client, "/en/2026/02/02/")) == "Monday, 2 February 2026"
    page = html(client, "/2026/02/02/")
    assert '<time datetime="2026-02-02" class="digest-date">' in page
    # The site name is the header's, not the heading's; a default title is not repeated.
    assert "digest-kicker" not in page


def test_a_day_with_its_own_title_shows_it_above_the_heading(client):
    factories.item(published(FEB_2, title="春节特刊"))
    page = html(client, "/2026/02/02/")
    assert '<p class="digest-kicker" lang="zh-CN">春节特刊</p>' in page
    assert h1(page) == "2026年2月2日 星期一"


def test_month_list_tells_the_days_apart(client):
    with_lede = published(FEB_2, lede="春节前最后一个工作日的科技要闻。")
    factories.item(with_lede, title="不应出现在月表里的标题")
    plain = published(datetime.date(2026, 2, 3))
    for title in ("第一条要闻", "第二条要闻", "第三条要闻", "第四条要闻"):
        factories.item(plain, title=title)
    factories.item(
        factories.digest(date=datetime.date(2026, 2, 4), title="草稿日"), title="草稿要闻"
    )
    page = html(client, "/2026/02/")
    lines = re.findall(r'<p class="month-day-line" lang="zh-CN">(.*?)</p>', page)
    assert lines == ["春节前最后一个工作日的科技要闻。", "第一条要闻；第二条要闻；第三条要闻"]
    assert "2026年2月3日 星期二" in page and "2026年2月2日 星期一" in page
    assert "草稿" not in page and "不应出现" not in page and "第四条要闻" not in page


def test_month_page_queries(client, django_assert_num_queries):
    for day in range(1, 29):
        digest = published(datetime.date(2026, 2, day), lede="导语。" if day % 2 else "")
        for _ in range(5):
            factories.item(digest)
    # 1 the month's digests, 2 its days, 3 the month before, 4 the month after,
    # 5 the first headlines of the days without a lede (one windowed query).
    with django_assert_num_queries(5):
        page = html(client, "/2026/02/")
    assert page.count('class="month-day-line"') == 28


# --- 10. a missing or unpublished day ----------------------------------------------------


@pytest.fixture
def around():
    """Published days on 2026-01-20 and 2026-02-10, and hidden ones in between."""
    factories.item(published(datetime.date(2026, 1, 20)))
    factories.item(published(datetime.date(2026, 2, 10)))
    for n, status in enumerate(HIDDEN):
        factories.item(factories.digest(date=datetime.date(2026, 1, 25 + n), status=status))


def test_missing_day_links_the_nearest_published_days(client, around):
    page = html(client, "/2026/02/02/", status=404)
    assert 'href="/2026/01/20/"' in page and 'href="/2026/02/10/"' in page
    assert "2026年2月2日 星期一" in page
    assert 'name="robots" content="noindex' in page
    with translation.override("en"):
        english = html(client, "/en/2026/02/02/", status=404)
    assert "No briefing on this day" in english
    assert 'href="/en/2026/01/20/"' in english and "Tuesday, 20 January 2026" in english


@pytest.mark.parametrize("status", [S.DRAFT, S.REVIEW, S.SCHEDULED])
def test_an_unpublished_day_looks_exactly_like_a_missing_one(client, around, status):
    day = datetime.date(2026, 1, 30)
    missing = html(client, "/2026/01/30/", status=404)
    factories.item(factories.digest(date=day, status=status), title="秘密标题")
    assert html(client, "/2026/01/30/", status=404) == missing
    # Hidden days between are skipped: the neighbours are the published days only.
    assert 'href="/2026/01/20/"' in missing and 'href="/2026/02/10/"' in missing
    for hidden in range(25, 29):
        assert f'href="/2026/01/{hidden}/"' not in missing


def test_a_withdrawn_day_keeps_its_410(client, around):
    assert html(client, "/2026/01/28/", status=410)  # the fourth hidden day, withdrawn
    assert "day-missing" not in client.get("/2026/01/28/").content.decode()


def test_missing_day_at_the_edges_and_not_a_date(client, around):
    first = html(client, "/2025/12/01/", status=404)
    assert 'href="/2026/01/20/"' in first and 'rel="prev"' not in first
    last = html(client, "/2026/12/01/", status=404)
    assert 'href="/2026/02/10/"' in last and 'rel="next"' not in last
    # Not a date at all: the site's plain 404, with no neighbours to look up.
    assert "day-missing" not in html(client, "/2026/02/30/", status=404)


def test_missing_day_with_nothing_published(client):
    factories.digest(date=FEB_2)  # a draft only
    page = html(client, "/2026/02/02/", status=404)
    assert "nearest-days" not in page
    with translation.override("en"):
        assert "has not been published yet" in html(client, "/en/2026/02/02/", status=404)
    assert re.findall(r'href="/\d{4}/\d\d/\d\d/"', page) == []  # no day is linked


def test_missing_day_queries(client, around, django_assert_num_queries, settings):
    # 1 the day's published digest (none), 2 whether it was withdrawn (no),
    # 3 the nearest published day before, 4 the nearest after.
    with django_assert_num_queries(4):
        client.get("/2026/02/02/")
    settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS = 60
    # With day pages kept: 1 the day's state (digests.fragments.day_state), then 2-4.
    with django_assert_num_queries(4):
        response = client.get("/2026/02/03/")
    assert response.status_code == 404
    assert 'href="/2026/02/10/"' in response.content.decode()


# --- 11. search that finds nothing ------------------------------------------------------


@pytest.fixture
def topics():
    """Published days with topics 芯片 (3 items), 量子计算 (1) and 机器人 (2), and a
    draft whose topic 秘密芯片计划 must never be suggested."""
    section = factories.category("前沿科技突破")
    factories.category("空栏目")  # no published item: not offered
    for n, topic_names in enumerate(
        [["芯片", "机器人"], ["芯片", "量子计算"], ["芯片", "机器人"]]
    ):
        digest = published(datetime.date(2026, 2, 1 + n))
        for topic in topic_names:
            factories.item(digest, category=section, topic=topic)
    draft = factories.digest(date=datetime.date(2026, 2, 9))
    factories.item(draft, category=factories.category("草稿栏目"), topic="秘密芯片计划")
    counts.rebuild()


def suggestions(page):
    return re.findall(r'<ul class="suggested-topics">(.*?)</ul>', page)[0]


def test_search_without_results_suggests_topics_sharing_characters(client, topics):
    page = html(client, "/search/?q=量子芯")
    offered = re.findall(r'lang="zh-CN">([^<]+)</a>', suggestions(page))
    # Two characters shared with 量子计算, one with 芯片, none with 机器人.
    assert offered == ["量子计算", "芯片"]
    assert 'href="/2026/02/03/"' in page  # the latest briefing
    assert 'href="/categories/qian-yan-ke-ji-tu-po/"' in page
    assert "空栏目" not in page
    assert 'name="robots" content="noindex, follow"' in page


def test_empty_search_suggests_the_most_frequent_topics(client, topics):
    page = html(client, "/search/")
    offered = re.findall(r'lang="zh-CN">([^<]+)</a>', suggestions(page))
    assert offered == ["芯片", "机器人", "量子计算"]
    with translation.override("en"):
        assert "Where to start" in html(client, "/en/search/")
    # A query sharing nothing falls back to the most frequent too.
    offered = re.findall(r'lang="zh-CN">([^<]+)</a>', suggestions(html(client, "/search/?q=zzz")))
    assert offered == ["芯片", "机器人", "量子计算"]


def test_search_with_results_suggests_nothing(client, topics):
    Item.objects.update(search_version="")
    from digests import search

    search.index_items(Item.objects.all())
    page = html(client, "/search/?q=芯片")
    assert "search-suggestions" not in page


@pytest.mark.parametrize("status", HIDDEN)
def test_search_suggestions_never_show_unpublished_days(client, topics, status):
    hidden = published(datetime.date(2026, 2, 20))
    factories.item(hidden, category=Category.objects.get(name="草稿栏目"), topic="隐藏话题")
    counts.rebuild()  # counted while published, then hidden: the counts are read as public
    Digest.objects.filter(pk=hidden.pk).update(status=status, publish_at=timezone.now())
    # Queries sharing characters with the hidden topics and sections, never echoing them.
    for url in ("/search/", "/search/?q=话题", "/search/?q=栏目计划"):
        page = html(client, url)
        for secret in ("隐藏", "秘密", "草稿"):
            assert secret not in page, (url, secret)
        assert 'href="/2026/02/20/"' not in page
        assert 'href="/2026/02/03/"' in page


def test_search_suggestion_queries(client, topics, django_assert_num_queries):
    # 1 the latest published digest, 2 the topics of its year (the /trends/ counts),
    # 3 the sections with a published item. (A query with words adds the search's own.)
    with django_assert_num_queries(3):
        client.get("/search/")


def test_suggestions_rank_in_linear_time_on_adversarial_text(topics):
    latest = datetime.date(2026, 2, 3)
    started = time.perf_counter()
    for query in ("芯" * 200, "a" * 200 + "!", " " * 200, "（" * 100 + "）" * 100):
        wayfinding.suggested_topics(query, latest)
    assert time.perf_counter() - started < 1.0
    assert wayfinding.suggested_topics("", None) == []


# --- 12. the item page's neighbours ------------------------------------------------------


@pytest.fixture
def day_of_items():
    digest = published(FEB_2)
    items = [factories.item(digest, topic="芯片", title=f"第{n}条") for n in range(1, 4)]
    older = published(datetime.date(2026, 1, 5))
    factories.item(older, topic="芯片", title="一月的芯片新闻")
    factories.item(older, topic="机器人", title="别的话题")
    return items


def neighbour_links(page):
    return (
        re.findall(r'class="item-previous" href="([^"]+)"', page),
        re.findall(r'class="item-next" href="([^"]+)"', page),
    )


def test_item_links_its_neighbours_and_its_topic(client, day_of_items):
    first, middle, last = day_of_items
    page = html(client, middle.get_absolute_url())
    assert neighbour_links(page) == ([first.get_absolute_url()], [last.get_absolute_url()])
    same_topic = re.search(r'<section class="same-topic".*?</section>', page, re.S).group(0)
    titles = re.findall(r'lang="zh-CN">([^<]+)</a>', same_topic)
    assert titles == ["第1条", "第3条", "一月的芯片新闻"]  # the newest day first; not itself
    assert "别的话题" not in same_topic
    assert neighbour_links(html(client, first.get_absolute_url())) == (
        [],
        [middle.get_absolute_url()],
    )
    assert neighbour_links(html(client, last.get_absolute_url()))[1] == []


def test_neighbours_follow_the_briefing_order_with_equal_positions(client):
    digest = published(FEB_2)
    a, b, c = (factories.item(digest, position=1) for _ in range(3))
    page = html(client, b.get_absolute_url())
    assert neighbour_links(page) == ([a.get_absolute_url()], [c.get_absolute_url()])


@pytest.mark.parametrize("status", HIDDEN)
def test_item_page_never_links_unpublished_items(client, day_of_items, status):
    hidden = factories.digest(date=datetime.date(2026, 2, 15), status=status)
    secret = factories.item(hidden, topic="芯片", title="秘密芯片新闻")
    page = html(client, day_of_items[1].get_absolute_url())
    assert "秘密" not in page and secret.get_absolute_url() not in page
    assert client.get(secret.get_absolute_url()).status_code in (404, 410)


def test_item_page_queries(client, day_of_items, django_assert_num_queries):
    middle = day_of_items[1]
    for n in range(20):  # more of the topic than are shown
        factories.item(
            published(datetime.date(2025, 1, 1) + datetime.timedelta(days=n)), topic="芯片"
        )
    # 1 the item with its day, section, source and its neighbours' pks and headlines
    # (subqueries), 2 its tags, 3 its corrections, 4 its topic's other items (with their
    # days), 5 its story links (此前报道 / 后续报道).
    with django_assert_num_queries(5):
        page = html(client, middle.get_absolute_url())
    same_topic = re.search(r'<section class="same-topic".*?</section>', page, re.S).group(0)
    assert same_topic.count("<li>") == wayfinding.SAME_TOPIC
