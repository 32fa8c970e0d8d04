"""The desk in Django admin: digests with inline items and blocks, sources and sections."""

import datetime
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from digests import search
from digests.briefing.grammar import MAX_ITEMS
from digests.models import AnalysisParagraph, Category, Digest, Item, TrendPoint
from tests import factories
from tests.formdata import form_data

pytestmark = pytest.mark.django_db

# The change page of a digest, whatever its number of items: session, user, the
# digest (its analysis, trend summary and creator joined) with its items, their tags
# and corrections, the paragraphs and trend points, its comments, events and preview
# links; the item and block forms read those same rows (DigestAdmin.get_object), no
# query of their own. Then the desk's live parts (the edit lock, who else is here,
# the person's working copy), the review count in the header, and the active
# sections the editor offers to add. And the digest's numeric claims (in the same
# prefetch as its items: the claims checks and the "Numbers (N)" link read them).
# The trend points' chooser reads the day's items' search tokens, to mark the items
# most like each point as suggested (one query; digests.trend_support).
CHANGE_PAGE_QUERIES = 17 + 1
# The same digest, published: read-only for everyone, with the correction form's
# headlines; no sections to add.
READ_ONLY_PAGE_QUERIES = 16
# Saving one changed item of it: the same reads, the digest row locked and its
# date checked, the changed item written and its tags read, the version bumped,
# the items' search tokens (one bulk update) and their digest's (one update, in SQL),
# the items' story bands (one delete, one insert: digests.story.index), the admin log,
# and the new version:
# the digest read afresh in fixed prefetches, content types, existence checks per
# model, the revision and its versions in one insert each; and the line in the
# digest's activity log ("saved changes"). The desk's live parts add four: the edit
# lock and who else is here (the desk panel, read before the save), the lock checked
# again on the locked row, and the person's working copy deleted once saved.
# The trend points' supporting items add two: the stored choices (one query, to tell
# whether the trend form changed) and the new version's points' items (one prefetch).
# The numeric claims add six: the digest's claims among the reads, and their record
# (digests.claims.ledger.record): the items, the analysis title and core summary,
# the paragraphs, the trend points and the claims as they were (none to rewrite here).
SAVE_QUERIES = 64 + 2 + 6


@pytest.fixture
def desk(client, admin_user):
    client.force_login(admin_user)
    return client


def changelist_queries(desk, django_assert_num_queries, url, expected):
    with django_assert_num_queries(expected):
        response = desk.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("digests", [1, 12])
def test_digest_changelist_counts_items_in_one_query(desk, django_assert_num_queries, digests):
    for n in range(digests):
        factories.full_digest(date=datetime.date(2026, 3, 1) + datetime.timedelta(days=n), items=3)
    # session, user, paginator count, total count, the page of digests with their
    # creators (a join), the page's item counts (one grouped query), date hierarchy:
    # first and last date, then the months; the review count in the header. The same for
    # 1 digest or 12.
    response = changelist_queries(desk, django_assert_num_queries, "/admin/digests/digest/", 9)
    assert response.context["cl"].result_count == digests
    assert b'<td class="field-item_count">3</td>' in response.content


def many_digests(count, items=2):
    """``count`` consecutive days from 2020-01-01, each with ``items`` items, built in bulk."""
    section = factories.category("AI技术动态")
    start = datetime.date(2020, 1, 1)
    digests = Digest.objects.bulk_create(
        Digest(date=start + datetime.timedelta(days=n), status=Digest.Status.REVIEW)
        for n in range(count)
    )
    rows = [
        Item(digest=d, category=section, position=n, topic="AI技术", title=f"第{n}条", body="。")
        for d in digests
        for n in range(1, items + 1)
    ]
    for row in rows:
        row.fill_derived_fields()
    Item.objects.bulk_create(rows)
    return digests


# The digest list, whatever the number of digests: session, user, the filtered count,
# the full count, the page of digests with their creators (a join), the page's item
# counts (one grouped query), then the date hierarchy's first and last date and its
# months (or, drilled down to a year, only its months), and the review count in the header.
LIST = 9
LIST_QUERIES = [
    ("", LIST),
    ("?p=2", LIST),
    ("?status__exact=review", LIST),
    ("?desk=review", LIST),
    ("?date__year=2020", LIST - 1),  # a year chosen: no first and last date
    ("?o=4", LIST),  # sorted by the item count: computed in the page's query
    # searched: the same, the items matched through each digest's own index
    ("?q=第1条", LIST),
    ("?q=AI", LIST),
    ("?q=2020-01-05", LIST),
]


@pytest.mark.parametrize("count", [10, 300])
@pytest.mark.parametrize(("query", "expected"), LIST_QUERIES)
def test_digest_list_makes_the_same_queries_for_10_or_300_digests(
    desk, django_assert_num_queries, count, query, expected
):
    many_digests(count)
    search.index_items(Item.objects.all())  # also caches the search terms
    response = changelist_queries(
        desk, django_assert_num_queries, f"/admin/digests/digest/{query}", expected
    )
    rows = response.context["cl"].result_list
    assert rows and all(row.item_count == 2 for row in rows)


def test_digest_list_sorted_by_items(desk):
    small, big = many_digests(2)
    factories.item(big)
    rows = desk.get("/admin/digests/digest/?o=-4").context["cl"].result_list
    assert [(row, row.item_count) for row in rows] == [(big, 3), (small, 2)]


# --- the desk's search -----------------------------------------------------------------


def found(client, q):
    response = client.get("/admin/digests/digest/", {"q": q})
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert response.context["cl"].result_count == len(rows)
    return rows


@pytest.fixture
def searchable():
    """Three digests, one a draft, indexed by the site's search."""
    draft = factories.digest(date=datetime.date(2026, 3, 2))
    factories.item(draft, topic="电池", title="固态电池量产提速", body="多家企业公布产线。")
    factories.item(draft, topic="芯片", title="国产AI芯片出货", body="厂商发布新一代产品。")
    factories.item(draft, topic="芯片", title="封装技术进展", body="先进封装。")
    published = factories.digest(
        date=datetime.date(2026, 3, 3), status=Digest.Status.PUBLISHED, lede="今日聚焦量子计算。"
    )
    factories.item(published, topic="机器人", title="人形机器人进入工厂", body="量产节奏加快。")
    other = factories.digest(date=datetime.date(2026, 3, 4))
    factories.item(other, topic="航天", title="卫星互联网组网", body="低轨卫星发射。")
    for digest in (draft, published, other):
        search.reindex_digest(digest)
    return SimpleNamespace(draft=draft, published=published, other=other)


def test_search_finds_a_draft_by_a_word_of_an_item(desk, searchable):
    assert found(desk, "固态电池") == [searchable.draft]


def test_search_finds_short_words(desk, searchable):
    assert found(desk, "芯片") == [searchable.draft]  # in two of its items: listed once
    assert found(desk, "AI") == [searchable.draft]


def test_search_finds_a_digest_by_its_own_text_and_by_its_date(desk, searchable):
    assert found(desk, "量子计算") == [searchable.published]  # its lede
    assert found(desk, "2026-03-04") == [searchable.other]


def test_search_does_not_find_a_word_only_another_digest_has(desk, searchable):
    assert found(desk, "人形机器人") == [searchable.published]
    assert found(desk, "固态电池 卫星") == []
    assert found(desk, "不存在的词") == []


def test_editors_search_drafts_too(client, editor, searchable):
    client.force_login(editor)
    assert found(client, "芯片") == [searchable.draft]


def test_search_combines_with_the_filters(desk, searchable):
    response = desk.get("/admin/digests/digest/", {"q": "芯片", "status__exact": "published"})
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("items", [2, 40])
def test_source_changelist_shows_usage_counts(desk, django_assert_num_queries, items):
    used, unused = factories.source("新华网"), factories.source("IT之家")
    digest = factories.digest()
    for _ in range(items):
        factories.item(digest, source=used)
    # session, user, count, total count, page of sources with item counts (a subquery),
    # the review count in the header
    response = changelist_queries(desk, django_assert_num_queries, "/admin/digests/source/", 6)
    rows = {row.name: row.item_count for row in response.context["cl"].result_list}
    assert rows == {"新华网": items, "IT之家": 0}
    assert unused.slug == "it-zhi-jia"


@pytest.mark.parametrize("items", [1, 40])
def test_category_changelist_shows_usage_counts(desk, django_assert_num_queries, items):
    section = factories.category("AI技术动态")
    factories.category("前沿科技突破")
    digest = factories.digest()
    for _ in range(items):
        factories.item(digest, category=section)
    # session, user, count, total count, page of sections with item counts (a subquery);
    # the section's former names are searched through an EXISTS, not a join; the review
    # count in the header
    response = changelist_queries(
        desk, django_assert_num_queries, "/admin/digests/category/?q=AI", 6
    )
    assert [row.item_count for row in response.context["cl"].result_list] == [items]
    response = changelist_queries(desk, django_assert_num_queries, "/admin/digests/category/", 6)
    assert sorted(row.item_count for row in response.context["cl"].result_list) == [0, items]


def test_item_counts_ask_the_index_not_the_rows():
    """COUNT(*), which an index of the link column answers alone, not COUNT(id)."""
    from digests.admin import item_count

    sql = str(Category.objects.annotate(n=item_count("category")).query)
    assert "COUNT(*)" in sql and 'COUNT("U0"."id")' not in sql


def test_deleting_a_source_in_use_is_refused_in_the_admin(desk):
    source = factories.source("网易手机网")
    factories.item(factories.digest(), source=source)
    url = reverse("admin:digests_source_delete", args=[source.pk])
    response = desk.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "protected" in response.content.decode() or "受保护" in response.content.decode()
    assert source.__class__.objects.filter(pk=source.pk).exists()


def test_change_page_edits_items_analysis_and_trends_together(desk):
    digest = factories.full_digest(items=2)
    first, second = digest.items.all()
    url = reverse("admin:digests_digest_change", args=[digest.pk])
    page = desk.get(url)
    assert page.status_code == 200
    data = form_data(page.content, form_id="digest_form")
    # Swap the two items, edit a headline, rewrite the analysis and trend points.
    data["items-0-position"], data["items-1-position"] = "2", "1"
    data["items-0-title"] = "改过的标题"
    data["analysis-0-paragraphs"] = "背景:新的背景。\n数据支撑:三项数据。"
    data["trend_summary-0-points"] = "- 趋势一:说明一。\n- 趋势二:说明二。"
    response = desk.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    assert list(digest.items.values_list("pk", flat=True)) == [second.pk, first.pk]
    assert Item.objects.get(pk=first.pk).title == "改过的标题"
    assert list(AnalysisParagraph.objects.values_list("label", "text")) == [
        ("背景", "新的背景。"),
        ("数据支撑", "三项数据。"),
    ]
    assert list(TrendPoint.objects.values_list("label", flat=True)) == ["趋势一", "趋势二"]


def test_change_page_refuses_a_topic_with_a_hyphen(desk):
    digest = factories.full_digest(items=1)
    url = reverse("admin:digests_digest_change", args=[digest.pk])
    data = form_data(desk.get(url).content, form_id="digest_form")
    data["items-0-topic"] = "Wi-Fi"
    response = desk.post(url, data)
    assert response.status_code == 200
    assert "TOPIC-HEADLINE" in response.content.decode()
    assert digest.items.get().topic == "AI技术"


def test_new_digest_records_its_creator(desk, admin_user):
    page = desk.get(reverse("admin:digests_digest_add"))
    data = form_data(page.content, form_id="digest_form")
    data.update({"date": "2026-04-01", "title": "每日科技新闻速览"})
    response = desk.post(reverse("admin:digests_digest_add"), data)
    assert response.status_code == 302
    digest = Digest.objects.get(date=datetime.date(2026, 4, 1))
    assert digest.created_by == admin_user
    assert digest.status == Digest.Status.DRAFT


def test_admin_speaks_chinese(desk):
    response = desk.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = response.content.decode()
    assert 'lang="zh-hans"' in text
    assert "最近动作" in text or "近期动作" in text


def test_admin_speaks_english_when_asked(desk):
    response = desk.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Recent actions" in response.content.decode()


# --- a save that changes nothing (issue 8, point 4) --------------------------------------


def as_browser_sends(data):
    """Browsers submit a textarea's line breaks as CRLF (HTML's form submission rules)."""
    return {
        name: value.replace("\r\n", "\n").replace("\n", "\r\n") for name, value in data.items()
    }


def test_saving_an_unchanged_import_changes_nothing(desk, sample_path, admin_user):
    from digests import history
    from digests.importing import import_file

    digest = import_file(sample_path, user=admin_user)
    digest.items.filter(position=1).update(body="第一段。\n第二段:有冒号。\n第三段：全角冒号。")
    from digests.models import AnalysisParagraph as P

    P.objects.filter(position=1).update(label="Q3", text="12%的增长:来自端侧。")
    history_before = history.versions_of(digest).count()
    before = Digest.objects.get(pk=digest.pk)
    bodies = list(digest.items.order_by("pk").values_list("body", flat=True))
    paragraphs = list(P.objects.order_by("pk").values_list("pk", "label", "text"))
    url = reverse("admin:digests_digest_change", args=[digest.pk])
    data = as_browser_sends(form_data(desk.get(url).content, form_id="digest_form"))
    response = desk.post(url, data)
    assert response.status_code == 302
    after = Digest.objects.get(pk=digest.pk)
    assert after.version == before.version
    assert after.updated_at == before.updated_at
    assert history.versions_of(digest).count() == history_before
    assert list(digest.items.order_by("pk").values_list("body", flat=True)) == bodies
    assert list(P.objects.order_by("pk").values_list("pk", "label", "text")) == paragraphs


def test_a_real_change_after_crlf_is_stored_with_plain_line_breaks(desk):
    digest = factories.full_digest(items=1)
    url = reverse("admin:digests_digest_change", args=[digest.pk])
    data = as_browser_sends(form_data(desk.get(url).content, form_id="digest_form"))
    data["items-0-body"] = "第一段。\r\n第二段。\r第三段。"
    assert desk.post(url, data).status_code == 302
    digest.refresh_from_db()
    assert digest.items.get().body == "第一段。\n第二段。\n第三段。"
    assert digest.version == 2


def test_text_stored_with_crlf_is_not_rewritten_by_an_unchanged_save(desk):
    digest = factories.full_digest(items=1, lede="旧导语。 ")
    digest.items.update(body="旧正文一。\r\n旧正文二。")
    url = reverse("admin:digests_digest_change", args=[digest.pk])
    data = as_browser_sends(form_data(desk.get(url).content, form_id="digest_form"))
    assert desk.post(url, data).status_code == 302
    digest.refresh_from_db()
    assert (digest.version, digest.lede) == (1, "旧导语。 ")
    assert digest.items.get().body == "旧正文一。\r\n旧正文二。"


# --- the largest digest the desk allows (issue 8, point 5) ------------------------------


def big_digest(items):
    digest = factories.full_digest(items=items)
    digest.items.order_by("position").first().tags.set(["芯片", "大模型"])
    return digest


@pytest.mark.parametrize("items", [2, MAX_ITEMS])
def test_the_largest_digest_opens_and_saves_in_fixed_queries(
    desk, django_assert_num_queries, items
):
    digest = big_digest(items)
    url = reverse("admin:digests_digest_change", args=[digest.pk])
    desk.get(url)  # the session's first touch
    with django_assert_num_queries(CHANGE_PAGE_QUERIES):
        page = desk.get(url)
    assert page.status_code == 200
    data = form_data(page.content, form_id="digest_form")
    assert len(data) <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    data[f"items-{items - 1}-title"] = "最后一条改过的标题"
    search.reindex_digest(digest)  # loads the tokenizer's dictionary, once per process
    ContentType.objects.clear_cache()  # so the count is the same whichever test runs first
    with django_assert_num_queries(SAVE_QUERIES):
        response = desk.post(url, data)
    assert response.status_code == 302
    assert digest.items.order_by("position").last().title == "最后一条改过的标题"
    # How long this takes is measured by bench/admin_pages.py (docs/performance.md).


@pytest.mark.parametrize("items", [2, 13])
def test_a_read_only_digest_opens_in_fixed_queries(desk, django_assert_num_queries, items):
    """A published digest's page shows each row's section and source as text: joined."""
    digest = big_digest(items)
    digest.status, digest.published_at = Digest.Status.PUBLISHED, digest.updated_at
    digest.save()
    url = reverse("admin:digests_digest_change", args=[digest.pk])
    desk.get(url)  # the session's first touch
    # session, user, the digest with its desk panel (9, as on the form's page), the
    # digest again, its item rows with their sections and sources (joined) and tags,
    # the analysis and trend summary with their rows, the headlines to correct, the
    # paragraphs and trend points again as read-only text: no query per row.
    with django_assert_num_queries(READ_ONLY_PAGE_QUERIES):
        page = desk.get(url)
    text = page.content.decode()
    assert 'name="items-0-title"' not in text  # read-only
    assert text.count('class="item-card is-read-only"') == items  # every item, one section
    assert text.count('<span class="section-name"') == 1 and "AI技术动态" in text


def test_the_admin_refuses_more_items_than_a_digest_may_hold(desk):
    digest = big_digest(MAX_ITEMS)
    url = reverse("admin:digests_digest_change", args=[digest.pk])
    data = form_data(desk.get(url).content, form_id="digest_form")
    n = MAX_ITEMS
    data.update(
        {
            "items-TOTAL_FORMS": str(n + 1),
            f"items-{n}-position": str(n + 1),
            f"items-{n}-category": data["items-0-category"],
            f"items-{n}-topic": "AI技术",
            f"items-{n}-title": "多出来的一条",
            f"items-{n}-body": "正文。",
            f"items-{n}-digest": str(digest.pk),
        }
    )
    response = desk.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert f"A digest holds at most {MAX_ITEMS} items" in response.content.decode()
    assert digest.items.count() == MAX_ITEMS
    assert Digest.objects.get(pk=digest.pk).version == 1


def test_the_upload_field_limit_fits_the_largest_digest():
    """Django refuses a POST with more fields than this (400): the limit follows MAX_ITEMS."""
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS >= MAX_ITEMS * 15
