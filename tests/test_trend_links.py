"""The items supporting each trend point: chosen on the digest's page from suggestions,
linked on the day page, carried by the .json, its import, the versions and a restore."""

import json
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from digests import history, search, workflow
from digests.briefing import BriefingError, parse_text
from digests.briefing.schema import from_dict
from digests.exporting import export_digest
from digests.importing import import_briefing
from digests.models import Digest, TrendPoint
from digests.trend_support import SupportField
from tests.formdata import form_data

pytestmark = pytest.mark.django_db
S = Digest.Status


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def sample(sample_path):
    """The sample imported, its items indexed for search (the suggestions read the tokens)."""
    digest = import_briefing(parse_text(sample_path.read_bytes()))
    search.reindex_digest(digest)
    return digest


def items_in_order(digest):
    digest = Digest.objects.with_contents().get(pk=digest.pk)
    return [item for _category, items in digest.sections() for item in items]


def choose(digest, **chosen):
    """Give the points (by position) their items (1-based numbers in the day's order)."""
    items = items_in_order(digest)
    for point in TrendPoint.objects.filter(trend_summary__digest=digest):
        point.items.set([items[n - 1] for n in chosen.get(f"p{point.position}", [])])


def publish(digest):
    """Straight to published (test set-up only; the desk uses the workflow)."""
    Digest.objects.filter(pk=digest.pk).update(status=S.PUBLISHED, published_at=timezone.now())


def change_url(digest):
    return reverse("admin:digests_digest_change", args=[digest.pk])


def page_data(client, digest):
    """The digest's form as a browser posts it, every ticked item among them (form_data
    keeps one value per name)."""
    html = client.get(change_url(digest)).content.decode()
    data = form_data(html, form_id="digest_form")
    data["trend_summary-0-supporting"] = re.findall(
        r'name="trend_summary-0-supporting" value="([^"]+)" checked', html
    )
    return data


# --- the desk's chooser -------------------------------------------------------------------


def test_each_point_suggests_the_items_most_like_it(client, admin_user, sample):
    client.force_login(admin_user)
    with translation.override("en"):
        page = client.get(change_url(sample), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    items = items_in_order(sample)
    space = re.search(
        r'<fieldset class="trend-support" id="trend-support-3">.*?</fieldset>', page, re.S
    )
    suggested = re.findall(r'<li class="suggested"><label><input [^>]*value="3:(\d+)"', space[0])
    # 空天与6G技术突破: 火星车全AI驾驶…, 太赫兹通信… : the NASA and the 6G items (8th, 9th)
    assert {items[7].pk, items[8].pk} <= {int(pk) for pk in suggested}
    assert len(suggested) == 3
    assert space[0].count('class="suggested-mark">suggested</span>') == 3
    # every other item of the day is offered too, shorter, behind “The day's other items”
    assert space[0].count('type="checkbox"') == len(items)
    assert "<style" not in page.split('id="block-trends"')[1].split("</section>")[0]


def test_ticking_items_saves_them_and_unticking_clears_them(client, admin_user, sample):
    client.force_login(admin_user)
    items = items_in_order(sample)
    data = page_data(client, sample)
    data["trend_summary-0-supporting"] = [
        f"2:{items[5].pk}",
        f"2:{items[6].pk}",
        f"3:{items[8].pk}",
    ]
    assert client.post(change_url(sample), data).status_code == 302
    points = {p.position: p for p in TrendPoint.objects.filter(trend_summary__digest=sample)}
    assert sorted(i.pk for i in points[2].items.all()) == sorted([items[5].pk, items[6].pk])
    assert [i.pk for i in points[3].items.all()] == [items[8].pk]
    assert not points[1].items.exists()
    # The page shows them ticked; unticking one keeps the others.
    data = page_data(client, sample)
    assert sorted(data["trend_summary-0-supporting"]) == sorted(
        [f"2:{items[5].pk}", f"2:{items[6].pk}", f"3:{items[8].pk}"]
    )
    data["trend_summary-0-supporting"] = [f"3:{items[8].pk}"]
    assert client.post(change_url(sample), data).status_code == 302
    kept = TrendPoint.items.through.objects.filter(trendpoint__trend_summary__digest=sample)
    assert [(r.trendpoint.position, r.item_id) for r in kept] == [(3, items[8].pk)]


def test_a_save_that_leaves_the_trends_alone_keeps_their_items(client, admin_user, sample):
    choose(sample, p1=[1, 2])
    client.force_login(admin_user)
    data = page_data(client, sample)
    data["items-0-title"] = "多模态生成式AI进入自然交互新阶段"
    assert client.post(change_url(sample), data).status_code == 302
    point = TrendPoint.objects.get(trend_summary__digest=sample, position=1)
    assert point.items.count() == 2


def test_an_item_deleted_in_the_same_save_is_no_choice(client, admin_user, sample):
    client.force_login(admin_user)
    items = items_in_order(sample)
    data = page_data(client, sample)
    card = next(k for k, v in data.items() if k.endswith("-id") and str(v) == str(items[0].pk))
    data[card.replace("-id", "-DELETE")] = "on"
    data["trend_summary-0-supporting"] = [f"1:{items[0].pk}", f"1:{items[1].pk}"]
    assert client.post(change_url(sample), data).status_code == 302
    point = TrendPoint.objects.get(trend_summary__digest=sample, position=1)
    assert [i.pk for i in point.items.all()] == [items[1].pk]


def test_another_digests_item_or_a_missing_line_is_ignored(client, admin_user, sample):
    other = import_briefing(parse_text(BRIEFING))
    client.force_login(admin_user)
    items = items_in_order(sample)
    data = page_data(client, sample)
    stranger = other.items.first().pk
    data["trend_summary-0-supporting"] = [f"1:{stranger}", f"9:{items[0].pk}", f"1:{items[2].pk}"]
    assert client.post(change_url(sample), data).status_code == 302
    chosen = TrendPoint.items.through.objects.filter(trendpoint__trend_summary__digest=sample)
    assert [r.item_id for r in chosen] == [items[2].pk]


@pytest.mark.parametrize(
    "value", ["1", "a:2", "1:b", "1:2:3", "-1:2", "１:2", "1:" + "9" * 100_000, ":"]
)
def test_a_malformed_choice_is_refused_with_a_message(value):
    field = SupportField()
    started = time.perf_counter()
    with translation.override("en"):
        with pytest.raises(Exception) as refused:
            field.clean([value])
        assert "is not a trend point's line and an item" in str(refused.value)
    assert time.perf_counter() - started < 0.5  # linear, whatever the length


# --- readers ------------------------------------------------------------------------------


def test_the_day_page_links_each_point_to_its_items(client, sample):
    choose(sample, p2=[6, 7], p3=[8, 9])
    publish(sample)
    items = items_in_order(sample)
    with translation.override("en"):
        page = client.get("/en/2026/02/02/").content.decode()
    trends = re.search(r'<section class="trends".*?</section>', page, re.S)[0]
    points = re.findall(r"<li>.*?</li>", trends, re.S)
    assert "trend-support" not in points[0]  # no items chosen: nothing added
    links = re.findall(r'<a class="trend-item" href="#item-(\d+)">([^<]+)</a>', points[1])
    assert links == [(str(items[5].pk), items[5].heading), (str(items[6].pk), items[6].heading)]
    assert f'id="item-{items[5].pk}"' in page  # the anchor exists on the page
    assert "Reported in:" in points[2] and str(items[8].pk) in points[2]


def test_the_day_page_costs_no_query_more_with_linked_points(
    client, sample, django_assert_num_queries
):
    publish(sample)
    client.get("/2026/02/02/")
    choose(sample, p1=[1, 2, 3], p2=[6, 7], p3=[8, 9])
    # As test_views.test_day_page_queries: the points' items come in the points' own
    # query (their ids joined), read against the items already on the page.
    with django_assert_num_queries(10):
        response = client.get("/2026/02/02/")
    assert response.content.decode().count('class="trend-item"') == 7


@pytest.mark.parametrize("status", [S.DRAFT, S.REVIEW, S.SCHEDULED, S.UNPUBLISHED])
def test_an_unpublished_days_links_are_nowhere(client, sample, status):
    choose(sample, p1=[1])
    now = timezone.now()
    Digest.objects.filter(pk=sample.pk).update(status=status, published_at=now, publish_at=now)
    assert client.get("/2026/02/02/").status_code in (404, 410)
    assert client.get("/2026/02/02.json").status_code in (404, 410)
    assert "trend-item" not in client.get("/").content.decode()


# --- the .json, its import, the versions -----------------------------------------------------


def test_the_json_carries_each_points_items_and_its_import_restores_them(sample):
    choose(sample, p2=[7, 6], p3=[9])
    exported = json.loads(export_digest(Digest.objects.with_contents().get(pk=sample.pk), "json"))
    points = exported["trends"]["points"]
    assert "items" not in points[0]  # none chosen: left out
    assert points[1]["items"] == [6, 7] and points[2]["items"] == [9]
    assert "items" not in export_digest(Digest.objects.with_contents().get(pk=sample.pk), "text")
    Digest.objects.filter(pk=sample.pk).delete()
    again = import_briefing(from_dict(exported))
    items = items_in_order(again)
    chosen = {
        p.position: [i.pk for i in p.items.all()]
        for p in TrendPoint.objects.filter(trend_summary__digest=again)
    }
    assert chosen == {1: [], 2: [items[5].pk, items[6].pk], 3: [items[8].pk]}


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([0], "trends.points[0].items[0]: expected an item's number, from 1 to 13"),
        ([14], "trends.points[0].items[0]: expected an item's number, from 1 to 13"),
        ([1, True], "trends.points[0].items[1]: expected an item's number, from 1 to 13"),
        (["2"], "trends.points[0].items[0]: expected an item's number, from 1 to 13"),
        ([3, 3], "trends.points[0].items: each item may appear once"),
        ("1,2", "trends.points[0].items: expected a list"),
    ],
)
def test_bad_item_numbers_are_refused_with_their_path(sample, items, message):
    data = json.loads(export_digest(Digest.objects.with_contents().get(pk=sample.pk), "json"))
    data["trends"]["points"][0]["items"] = items
    with translation.override("en"), pytest.raises(BriefingError) as refused:
        from_dict(data)
    assert str(refused.value) == message


BRIEFING = """每日科技新闻速览(2026-03-05)
AI技术动态
AI技术-第一条
正文。
来源:新华网
AI技术-第二条
正文二。
来源:新华网
趋势总结
- 趋势一:原来的趋势一。
今日核心趋势总结:原来的核心趋势。
"""


def test_versions_hold_the_items_and_a_restore_brings_them_back(client, admin_user):
    digest = import_briefing(parse_text(BRIEFING))
    first, second = items_in_order(digest)
    client.force_login(admin_user)
    data = page_data(client, digest)
    data["trend_summary-0-supporting"] = [f"1:{first.pk}", f"1:{second.pk}"]
    assert client.post(change_url(digest), data).status_code == 302
    chosen = history.versions_of(digest).first()
    data = page_data(client, digest)
    data["trend_summary-0-supporting"] = []
    assert client.post(change_url(digest), data).status_code == 302
    point = TrendPoint.objects.get(trend_summary__digest=digest)
    assert not point.items.exists()
    workflow.restore(Digest.objects.get(pk=digest.pk), chosen, admin_user)
    point = TrendPoint.objects.get(trend_summary__digest=digest)
    assert sorted(i.pk for i in point.items.all()) == sorted([first.pk, second.pk])
