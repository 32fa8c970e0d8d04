"""The newsletter mail: its parts, headers, links, size and the cost of building it."""

import datetime
import re
import time
from urllib.parse import urlsplit

import pytest
from django.urls import resolve

from digests.briefing import grammar, parse_text
from digests.demo import demo_files
from digests.importing import import_briefing
from digests.models import Category, Digest, Item, Source, Subscriber
from digests.newsletter import mail, tokens
from tests import factories

SITE = "https://news.example"
HREF = re.compile(r'href="([^"]*)"')
URL = re.compile(r"https?://[^\s<>\"]+")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.NEWSROOM_SITE_URL = SITE


def subscriber(email="reader@example.com", language="zh-hans", sections=()):
    sub = Subscriber.objects.create(email=email, state=Subscriber.State.ACTIVE, language=language)
    sub.sections.set(sections)
    return sub


def contents(digest):
    return Digest.objects.with_contents().get(pk=digest.pk)


def html_of(message):
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def demo_digests():
    return [import_briefing(parse_text(path.read_bytes()), publish=True) for path in demo_files()]


def big_digest(body_chars=None, items=grammar.MAX_ITEMS, day=1):
    """A digest of ``items`` items, its bodies those of the demo briefings (or filler)."""
    bodies = [
        item.body
        for path in demo_files()
        for section in parse_text(path.read_bytes()).sections
        for item in section.items
    ]
    digest = factories.full_digest(
        date=datetime.date(2026, 5, day), status=Digest.Status.PUBLISHED, items=0
    )
    sections = [Category.objects.get_or_create(name=f"大栏目{n}")[0] for n in range(5)]
    origin = Source.objects.first()
    for n in range(items):
        body = "新" * body_chars if body_chars else bodies[n % len(bodies)]
        Item.objects.create(
            digest=digest,
            category=sections[n % 5],
            source=origin,
            position=n,
            topic="AI技术",
            title=("标" * grammar.MAX_HEADLINE)
            if body_chars == grammar.MAX_BODY
            else f"第{n}条新闻",
            body=body,
            url="https://example.org/" + "a" * 80,
        )
    return digest


def test_both_parts_headers_and_dark_mode(published_day):
    reader = subscriber()
    message = mail.IssueMail(contents(published_day)).for_subscriber(reader)
    html = html_of(message)
    assert message.to == ["reader@example.com"]
    assert published_day.title in message.subject
    assert "2026-03-01" in message.subject
    assert published_day.items.first().title in message.body  # the text part
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{SITE}/newsletter/unsubscribe/") and unsubscribe[-1] == ">"
    assert tokens.load(unsubscribe[1:-1].rstrip("/").rsplit("/", 1)[1], tokens.UNSUBSCRIBE) == (
        reader
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<briefing.news.example>" in message.extra_headers["List-Id"]
    assert re.fullmatch(r"<.+@news\.example>", message.extra_headers["Message-ID"])
    # Dark mode: declared, and the rule kept in the <style> block.
    assert '<meta name="color-scheme" content="light dark">' in html
    assert '<meta name="supported-color-schemes" content="light dark">' in html
    assert "@media (prefers-color-scheme: dark)" in html
    # Styles inlined on the elements; no scripts, external CSS or web fonts.
    assert re.search(r'<h2 style="[^"]*font-size: 18px', html)
    assert re.search(r'<table[^>]*class="sheet"[^>]*style="[^"]*background', html)
    for banned in ("<script", "<link", "@import", "@font-face"):
        assert banned not in html
    # A hidden preheader, the analysis and the trends, the day's link, the footer links.
    assert 'class="preheader" style="display:none' in html
    assert "分析标题" in html and "今日核心趋势。" in html
    assert f'href="{SITE}/2026/03/01/"' in html
    assert 'class="unsubscribe"' in html and 'class="preferences"' in html
    raw = message.message().as_string()
    assert "multipart/alternative" in raw


def test_english_subscriber_gets_english_links(published_day):
    message = mail.IssueMail(contents(published_day)).for_subscriber(subscriber(language="en"))
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{SITE}/en/newsletter/")
    assert "Deep analysis" in html_of(message)
    assert 'lang="en"' in html_of(message)


def test_sections_filter(published_day):
    other = factories.category("其他领域")
    factories.item(published_day, category=other, title="另一栏目的新闻")
    digest = contents(published_day)
    first = digest.items.all()[0].category
    everything = mail.IssueMail(digest).for_subscriber(subscriber("a@example.com"))
    chosen = mail.IssueMail(digest).for_subscriber(subscriber("b@example.com", sections=[other]))
    assert "另一栏目的新闻" in html_of(everything) and first.name in html_of(everything)
    assert "另一栏目的新闻" in html_of(chosen) and "另一栏目的新闻" in chosen.body
    assert f"<h2>{first.name}</h2>" not in html_of(chosen)
    assert published_day.items.first().title not in chosen.body


def test_no_address_in_any_url_and_no_other_digest_reachable(published_day):
    factories.full_digest(date=datetime.date(2026, 3, 2), status=Digest.Status.DRAFT)
    reader = subscriber("someone+tag@example.com")
    message = mail.IssueMail(contents(published_day)).for_subscriber(reader)
    urls = HREF.findall(html_of(message)) + URL.findall(message.body)
    urls.append(message.extra_headers["List-Unsubscribe"][1:-1])
    assert len(urls) > 10
    ours = set(published_day.items.values_list("pk", flat=True))
    for url in urls:
        assert "someone" not in url and "example.com" not in url, url
        parts = urlsplit(url)
        if parts.netloc != "news.example":
            continue  # an item's original article
        match = resolve(parts.path)
        if match.url_name == "day":
            assert (match.kwargs["year"], match.kwargs["month"], match.kwargs["day"]) == (
                2026,
                3,
                1,
            )
        elif match.url_name == "item":
            assert match.kwargs["pk"] in ours
        else:
            assert match.url_name in {
                "newsletter-unsubscribe",
                "newsletter-preferences",
                "privacy",
                "latest",
            }, url


def test_every_demo_briefing_and_a_full_day_stay_under_the_limit(db, settings, capsys):
    limit = settings.NEWSROOM_NEWSLETTER_MAX_HTML_BYTES
    sizes = []
    for digest in demo_digests():
        rendered = mail.IssueMail(contents(digest)).render()
        sizes.append((str(digest.date), rendered.total, rendered.form, rendered.size))
        assert rendered.form == mail.FULL  # a real day fits whole
    realistic = mail.IssueMail(contents(big_digest())).render()
    sizes.append(("100 demo items", realistic.total, realistic.form, realistic.size))
    long_bodies = mail.IssueMail(contents(big_digest(body_chars=1000, day=2))).render()
    sizes.append(("100 items of 1000", long_bodies.total, long_bodies.form, long_bodies.size))
    longest = mail.IssueMail(contents(big_digest(body_chars=grammar.MAX_BODY, day=3))).render()
    sizes.append(("100 longest items", longest.total, longest.form, longest.size))
    with capsys.disabled():
        print(f"\nnewsletter HTML sizes (limit {limit} bytes):")
        for name, items, form, size in sizes:
            print(f"  {name:18} {items:3} items  {form:9} {size:7} bytes")
    assert all(size <= limit for *_, size in sizes)
    assert realistic.form == mail.FULL
    assert long_bodies.form == mail.SHORT and long_bodies.shown == 100
    assert longest.form == mail.HEADLINES and longest.shown == 100


def test_shortened_forms_link_to_the_rest(db, settings):
    settings.NEWSROOM_NEWSLETTER_MAX_HTML_BYTES = 30_000
    digest = contents(big_digest(items=60))
    message = mail.IssueMail(digest).for_subscriber(subscriber())
    html = html_of(message)
    assert len(html.encode()) <= 30_000
    assert f'href="{SITE}/2026/05/01/"' in html
    assert "…" in html or "more items" in html or "条" in html


def test_built_once_per_section_set(published_day, django_assert_num_queries, capsys):
    other = factories.category("其他领域")
    factories.item(published_day, category=other)
    readers = [
        subscriber(f"r{n}@example.com", sections=[other] if n % 2 else []) for n in range(100)
    ]
    # One query for the digest, one each for items (with sections and sources), tags,
    # corrections, analysis paragraphs, trend points and the numeric claims: 7.
    with django_assert_num_queries(7):
        digest = contents(published_day)
    issue = mail.IssueMail(digest)
    sections = {r.pk: frozenset(r.sections.values_list("pk", flat=True)) for r in readers}
    started = time.perf_counter()
    with django_assert_num_queries(0):  # the digest is in memory; links need no query
        messages = [issue.for_subscriber(r, sections[r.pk]) for r in readers]
    elapsed = time.perf_counter() - started
    assert len(issue._rendered) == 2  # all sections, and the one section
    assert len({m.extra_headers["List-Unsubscribe"] for m in messages}) == 100
    with capsys.disabled():
        print(f"\nbuilt 100 newsletter mails in {elapsed:.3f}s: {100 / elapsed:.0f} mails/s")
