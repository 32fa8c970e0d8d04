"""The desk in Django admin: digests with inline items and blocks, sources and sections."""

import datetime

import pytest
from django.urls import reverse

from digests.models import AnalysisParagraph, Digest, Item, TrendPoint
from tests import factories
from tests.formdata import form_data

pytestmark = pytest.mark.django_db


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
    # session, user, paginator count, total count, the page of digests with item
    # counts (a subquery) and creators (a join), date hierarchy: first and last
    # date, then the years. The same for 1 digest or 12: no query per row.
    response = changelist_queries(desk, django_assert_num_queries, "/admin/digests/digest/", 7)
    assert response.context["cl"].result_count == digests
    assert b'<td class="field-item_count">3</td>' in response.content


def test_source_changelist_shows_usage_counts(desk, django_assert_num_queries):
    used, unused = factories.source("新华网"), factories.source("IT之家")
    digest = factories.digest()
    factories.item(digest, source=used)
    factories.item(digest, source=used)
    # session, user, count, total count, page of sources with item counts
    response = changelist_queries(desk, django_assert_num_queries, "/admin/digests/source/", 5)
    rows = {row.name: row.item_count for row in response.context["cl"].result_list}
    assert rows == {"新华网": 2, "IT之家": 0}
    assert unused.slug == "it-zhi-jia"


def test_category_changelist_shows_usage_counts(desk, django_assert_num_queries):
    section = factories.category("AI技术动态")
    factories.item(factories.digest(), category=section)
    response = desk.get("/admin/digests/category/?q=AI")
    assert [row.item_count for row in response.context["cl"].result_list] == [1]


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
