"""The reader site: every public URL, what it shows, and what it never shows."""

import datetime
import itertools
import json
import re
import xml.etree.ElementTree as ET
from io import BytesIO

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from PIL import Image

from digests import images, workflow
from digests.exporting import export_digest
from digests.models import Category, Digest, Item, Source
from tests import factories

pytestmark = pytest.mark.django_db
S = Digest.Status


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Views are tested on their own; test_cache.py tests the caches."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS = 0


def text_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


# --- every public page -------------------------------------------------------------------


PUBLIC_PAGES = [
    "/",
    "/2026/11/28/",
    "/2026/11/28.txt",
    "/2026/11/28.md",
    "/2026/11/28.json",
    "/2026/11/",
    "/archive/",
    "/items/",
    "/items/?category=ai-ji-shu-dong-tai&date_from=2026-11-25",
    "/categories/ai-ji-shu-dong-tai/",
    "/topics/ai-ji-shu/",
    "/sources/xin-hua-wang/",
    "/search/?q=大模型",
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/categories/ai-ji-shu-dong-tai/rss/",
    "/feeds/categories/ai-ji-shu-dong-tai/atom/",
    "/sitemap.xml",
    "/robots.txt",
    "/en/",
    "/en/2026/11/28/",
    "/en/archive/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_answer(client, week, url):
    text_of(client, url)


def test_home_is_the_latest_briefing_and_points_to_its_day(client, week):
    page = text_of(client, "/")
    assert '<time datetime="2026-11-28" class="digest-date">' in page
    assert '<link rel="canonical" href="http://127.0.0.1:8000/2026/11/28/">' in page


def test_home_before_anything_is_published(client):
    assert "has not been published yet" in text_of(client, "/en/")


def test_day_page_follows_the_briefing(client, week):
    digest = Digest.objects.with_contents().get(date=datetime.date(2026, 11, 25))
    page = text_of(client, "/2026/11/25/")
    assert page.count("<h1") == 1
    positions = [page.index(category.name) for category, _ in digest.sections()]
    assert positions == sorted(positions)
    for item in digest.items.all():
        assert f'id="item-{item.pk}"' in page  # every item has an anchor
        assert f'href="/items/{item.pk}/"' in page  # and a permalink
        assert item.title in page
    assert digest.analysis.title in page and digest.trend_summary.summary in page
    assert 'rel="prev" href="/2026/11/24/"' in page and 'rel="next" href="/2026/11/26/"' in page
    assert 'href="/sources/it-zhi-jia/"' in page


def test_the_neighbours_are_named_by_their_day_of_the_week(client, week):
    """The pager names the days as a reader says them, the year only across a new year."""
    page = text_of(client, "/2026/11/25/")
    assert 'rel="prev" href="/2026/11/24/">‹ 11月24日 星期二</a>' in page
    assert 'rel="next" href="/2026/11/26/">11月26日 星期四 ›</a>' in page
    english = text_of(client, "/en/2026/11/25/")
    assert 'href="/en/2026/11/24/">‹ Tue 24 Nov</a>' in english
    factories.full_digest(date=datetime.date(2025, 12, 31), status=Digest.Status.PUBLISHED)
    first = text_of(client, "/2026/11/22/")
    assert 'rel="prev" href="/2025/12/31/">‹ 2025年12月31日 星期三</a>' in first


def test_months_and_days_are_named_in_the_readers_language(client, week):
    month = text_of(client, "/2026/11/")
    assert "<h1>2026年11月 的简报</h1>" in month
    assert "Briefings of November 2026</h1>" in text_of(client, "/en/2026/11/")
    assert ">2026年11月 全部简报</a>" in text_of(client, "/2026/11/25/")
    item = Item.objects.filter(digest__date=datetime.date(2026, 11, 25)).first()
    assert "阅读 2026年11月25日 的完整简报" in text_of(client, f"/items/{item.pk}/")
    assert "Read the whole briefing of Nov. 25, 2026" in text_of(client, f"/en/items/{item.pk}/")


def test_first_and_last_day_have_one_neighbour(client, week):
    first, last = text_of(client, "/2026/11/22/"), text_of(client, "/2026/11/28/")
    assert 'rel="prev"' not in first and 'rel="next" href="/2026/11/23/"' in first
    assert 'rel="next"' not in last and 'rel="prev" href="/2026/11/27/"' in last


def test_item_page_with_correction_and_last_updated(client, week, reviewer):
    item = Item.objects.filter(digest__date=datetime.date(2026, 11, 28)).first()
    workflow.add_correction(item, reviewer, "数据应为三个月。")
    page = text_of(client, f"/items/{item.pk}/")
    assert item.title in page and "数据应为三个月。" in page
    assert 'class="updated"' in page
    day = text_of(client, "/2026/11/28/")
    assert "数据应为三个月。" in day and 'class="updated"' in day


def test_exports_are_the_same_as_export_digest(client, week):
    digest = Digest.objects.with_contents().get(date=datetime.date(2026, 11, 28))
    for suffix, fmt, content_type in [
        ("txt", "text", "text/plain"),
        ("md", "markdown", "text/markdown"),
        ("json", "json", "application/json"),
    ]:
        response = client.get(f"/2026/11/28.{suffix}")
        assert response["Content-Type"].startswith(content_type)
        assert response.content.decode() == export_digest(digest, fmt)
    assert client.get("/2026/11/28.pdf").status_code == 404


def test_month_calendar_links_published_days(client, week):
    page = text_of(client, "/2026/11/")
    linked = set(re.findall(r'href="/2026/11/(\d\d)/"', page))
    assert linked == {str(day) for day in range(22, 29)}
    assert client.get("/2026/10/").status_code == 404


def test_archive_lists_months_with_counts(client, week):
    page = text_of(client, "/en/archive/")
    assert 'href="/en/2026/11/"' in page and "7 days" in page


def test_taxonomy_pages_list_items_across_days_and_paginate(client, week):
    page = text_of(client, "/categories/ai-ji-shu-dong-tai/")
    count = Item.objects.filter(category__slug="ai-ji-shu-dong-tai").count()
    assert count > 20  # so there is a second page
    assert page.count('class="item-row"') == 20
    assert 'href="?page=2"' in page
    second = text_of(client, "/categories/ai-ji-shu-dong-tai/?page=2")
    assert second.count('class="item-row"') == count - 20
    assert text_of(client, "/topics/ai-ji-shu/").count('class="item-row"') == 20
    source = Source.objects.get(name="新华网")
    assert text_of(client, f"/sources/{source.slug}/").count('class="item-row"') == min(
        20, source.items.count()
    )


def test_tag_page(client, week):
    item = Item.objects.get(title="开源智能体框架发布1.0正式版")
    item.tags.add("智能体")
    page = text_of(client, "/tags/zhi-neng-ti/")
    assert item.title in page and page.count('class="item-row"') == 1


def test_unknown_slugs_are_not_found(client, week):
    for url in [
        "/categories/nope/",
        "/topics/nope/",
        "/tags/nope/",
        "/sources/nope/",
        "/items/999999/",
        "/2026/02/30/",
        "/feeds/categories/nope/rss/",
    ]:
        assert client.get(url).status_code == 404, url


def test_browse_filters_are_kept_in_the_url(client, week):
    url = "/items/?category=ai-ji-shu-dong-tai&date_from=2026-11-25&date_to=2026-11-27"
    page = text_of(client, url)
    dates = set(re.findall(r'<time datetime="(2026-11-\d\d)">', page))
    assert dates == {"2026-11-25", "2026-11-26", "2026-11-27"}
    assert 'value="2026-11-25"' in page  # the form shows the filters in use
    by_source = text_of(client, "/items/?source=it-zhi-jia")
    assert by_source.count('class="item-row"') == min(
        20, Item.objects.filter(source__slug="it-zhi-jia").count()
    )
    by_topic = text_of(client, "/items/?topic=liang-zi-ji-suan")
    assert "量子计算" in by_topic
    assert "AI技术</span>" not in by_topic
    by_text = text_of(client, "/items/?q=HBM")
    assert by_text.count('class="item-row"') == Item.objects.filter(body__contains="HBM").count()


def test_browse_pagination_keeps_the_filters(client, week):
    page = text_of(client, "/items/?category=ai-ji-shu-dong-tai")
    assert 'href="?category=ai-ji-shu-dong-tai&amp;page=2"' in page


def test_search_page_highlights(client, week):
    page = text_of(client, "/search/?q=高带宽内存")
    assert "<mark>" in page
    assert "国产高带宽内存样品送交客户验证" in re.sub(r"</?mark>", "", page)


def test_feeds_list_published_briefings(client, week):
    rss = ET.fromstring(client.get("/feeds/rss/").content)
    titles = [t.text for t in rss.iter("title")][1:]
    assert titles[0] == "每日科技新闻速览\uff082026-11-28\uff09" and len(titles) == 7
    atom = client.get("/feeds/atom/").content.decode()
    assert "http://www.w3.org/2005/Atom" in atom and "2026-11-22" in atom
    category_feed = ET.fromstring(client.get("/feeds/categories/ai-ji-shu-dong-tai/rss/").content)
    assert len(list(category_feed.iter("item"))) == min(
        30, Item.objects.filter(category__slug="ai-ji-shu-dong-tai").count()
    )


def test_sitemap_and_robots(client, week):
    index = client.get("/sitemap.xml").content.decode()  # tests/test_sitemap.py: the sections
    assert "http://127.0.0.1:8000/sitemap-days.xml</loc>" in index
    sitemap = client.get("/sitemap-days.xml").content.decode()
    assert sitemap.count("/2026/11/") >= 7
    assert "/items/" in client.get("/sitemap-items.xml").content.decode()
    robots = text_of(client, "/robots.txt")
    assert "Disallow: /admin/" in robots and "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots


def test_every_absolute_link_is_built_from_the_sites_address(client, week, settings, mailoutbox):
    """Pages, the sitemap, robots.txt and e-mail: whatever host the request came by."""
    settings.NEWSROOM_SITE_URL = "https://news.example.com"
    settings.ALLOWED_HOSTS = ["news.example.com", "other.example.com"]
    host = {"HTTP_HOST": "other.example.com"}
    sitemap = "".join(
        client.get(url, **host).content.decode() for url in ("/sitemap.xml", "/sitemap-days.xml")
    )
    locations = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert locations and all(url.startswith("https://news.example.com/") for url in locations)
    robots = client.get("/robots.txt", **host).content.decode()
    assert "Sitemap: https://news.example.com/sitemap.xml" in robots
    page = client.get("/2026/11/28/", **host).content.decode()
    assert '<link rel="canonical" href="https://news.example.com/2026/11/28/">' in page
    assert json_ld(page)["url"] == "https://news.example.com/2026/11/28/"
    assert "other.example.com" not in sitemap + robots + page


def test_notifications_link_to_the_sites_address(settings, editor, reviewer, mailoutbox):
    from digests.tasks import send_notifications

    settings.NEWSROOM_SITE_URL = "https://news.example.com/"
    digest = factories.full_digest(date=datetime.date(2026, 3, 1), status=S.DRAFT)
    digest.created_by = editor
    digest.save(update_fields=["created_by"])
    workflow.submit(digest, None)
    workflow.publish(digest, reviewer)
    event = digest.events.get(action="publish")
    send_notifications.call(event_id=event.pk)
    (message,) = mailoutbox
    assert f"https://news.example.com/admin/digests/digest/{digest.pk}/change/" in message.body


# --- unpublished digests are invisible everywhere ------------------------------------------


def test_unpublished_digest_is_invisible_everywhere(client, week, secret):
    # A withdrawn day's own addresses say so (410 Gone, a notice); the others were never public.
    gone = 410 if secret.status == S.UNPUBLISHED else 404
    item = secret.items.get()
    own = ["/2026/12/05/", "/2026/12/05.txt", "/2026/12/05.md", "/2026/12/05.json"]
    for url in [*own, f"/items/{item.pk}/"]:
        response = client.get(url)
        assert response.status_code == gone, url
        assert not [
            word for word in factories.SECRET_WORDS if word in response.content.decode()
        ], url
    assert client.get("/2026/12/").status_code == 404
    for url in [
        "/categories/cao-gao-lan-mu/",
        "/topics/cao-gao-zhu-ti/",
        "/tags/cao-gao-biao-qian/",
        "/sources/cao-gao-lai-yuan/",
        "/feeds/categories/cao-gao-lan-mu/rss/",
    ]:
        assert client.get(url).status_code == 404, url
    everywhere = [
        "/",
        "/archive/",
        "/2026/11/",
        "/items/",
        "/search/?q=草稿独有标题",
        "/search/?q=量子纠缠麒麟",
        "/search/?q=草稿",
        "/feeds/rss/",
        "/feeds/atom/",
        "/sitemap.xml",
        *(f"/sitemap-{section}.xml" for section in ("days", "months", "items", "sections")),
        *(f"/sitemap-{section}.xml" for section in ("topics", "tags", "sources", "trends")),
    ]
    for url in everywhere:
        page = text_of(client, url)
        query = url.partition("?q=")[2]
        if query:  # the reader's own query is echoed back; nothing else may be
            assert 'class="item-row"' not in page, url
        leaked = [word for word in factories.SECRET_WORDS if word in page and word != query]
        assert not leaked, (url, leaked)
        assert f"/items/{item.pk}/" not in page and "2026/12/05" not in page


# --- constant queries ----------------------------------------------------------------------


def big_digest(date, n):
    """A published digest with ``n`` items over 3 sections, 4 sources, 5 topics and a tag."""
    digest = factories.digest(date=date, status=S.PUBLISHED)
    add_items(digest, n)
    return digest


def add_items(digest, n):
    sections = [Category.objects.get_or_create(name=f"栏目{k}")[0] for k in range(3)]
    sources = [Source.objects.get_or_create(name=f"来源{k}")[0] for k in range(4)]
    start = digest.items.count()
    Item.objects.bulk_create(
        Item(
            digest=digest,
            category=sections[k % 3],
            source=sources[k % 4],
            position=k,
            topic=f"主题{k % 5}",
            topic_slug=f"zhu-ti-{k % 5}",
            title=f"第{k}条标题",
            body="正文。",
        )
        for k in range(start, start + n)
    )
    for item in Item.objects.filter(digest=digest).order_by("-id")[: max(1, n // 10)]:
        item.tags.add("标签甲")


def queries_for(client, url):
    cache.clear()  # measure the page as built from the database, not from kept parts
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/2026/03/02/",
        "/",
        "/2026/03/",
        "/archive/",
        "/items/2/",
        "/categories/lan-mu-0/",
        "/topics/zhu-ti-0/",
        "/sources/lai-yuan-0/",
        "/tags/biao-qian-jia/",
        "/items/",
        "/items/?category=lan-mu-1&source=lai-yuan-1",
        "/search/?q=标题",
        "/feeds/rss/",
        "/feeds/categories/lan-mu-0/rss/",
        "/sitemap.xml",
        "/2026/03/02.json",
    ],
)
def test_queries_do_not_grow_with_items(client, url):
    """The same number of queries for a day of 10 items and a day of 300."""
    big_digest(datetime.date(2026, 3, 1), 10)
    digest = big_digest(datetime.date(2026, 3, 2), 10)
    url = url.replace("/items/2/", f"/items/{digest.items.first().pk}/")
    small = queries_for(client, url)
    add_items(digest, 290)
    assert digest.items.count() == 300
    assert queries_for(client, url) == small


def test_day_page_queries(client, django_assert_num_queries):
    big_digest(datetime.date(2026, 3, 1), 10)
    digest = factories.full_digest(date=datetime.date(2026, 3, 2), status=S.PUBLISHED, items=1)
    add_items(digest, 299)
    big_digest(datetime.date(2026, 3, 3), 10)
    # 1 the digest and the dates of the days before and after (subqueries), 2 its
    # items with their sections and sources (joined), 3 the items' tags, 4 their
    # corrections, 5 the analysis, 6 its paragraphs, 7 the trend summary, 8 its points
    # (with their supporting items' ids, joined in the same query),
    # 9 the items' 此前报道 / 后续报道 links (digests.story.public.attach_links), 10 the
    # digest's numeric claims (the .json's and the analysis' marked numbers).
    # (cache helper: with both caches off the public counters are no longer read.)
    with django_assert_num_queries(10):
        client.get("/2026/03/02/")


# --- how it looks to search engines and in other languages ---------------------------------


def json_ld(page):
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1)
    )


def test_structured_data_and_social_tags(client, week):
    page = text_of(client, "/2026/11/28/")
    data = json_ld(page)
    assert data["@type"] == "CollectionPage" and data["url"] == "http://127.0.0.1:8000/2026/11/28/"
    assert len(data["hasPart"]) == Item.objects.filter(digest__date="2026-11-28").count()
    assert '<meta property="og:type" content="website">' in page
    assert '<meta name="twitter:card"' in page
    item = Item.objects.filter(digest__date="2026-11-28").first()
    article = json_ld(text_of(client, f"/items/{item.pk}/"))
    assert article["@type"] == "NewsArticle" and article["headline"] == item.title
    assert article["articleSection"] == item.category.name


def test_structured_data_cannot_be_broken_out_of(client):
    digest = factories.full_digest(date=datetime.date(2026, 3, 1), status=S.PUBLISHED)
    Item.objects.filter(digest=digest).update(title="</script><script>alert(1)</script>")
    page = text_of(client, "/2026/03/01/")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1)
    assert "<" not in block
    assert json.loads(block)["hasPart"][0]["headline"].startswith("</script>")


def test_chinese_by_default_and_english_under_en(client, week):
    chinese = text_of(client, "/archive/")
    english = text_of(client, "/en/archive/")
    assert 'lang="zh-CN"' in chinese and "归档" in chinese
    assert 'lang="en"' in english and "Archive" in english
    assert 'href="/en/archive/"' in chinese and 'href="/archive/"' in english


def test_accessibility_landmarks_and_headings(client, week):
    page = text_of(client, "/2026/11/28/")
    assert page.count("<h1") == 1
    for landmark in ("<header", "<main", "<footer", "<nav", 'role="search"'):
        assert landmark in page
    levels = [int(level) for level in re.findall(r"<h([1-6])", page)]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert 'class="skip-link" href="#main"' in page


# --- pictures --------------------------------------------------------------------------------


def png(width, height):
    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, "PNG")
    return SimpleUploadedFile("picture.png", buffer.getvalue(), content_type="image/png")


def test_item_picture_has_renditions_size_and_lazy_loading(client):
    digest = factories.full_digest(date=datetime.date(2026, 3, 1), status=S.PUBLISHED)
    item = digest.items.first()
    item.image = png(1600, 900)
    item.image_alt = "示意图"
    item.save()
    written = images.make_renditions(item.image)
    assert len(written) == 3
    page = text_of(client, "/2026/03/01/")
    tag = re.search(r"<img [^>]*>", page).group(0)
    assert 'width="1600" height="900"' in tag and 'loading="lazy"' in tag and 'alt="示意图"' in tag
    assert tag.count("w,") == 3 and "-w360.webp 360w" in tag
    assert images.make_renditions(item.image) == []  # already there


def test_a_file_that_is_not_a_picture_is_refused():
    digest = factories.full_digest()
    item = digest.items.first()
    item.image = SimpleUploadedFile("fake.png", b"not a picture", content_type="image/png")
    with translation.override("en"), pytest.raises(ValidationError, match="not a picture"):
        item.full_clean()
    assert Category.objects.exists()
