"""Two editors on one digest: non-overlapping changes are merged, true conflicts are chosen."""

import pytest
from django.test import Client
from django.urls import reverse

from digests.briefing import parse_text
from digests.desk.merge import three_way
from digests.importing import import_briefing
from digests.models import Digest, Item
from tests.conftest import desk_login
from tests.formdata import form_data

BRIEFING = """每日科技新闻速览(2026-03-05)
AI技术动态
AI技术-第一条
正文一。
来源:新华网
AI技术-第二条
正文二。
来源:新华网
AI技术-第三条
正文三。
来源:新华网
# 深度解析
深度解析:分析
背景:原来的背景。
趋势总结
- 趋势一:原来的趋势。
今日核心趋势总结:原来的核心趋势。
"""


# --- the pure rule ------------------------------------------------------------------------


def test_three_way_takes_each_side_where_only_it_changed():
    base = {"a": 1, "b": 1, "c": 1}
    merged, conflicts = three_way(base, {"a": 2, "b": 1, "c": 1}, {"a": 1, "b": 3, "c": 1})
    assert merged == {"a": 2, "b": 3, "c": 1} and conflicts == []


def test_three_way_reports_a_field_both_changed_differently_and_keeps_mine_meanwhile():
    merged, conflicts = three_way({"a": 1}, {"a": 2}, {"a": 3})
    assert conflicts == ["a"] and merged == {"a": 3}


def test_three_way_the_same_change_on_both_sides_is_no_conflict():
    assert three_way({"a": 1}, {"a": 2}, {"a": 2}) == ({"a": 2}, [])


def test_three_way_keeps_what_only_one_side_has():
    merged, conflicts = three_way({}, {"theirs": 1}, {"mine": 2})
    assert merged == {"theirs": 1, "mine": 2} and conflicts == []


# --- two logged-in editors ---------------------------------------------------------------


def session(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def open_form(client, digest):
    url = reverse("admin:digests_digest_change", args=[digest.pk])
    return form_data(client.get(url).content, form_id="digest_form")


def save(client, digest, data):
    return client.post(reverse("admin:digests_digest_change", args=[digest.pk]), data)


def index_of(data, title):
    return next(k.split("-")[1] for k, v in data.items() if k.endswith("-title") and v == title)


@pytest.fixture
def digest(editor):
    return import_briefing(parse_text(BRIEFING), user=editor)


@pytest.mark.django_db
def test_changes_to_different_fields_and_items_are_both_kept(digest, editor, other_editor):
    alice, bob = session(editor), session(other_editor)
    hers, his = open_form(alice, digest), open_form(bob, digest)

    hers["items-0-title"] = "她改的第一条"
    hers["analysis-0-paragraphs"] = "背景:她改的背景。"
    assert save(alice, digest, hers).status_code == 302

    his["items-1-body"] = "他改的正文二。"
    his["lede"] = "他写的导语"
    his["trend_summary-0-points"] = "- 趋势一:他改的趋势。"
    response = save(bob, digest, his)
    assert response.status_code == 302, response.content.decode()[:2000]
    told = bob.get(response["Location"]).content.decode()
    assert "editor saved this digest while you were editing it" in told.lower()

    digest.refresh_from_db()
    titles = list(digest.items.values_list("title", "body"))
    assert titles[0] == ("她改的第一条", "正文一。")
    assert titles[1] == ("第二条", "他改的正文二。")
    assert digest.lede == "他写的导语"
    assert list(digest.analysis.paragraphs.values_list("text", flat=True)) == ["她改的背景。"]
    assert list(digest.trend_summary.points.values_list("text", flat=True)) == ["他改的趋势。"]
    assert digest.version == 3


@pytest.mark.django_db
@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_a_true_conflict_is_shown_side_by_side_and_saving_keeps_the_rest(
    digest, editor, other_editor, choice
):
    alice, bob = session(editor), session(other_editor)
    hers, his = open_form(alice, digest), open_form(bob, digest)
    hers["items-0-title"] = "她的标题"
    hers["lede"] = "她的导语"
    assert save(alice, digest, hers).status_code == 302

    his["items-0-title"] = "他的标题"
    his["items-2-body"] = "他的正文三。"
    refused = save(bob, digest, his)
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "choose which text to keep" in page
    assert "她的标题" in page and "他的标题" in page
    assert Item.objects.get(digest=digest, position=1).title == "她的标题"  # nothing saved yet

    again = form_data(page, form_id="digest_form")
    assert again["lede"] == "她的导语"  # her change is in his form now
    field = next(k.removeprefix("theirs-") for k in again if k.startswith("theirs-"))
    again[f"choose-{field}"] = choice
    assert save(bob, digest, again).status_code == 302

    digest.refresh_from_db()
    assert digest.lede == "她的导语"  # never reverted by his second save
    first, _, third = digest.items.order_by("position")
    assert first.title == ("他的标题" if choice == "mine" else "她的标题")
    assert third.body == "他的正文三。"


@pytest.mark.django_db
def test_items_added_and_removed_by_the_other_editor_stay_so(digest, editor, other_editor):
    alice, bob = session(editor), session(other_editor)
    hers, his = open_form(alice, digest), open_form(bob, digest)
    hers["items-2-DELETE"] = "on"
    assert save(alice, digest, hers).status_code == 302
    Item.objects.create(
        digest=digest,
        category=digest.items.first().category,
        position=9,
        topic="AI技术",
        title="她新加的一条",
        body="新正文。",
    )  # as if added on her side, saved in a version by her next save
    hers = open_form(alice, digest)
    hers["lede"] = "她的导语"
    assert save(alice, digest, hers).status_code == 302

    his["items-0-title"] = "他的标题"
    response = save(bob, digest, his)
    assert response.status_code == 302, response.content.decode()[:2000]
    titles = set(Digest.objects.get(pk=digest.pk).items.values_list("title", flat=True))
    assert titles == {"他的标题", "第二条", "她新加的一条"}
    assert Digest.objects.get(pk=digest.pk).lede == "她的导语"


@pytest.mark.django_db
def test_an_item_they_deleted_but_i_changed_comes_back_as_mine(digest, editor, other_editor):
    alice, bob = session(editor), session(other_editor)
    hers, his = open_form(alice, digest), open_form(bob, digest)
    hers["items-1-DELETE"] = "on"
    assert save(alice, digest, hers).status_code == 302
    his["items-1-body"] = "他改的正文二。"
    response = save(bob, digest, his)
    assert response.status_code == 302, response.content.decode()[:2000]
    bodies = list(Digest.objects.get(pk=digest.pk).items.values_list("body", flat=True))
    assert sorted(bodies) == sorted(["正文一。", "他改的正文二。", "正文三。"])


@pytest.mark.django_db
def test_a_stale_save_with_broken_form_data_is_an_error_not_a_500(digest, editor, other_editor):
    alice, bob = session(editor), session(other_editor)
    hers, his = open_form(alice, digest), open_form(bob, digest)
    hers["lede"] = "她的导语"
    assert save(alice, digest, hers).status_code == 302
    his["items-TOTAL_FORMS"] = "many"
    assert save(bob, digest, his).status_code == 200
    assert Digest.objects.get(pk=digest.pk).lede == "她的导语"


# --- two browsers --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_two_editors_in_two_browsers_keep_both_changes(
    live_server, browser, editor, other_editor, artifacts
):
    from playwright.sync_api import expect

    digest = import_briefing(parse_text(BRIEFING), user=editor)
    url = live_server.url + reverse("admin:digests_digest_change", args=[digest.pk])
    alice = desk_login(browser, live_server, "editor", locale="en")
    bob = desk_login(browser, live_server, "editor2", locale="en")
    alice.goto(url)
    bob.goto(url)
    alice.locator(".editor-open-all").click()  # the item cards start closed
    bob.locator(".editor-open-all").click()

    alice.fill("#id_items-0-title", "她的标题")
    alice.fill("#id_items-1-body", "她的正文二。")
    alice.click("input[name=_continue]")
    expect(alice.locator(".messagelist")).to_be_visible()

    bob.fill("#id_items-0-title", "他的标题")
    bob.fill("#id_items-2-body", "他的正文三。\n第二段。")
    bob.click("input[name=_continue]")
    expect(bob.locator(".merge-conflicts")).to_contain_text("她的标题")
    expect(bob.locator("[name='items-1-body']")).to_have_value("她的正文二。")  # merged in
    bob.screenshot(path=artifacts / "desk-merge-conflict.png", full_page=True)
    bob.locator(".merge-conflicts input[value=theirs]").check()
    bob.click("input[name=_continue]")
    expect(bob.locator(".messagelist")).to_contain_text("successfully")

    items = list(Digest.objects.get(pk=digest.pk).items.values_list("title", "body"))
    assert items == [
        ("她的标题", "正文一。"),
        ("第二条", "她的正文二。"),
        ("第三条", "他的正文三。\n第二段。"),
    ]
