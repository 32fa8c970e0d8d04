"""Autosave: the open form kept as the person's working copy, offered back, spent on save."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from digests import workflow
from digests.briefing import parse_text
from digests.desk import working_copy
from digests.importing import import_briefing
from digests.models import Digest, WorkingCopy
from tests.formdata import form_data

BRIEFING = """每日科技新闻速览(2026-03-06)
AI技术动态
AI技术-第一条
正文一。
来源:新华网
AI技术-第二条
正文二。
来源:新华网
# 深度解析
深度解析:分析
背景:原来的背景。
趋势总结
- 趋势一:原来的趋势。
今日核心趋势总结:原来的核心趋势。
"""

pytestmark = pytest.mark.django_db


def session(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def digest(editor):
    return import_briefing(parse_text(BRIEFING), user=editor)


def change_url(digest):
    return reverse("admin:digests_digest_change", args=[digest.pk])


def open_form(client, digest):
    return form_data(client.get(change_url(digest)).content, form_id="digest_form")


def as_lists(data):
    return {k: [v] for k, v in data.items() if k != "csrfmiddlewaretoken"}


def autosave(client, digest, data, base_version=None, labels=None):
    body = {"data": as_lists(data), "labels": labels or {}, "base_version": base_version}
    return client.post(
        reverse("admin:digests_digest_autosave", args=[digest.pk]),
        json.dumps(body),
        content_type="application/json",
    )


def test_autosave_keeps_the_form_as_a_working_copy_and_updates_it(digest, editor):
    client = session(editor)
    data = open_form(client, digest)
    data["lede"] = "正在写的导语"
    answer = autosave(client, digest, data, base_version=digest.version)
    assert answer.status_code == 200
    assert answer.json()["ok"] and answer.json()["saved_at"]
    copy = WorkingCopy.objects.get(digest=digest, user=editor)
    assert copy.data["lede"] == ["正在写的导语"]
    assert copy.base_version == digest.version
    assert "csrfmiddlewaretoken" not in copy.data and "base_version" not in copy.data

    data["lede"] = "写得更多的导语"
    labels = {"items-0-source": {"1": "新华网"}}
    assert autosave(client, digest, data, digest.version, labels).status_code == 200
    assert WorkingCopy.objects.filter(digest=digest).count() == 1  # upserted, not added
    copy.refresh_from_db()
    assert copy.data["lede"] == ["写得更多的导语"]
    assert copy.labels == labels


def test_autosave_takes_two_queries_of_its_own(digest, editor, django_assert_max_num_queries):
    client = session(editor)
    data = open_form(client, digest)
    autosave(client, digest, data, digest.version)  # the copy exists: this one updates it
    data["lede"] = "又一版导语"
    # Session and user (2), the person's permissions (2), the digest and the upsert (2).
    with django_assert_max_num_queries(6):
        assert autosave(client, digest, data, digest.version).status_code == 200


def test_autosave_refuses_who_may_not_edit_the_digest(digest, editor, reviewer):
    client = session(editor)
    data = open_form(client, digest)
    workflow.perform(digest, "submit", editor)  # in review: editors no longer edit it
    assert autosave(client, digest, data, 1).status_code == 403
    assert not WorkingCopy.objects.exists()
    assert autosave(session(reviewer), digest, data, 1).status_code == 200  # reviewers do


def test_autosave_refuses_a_published_digest(published_day, reviewer):
    client = session(reviewer)
    assert autosave(client, published_day, {"lede": "x"}, 1).status_code == 403
    assert not WorkingCopy.objects.exists()


def test_autosave_needs_post(digest, editor):
    url = reverse("admin:digests_digest_autosave", args=[digest.pk])
    assert session(editor).get(url).status_code == 405


def test_autosave_refuses_a_form_over_the_size_cap(digest, editor):
    client = session(editor)
    data = {"lede": "长" * (working_copy.MAX_BYTES // 2)}  # three bytes a character
    answer = autosave(client, digest, data, digest.version)
    assert answer.status_code == 413
    assert "512 KB" in answer.json()["error"]
    assert not WorkingCopy.objects.exists()


def test_autosave_refuses_unreadable_json(digest, editor):
    answer = session(editor).post(
        reverse("admin:digests_digest_autosave", args=[digest.pk]),
        "{not json",
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert not WorkingCopy.objects.exists()


def test_a_page_closed_sends_its_last_form_as_a_beacon(digest, editor):
    client = session(editor)
    data = open_form(client, digest)
    data["lede"] = "关页前的导语"
    data["_labels"] = json.dumps({"items-0-source": {"1": "新华网"}})
    answer = client.post(reverse("admin:digests_digest_autosave", args=[digest.pk]), data)
    assert answer.status_code == 200
    copy = WorkingCopy.objects.get()
    assert copy.data["lede"] == ["关页前的导语"]
    assert copy.base_version == digest.version
    assert copy.labels == {"items-0-source": {"1": "新华网"}}


def test_the_page_offers_a_working_copy_that_differs_and_not_one_that_does_not(digest, editor):
    client = session(editor)
    data = open_form(client, digest)
    autosave(client, digest, data, digest.version)  # the page's own text, unchanged
    page = client.get(change_url(digest)).content.decode()
    assert 'id="live-restore"' in page
    assert 'id="live-restore" role="region" aria-labelledby="live-restore-text" hidden' in page

    data["items-1-body"] = "没保存的正文二。"
    autosave(client, digest, data, digest.version)
    page = client.get(change_url(digest)).content.decode()
    assert 'aria-labelledby="live-restore-text">' in page  # shown
    assert "You have unsaved work from" in page
    assert f"(opened at version {digest.version})" in page
    stored = json.loads(
        page.split('id="live-working-copy" type="application/json">')[1][:5000].split("</script>")[
            0
        ]
    )
    assert stored["data"]["items-1-body"] == ["没保存的正文二。"]
    assert stored["base_version"] == digest.version
    assert '<span class="live-restore-stale" hidden>' in page


def test_an_older_copy_says_the_digest_was_saved_since_and_keeps_its_base_version(
    digest, editor, other_editor
):
    client = session(editor)
    data = open_form(client, digest)
    opened_at = digest.version
    data["items-0-title"] = "我没保存的标题"
    autosave(client, digest, data, opened_at)

    colleague = session(other_editor)
    theirs = open_form(colleague, digest)
    theirs["lede"] = "同事保存的导语"
    assert colleague.post(change_url(digest), theirs).status_code == 302
    digest.refresh_from_db()
    assert digest.version > opened_at

    page = client.get(change_url(digest)).content.decode()
    assert '<span class="live-restore-stale">' in page
    assert "saved by someone since" in page
    stored = json.loads(
        page.split('id="live-working-copy" type="application/json">')[1].split("</script>")[0]
    )
    assert stored["base_version"] == opened_at  # restored into the form: the save merges

    # What the browser does on Restore: the copy's fields and its base version, then save.
    restored = {k: v[0] for k, v in stored["data"].items()}
    restored["base_version"] = stored["base_version"]
    response = client.post(change_url(digest), restored)
    assert response.status_code == 302, response.content.decode()[:3000]
    digest.refresh_from_db()
    assert digest.items.order_by("position").first().title == "我没保存的标题"
    assert digest.lede == "同事保存的导语"  # merged: their save is not reverted


def test_a_successful_save_spends_the_working_copy(digest, editor):
    client = session(editor)
    data = open_form(client, digest)
    data["lede"] = "要保存的导语"
    autosave(client, digest, data, digest.version)
    assert WorkingCopy.objects.filter(user=editor).exists()
    assert client.post(change_url(digest), data).status_code == 302
    assert not WorkingCopy.objects.filter(user=editor).exists()


def test_a_refused_save_keeps_the_working_copy_and_the_page_keeps_autosaving(
    digest, editor, other_editor
):
    client = session(editor)
    data = open_form(client, digest)
    colleague = session(other_editor)
    theirs = open_form(colleague, digest)
    theirs["items-0-title"] = "同事的标题"
    assert colleague.post(change_url(digest), theirs).status_code == 302

    data["items-0-title"] = "我的标题"
    autosave(client, digest, data, digest.version)
    refused = client.post(change_url(digest), data)
    assert refused.status_code == 200  # a conflict: nothing saved
    page = refused.content.decode()
    assert "我的标题" in page
    assert "data-autosave-url=" in page and 'data-posted="1"' in page
    assert 'id="live-restore"' not in page or "live-working-copy" not in page
    assert WorkingCopy.objects.filter(user=editor).exists()


def test_discard_deletes_only_the_persons_copy(digest, editor, other_editor):
    mine, theirs = session(editor), session(other_editor)
    autosave(mine, digest, {"lede": "我的"}, digest.version)
    autosave(theirs, digest, {"lede": "他的"}, digest.version)
    url = reverse("admin:digests_digest_autosave_discard", args=[digest.pk])
    assert mine.post(url, HTTP_ACCEPT="application/json").json() == {"ok": True}
    assert list(WorkingCopy.objects.values_list("user__username", flat=True)) == ["editor2"]
    assert theirs.post(url).status_code == 302  # without the script: back to the page
    assert not WorkingCopy.objects.exists()


def test_read_only_pages_do_not_autosave(published_day, reviewer, editor):
    page = session(reviewer).get(change_url(published_day)).content.decode()
    assert 'id="live-desk"' in page
    assert "data-autosave-url" not in page
    assert 'id="live-restore"' not in page


def test_the_page_costs_one_query_more_with_a_working_copy(
    digest, editor, django_assert_max_num_queries
):
    client = session(editor)
    data = open_form(client, digest)
    with django_assert_max_num_queries(1000) as without:
        client.get(change_url(digest))
    before = len(without)  # read now: the next request empties the connection's log
    data["lede"] = "改了"
    autosave(client, digest, data, digest.version)
    with django_assert_max_num_queries(before + 1):
        page = client.get(change_url(digest)).content.decode()
    assert "You have unsaved work from" in page


def test_normalised_ignores_line_endings_empty_values_and_structure():
    a = {"lede": ["a\r\nb"], "title": [""], "items-INITIAL_FORMS": ["2"], "base_version": ["3"]}
    b = {"lede": ["a\nb"], "items-INITIAL_FORMS": ["9"]}
    assert working_copy.normalised(a) == working_copy.normalised(b) == {"lede": ["a\nb"]}
    assert working_copy.normalised({"lede": ["x"]}) != working_copy.normalised(b)


def test_digest_state_is_untouched_by_autosave(digest, editor):
    client = session(editor)
    data = open_form(client, digest)
    data["lede"] = "只在工作副本里"
    autosave(client, digest, data, digest.version)
    fresh = Digest.objects.get(pk=digest.pk)
    assert fresh.lede != "只在工作副本里" and fresh.version == digest.version
