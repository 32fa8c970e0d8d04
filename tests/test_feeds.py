"""Feeds: escaped text, whole briefings as entries, dates by the briefing's day, site links."""

import datetime
import html
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import translation

from digests import public_cache, workflow
from digests.models import (
    Analysis,
    AnalysisParagraph,
    Category,
    Correction,
    Digest,
    Item,
    Source,
    TrendPoint,
    TrendSummary,
)
from tests import factories

pytestmark = pytest.mark.django_db

S = Digest.Status
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Markup, an entity, the end of a CDATA section, quotes, and a control character
# XML cannot carry (a paste from a word processor): all must reach readers as text.
HOSTILE = "<script>x()</script>&]]>\"'<b>"


def hostile(field):
    return f"{field}{HOSTILE}"


def shown(text):
    """What a reader sees of a stored text: the control characters are dropped."""
    return text.replace("\x0b", "")


class Markup(HTMLParser):
    """The tags and the text of an HTML fragment."""

    def __init__(self, fragment):
        super().__init__(convert_charrefs=True)
        self.tags, self.texts = [], []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.texts.append(data)

    @property
    def text(self):
        return "".join(self.texts)


@pytest.fixture
def hostile_day():
    """A published day with hostile text in every field readers see."""
    section = factories.category(hostile("栏目"), slug="lan-mu", description=hostile("说明"))
    origin = factories.source(hostile("来源"), slug="lai-yuan")
    digest = factories.digest(
        date=datetime.date(2026, 3, 2),
        status=S.PUBLISHED,
        title=hostile("标题"),
        lede=hostile("导语"),
    )
    item = factories.item(
        digest,
        category=section,
        source=origin,
        topic=hostile("主题"),
        title=hostile("头条") + "\x0b",
        body=hostile("正文一") + "\n" + hostile("正文二"),
        url="https://example.com/a?b=1&c=2",
    )
    item.tags.set([hostile("标签")])
    Correction.objects.create(item=item, note=hostile("更正"))
    analysis = Analysis.objects.create(digest=digest, title=hostile("分析"))
    AnalysisParagraph.objects.create(analysis=analysis, label=hostile("标"), text=hostile("段落"))
    trends = TrendSummary.objects.create(digest=digest, summary=hostile("总结"))
    TrendPoint.objects.create(trend_summary=trends, label=hostile("趋"), text=hostile("势"))
    return digest


FEEDS = [
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/categories/lan-mu/rss/",
    "/feeds/categories/lan-mu/atom/",
]


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, ET.fromstring(response.content)  # fails on malformed XML


def entries(root):
    """Each entry as (title, html texts: description/summary and content)."""
    found = []
    for entry in [*root.iter("item"), *root.iter(f"{ATOM}entry")]:
        title = (
            entry.find("title") if entry.find("title") is not None else entry.find(f"{ATOM}title")
        )
        parts = [
            e.text or ""
            for tag in ("description", CONTENT, f"{ATOM}summary", f"{ATOM}content")
            if (e := entry.find(tag)) is not None
        ]
        found.append((title.text, parts))
    return found


@pytest.mark.parametrize("url", FEEDS)
def test_hostile_text_reaches_feed_readers_as_text(client, hostile_day, url):
    response, root = parse(client, url)
    assert b"<script" not in response.content and b"<b>" not in response.content
    [(title, parts)] = entries(root)
    item = hostile_day.items.get()
    if "categories" in url:
        assert title == shown(item.heading)
    else:
        assert title == f"{hostile('标题')}\uff082026-03-02\uff09"
    content = parts[-1]
    markup = Markup(content)
    assert "script" not in markup.tags and "b" not in markup.tags
    expected = [hostile(f) for f in ("主题", "正文一", "正文二", "来源", "标签", "更正")]
    expected.append(shown(item.title))
    if "categories" not in url:
        expected += [
            hostile(f) for f in ("导语", "栏目", "分析", "标", "段落", "趋", "势", "总结")
        ]
    for text in expected:
        assert text in markup.text, text
    for part in parts:  # the summary too: only escaped text, no markup of the reader's
        assert "script" not in Markup(part).tags
    categories = [c.text or c.get("term") for c in [*root.iter("category")]]
    categories += [c.get("term") for c in root.iter(f"{ATOM}category")]
    assert set(categories) == {hostile("标签") if "categories" in url else hostile("栏目")}


@pytest.mark.parametrize("url", FEEDS[2:])
def test_a_section_feed_names_the_section_as_text(client, hostile_day, url):
    _, root = parse(client, url)
    channel = root.find("channel")
    title = channel.find("title") if channel is not None else root.find(f"{ATOM}title")
    assert title.text.endswith(" · " + hostile("栏目"))


def test_a_day_entry_carries_the_whole_briefing(client):
    digest = factories.full_digest(date=datetime.date(2026, 3, 2), status=S.PUBLISHED, items=2)
    first, second = digest.items.all()
    first.tags.set(["量子"])
    with translation.override("en"):
        _, rss = parse(client, "/en/feeds/rss/")
        _, atom = parse(client, "/en/feeds/atom/")
    rss_content = rss.find("channel/item").find(CONTENT).text
    atom_entry = atom.find(f"{ATOM}entry")
    assert atom_entry.find(f"{ATOM}content").get("type") == "html"
    for content in (rss_content, atom_entry.find(f"{ATOM}content").text):
        text = Markup(content).text
        for item in (first, second):
            assert item.topic in text and item.title in text and item.body in text
        assert "Source：新华网" in text and "量子" in text
        assert "Deep analysis：分析标题" in text and "背景：背景说明。" in text
        assert "趋势：趋势说明。" in text and "Today's core trend：今日核心趋势。" in text
        assert text.index(first.title) < text.index(second.title) < text.index("分析标题")
    # The summary is the headlines, not the whole day.
    summary = Markup(rss.find("channel/item/description").text).text
    assert first.title in summary and first.body not in summary


def test_entries_are_dated_by_their_day_and_updated_by_corrections(client):
    """A day published weeks late sorts by its own date; a correction moves ``updated``."""
    on_time = factories.full_digest(
        date=datetime.date(2026, 3, 2),
        status=S.PUBLISHED,
        items=1,
        published_at=datetime.datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI),
    )
    backfilled = factories.full_digest(
        date=datetime.date(2026, 3, 1),
        status=S.PUBLISHED,
        items=1,
        published_at=datetime.datetime(2026, 4, 20, 9, 0, tzinfo=SHANGHAI),
    )
    factories.full_digest(  # published the evening before its day
        date=datetime.date(2026, 3, 3),
        status=S.PUBLISHED,
        items=1,
        published_at=datetime.datetime(2026, 3, 2, 22, 0, tzinfo=SHANGHAI),
    )
    with time_machine.travel(datetime.datetime(2026, 5, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        Correction.objects.create(item=on_time.items.get(), note="数字有误。")
    _, atom = parse(client, "/feeds/atom/")
    dated = {
        e.find(f"{ATOM}link").get("href"): (
            datetime.datetime.fromisoformat(e.find(f"{ATOM}published").text),
            datetime.datetime.fromisoformat(e.find(f"{ATOM}updated").text),
        )
        for e in atom.iter(f"{ATOM}entry")
    }
    published = {
        url.split("8000")[1]: (p.astimezone(SHANGHAI), u.astimezone(SHANGHAI))
        for url, (p, u) in dated.items()
    }
    assert published["/2026/03/02/"] == (
        datetime.datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI),
        datetime.datetime(2026, 5, 1, 10, 0, tzinfo=SHANGHAI),  # the correction
    )
    assert published["/2026/03/01/"] == (
        datetime.datetime(2026, 3, 1, 0, 0, tzinfo=SHANGHAI),  # its day, not April
        datetime.datetime(2026, 4, 20, 9, 0, tzinfo=SHANGHAI),
    )
    assert published["/2026/03/03/"][0] == datetime.datetime(2026, 3, 3, 0, 0, tzinfo=SHANGHAI)
    # Newest day first, and sorting by the published date keeps that order.
    order = list(published)
    assert order == ["/2026/03/03/", "/2026/03/02/", "/2026/03/01/"]
    assert order == sorted(published, key=lambda url: published[url][0], reverse=True)
    _, rss = parse(client, "/feeds/rss/")
    pubdates = [i.find("pubDate").text for i in rss.iter("item")]
    assert pubdates[2] == "Sun, 01 Mar 2026 00:00:00 +0800"
    _, section = parse(client, f"/feeds/categories/{backfilled.items.get().category.slug}/atom/")
    days = [e.find(f"{ATOM}published").text[:10] for e in section.iter(f"{ATOM}entry")]
    assert days == ["2026-03-03", "2026-03-02", "2026-03-01"]


@pytest.mark.parametrize("url", FEEDS)
def test_links_and_ids_come_from_the_site_address_not_the_host(client, settings, hostile_day, url):
    settings.ALLOWED_HOSTS = ["*"]
    settings.NEWSROOM_SITE_URL = "https://news.example.org"
    response = client.get(url, HTTP_HOST="evil.test")
    body = response.content.decode()
    assert response.status_code == 200 and "evil.test" not in body
    root = ET.fromstring(response.content)
    addresses = [e.text for e in root.iter() if e.tag in ("link", "guid", f"{ATOM}id")]
    addresses += [e.get("href") for e in root.iter(f"{ATOM}link")]
    assert addresses and all(a.startswith("https://news.example.org/") for a in addresses)
    content = [e.text for e in root.iter() if e.tag in (CONTENT, f"{ATOM}content")]
    links = [html.unescape(part.split('"')[0]) for c in content for part in c.split('href="')[1:]]
    assert links
    assert all(
        link.startswith("https://news.example.org/") or link == "https://example.com/a?b=1&c=2"
        for link in links
    )


@pytest.fixture
def three_days():
    """Three published days of 3, 6 and 9 items, each item tagged and corrected."""
    factories.category("AI技术动态")
    days = []
    for day in range(1, 4):
        digest = factories.full_digest(
            date=datetime.date(2026, 3, day), status=S.PUBLISHED, items=day * 3
        )
        for item in digest.items.all():
            item.tags.set(["标签甲", "标签乙"])
            Correction.objects.create(item=item, note="更正。")
        days.append(digest)
    return days


@pytest.mark.parametrize(
    ("url", "rendered", "kept"),
    [
        # Nothing kept: 1 the days, 2 the public counters (the names generation, in
        # the entries' keys), 3 their items with sections and sources, 4 the items'
        # tags, 5 their corrections, 6 analyses, 7 analysis paragraphs, 8 trend
        # summaries, 9 trend points (with their supporting items' ids); not the numeric
        # claims, which a feed does not show. Entries kept: 1 the days, 2 the counters
        # (the analyses and trends are fetched only for entries not kept).
        ("/feeds/rss/", 9, 2),
        ("/feeds/atom/", 9, 2),
        # Nothing kept: 1 the section, 2 whether it has a published item, 3 its items
        # with their days and sources, 4 the counters, 5 tags, 6 corrections.
        # Entries kept: 1 the section, 2 its published item, 3 the items, 4 the counters.
        ("/feeds/categories/ai-ji-shu-dong-tai/rss/", 6, 4),
        ("/feeds/categories/ai-ji-shu-dong-tai/atom/", 6, 4),
    ],
)
def test_feed_queries_do_not_grow_with_days_or_items(
    client, settings, django_assert_num_queries, three_days, url, rendered, kept
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # the feed itself, not the page cache
    with django_assert_num_queries(rendered):
        response = client.get(url)
    assert response.status_code == 200
    entries = ET.fromstring(response.content).findall(
        ".//{*}content" if "atom" in url else ".//item"
    )
    assert len(entries) >= 3
    with django_assert_num_queries(kept):
        again = client.get(url)
    assert again.content == response.content


def entry_contents(client, url="/feeds/atom/"):
    """Each entry's whole content (Atom ``content``), by its link."""
    _, root = parse(client, url)
    return {
        e.find(f"{ATOM}link").get("href").split("8000")[1]: e.find(f"{ATOM}content").text
        for e in root.iter(f"{ATOM}entry")
    }


def test_entries_are_kept_across_an_unrelated_publication(client, settings, three_days, reviewer):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    first = three_days[0]
    item = first.items.first()
    before = entry_contents(client)
    # A change that bypasses the desk (no new version): only a kept entry still shows
    # the old headline, which proves the entry was not rendered again.
    Item.objects.filter(pk=item.pk).update(title="绕过编辑台的标题")
    new_day = factories.full_digest(date=datetime.date(2026, 3, 4), status=S.DRAFT, items=1)
    workflow.submit(new_day, None)
    workflow.publish(new_day, reviewer)
    after = entry_contents(client)
    assert "/2026/03/04/" in after
    assert after["/2026/03/01/"] == before["/2026/03/01/"]
    assert "绕过编辑台的标题" not in after["/2026/03/01/"]


def test_a_correction_renders_its_entry_again(client, settings, three_days, reviewer):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    item = three_days[1].items.first()
    assert "数据应为三个月。" not in entry_contents(client)["/2026/03/02/"]
    assert (
        "数据应为三个月。"
        not in parse(client, "/feeds/categories/ai-ji-shu-dong-tai/atom/")[0].content.decode()
    )
    workflow.add_correction(item, reviewer, "数据应为三个月。")
    assert "数据应为三个月。" in entry_contents(client)["/2026/03/02/"]
    section = parse(client, "/feeds/categories/ai-ji-shu-dong-tai/atom/")[0].content.decode()
    assert "数据应为三个月。" in section


def test_a_renamed_section_or_source_renders_entries_again(client, settings, three_days):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    assert "AI技术动态" in entry_contents(client)["/2026/03/01/"]
    section = Category.objects.get(name="AI技术动态")
    origin = Source.objects.get(name="新华网")
    with transaction.atomic():  # as the admin saves them (UsageCountAdmin.save_model)
        section.name = "人工智能动态"
        section.save()
        origin.name = "新华通讯社"
        origin.save()
        public_cache.changed(names=True)
    content = entry_contents(client)["/2026/03/01/"]
    assert "人工智能动态" in content and "AI技术动态" not in content
    assert "新华通讯社" in content
    item_entry = parse(client, "/feeds/categories/ai-ji-shu-dong-tai/atom/")[0].content.decode()
    assert "新华通讯社" in item_entry and "新华网" not in item_entry


def test_a_withdrawn_day_leaves_every_feed_at_once(client, settings, three_days, reviewer):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    withdrawn = three_days[2]
    headline = withdrawn.items.first().title
    for url in [*FEEDS[:2], "/feeds/categories/ai-ji-shu-dong-tai/rss/"]:
        assert headline in client.get(url).content.decode(), url  # kept now
    workflow.withdraw(withdrawn, reviewer, "事实有误")
    for url in [*FEEDS[:2], "/feeds/categories/ai-ji-shu-dong-tai/rss/"]:
        body = client.get(url).content.decode()
        assert headline not in body and "2026/03/03" not in body, url
