"""Presence and edit locks: who has the page open, lock, release, take over, and saves refused."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digests import workflow
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import DigestEvent, EditLock, Presence
from tests.formdata import form_data

BRIEFING = """每日科技新闻速览(2026-03-07)
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

A = DigestEvent.Action


def session(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def digest(editor):
    return import_briefing(parse_text(BRIEFING), user=editor)


def url(name, digest):
    return reverse(f"admin:digests_digest_{name}", args=[digest.pk])


def beat(client, digest, editing=False):
    return client.post(url("presence", digest), {"editing": "1" if editing else "0"})


def events(digest):
    return list(
        digest.events.filter(action__in=[A.LOCK, A.UNLOCK, A.TAKE_OVER]).values_list(
            "action", "actor__username", "note"
        )
    )


# --- presence -----------------------------------------------------------------------------


def test_a_heartbeat_shows_the_others_and_whether_they_edit(digest, editor, reviewer):
    me, chief = session(editor), session(reviewer)
    first = beat(me, digest).json()
    assert first["others"] == [] and first["lock"] is None
    beat(chief, digest, editing=True)
    others = beat(me, digest).json()["others"]
    assert [(o["username"], o["editing"]) for o in others] == [("reviewer", True)]
    # and the reviewer sees the editor, not themself
    assert [o["username"] for o in beat(chief, digest).json()["others"]] == ["editor"]
    assert Presence.objects.filter(digest=digest).count() == 2  # one row a person


def test_a_page_not_heard_from_for_45_seconds_is_gone(digest, editor, reviewer):
    me, chief = session(editor), session(reviewer)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        beat(chief, digest, editing=True)
    with time_machine.travel(start + datetime.timedelta(seconds=40), tick=False):
        assert [o["username"] for o in beat(me, digest).json()["others"]] == ["reviewer"]
    with time_machine.travel(start + datetime.timedelta(seconds=46), tick=False):
        assert beat(me, digest).json()["others"] == []


def test_leaving_deletes_the_persons_presence(digest, editor, reviewer):
    me, chief = session(editor), session(reviewer)
    beat(chief, digest)
    assert chief.post(url("presence", digest), {"left": "1"}).json() == {"ok": True}
    assert beat(me, digest).json()["others"] == []
    assert not Presence.objects.filter(user=reviewer).exists()


def test_a_heartbeat_costs_the_same_queries_whoever_is_there(
    digest, editor, reviewer, other_editor, admin_user, django_assert_num_queries
):
    me = session(editor)
    beat(me, digest)
    beat(session(reviewer), digest, editing=True)
    # Session and user (2), permissions (2), digest with its lock, upsert, the others.
    with django_assert_num_queries(7):
        assert len(beat(me, digest).json()["others"]) == 1
    beat(session(other_editor), digest)
    beat(session(admin_user), digest)
    session(reviewer).post(url("lock", digest))
    with django_assert_num_queries(7):
        answer = beat(me, digest).json()
    assert len(answer["others"]) == 3 and answer["lock"]["holder"] == "reviewer"


def test_a_heartbeat_needs_post_and_a_desk_member(digest, editor, django_user_model):
    assert session(editor).get(url("presence", digest)).status_code == 405
    outsider = django_user_model.objects.create_user("outsider", password="x", is_staff=True)
    assert session(outsider).post(url("presence", digest)).status_code == 403
    assert not Presence.objects.exists()


def test_the_page_shows_who_else_is_there(digest, editor, reviewer):
    beat(session(reviewer), digest, editing=True)
    page = session(editor).get(url("change", digest)).content.decode()
    assert 'data-username="reviewer"' in page
    assert "reviewer (editing)" in page


def test_presence_leaves_the_public_site_alone(digest, editor, client):
    beat(session(editor), digest)
    assert client.get("/2026/03/07/").status_code == 404  # still a draft, untouched


# --- the lock -----------------------------------------------------------------------------


def test_lock_and_release_are_in_the_activity_log(digest, editor):
    me = session(editor)
    response = me.post(url("lock", digest), {"note": "改第二条"})
    assert response.status_code == 302
    lock = EditLock.objects.get(digest=digest)
    assert lock.holder == editor and lock.note == "改第二条"
    page = me.get(url("change", digest)).content.decode()
    assert 'data-state="mine"' in page and "You hold the edit lock" in page
    assert me.post(url("unlock", digest), HTTP_ACCEPT="application/json").json()["lock"] is None
    assert not EditLock.objects.exists()
    assert events(digest) == [
        (A.LOCK, "editor", "改第二条"),
        (A.UNLOCK, "editor", ""),
    ]
    page = me.get(url("change", digest)).content.decode()
    assert "locked for editing" in page and "released the edit lock" in page


def test_locking_needs_edit_rights(digest, editor, reviewer, published_day):
    workflow.perform(digest, "submit", editor)  # in review: editors no longer edit it
    assert session(editor).post(url("lock", digest)).status_code == 403
    assert session(reviewer).post(url("lock", published_day)).status_code == 403
    assert not EditLock.objects.exists()
    assert session(reviewer).post(url("lock", digest)).status_code == 302
    assert EditLock.objects.get().holder == reviewer


def test_a_second_lock_is_refused_and_only_the_holder_releases(digest, editor, other_editor):
    session(editor).post(url("lock", digest))
    colleague = session(other_editor)
    answer = colleague.post(url("lock", digest), HTTP_ACCEPT="application/json")
    assert answer.status_code == 409 and answer.json()["lock"]["holder"] == "editor"
    assert colleague.post(url("unlock", digest)).status_code == 403
    assert EditLock.objects.get().holder == editor
    assert len(events(digest)) == 1


def test_the_page_is_read_only_for_everyone_but_the_holder(digest, editor, other_editor):
    session(editor).post(url("lock", digest), {"note": "整理来源"})
    page = session(other_editor).get(url("change", digest)).content.decode()
    assert 'name="items-0-title"' not in page  # no inputs: read-only
    assert 'data-state="other"' in page
    assert 'Locked by <strong class="live-lock-holder">editor</strong>' in page
    assert "整理来源" in page
    assert "live-take-over" not in page  # editors cannot take over
    assert "data-autosave-url" not in page
    mine = session(editor).get(url("change", digest)).content.decode()
    assert 'name="items-0-title"' in mine


def test_a_save_while_someone_else_holds_the_lock_is_refused_with_the_text_kept(
    digest, editor, other_editor
):
    colleague = session(other_editor)
    data = form_data(colleague.get(url("change", digest)).content, form_id="digest_form")
    session(editor).post(url("lock", digest))
    data["lede"] = "同事没保存的导语"
    refused = colleague.post(url("change", digest), data)
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "Not saved: editor holds the edit lock" in page
    assert "同事没保存的导语" in page  # the text stays on the page
    digest.refresh_from_db()
    assert digest.lede != "同事没保存的导语"
    # The holder saves as usual.
    mine = session(editor)
    data = form_data(mine.get(url("change", digest)).content, form_id="digest_form")
    data["lede"] = "持锁人的导语"
    assert mine.post(url("change", digest), data).status_code == 302
    digest.refresh_from_db()
    assert digest.lede == "持锁人的导语"


def test_a_reviewer_takes_over_with_a_required_note(digest, editor, reviewer):
    session(editor).post(url("lock", digest))
    chief = session(reviewer)
    page = chief.get(url("change", digest)).content.decode()
    assert "live-take-over" in page
    answer = chief.post(url("take_over", digest), {"note": ""}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 400
    assert EditLock.objects.get().holder == editor

    assert chief.post(url("take_over", digest), {"note": "八点前要发布"}).status_code == 302
    lock = EditLock.objects.get()
    assert lock.holder == reviewer and lock.note == "八点前要发布"
    assert events(digest)[-1] == (A.TAKE_OVER, "reviewer", "from editor: 八点前要发布")
    # The former holder's next heartbeat says so; their page is read-only on reload.
    seen = beat(session(editor), digest).json()["lock"]
    assert seen == {**seen, "holder": "reviewer", "mine": False, "note": "八点前要发布"}
    assert 'name="items-0-title"' in chief.get(url("change", digest)).content.decode()


def test_editors_cannot_take_over(digest, editor, other_editor):
    session(editor).post(url("lock", digest))
    refused = session(other_editor).post(url("take_over", digest), {"note": "我来"})
    assert refused.status_code == 403
    assert EditLock.objects.get().holder == editor


def test_leaving_the_editable_states_releases_the_lock(digest, editor, reviewer):
    workflow.perform(digest, "submit", editor)
    session(reviewer).post(url("lock", digest))
    workflow.perform(digest, "publish", reviewer)
    assert not EditLock.objects.exists()
    action, actor, note = events(digest)[-1]
    assert (action, actor) == (A.UNLOCK, "reviewer")
    assert "published" in note


def test_request_changes_keeps_the_lock(digest, editor, reviewer):
    workflow.perform(digest, "submit", editor)
    session(reviewer).post(url("lock", digest))
    workflow.perform(digest, "request_changes", reviewer, note="改")
    assert EditLock.objects.get().holder == reviewer  # a draft is still editable


def test_lock_views_need_post(digest, editor):
    me = session(editor)
    for name in ("lock", "unlock", "take_over"):
        assert me.get(url(name, digest)).status_code == 405
    assert not EditLock.objects.exists()


def test_a_page_without_a_lock_offers_it_to_editors_only(digest, editor, published_day, reviewer):
    page = session(editor).get(url("change", digest)).content.decode()
    assert 'class="live-lock-free inline-form">' in page  # shown
    published = session(reviewer).get(url("change", published_day)).content.decode()
    assert 'class="live-lock-free inline-form" hidden>' in published
