"""Web standards on the reader site: the briefing's language marked in English pages,
calendar links named by what they show, tap targets of 24 px, and compressed pages."""

import datetime
import gzip
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests import search
from digests.models import Analysis, AnalysisParagraph, TrendPoint, TrendSummary
from digests.trends import counts
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
# Han characters: the briefing's text. One class, no quantifier on it: linear on any input.
HAN = re.compile("[\u3400-\u9fff]")
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


class Languages(HTMLParser):
    """Each text of ``<main>`` with the language in effect where it stands (nearest ``lang``)."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.stack, self.texts, self.html_lang = [], [], None
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag in VOID:
            return
        inherited = self.stack[-1][1] if self.stack else self.html_lang
        in_main = tag == "main" or (bool(self.stack) and self.stack[-1][2])
        hidden = tag in ("script", "style", "svg") or (bool(self.stack) and self.stack[-1][3])
        self.stack.append((tag, attrs.get("lang", inherited), in_main, hidden))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][2] and not self.stack[-1][3] and data.strip():
            self.texts.append((data.strip(), self.stack[-1][1]))

    def chinese_marked_as(self, lang):
        """The Han texts of ``<main>`` whose language in effect is ``lang``."""
        return [text for text, where in self.texts if HAN.search(text) and where == lang]


@pytest.fixture
def day(db):
    """A published day with an item in full (source, tags, link), analysis and trends;
    and a draft day whose text must stay out of every page."""
    section = factories.category("AI技术动态", slug="ai-ji-shu-dong-tai")
    origin = factories.source("新华网", slug="xin-hua-wang")
    digest = factories.digest(date=DAY, status="published", lede="今日导语。")
    item = factories.item(
        digest,
        category=section,
        source=origin,
        topic="芯片",
        title="国产芯片量产",
        body="第一段正文。\n第二段正文。",
        url="https://example.com/chips",
    )
    item.tags.set(["半导体"])
    analysis = Analysis.objects.create(digest=digest, title="分析标题")
    AnalysisParagraph.objects.create(analysis=analysis, label="背景", text="背景说明。")
    trends = TrendSummary.objects.create(digest=digest, summary="今日核心趋势。")
    TrendPoint.objects.create(trend_summary=trends, label="趋势", text="趋势说明。")
    draft = factories.digest(date=DAY + datetime.timedelta(days=1), status="draft")
    factories.item(draft, category=section, source=origin, title="草稿标题不可见")
    counts.rebuild()
    search.rebuild()
    return digest


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    assert "草稿标题不可见" not in body
    return body


# Pages and the briefing texts each must mark as Chinese in English.
MARKED = [
    (
        "/en/2026/03/02/",
        ["国产芯片量产", "第一段正文。", "芯片", "新华网", "半导体", "今日导语。"],
    ),
    ("/en/", ["国产芯片量产", "第二段正文。", "趋势说明。", "今日核心趋势。"]),
    ("/en/items/{item}/", ["国产芯片量产", "第一段正文。", "芯片", "AI技术动态", "新华网"]),
    ("/en/items/", ["国产芯片量产", "AI技术动态", "新华网", "半导体"]),
    ("/en/search/?q=芯片", ["新华网", "AI技术动态"]),
    ("/en/topics/xin-pian/", ["国产芯片量产", "新华网"]),
    ("/en/sources/xin-hua-wang/", ["国产芯片量产", "AI技术动态"]),
]


@pytest.mark.parametrize(("url", "texts"), MARKED)
def test_english_pages_mark_the_briefing_as_chinese(client, day, url, texts):
    item = day.items.get()
    parsed = Languages(page(client, url.format(item=item.pk)))
    assert parsed.html_lang == "en"
    chinese = parsed.chinese_marked_as("zh-CN")
    for text in texts:
        assert any(text in one for one in chinese), (text, parsed.texts)
    # The interface around it stays English: no label is marked Chinese.
    english = [t for t, lang in parsed.texts if lang == "en"]
    assert english and not any(HAN.search(t) and "Source" in t for t in chinese)


@pytest.mark.parametrize("url", ["/en/trends/", "/en/trends/topics/xin-pian/"])
def test_trend_labels_are_marked_as_chinese(client, day, url):
    parsed = Languages(page(client, url))
    assert "芯片" in parsed.chinese_marked_as("zh-CN")


@pytest.mark.parametrize(
    "url", ["/", "/2026/03/02/", "/items/", "/trends/", "/search/?q=草稿标题"]
)
def test_chinese_pages_use_one_tag_and_need_nothing_more(client, day, url):
    parsed = Languages(page(client, url))
    assert parsed.html_lang == "zh-CN"
    languages = {lang for _text, lang in parsed.texts}
    assert languages == {"zh-CN"}  # no other tag (zh-hans, zh) anywhere in the content


def test_calendar_links_are_named_by_the_day_they_show(client, day):
    body = page(client, "/en/2026/03/")
    [cell] = re.findall(r'<td[^>]*>(<a href="/en/2026/03/02/"[^>]*>.*?</a>)</td>', body)
    assert "aria-label" not in cell  # the name is the content, which starts with what is seen
    visible, hidden = re.fullmatch(
        r'<a href="[^"]+">(\d+)<span class="visually-hidden">([^<]*)</span></a>', cell
    ).groups()
    assert visible == "2" and hidden == " (2026-03-02)"
    # The draft's day is not a link.
    assert 'href="/en/2026/03/03/"' not in body


# --- Compression -------------------------------------------------------------------


def test_public_pages_come_compressed_to_readers_who_accept_it(client, day):
    plain = client.get("/2026/03/02/")
    assert plain.status_code == 200 and not plain.has_header("Content-Encoding")
    assert "Accept-Encoding" in plain["Vary"]
    packed = client.get("/2026/03/02/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content) / 2
    assert gzip.decompress(packed.content) == plain.content
    # Another reader's "identity only" gets the page as it is.
    assert client.get("/2026/03/02/", HTTP_ACCEPT_ENCODING="identity").content == plain.content


def test_compressed_pages_still_answer_conditional_requests(client, day):
    """The page cache keeps pages uncompressed; the ETag becomes weak when compressed,
    and a reader's If-None-Match with it still gets a 304 (weak comparison)."""
    first = client.get("/2026/03/02/", HTTP_ACCEPT_ENCODING="gzip")
    etag = first["ETag"]
    assert etag.startswith('W/"')
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/2026/03/02/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert len(queries) == 1  # the page cache's generations; the page itself is kept
    plain = client.get("/2026/03/02/")
    assert plain["ETag"] == etag.removeprefix("W/")  # the same page, strong when not compressed
    assert client.get("/2026/03/02/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_two_compressed_copies_differ_in_length(client, day):
    """Django pads each compressed page by a random length (BREACH): sizes vary."""
    cache.clear()
    sizes = {
        len(client.get("/2026/03/02/", HTTP_ACCEPT_ENCODING="gzip").content) for _ in range(8)
    }
    assert len(sizes) > 1


def test_feeds_and_exports_are_compressed_too(client, day):
    for url in ("/feeds/atom/", "/2026/03/02.json"):
        plain = client.get(url)
        packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert packed["Content-Encoding"] == "gzip", url
        assert gzip.decompress(packed.content) == plain.content


def test_a_short_answer_is_not_compressed(client, day):
    response = client.get("/2026/03/02/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 304 and not response.has_header("Content-Encoding")


# --- Tap targets (a real browser) ---------------------------------------------------

# What a reader taps on a phone, by selector, on the day page and the month page.
TARGETS = {
    "/2026/03/02/": [".item h3 .topic", ".item .permalink", ".item .source a", ".item .tags a"],
    "/2026/03/": [".month-calendar a"],
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", list(TARGETS))
def test_tap_targets_are_at_least_24_px_on_a_phone(live_server, day, phone, url, artifacts):
    phone.goto(live_server.url + url)
    for selector in TARGETS[url]:
        boxes = phone.eval_on_selector_all(
            selector,
            "nodes => nodes.map(n => { const r = n.getBoundingClientRect();"
            " return [r.width, r.height]; })",
        )
        assert boxes, selector
        for width, height in boxes:
            assert width >= 24 and height >= 24, (selector, width, height)
    if url == "/2026/03/":
        # The accessible name starts with the visible number (WCAG 2.5.3 label in name).
        link = phone.locator(".month-calendar").get_by_role(
            "link", name="2 (2026-03-02)", exact=True
        )
        assert link.inner_text().strip().startswith("2") and link.is_visible()
    phone.screenshot(path=artifacts / f"tap-targets-{url.strip('/').replace('/', '-')}.png")
