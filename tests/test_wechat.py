"""The WeChat-ready copy (digests/sharing/wechat.py): inline styles only, every part kept."""

import datetime
import time
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from digests import workflow
from digests.models import Correction, Digest
from digests.sharing import wechat
from tests import factories

S = Digest.Status
DAY = datetime.date(2026, 3, 1)
URL = "/2026/03/01.wechat.html"


class Tags(HTMLParser):
    """Every element's name and attribute names, and the text, of a page."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.text = [], set(), []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes |= {(tag, name) for name, _ in attrs}

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture
def day(db):
    digest = factories.full_digest(date=DAY, status=S.PUBLISHED, items=2, lede="今天的要点。")
    second = factories.category("前沿科技突破")
    origin = factories.source("全球技术地图")
    factories.item(
        digest,
        category=second,
        source=origin,
        topic="生物医药",
        title='<script>alert("x")</script> 与 class="x" 的标题',
        body="第一段。\n第二段 <b>不是粗体</b>。",
        url="https://example.com/a?b=1&c=2",
    )
    Correction.objects.create(item=digest.items.first(), note="数字有误,已更正。")
    return digest


def test_wechat_copy_keeps_every_part_with_inline_styles_only(client, day):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    parsed = Tags(html)
    body = html.split("<body>", 1)[1]
    assert "<style" not in html and "<script" not in html and "<link" not in html
    assert not {name for _, name in parsed.attributes} - {
        "style",
        "charset",
        "name",
        "content",
        "lang",
    }
    assert "a" not in parsed.tags  # links show as plain text
    assert set(Tags(body).tags) <= {"section", "p", "span", "strong"}
    text = "".join(parsed.text)
    for item in day.items.select_related("category", "source"):
        assert item.topic in text and item.title in text and item.category.name in text
        assert f"来源：{item.source.name}" in text
    assert "原文：https://example.com/a?b=1&c=2" in text
    assert "今天的要点。" in text and "2026年3月1日 星期日" in text
    assert "深度解析：分析标题" in text and "背景：背景说明。" in text
    assert "趋势总结" in text and "趋势：趋势说明。" in text
    assert "今日核心趋势总结：今日核心趋势。" in text
    assert "更正" in text and "数字有误,已更正。" in text
    # Headings, labels and sources carry their look with them.
    assert '<span style="' in body and "background: #a4262c" in body
    assert body.count('<p style="') >= 10


def test_user_text_stays_text(client, day):
    html = client.get(URL).content.decode()
    assert "&lt;script&gt;alert(" in html and "<script>alert" not in html
    assert "&lt;b&gt;不是粗体&lt;/b&gt;" in html
    assert "class=" not in "".join(f"{a}={b}" for a, b in Tags(html).attributes)
    assert "<a " not in html


def test_wechat_copy_queries(client, day, django_assert_num_queries):
    # 1 the public cache's counters (middleware), 2 the published digest with its analysis
    # and trend summary (joined), 3 its items with sections and sources, 4 their tags,
    # 5 their corrections, 6 the analysis' paragraphs, 7 the trend points (with their
    # items' ids); not the claims, which the copy does not show.
    with django_assert_num_queries(7):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize("status", [S.DRAFT, S.REVIEW, S.SCHEDULED])
def test_no_wechat_copy_for_a_day_readers_cannot_see(client, db, status):
    factories.full_digest(date=DAY, status=status)
    assert client.get(URL).status_code == 404


def test_withdrawn_day_has_no_wechat_copy(client, published_day, reviewer):
    assert client.get(URL).status_code == 200
    workflow.withdraw(published_day, reviewer, "事实有误")
    response = client.get(URL)
    assert response.status_code == 410
    assert published_day.items.first().title not in response.content.decode()


def test_day_page_offers_the_wechat_copy(client, day):
    with translation.override("en"):
        page = client.get("/en/2026/03/01/").content.decode()
    assert '<a class="download-wechat" href="/en/2026/03/01.wechat.html">WeChat copy</a>' in page


def test_long_adversarial_text_is_copied_in_linear_time(db):
    # User text reaches the cleaner escaped (by the template, then by css_inline's
    # serializer), so brackets and ampersands in a body are entities, never markup.
    digest = factories.full_digest(date=DAY, status=S.PUBLISHED, items=1)
    body = "<" * 50_000 + "<span " * 10_000 + "&amp;" * 10_000 + '"' * 10_000
    factories.item(digest, body=body, title="<<<" * 30)
    digest = Digest.objects.with_contents().get(pk=digest.pk)
    started = time.perf_counter()
    out = wechat.fragment(digest)
    assert time.perf_counter() - started < 3
    assert out.count("&lt;") >= 50_000 + 10_000 + 90
    assert "<span <span" not in out and "&lt;span &lt;span" in out and "&amp;amp;" in out


# --- the desk's copy ------------------------------------------------------------------------


def desk_url(digest):
    return f"/desk/digests/{digest.pk}/wechat.html"


def test_desk_copy_of_a_draft_for_staff_only(client, editor, db):
    draft = factories.full_digest(date=DAY, status=S.DRAFT)
    assert client.get(desk_url(draft)).status_code == 302  # to the admin's login
    client.force_login(editor)
    response = client.get(desk_url(draft))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert draft.items.first().title in response.content.decode()
    assert client.get("/desk/digests/999999/wechat.html").status_code == 404


def test_desk_copy_queries(client, editor, db, django_assert_num_queries):
    draft = factories.full_digest(date=DAY, status=S.DRAFT)
    client.force_login(editor)
    # 1 the session, 2 the user, 3 their own and 4 their groups' permissions (the view
    # permission), 5 the digest with its analysis and trend summary (joined), 6 items,
    # 7 tags, 8 corrections, 9 analysis paragraphs, 10 trend points (no claims).
    with django_assert_num_queries(10):
        assert client.get(desk_url(draft)).status_code == 200


def test_desk_copy_refused_without_the_view_permission(client, editor, db):
    draft = factories.full_digest(date=DAY, status=S.DRAFT)
    editor.groups.clear()
    editor.user_permissions.set(Permission.objects.none())
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    assert client.get(desk_url(draft)).status_code == 403


def test_admin_desk_panel_links_the_copy(client, editor, db):
    draft = factories.full_digest(date=DAY, status=S.DRAFT, created_by=editor)
    client.force_login(editor)
    page = client.get(f"/admin/digests/digest/{draft.pk}/change/").content.decode()
    assert f'href="/desk/digests/{draft.pk}/wechat.html" id="digest-wechat-link"' in page
