"""Mailings and their ledger: each publication reaches each subscriber once.

A mailing's ``Delivery`` rows are created up front (one per subscriber, unique
per subscriber and digest for the day's issue) and sent in batches by the task
worker. A delivery is *claimed* before its mail goes out, by one committed
``UPDATE … WHERE state = 'queued'``: only the process whose update changed the
row sends, so a retried task, a second worker or a republished digest never
sends a mail twice. A worker killed while sending leaves that one delivery
"sending"; the worker's sweep (``resume_stalled``) later marks it
"interrupted" and never sends it again by itself, because the mail may have
gone out (an admin may queue it again). Each batch queues the next one
*before* it sends, so a killed batch leaves the rest of the mailing to the
next task.

A withdrawal stops what has not been sent twice over: ``cancel_unsent`` in the
withdrawal's transaction, and a check of the digest (and of the subscriber)
just before each mail.
"""

import contextlib
import datetime
import logging
import smtplib
from collections import Counter
from email.utils import make_msgid

from django.conf import settings
from django.core import mail as django_mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from digests.models import Correction, Delivery, Digest, Mailing, Subscriber
from digests.newsletter import mail

log = logging.getLogger(__name__)

D = Delivery.State
ISSUE, CORRECTION, TEST = Mailing.Kind.ISSUE, Mailing.Kind.CORRECTION, Mailing.Kind.TEST
MAX_ATTEMPTS = 3  # sends of one delivery that failed for a passing reason, then "failed"
RETRY_SECONDS = 60  # the wait before a mailing's last deliveries are tried again


def batch_delay():
    """Seconds between two batches, so that a mailing goes out at ``_RATE`` mails a minute."""
    rate = max(1, settings.NEWSROOM_NEWSLETTER_RATE)
    return 60 * settings.NEWSROOM_NEWSLETTER_BATCH_SIZE / rate


def _enqueue_batch(mailing_id, delay):
    from digests import tasks

    run_after = timezone.now() + datetime.timedelta(seconds=delay)
    return tasks.newsletter_send_batch.using(run_after=run_after).enqueue(mailing_id=mailing_id)


def _pending_batches():
    """The mailings that have a batch task waiting (ready, or ready later)."""
    from django_tasks_db.models import DBTaskResult

    from digests import tasks

    waiting = DBTaskResult.objects.filter(
        status="READY", task_path=tasks.newsletter_send_batch.module_path
    ).values_list("args_kwargs", flat=True)
    return {args["kwargs"].get("mailing_id") for args in waiting}


# --- starting mailings ---------------------------------------------------------------


def start_issue(digest_id):
    """After a publication commits: the day's mailing to every receiving subscriber."""
    with transaction.atomic():
        # Locked as a withdrawal locks it: a withdrawal waits, or is seen, never missed.
        digest = Digest.objects.select_for_update().filter(pk=digest_id).first()
        if digest is None or digest.status != Digest.Status.PUBLISHED:
            return "not published"
        mailing, _created = Mailing.objects.get_or_create(digest=digest, kind=ISSUE)
        already = Delivery.objects.filter(subscriber=OuterRef("pk"), digest=digest, kind=ISSUE)
        new = list(
            Subscriber.objects.receiving().filter(~Exists(already)).values_list("pk", flat=True)
        )
        Delivery.objects.bulk_create(
            [Delivery(mailing=mailing, digest=digest, kind=ISSUE, subscriber_id=pk) for pk in new],
            ignore_conflicts=True,
            batch_size=1000,
        )
        # Stopped by an earlier withdrawal: the republished digest goes to them after all.
        requeued = mailing.deliveries.filter(
            state=D.CANCELLED, subscriber__state=Subscriber.State.ACTIVE
        ).update(state=D.QUEUED, error="")
        if mailing.deliveries.filter(state=D.QUEUED).exists():
            Mailing.objects.filter(pk=mailing.pk).update(cancelled_at=None, finished_at=None)
            transaction.on_commit(lambda: _enqueue_batch(mailing.pk, 0))
        else:
            _finish(mailing.pk)
    return f"{len(new)} queued, {requeued} queued again"


def start_correction(correction, user):
    """A reviewer's correction notice to those who were sent the digest; returns the mailing."""
    if user is None or not user.has_perm("digests.send_mailing"):
        raise PermissionDenied(_("You may not send correction notices."))
    with transaction.atomic():
        correction = Correction.objects.select_related("item").get(pk=correction.pk)
        digest = Digest.objects.select_for_update().get(pk=correction.item.digest_id)
        if digest.status != Digest.Status.PUBLISHED:
            raise ValueError(_("Only corrections of a published digest can be sent."))
        if Mailing.objects.filter(correction=correction).exists():
            raise ValueError(_("A notice of this correction has already been sent."))
        mailing = Mailing.objects.create(
            digest=digest, kind=CORRECTION, correction=correction, created_by=user
        )
        got_issue = Delivery.objects.filter(
            subscriber=OuterRef("pk"),
            digest=digest,
            kind=ISSUE,
            state__in=[D.SENT, D.INTERRUPTED],  # interrupted: it may have arrived
        )
        readers = Subscriber.objects.receiving().filter(Exists(got_issue))
        Delivery.objects.bulk_create(
            [
                Delivery(mailing=mailing, digest=digest, kind=CORRECTION, subscriber_id=pk)
                for pk in readers.values_list("pk", flat=True)
            ],
            batch_size=1000,
        )
        if mailing.deliveries.exists():
            transaction.on_commit(lambda: _enqueue_batch(mailing.pk, 0))
        else:
            Mailing.objects.filter(pk=mailing.pk).update(finished_at=timezone.now())
    return mailing


def send_test(digest, user):
    """The digest's mail, as subscribers would get it, to ``user``'s address only, now."""
    if not user.has_perm("digests.send_mailing"):
        raise PermissionDenied(_("You may not send test mails."))
    if not user.email:
        raise ValueError(_("Your account has no e-mail address: add one to receive a test mail."))
    digest = Digest.objects.with_contents(claims=False).get(pk=digest.pk)
    mailing = Mailing.objects.create(digest=digest, kind=TEST, created_by=user)
    # Not a subscriber: its links are well formed but lead to "no such subscriber".
    recipient = Subscriber(email=user.email, language=translation.get_language() or "")
    message = mail.IssueMail(digest, test=True).for_subscriber(recipient, frozenset())
    message.send(using="newsletter")
    mailing.finished_at = timezone.now()
    mailing.save(update_fields=["finished_at"])
    return mailing


def send_welcome(subscriber_id):
    """After a confirmation commits: the latest published briefing to the new subscriber."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.state != Subscriber.State.ACTIVE:
        return "not receiving"
    digest = Digest.objects.published().order_by("-date").first()
    if digest is None:
        return "nothing published yet"
    mailing, _created = Mailing.objects.get_or_create(digest=digest, kind=ISSUE)
    Delivery.objects.bulk_create(
        [Delivery(mailing=mailing, digest=digest, kind=ISSUE, subscriber=subscriber)],
        ignore_conflicts=True,  # already in that day's mailing: the ledger sends it once
    )
    delivery = Delivery.objects.get(subscriber=subscriber, digest=digest, kind=ISSUE)
    mailer = _Mailer()
    try:
        outcome = _deliver(delivery.pk, _builder(mailing, [delivery.pk]), mailer)
    finally:
        mailer.close()
    if outcome == "retry":
        Mailing.objects.filter(pk=mailing.pk).update(finished_at=None)
        _enqueue_batch(mailing.pk, RETRY_SECONDS)
    return outcome


# --- sending ---------------------------------------------------------------------------


def send_batch(mailing_id):
    """One batch of a mailing's queued deliveries; queues the next batch first."""
    mailing = Mailing.objects.filter(pk=mailing_id).first()
    if mailing is None:
        return "gone"
    size = settings.NEWSROOM_NEWSLETTER_BATCH_SIZE
    queued = list(
        mailing.deliveries.filter(state=D.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)[: size + 1]
    )
    batch, more = queued[:size], len(queued) > size
    if more:
        _enqueue_batch(mailing.pk, batch_delay())  # before sending: a crash leaves the rest
    outcomes = Counter()
    if batch:
        build, mailer = _builder(mailing, batch), _Mailer()
        try:
            for pk in batch:
                outcomes[_deliver(pk, build, mailer)] += 1
        finally:
            mailer.close()
    if not more and outcomes["retry"]:
        _enqueue_batch(mailing.pk, RETRY_SECONDS)
    _finish(mailing.pk)
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())) or "none"


def _builder(mailing, delivery_pks):
    """A function making a delivery's message; the digest is fetched once for the batch."""
    links = Subscriber.sections.through.objects.filter(
        subscriber__deliveries__pk__in=delivery_pks
    ).values_list("subscriber_id", "category_id")
    sections = {}
    for subscriber_id, category_id in links:
        sections.setdefault(subscriber_id, set()).add(category_id)
    if mailing.kind == CORRECTION:
        correction = Correction.objects.select_related("item__digest").get(
            pk=mailing.correction_id
        )
        return lambda subscriber: mail.correction_mail(correction, subscriber)
    issue = mail.IssueMail(Digest.objects.with_contents(claims=False).get(pk=mailing.digest_id))
    return lambda subscriber: issue.for_subscriber(
        subscriber, frozenset(sections.get(subscriber.pk, ()))
    )


def _deliver(pk, build, mailer):
    """Claim one delivery, check it may still go, send it and record what happened."""
    message_id = make_msgid(domain=mail.site_host())
    claimed = Delivery.objects.filter(pk=pk, state=D.QUEUED).update(
        state=D.SENDING, claimed_at=timezone.now(), message_id=message_id
    )
    if not claimed:
        return "taken"  # sent, stopped or being sent by another task
    delivery = Delivery.objects.select_related("subscriber", "digest").get(pk=pk)
    subscriber = delivery.subscriber
    if delivery.digest.status != Digest.Status.PUBLISHED:
        _record(pk, D.CANCELLED, error=_("The digest was withdrawn before this mail went out."))
        return "cancelled"
    if subscriber.state != Subscriber.State.ACTIVE:
        _record(pk, D.CANCELLED, error=_("The subscriber stopped receiving mail."))
        return "cancelled"
    try:
        message = build(subscriber)
        message.extra_headers["Message-ID"] = message_id
        mailer.send(message)
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"[:2000]
        if is_transient(error) and delivery.attempts + 1 < MAX_ATTEMPTS:
            _record(pk, D.QUEUED, error=reason, attempts=F("attempts") + 1, claimed_at=None)
            log.warning("delivery %s will be tried again: %s", pk, reason)
            return "retry"
        _record(pk, D.FAILED, error=reason, attempts=F("attempts") + 1)
        log.warning("delivery %s failed: %s", pk, reason)
        return "failed"
    status = getattr(message, "anymail_status", None)
    provider_id = getattr(status, "message_id", None) if status is not None else None
    _record(
        pk,
        D.SENT,
        sent_at=timezone.now(),
        message_id=provider_id if isinstance(provider_id, str) and provider_id else message_id,
        error="",
        attempts=F("attempts") + 1,
    )
    return "sent"


def _record(pk, state, **fields):
    Delivery.objects.filter(pk=pk).update(state=state, **fields)


def is_transient(error):
    """Whether a send error may pass (try again) or will not (the address is refused)."""
    from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused

    if isinstance(error, AnymailRecipientsRefused):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, AnymailAPIError):
        code = error.status_code
        return code is None or code == 429 or code >= 500
    # Refused or dropped connections, timeouts, a disconnected server: they pass.
    return isinstance(error, OSError | smtplib.SMTPException)


class _Mailer:
    """The newsletter's mailer (``MAILERS["newsletter"]``), one connection for a batch,
    opened again after a failure."""

    def __init__(self):
        self.connection = None

    def send(self, message):
        if self.connection is None:
            self.connection = django_mail.mailers["newsletter"]
            self.connection.open()
        try:
            sent = self.connection.send_messages([message])
        except BaseException:
            self.close()
            raise
        if not sent:
            raise smtplib.SMTPException("the mailer sent nothing")

    def close(self):
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None


def _finish(mailing_id):
    """A mailing with nothing queued or being sent is finished."""
    unsent = Delivery.objects.filter(mailing_id=mailing_id, state__in=[D.QUEUED, D.SENDING])
    if not unsent.exists():
        Mailing.objects.filter(pk=mailing_id, finished_at=None).update(finished_at=timezone.now())


# --- stopping and resuming -----------------------------------------------------------


def cancel_unsent(digest):
    """In the withdrawal's transaction: every queued delivery of the digest is stopped."""
    stopped = Delivery.objects.filter(digest=digest, state=D.QUEUED).update(
        state=D.CANCELLED, error=_("The digest was withdrawn before this mail went out.")
    )
    Mailing.objects.filter(digest=digest, finished_at=None, cancelled_at=None).exclude(
        kind=TEST
    ).update(cancelled_at=timezone.now())
    return stopped


def resume_stalled(now=None):
    """The worker's sweep: interrupted deliveries marked, stalled mailings queued again."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.NEWSROOM_NEWSLETTER_SENDING_TIMEOUT)
    interrupted = Delivery.objects.filter(state=D.SENDING, claimed_at__lt=cutoff).update(
        state=D.INTERRUPTED,
        error=_("The worker stopped while sending: the mail may have gone out."),
    )
    queued = Delivery.objects.filter(mailing=OuterRef("pk"), state=D.QUEUED)
    sending = Delivery.objects.filter(mailing=OuterRef("pk"), state=D.SENDING)
    stalled = set(
        Mailing.objects.filter(cancelled_at=None, digest__status=Digest.Status.PUBLISHED)
        .filter(Exists(queued))
        .exclude(Exists(sending))  # a batch is at work, or was cut off too recently to tell
        .values_list("pk", flat=True)
    )
    resumed = stalled - _pending_batches() if stalled else set()
    for pk in sorted(resumed):
        _enqueue_batch(pk, 0)
    Mailing.objects.filter(finished_at=None, cancelled_at=None).exclude(kind=TEST).exclude(
        Exists(queued)
    ).exclude(Exists(sending)).filter(
        Exists(Delivery.objects.filter(mailing=OuterRef("pk")))
    ).update(finished_at=now)
    return {"interrupted": interrupted, "resumed": len(resumed)}
