"""Atom feeds hold what RFC 4287 requires of a feed (4.1.1) and of an entry (4.1.2).

Parsed with ``xml.etree`` and checked element by element: a lenient feed parser
would fill in what is missing, and subscribers' readers are not all lenient.
"""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests import workflow
from tests import factories

pytestmark = pytest.mark.django_db

A = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# RFC 3339 date-time as section 3.3 of RFC 4287 restricts it: upper-case T, a time zone.
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")
SECTION = "ai-ji-shu-dong-tai"
FEEDS = ["/feeds/atom/", f"/feeds/categories/{SECTION}/atom/"]


@pytest.fixture
def days(db):
    """Two published days in one section, and one of every state readers must not see."""
    section = factories.category("AI技术动态", slug=SECTION)
    origin = factories.source("新华网", slug="xin-hua-wang")
    shown = []
    for n, status in enumerate(
        ["published", "published", "draft", "review", "scheduled", "withdrawn"], start=1
    ):
        digest = factories.digest(date=datetime.date(2026, 3, n), status=status)
        factories.item(digest, category=section, source=origin, title=f"{status}标题{n}")
        if status == "published":
            shown.append(digest)
    return shown


def atom(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{A}feed"
    return root


def only(parent, name):
    """The one child ``name`` of ``parent``: RFC 4287 says exactly one, so two fail too."""
    found = parent.findall(f"{A}{name}")
    assert len(found) == 1, f"{parent.tag} has {len(found)} atom:{name}"
    return found[0]


def check_updated(element):
    updated = only(element, "updated").text
    assert RFC3339.match(updated), updated
    return datetime.datetime.fromisoformat(updated)


def check_person(author):
    assert only(author, "name").text
    for uri in author.findall(f"{A}uri"):
        assert uri.text.startswith(("http://", "https://"))


@pytest.mark.parametrize("url", FEEDS)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_feed_and_entries_hold_every_required_element(client, days, url, prefix, settings):
    root = atom(client, prefix + url)
    # 4.1.1: atom:id, atom:title, atom:updated, exactly one each; an author.
    feed_id = only(root, "id").text
    assert feed_id.startswith(settings.NEWSROOM_SITE_URL)
    assert only(root, "title").text
    feed_updated = check_updated(root)
    [author] = root.findall(f"{A}author")
    check_person(author)
    assert only(author, "name").text == settings.NEWSROOM_SITE_NAME
    assert only(author, "uri").text == settings.NEWSROOM_SITE_URL.rstrip("/") + "/"
    # "SHOULD contain one atom:link element with a rel attribute value of self".
    [self_link] = [link for link in root.findall(f"{A}link") if link.get("rel") == "self"]
    assert self_link.get("href") == settings.NEWSROOM_SITE_URL + prefix + url
    # No two alternate links with the same type and hreflang (4.1.1).
    alternates = [
        (link.get("type"), link.get("hreflang"))
        for link in root.findall(f"{A}link")
        if link.get("rel") in (None, "alternate")
    ]
    assert len(alternates) == len(set(alternates))

    entries = root.findall(f"{A}entry")
    assert len(entries) == 2  # the two published days only
    for entry in entries:
        # 4.1.2: atom:id, atom:title, atom:updated exactly once each.
        assert only(entry, "id").text
        assert only(entry, "title").text
        updated = check_updated(entry)
        assert updated <= feed_updated  # the feed's updated is its latest change
        published = entry.findall(f"{A}published")
        assert len(published) <= 1
        if published:
            assert RFC3339.match(published[0].text)
            assert datetime.datetime.fromisoformat(published[0].text) <= updated
        # Content inline, as HTML text: then a summary is optional but ours is present.
        content = only(entry, "content")
        assert content.get("type") == "html" and content.get("src") is None and content.text
        assert only(entry, "summary").get("type") == "html"
        # An alternate link to the page, since the content is not the whole page.
        [alternate] = [
            link
            for link in entry.findall(f"{A}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        assert alternate.get("href").startswith(settings.NEWSROOM_SITE_URL + prefix + "/")
        # Entries have no author of their own: the feed's applies (4.1.2).
        assert entry.findall(f"{A}author") == []
    text = ET.tostring(root, encoding="unicode")
    for hidden in ("draft", "review", "scheduled", "withdrawn"):
        assert f"{hidden}标题" not in text


@pytest.mark.parametrize("url", FEEDS)
def test_entry_ids_are_unique_stable_and_the_same_in_both_languages(client, days, url):
    first = [only(e, "id").text for e in atom(client, url).findall(f"{A}entry")]
    assert len(first) == len(set(first)) == 2
    feed_id = only(atom(client, url), "id").text
    assert feed_id not in first
    # A correction changes the entry's updated, never its id.
    item = days[0].items.get()
    workflow.add_correction(item, None, "更正:数字有误。")
    cache.clear()  # not the page kept from before the correction: one built after it
    again = atom(client, url).findall(f"{A}entry")
    assert [only(e, "id").text for e in again] == first
    # The English feed links to English pages but names the entries the same way.
    english = atom(client, "/en" + url).findall(f"{A}entry")
    assert [only(e, "id").text for e in english] == first
    links = [e.find(f"{A}link").get("href") for e in english]
    assert all("/en/" in link for link in links)
    assert all("/en/" not in entry_id for entry_id in first)


def test_a_section_entry_is_updated_by_its_correction(
    client, days, time_machine, django_capture_on_commit_callbacks
):
    item = days[0].items.get()
    url = f"/feeds/categories/{SECTION}/atom/"

    def updated_of_item():
        for entry in atom(client, url).findall(f"{A}entry"):
            if entry.find(f"{A}link").get("href").endswith(f"/items/{item.pk}/"):
                return check_updated(entry)
        raise AssertionError("the item's entry is missing")

    before = updated_of_item()
    time_machine.move_to(datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(item, None, "更正:日期有误。")
    cache.clear()  # the page was kept: a correction may serve it stale until it is rebuilt
    after = updated_of_item()
    assert after > before and after.year == 2030


@pytest.mark.parametrize("url", FEEDS)
def test_english_feeds_mark_entries_as_chinese(client, days, url):
    english = atom(client, "/en" + url)
    assert english.get(XML_LANG) == "en"
    assert {e.get(XML_LANG) for e in english.findall(f"{A}entry")} == {"zh-CN"}
    chinese = atom(client, url)
    # The feed says zh-CN, the tag the pages use; its entries inherit it.
    assert chinese.get(XML_LANG) == "zh-CN"
    assert {e.get(XML_LANG) for e in chinese.findall(f"{A}entry")} == {None}


def test_rss_says_the_same_language_tag(client, days):
    root = ET.fromstring(client.get("/feeds/rss/").content)
    assert root.find("channel/language").text == "zh-CN"
    assert (
        ET.fromstring(client.get("/en/feeds/rss/").content).find("channel/language").text == "en"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # 1 the page-cache generations, 2 the published days, 3 the kept entries'
        # generations; the missing entries' contents: 4 items with section and source,
        # 5 tags, 6 corrections, 7 analyses, 8 trend summaries (no claims: a feed has none).
        ("/feeds/atom/", 8),
        # 1 generations, 2 the section, 3 whether it has a published item, 4 its latest
        # items with day and source, 5 the kept entries' generations, 6 tags, 7 corrections.
        (f"/feeds/categories/{SECTION}/atom/", 7),
    ],
)
def test_author_and_ids_cost_no_query(client, days, url, expected):
    """Built from nothing, an Atom feed costs what its RSS twin costs (tests/test_feeds.py
    pins those): the author is a setting and the ids are built from the rows at hand."""
    counts = []
    for feed in (url, url.replace("atom", "rss")):
        cache.clear()  # neither the page nor its entries kept
        with CaptureQueriesContext(connection) as queries:
            assert client.get(feed).status_code == 200
        counts.append([q["sql"] for q in queries])
    assert len(counts[0]) == len(counts[1]) == expected
