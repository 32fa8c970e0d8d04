"""The editorial workflow: every transition for every role, checks, scheduling, mail."""

import datetime
import io
import threading
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone, translation

from digests import edition, public_cache, workflow
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import (
    Analysis,
    Correction,
    Digest,
    DigestEvent,
    Item,
    Notification,
    ReviewComment,
    TrendSummary,
)
from tests import factories
from tests.conftest import run_worker

pytestmark = pytest.mark.django_db
S = Digest.Status
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def people(editor, reviewer, admin_user, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    return {
        "editor": editor,
        "reviewer": reviewer,
        "admin": admin_user,
        "clerk": clerk,
        "system": None,
    }


def run_tasks():
    """Run the queued background tasks now, as the worker would."""
    run_worker()


# Who may make each transition; everyone else is refused.
ALLOWED = {
    "submit": {"editor", "reviewer", "admin", "system"},
    "request_changes": {"reviewer", "admin", "system"},
    "publish": {"reviewer", "admin", "system"},
    "schedule": {"reviewer", "admin", "system"},
    "reschedule": {"reviewer", "admin", "system"},
    "unschedule": {"reviewer", "admin", "system"},
    "publish_scheduled": {"system"},
    "withdraw": {"reviewer", "admin", "system"},
    "republish": {"reviewer", "admin", "system"},
    "reopen": {"reviewer", "admin", "system"},
}
ROLES = ["editor", "reviewer", "admin", "clerk", "system"]


def options_for(name, now):
    return {
        "note": "请补充来源。" if workflow.TRANSITIONS[name].note else "",
        "publish_at": now + datetime.timedelta(hours=2) if name in workflow.SCHEDULING else None,
        "now": now + datetime.timedelta(hours=3) if name == "publish_scheduled" else now,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(workflow.TRANSITIONS))
def test_every_transition_for_every_role(people, name, role):
    transition = workflow.TRANSITIONS[name]
    digest = factories.full_digest(status=transition.sources[0])
    before = Digest.objects.get(pk=digest.pk)
    now = timezone.now()
    if role in ALLOWED[name]:
        workflow.perform(digest, name, people[role], **options_for(name, now))
        digest.refresh_from_db()
        assert digest.status == transition.target
        assert digest.version == before.version + 1
        event = DigestEvent.objects.get(digest=digest)
        assert (event.action, event.from_status, event.to_status) == (
            transition.action,
            before.status,
            transition.target,
        )
        assert event.actor == people[role]
    else:
        with pytest.raises(workflow.NotPermitted):
            workflow.perform(digest, name, people[role], **options_for(name, now))
        digest.refresh_from_db()
        assert (digest.status, digest.version) == (before.status, before.version)
        assert not DigestEvent.objects.exists()


@pytest.mark.parametrize(
    ("name", "status"),
    [
        (name, status)
        for name, t in workflow.TRANSITIONS.items()
        for status in S.values
        if status not in t.sources
    ],
)
def test_transition_from_a_wrong_state_is_a_clear_error(name, status):
    digest = factories.full_digest(status=status)
    with pytest.raises(workflow.TransitionNotAllowed, match="is not possible"):
        workflow.perform(digest, name, None, **options_for(name, timezone.now()))
    digest.refresh_from_db()
    assert digest.status == status
    assert not DigestEvent.objects.exists()


def test_buttons_offered_are_the_transitions_allowed(people):
    review = factories.full_digest(status=S.REVIEW)
    names = {role: {t.name for t in workflow.available(review, people[role])} for role in ROLES}
    assert names["editor"] == set()
    assert names["reviewer"] == {"request_changes", "publish", "schedule"}
    assert names["clerk"] == set()
    draft = factories.full_digest(status=S.DRAFT)
    assert {t.name for t in workflow.available(draft, people["editor"])} == {"submit"}


@pytest.mark.parametrize(
    ("name", "status"), [("request_changes", S.REVIEW), ("withdraw", S.PUBLISHED)]
)
def test_comment_or_reason_is_required(reviewer, name, status):
    digest = factories.full_digest(status=status)
    with pytest.raises(workflow.NoteRequired):
        workflow.perform(digest, name, reviewer, note="   ")
    digest.refresh_from_db()
    assert digest.status == status


def test_request_changes_puts_the_comment_in_the_thread(editor, reviewer):
    digest = factories.full_digest(status=S.REVIEW, created_by=editor)
    workflow.request_changes(digest, reviewer, "第二条缺少来源,请补充。")
    comment = ReviewComment.objects.get(digest=digest)
    assert (comment.kind, comment.author, comment.body) == (
        ReviewComment.Kind.CHANGES,
        reviewer,
        "第二条缺少来源,请补充。",
    )
    assert digest.status == S.DRAFT


def test_schedule_needs_a_future_time(reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    with pytest.raises(workflow.WorkflowError, match="future"):
        workflow.schedule(digest, reviewer, timezone.now() - datetime.timedelta(minutes=1))
    assert Digest.objects.get(pk=digest.pk).status == S.REVIEW


def test_published_at_is_kept_on_republish(reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    workflow.publish(digest, reviewer)
    first = digest.published_at
    workflow.withdraw(digest, reviewer, "事实有误")
    workflow.perform(digest, "republish", reviewer)
    digest.refresh_from_db()
    assert digest.status == S.PUBLISHED and digest.published_at == first


def test_publishing_bumps_the_public_cache_generation(
    reviewer, django_capture_on_commit_callbacks
):
    digest = factories.full_digest(status=S.REVIEW)
    before = public_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(digest, reviewer)
    assert public_cache.generation() == before + 1


# --- edition checks --------------------------------------------------------------------


def test_required_checks_block_moving_toward_readers(editor):
    digest = factories.full_digest(status=S.DRAFT)
    Analysis.objects.filter(digest=digest).delete()
    Item.objects.filter(digest=digest).update(source=None)
    with pytest.raises(workflow.ChecksFailed) as caught:
        workflow.submit(digest, editor)
    assert {r.name for r in caught.value.results} == {"items_complete", "analysis_present"}
    assert "has no source" in str(caught.value)
    assert Digest.objects.get(pk=digest.pk).status == S.DRAFT


def test_checks_never_block_taking_a_digest_away_from_readers(reviewer):
    digest = factories.full_digest(status=S.PUBLISHED)
    TrendSummary.objects.filter(digest=digest).delete()
    workflow.withdraw(digest, reviewer, "撤回重审")
    assert Digest.objects.get(pk=digest.pk).status == S.UNPUBLISHED


def test_recommended_checks_warn_but_do_not_block(settings, editor):
    settings.NEWSROOM_EDITION_CHECKS = {
        **settings.NEWSROOM_EDITION_CHECKS,
        "analysis_present": "recommended",
    }
    digest = factories.full_digest(status=S.DRAFT)
    Analysis.objects.filter(digest=digest).delete()
    results = {
        r.name: r for r in edition.run_checks(Digest.objects.with_contents().get(pk=digest.pk))
    }
    assert not results["analysis_present"].passed and not results["analysis_present"].blocks
    workflow.submit(digest, editor)
    assert Digest.objects.get(pk=digest.pk).status == S.REVIEW


def test_checks_can_be_switched_off(settings):
    settings.NEWSROOM_EDITION_CHECKS = {"unique_headlines": "off"}
    digest = factories.full_digest()
    names = [r.name for r in edition.run_checks(Digest.objects.with_contents().get(pk=digest.pk))]
    assert "unique_headlines" not in names and "items_complete" in names


def test_unknown_check_in_settings_is_an_error(settings):
    settings.NEWSROOM_EDITION_CHECKS = {"no_such_check": "required"}
    with pytest.raises(ValueError, match="no_such_check"):
        edition.run_checks(factories.full_digest())


def checked(digest):
    return {
        r.name: r.problems
        for r in edition.run_checks(Digest.objects.with_contents().get(pk=digest.pk))
    }


def test_each_check_finds_its_problem():
    digest = factories.full_digest(items=2)
    assert all(not problems for problems in checked(digest).values())
    first, second = digest.items.all()
    second.title = first.title
    second.source = None
    second.save()
    problems = checked(digest)
    assert problems["unique_headlines"] == [f"The headline “{first.title}” is used 2 times."]
    assert problems["items_complete"] == [f"“{second.heading}” has no source"]
    TrendSummary.objects.filter(digest=digest).update(summary="")
    assert checked(digest)["trends_present"] == [
        "The trend summary has no core summary (今日核心趋势总结)."
    ]
    Item.objects.filter(digest=digest).delete()
    assert checked(digest)["sections_not_empty"] == ["The digest has no items, so no sections."]


# --- the editorial day -----------------------------------------------------------------


def test_published_after_midnight_keeps_its_date(reviewer):
    digest = factories.full_digest(date=datetime.date(2026, 3, 2), status=S.REVIEW)
    # 00:30 on 3 March in Shanghai is still 2 March in UTC.
    with time_machine.travel(datetime.datetime(2026, 3, 3, 0, 30, tzinfo=SHANGHAI), tick=False):
        workflow.publish(digest, reviewer)
    digest.refresh_from_db()
    assert digest.date == datetime.date(2026, 3, 2)
    assert digest.published_at.astimezone(datetime.UTC).date() == datetime.date(2026, 3, 2)
    assert timezone.localtime(digest.published_at).date() == datetime.date(2026, 3, 3)


# --- scheduling --------------------------------------------------------------------------


def test_scheduled_digest_publishes_through_the_task_worker(
    reviewer, django_capture_on_commit_callbacks
):
    digest = factories.full_digest(status=S.REVIEW)
    start = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.schedule(digest, reviewer, start + datetime.timedelta(hours=2))
        run_tasks()
        assert Digest.objects.get(pk=digest.pk).status == S.SCHEDULED
    with time_machine.travel(start + datetime.timedelta(hours=1, minutes=59), tick=False):
        run_tasks()
        assert Digest.objects.get(pk=digest.pk).status == S.SCHEDULED
    with time_machine.travel(start + datetime.timedelta(hours=2, minutes=1), tick=False):
        run_tasks()
        digest.refresh_from_db()
        assert digest.status == S.PUBLISHED
        assert digest.published_at == start + datetime.timedelta(hours=2, minutes=1)
        run_tasks()
    assert DigestEvent.objects.filter(digest=digest, action="publish_scheduled").count() == 1


def test_a_stale_schedule_task_does_nothing(reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    when = timezone.now() + datetime.timedelta(hours=1)
    workflow.schedule(digest, reviewer, when)
    workflow.perform(digest, "unschedule", reviewer)
    later = when + datetime.timedelta(minutes=5)
    assert workflow.publish_if_due(digest.pk, when.isoformat(), now=later) == (
        "not scheduled for this time"
    )
    assert Digest.objects.get(pk=digest.pk).status == S.REVIEW


def test_publish_due_command_is_idempotent(reviewer):
    due = factories.full_digest(status=S.REVIEW)
    later = factories.full_digest(status=S.REVIEW)
    start = timezone.now()
    workflow.schedule(due, reviewer, start + datetime.timedelta(minutes=10))
    workflow.schedule(later, reviewer, start + datetime.timedelta(days=1))
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        out = io.StringIO()
        call_command("publish_due", stdout=out)
        call_command("publish_due", stdout=io.StringIO())
    assert Digest.objects.get(pk=due.pk).status == S.PUBLISHED
    assert Digest.objects.get(pk=later.pk).status == S.SCHEDULED
    assert DigestEvent.objects.filter(action="publish_scheduled").count() == 1
    assert due.date.isoformat() in out.getvalue()


# --- notifications -------------------------------------------------------------------------


def test_reviewers_hear_of_a_submission(editor, reviewer, django_capture_on_commit_callbacks):
    digest = factories.full_digest(status=S.DRAFT, created_by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(digest, editor)
    run_tasks()
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert digest.date.isoformat() in mail.outbox[0].subject
    note = Notification.objects.get()
    assert (note.email, note.event.action) == (reviewer.email, "submit")
    assert note.sent_at is not None and note.error == ""


def test_the_author_hears_of_changes_requested_and_publication(
    editor, reviewer, django_capture_on_commit_callbacks
):
    digest = factories.full_digest(status=S.REVIEW, created_by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(digest, reviewer, "请核对第三条的数据。")
    run_tasks()
    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert "请核对第三条的数据。" in mail.outbox[0].body
    Digest.objects.filter(pk=digest.pk).update(status=S.REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(digest, reviewer)
    run_tasks()
    assert [m.to for m in mail.outbox][1:] == [[editor.email]]
    assert Notification.objects.filter(event__action="publish", email=editor.email).exists()


def test_no_mail_for_ordinary_saves_and_silent_transitions(
    editor, reviewer, client, django_capture_on_commit_callbacks
):
    digest = factories.full_digest(status=S.PUBLISHED, created_by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(digest, reviewer, "重审")
        workflow.perform(digest, "reopen", reviewer)
    run_tasks()
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_mail_failure_never_undoes_the_transition(
    editor, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp is down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    digest = factories.full_digest(status=S.DRAFT, created_by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(digest, editor)
    run_tasks()
    assert Digest.objects.get(pk=digest.pk).status == S.REVIEW
    note = Notification.objects.get()
    assert note.sent_at is None and "smtp is down" in note.error


# --- corrections -------------------------------------------------------------------------


def test_reviewer_adds_a_dated_correction_to_a_published_item(reviewer, editor):
    digest = factories.full_digest(status=S.PUBLISHED)
    item = digest.items.first()
    correction = workflow.add_correction(item, reviewer, "更正:发射成本为每公斤2万美元。")
    assert Correction.objects.get() == correction and correction.created_at is not None
    assert DigestEvent.objects.filter(digest=digest, action="correct").exists()
    with pytest.raises(workflow.NotPermitted):
        workflow.add_correction(item, editor, "编辑不能更正")
    draft = factories.full_digest(status=S.DRAFT)
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.add_correction(draft.items.first(), reviewer, "草稿直接修改即可")
    assert Correction.objects.count() == 1


# --- the import command uses the workflow --------------------------------------------------

BRIEFING = """每日科技新闻速览(2026-03-05)
AI技术动态
AI技术-标题一
正文一。
来源:新华网
# 深度解析
深度解析:分析
背景:说明。
趋势总结
- 趋势:说明。
今日核心趋势总结:总结。
"""


def test_import_publish_goes_through_submit_and_publish(tmp_path):
    path = tmp_path / "b.txt"
    path.write_text(BRIEFING, encoding="utf-8")
    call_command("import_digest", str(path), "--publish", stdout=io.StringIO())
    digest = Digest.objects.get()
    assert digest.status == S.PUBLISHED
    assert list(digest.events.values_list("action", flat=True)) == ["import", "submit", "publish"]


def test_import_publish_that_fails_the_checks_writes_nothing(tmp_path):
    path = tmp_path / "b.txt"
    path.write_text(BRIEFING.split("# 深度解析")[0], encoding="utf-8")
    with pytest.raises(CommandError, match="deep analysis"):
        call_command(
            "import_digest", str(path), "--publish", stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert not Digest.objects.exists()


# --- two reviewers at once ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_publishing_at_once_publish_once(reviewer, admin_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks across real connections (run with DATABASE_URL)")
    digest = import_briefing(parse_text(BRIEFING))
    workflow.submit(digest, None)
    barrier = threading.Barrier(2)
    outcomes = []

    def press(user):
        from django.db import connections

        try:
            barrier.wait()
            workflow.publish(Digest.objects.get(pk=digest.pk), user)
            outcomes.append("published")
        except workflow.TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(user,)) for user in (reviewer, admin_user)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    digest.refresh_from_db()
    assert sorted(outcomes) == ["published", "refused"]
    assert digest.status == S.PUBLISHED and digest.published_at is not None
    assert DigestEvent.objects.filter(digest=digest, action="publish").count() == 1


def test_no_review_request_mail_once_the_digest_was_already_reviewed(
    editor, reviewer, django_capture_on_commit_callbacks
):
    digest = factories.full_digest(status=S.DRAFT, created_by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(digest, editor)
        workflow.publish(digest, reviewer)
    run_tasks()
    # The author hears of the publication; no reviewer is asked to review it.
    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert not Notification.objects.filter(event__action="submit").exists()


def test_rescheduling_moves_the_publication_and_the_old_task_stands_down(reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    first = timezone.now() + datetime.timedelta(hours=1)
    later = first + datetime.timedelta(days=1)
    workflow.schedule(digest, reviewer, first)
    workflow.perform(digest, "reschedule", reviewer, publish_at=later)
    digest.refresh_from_db()
    assert (digest.status, digest.publish_at) == (S.SCHEDULED, later)
    assert DigestEvent.objects.filter(digest=digest, action="reschedule").count() == 1
    # The task queued for the first time finds another time and does nothing.
    past_first = first + datetime.timedelta(minutes=1)
    assert workflow.publish_if_due(digest.pk, first.isoformat(), now=past_first) == (
        "not scheduled for this time"
    )
    assert workflow.publish_if_due(digest.pk, later.isoformat(), now=later) == "published"


def test_rescheduling_into_the_past_is_refused(reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    workflow.schedule(digest, reviewer, timezone.now() + datetime.timedelta(hours=1))
    with pytest.raises(workflow.WorkflowError):
        workflow.perform(
            digest, "reschedule", reviewer, publish_at=timezone.now() - datetime.timedelta(hours=1)
        )
    assert Digest.objects.get(pk=digest.pk).status == S.SCHEDULED
