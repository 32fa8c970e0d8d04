"""Sending the newsletter: the ledger, batches, withdrawals, errors, welcome, corrections."""

import datetime
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail as django_mail
from django.core.exceptions import PermissionDenied
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from digests import workflow
from digests.models import Correction, Delivery, Digest, Mailing, Subscriber
from digests.newsletter import sending
from tests import factories
from tests.conftest import run_worker

D = Delivery.State
BATCH_TASK = "digests.tasks.newsletter_send_batch"


@pytest.fixture(autouse=True)
def _english():
    """The desk's messages are asserted in English; the catalog would give Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.NEWSROOM_NEWSLETTER_RATE = 1_000_000  # the next batch is due at once
    settings.NEWSROOM_NEWSLETTER_BATCH_SIZE = 100


def run_tasks(capture):
    """Run every ready task as the worker would, with their on-commit work."""
    for _ in range(10):
        if not DBTaskResult.objects.ready().exists():
            return
        with capture(execute=True):
            run_worker()


def readers(n, state=Subscriber.State.ACTIVE, prefix="reader"):
    return [
        Subscriber.objects.create(email=f"{prefix}{i}@example.com", state=state) for i in range(n)
    ]


def inbox(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


def publish(capture, digest, user):
    with capture(execute=True):
        workflow.perform(digest, "publish" if digest.status == "review" else "republish", user)


@pytest.fixture
def review_day(db):
    return factories.full_digest(date=datetime.date(2026, 3, 5), status=Digest.Status.REVIEW)


def test_each_publication_reaches_each_subscriber_once(
    review_day, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    active = readers(3)
    readers(1, Subscriber.State.PENDING, "pending")
    readers(1, Subscriber.State.PAUSED, "paused")
    publish(capture, review_day, reviewer)
    run_tasks(capture)
    assert inbox(mailoutbox) == sorted(r.email for r in active)
    mailing = Mailing.objects.get(digest=review_day, kind=Mailing.Kind.ISSUE)
    assert mailing.finished_at is not None
    # The start task again, and a withdrawal and a republication: nobody gets it twice.
    with django_capture_on_commit_callbacks(execute=True):
        sending.start_issue(review_day.pk)
    run_tasks(capture)
    with capture(execute=True):
        workflow.withdraw(review_day, reviewer, "a mistake")
    publish(capture, review_day, reviewer)
    run_tasks(capture)
    assert inbox(mailoutbox) == sorted(r.email for r in active)
    assert Delivery.objects.filter(state=D.SENT).count() == 3
    assert all(m["Message-ID"] for m in (msg.message() for msg in mailoutbox))
    stored = set(Delivery.objects.values_list("message_id", flat=True))
    assert stored == {msg.extra_headers["Message-ID"] for msg in mailoutbox}


def test_withdrawal_mid_mailing_stops_the_rest(
    review_day, reviewer, mailoutbox, settings, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    settings.NEWSROOM_NEWSLETTER_BATCH_SIZE = 2
    readers(5)
    publish(capture, review_day, reviewer)
    with capture(execute=True):
        sending.start_issue(review_day.pk)
    mailing = Mailing.objects.get(digest=review_day)
    sending.send_batch(mailing.pk)  # the first batch only
    assert len(mailoutbox) == 2
    with capture(execute=True):
        workflow.withdraw(review_day, reviewer, "wrong figures")
    run_tasks(capture)
    assert len(mailoutbox) == 2
    assert Delivery.objects.filter(state=D.CANCELLED).count() == 3
    mailing.refresh_from_db()
    assert mailing.cancelled_at is not None
    # Republished: the three stopped go out, the two sent do not go again.
    publish(capture, review_day, reviewer)
    run_tasks(capture)
    assert len(mailoutbox) == 5 and len(set(inbox(mailoutbox))) == 5


def test_send_time_check_stops_a_withdrawn_digest_and_stopped_subscribers(
    published_day, mailoutbox, django_capture_on_commit_callbacks
):
    active, paused, left, bounced, withdrawn_too = readers(5)
    with django_capture_on_commit_callbacks(execute=True):
        sending.start_issue(published_day.pk)
    mailing = Mailing.objects.get(digest=published_day)
    for subscriber, state in [
        (paused, Subscriber.State.PAUSED),
        (left, Subscriber.State.UNSUBSCRIBED),
        (bounced, Subscriber.State.BOUNCED),
    ]:
        Subscriber.objects.filter(pk=subscriber.pk).update(state=state)
    sending.send_batch(mailing.pk)
    assert inbox(mailoutbox) == sorted([active.email, withdrawn_too.email])
    assert Delivery.objects.filter(state=D.CANCELLED).count() == 3
    # A withdrawal that raced the batch (no cancel_unsent yet): the check stops it.
    second = factories.full_digest(status=Digest.Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        sending.start_issue(second.pk)
    Digest.objects.filter(pk=second.pk).update(status=Digest.Status.UNPUBLISHED)
    sending.send_batch(Mailing.objects.get(digest=second).pk)
    assert len(mailoutbox) == 2
    assert set(Delivery.objects.filter(digest=second).values_list("state", flat=True)) == {
        D.CANCELLED
    }


class FailingBackend(LocmemBackend):
    """Refuses the addresses in ``errors`` with the error given, sends the rest."""

    errors = {}

    def send_messages(self, messages):
        for message in messages:
            error = self.errors.get(message.to[0])
            if error is not None:
                raise error
        return super().send_messages(messages)


@pytest.fixture
def failing(settings):
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {"BACKEND": f"{__name__}.FailingBackend"},
    }
    FailingBackend.errors = {
        "later@example.com": smtplib.SMTPRecipientsRefused(
            {"later@example.com": (451, b"try again later")}
        ),
        "down@example.com": ConnectionRefusedError(111, "Connection refused"),
        "gone@example.com": smtplib.SMTPRecipientsRefused(
            {"gone@example.com": (550, b"no such user")}
        ),
    }
    yield FailingBackend.errors
    FailingBackend.errors = {}


def test_transient_errors_retry_up_to_three_times_permanent_fail_at_once(
    published_day, failing, mailoutbox, django_capture_on_commit_callbacks
):
    for address in ["ok@example.com", "later@example.com", "down@example.com", "gone@example.com"]:
        Subscriber.objects.create(email=address, state=Subscriber.State.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        sending.start_issue(published_day.pk)
    mailing = Mailing.objects.get(digest=published_day)

    def states():
        return dict(Delivery.objects.values_list("subscriber__email", "state"))

    sending.send_batch(mailing.pk)
    assert inbox(mailoutbox) == ["ok@example.com"]
    assert states() == {
        "ok@example.com": D.SENT,
        "later@example.com": D.QUEUED,
        "down@example.com": D.QUEUED,
        "gone@example.com": D.FAILED,
    }
    gone = Delivery.objects.get(subscriber__email="gone@example.com")
    assert "550" in gone.error and gone.attempts == 1
    retry = DBTaskResult.objects.filter(task_path=BATCH_TASK, status="READY").latest("enqueued_at")
    assert retry.run_after >= timezone.now() + datetime.timedelta(seconds=50)  # not at once
    sending.send_batch(mailing.pk)
    assert states()["later@example.com"] == D.QUEUED
    sending.send_batch(mailing.pk)
    assert states()["later@example.com"] == D.FAILED
    assert states()["down@example.com"] == D.FAILED
    assert Delivery.objects.get(subscriber__email="down@example.com").attempts == 3
    assert inbox(mailoutbox) == ["ok@example.com"]
    mailing.refresh_from_db()
    assert mailing.finished_at is not None


def test_error_classification():
    from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused

    assert sending.is_transient(TimeoutError())
    assert sending.is_transient(smtplib.SMTPServerDisconnected())
    assert sending.is_transient(smtplib.SMTPDataError(421, b"busy"))
    assert not sending.is_transient(smtplib.SMTPDataError(554, b"rejected"))
    assert not sending.is_transient(AnymailRecipientsRefused())
    assert sending.is_transient(AnymailAPIError(status_code=503))
    assert not sending.is_transient(AnymailAPIError(status_code=422))
    assert not sending.is_transient(ValueError("a bug"))


def test_welcome_is_never_sent_twice(
    published_day, mailoutbox, django_capture_on_commit_callbacks
):
    (reader,) = readers(1)
    assert sending.send_welcome(reader.pk) == "sent"
    assert sending.send_welcome(reader.pk) == "taken"
    with django_capture_on_commit_callbacks(execute=True):
        sending.start_issue(published_day.pk)
    run_tasks(django_capture_on_commit_callbacks)
    assert inbox(mailoutbox) == [reader.email]
    # Confirmed after the day's mailing reached them: nothing more.
    (late,) = readers(1, prefix="late")
    with django_capture_on_commit_callbacks(execute=True):
        sending.start_issue(published_day.pk)
    run_tasks(django_capture_on_commit_callbacks)
    assert sending.send_welcome(late.pk) == "taken"
    assert inbox(mailoutbox) == sorted([reader.email, late.email])
    paused = Subscriber.objects.create(email="p@example.com", state=Subscriber.State.PAUSED)
    assert sending.send_welcome(paused.pk) == "not receiving"


def test_welcome_with_nothing_published(db, mailoutbox):
    (reader,) = readers(1)
    assert sending.send_welcome(reader.pk) == "nothing published yet"
    assert mailoutbox == []


def test_correction_notice_goes_to_those_sent_the_issue(
    published_day, reviewer, editor, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    got_it, paused_since = readers(2)
    with capture(execute=True):
        sending.start_issue(published_day.pk)
    run_tasks(capture)
    Subscriber.objects.filter(pk=paused_since.pk).update(state=Subscriber.State.PAUSED)
    readers(1, prefix="newcomer")  # subscribed after the issue went out
    item = published_day.items.first()
    correction = workflow.add_correction(item, reviewer, "数字有误,已更正。")
    mailoutbox.clear()
    with pytest.raises(PermissionDenied):
        sending.start_correction(correction, editor)
    with capture(execute=True):
        mailing = sending.start_correction(correction, reviewer)
    run_tasks(capture)
    assert mailing.kind == Mailing.Kind.CORRECTION and mailing.created_by == reviewer
    assert inbox(mailoutbox) == [got_it.email]
    (notice,) = mailoutbox
    assert item.title in notice.subject and "数字有误" in notice.body
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mailing.deliveries.get().state == D.SENT
    with pytest.raises(ValueError, match="already"):
        sending.start_correction(correction, reviewer)
    # Nothing is sent on a correction by itself.
    other = workflow.add_correction(item, reviewer, "再次更正。")
    run_tasks(capture)
    assert len(mailoutbox) == 1 and not Mailing.objects.filter(correction=other).exists()


def test_test_send_to_oneself_only(review_day, reviewer, editor, mailoutbox):
    readers(2)
    mailing = sending.send_test(review_day, reviewer)
    (message,) = mailoutbox
    assert message.to == [reviewer.email]
    assert message.subject.startswith("[")  # the test mark, translated
    assert 'id="test-banner"' in message.alternatives[0][0]
    assert mailing.kind == Mailing.Kind.TEST and mailing.created_by == reviewer
    assert not mailing.deliveries.exists() and mailing.finished_at is not None
    reviewer.email = ""
    with pytest.raises(ValueError, match="no e-mail address"):
        sending.send_test(review_day, reviewer)
    with pytest.raises(PermissionDenied):
        sending.send_test(review_day, editor)
    assert len(mailoutbox) == 1


def test_the_next_batch_is_queued_first_at_the_rate(
    published_day, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_NEWSLETTER_RATE = 60  # a minute
    settings.NEWSROOM_NEWSLETTER_BATCH_SIZE = 10
    readers(25)
    with django_capture_on_commit_callbacks(execute=True):
        sending.start_issue(published_day.pk)
    mailing = Mailing.objects.get(digest=published_day)
    DBTaskResult.objects.all().delete()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 8, tzinfo=datetime.UTC), tick=False):
        with (
            mock.patch.object(sending, "_deliver", side_effect=KeyboardInterrupt),
            pytest.raises(KeyboardInterrupt),
        ):
            sending.send_batch(mailing.pk)  # dies on its first mail
        (queued,) = DBTaskResult.objects.filter(task_path=BATCH_TASK)
        assert queued.run_after == timezone.now() + datetime.timedelta(seconds=10)
        assert queued.args_kwargs["kwargs"] == {"mailing_id": mailing.pk}
    sending.send_batch(mailing.pk)
    sending.send_batch(mailing.pk)
    assert len(mailoutbox) == 20
    assert DBTaskResult.objects.filter(task_path=BATCH_TASK).count() == 3  # none after the last
    sending.send_batch(mailing.pk)
    assert len(mailoutbox) == 25


def test_sweep_marks_cut_off_deliveries_and_resumes_stalled_mailings(
    published_day, mailoutbox, django_capture_on_commit_callbacks
):
    first, second = readers(2)
    with django_capture_on_commit_callbacks(execute=True):
        sending.start_issue(published_day.pk)
    DBTaskResult.objects.all().delete()  # the batch task was lost with its worker
    mailing = Mailing.objects.get(digest=published_day)
    cut_off = Delivery.objects.get(subscriber=first)
    started = timezone.now()
    Delivery.objects.filter(pk=cut_off.pk).update(state=D.SENDING, claimed_at=started)
    # Too recent to tell: the batch may still be at work.
    assert sending.resume_stalled(now=started + datetime.timedelta(seconds=10)) == {
        "interrupted": 0,
        "resumed": 0,
    }
    later = started + datetime.timedelta(seconds=301)
    assert sending.resume_stalled(now=later) == {"interrupted": 1, "resumed": 1}
    assert sending.resume_stalled(now=later)["resumed"] == 0  # its task is waiting
    run_tasks(django_capture_on_commit_callbacks)
    assert inbox(mailoutbox) == [second.email]
    cut_off.refresh_from_db()
    assert cut_off.state == D.INTERRUPTED and "may have gone out" in cut_off.error
    mailing.refresh_from_db()
    assert mailing.finished_at is not None


def test_nothing_starts_for_an_unpublished_digest(review_day, mailoutbox):
    readers(1)
    assert sending.start_issue(review_day.pk) == "not published"
    assert not Mailing.objects.exists()


def test_correction_of_unpublished_digest_refused(published_day, reviewer):
    correction = Correction.objects.create(item=published_day.items.first(), note="x")
    Digest.objects.filter(pk=published_day.pk).update(status=Digest.Status.UNPUBLISHED)
    with pytest.raises(ValueError, match="published"):
        sending.start_correction(correction, reviewer)
    assert django_mail.outbox == []
