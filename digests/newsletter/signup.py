"""Signing up for the briefing by e-mail, and every change a subscriber makes afterwards.

Double opt-in: an address that signs up is *pending* and is sent one mail, the
confirmation link; nothing else is ever sent to it until that link's button is
pressed. Every state change a reader causes (confirm, pause, resume, leave)
goes through ``change`` and its table ``CHANGES`` below, which locks the
subscriber, checks the state it comes from, stamps ``state_changed_at`` and logs
it, so that the pages, the one-click unsubscribe and any script behave the same.

The limits, because a sign-up form mails whatever address it is given:

- per address, at most ``NEWSROOM_NEWSLETTER_CONFIRMATIONS_PER_DAY`` sign-up mails
  in any 24 hours (kept on the subscriber, so it holds with the cache down);
- per client, at most ``NEWSROOM_NEWSLETTER_SIGNUPS_PER_HOUR`` sign-ups an hour,
  counted in the cache (``count_client``); with the cache down it is not counted,
  and the per-address limit still holds.

Nobody learns from the form whether an address is subscribed: the pages answer
alike whatever happened, and an address that is already subscribed is sent its
preferences link instead of a second confirmation.
"""

import datetime
import enum
import logging
import smtplib
from dataclasses import dataclass

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from digests import seo
from digests.models import Subscriber
from digests.newsletter import tokens

log = logging.getLogger(__name__)

State = Subscriber.State
# The per-address limit's window, and the per-client limit's.
ADDRESS_WINDOW = datetime.timedelta(hours=24)
CLIENT_WINDOW_SECONDS = 3600
# A sign-up mail the mail server refused is tried again every RETRY_AFTER, for RETRY_FOR
# after the sign-up; then it is given up (logged), and the reader may sign up again.
RETRY_AFTER = datetime.timedelta(minutes=5)
RETRY_FOR = datetime.timedelta(hours=1)
CLIENT_KEY = "newsroom:newsletter-signups:{client}:{hour}"
# What a mail server or provider raises when it cannot take a message (SMTPException is
# an OSError, as are refused and timed-out connections).
MAIL_ERRORS = (OSError, smtplib.SMTPException, AnymailError)


class Outcome(enum.Enum):
    """What a sign-up did; the reader is told the same in every case."""

    CONFIRMATION = "a confirmation mail"
    PREFERENCES = "the preferences link (already subscribed)"
    LIMITED = "nothing: the address had its sign-up mails for the day"
    IGNORED = "nothing: the address bounced or complained"


class Refused(Exception):
    """A subscriber's state does not allow this change (the page says what to do instead)."""


# --- signing up ------------------------------------------------------------------------


def subscribe(email, *, sections=(), language, source, now=None):
    """Sign ``email`` up (pending, confirmation mail) or mail an existing subscriber its link.

    Sections, language and source are taken only from a sign-up that needs confirming:
    a stranger's sign-up must not change what a confirmed subscriber receives.
    """
    now = now or timezone.now()
    with transaction.atomic():
        subscriber = _locked_or_created(email, language)
        if subscriber.state in (State.BOUNCED, State.COMPLAINED):
            log.info("sign-up of subscriber %s ignored (%s)", subscriber.pk, subscriber.state)
            return Outcome.IGNORED
        receiving = subscriber.state in (State.ACTIVE, State.PAUSED)
        if not receiving:
            if subscriber.state != State.PENDING:
                subscriber.state = State.PENDING
                subscriber.state_changed_at = now
            subscriber.language = language
            subscriber.consent_source = source
            subscriber.sections.set(sections)
        allowed = _count_mail(subscriber, now)
        subscriber.save()
        if not allowed:
            log.info("sign-up mail to subscriber %s not sent: limit reached", subscriber.pk)
            return Outcome.LIMITED
        _enqueue_on_commit("newsletter_confirmation", subscriber.pk)
    return Outcome.PREFERENCES if receiving else Outcome.CONFIRMATION


def _locked_or_created(email, language):
    """The subscriber for ``email``, locked; a new pending one if there is none."""
    found = Subscriber.objects.select_for_update().by_address(email).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():  # a savepoint: another request may create it first
            return Subscriber.objects.create(email=email, language=language)
    except IntegrityError:
        return Subscriber.objects.select_for_update().by_address(email).get()


def _count_mail(subscriber, now):
    """Whether one more sign-up mail may go to this address now; counts it if so.

    ``confirmation_sent_at`` is the last mail, ``confirmations_sent`` the mails since
    the last quiet day: the count starts again only after 24 hours without one, so
    no 24 hours ever hold more than the limit.
    """
    last = subscriber.confirmation_sent_at
    if last is None or now - last >= ADDRESS_WINDOW:
        subscriber.confirmations_sent = 0
    if subscriber.confirmations_sent >= settings.NEWSROOM_NEWSLETTER_CONFIRMATIONS_PER_DAY:
        return False
    subscriber.confirmations_sent += 1
    subscriber.confirmation_sent_at = now
    return True


def count_client(client, now=None):
    """This client's sign-ups in the current hour, this one included; 0 when not counted.

    Counted in the cache (one key per client and clock hour). A cache that cannot be
    reached keeps no count: the sign-up goes ahead, limited per address only.
    """
    now = now or timezone.now()
    key = CLIENT_KEY.format(client=client, hour=int(now.timestamp()) // CLIENT_WINDOW_SECONDS)
    if cache.add(key, 1, CLIENT_WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # not kept: the cache is unreachable (or the hour just ended)
        log.warning("sign-ups per client not counted (cache unavailable): per-address limit only")
        return 0


def seconds_to_next_window(now=None):
    """How long until the per-client count starts again (for ``Retry-After``)."""
    now = now or timezone.now()
    return CLIENT_WINDOW_SECONDS - int(now.timestamp()) % CLIENT_WINDOW_SECONDS


def client_over_limit(client):
    """Whether this sign-up is one too many for the client this hour."""
    return count_client(client) > settings.NEWSROOM_NEWSLETTER_SIGNUPS_PER_HOUR


# --- the sign-up mail (the task) ----------------------------------------------------


def send_confirmation(subscriber_id):
    """The sign-up mail: the confirmation link if pending, the preferences link if subscribed.

    Decided now, not at sign-up: a subscriber who confirmed, left or bounced since
    is sent what fits (or nothing). A mail server that refuses it is tried again.
    """
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return "not sent: erased"
    if subscriber.state == State.PENDING:
        kind, view, purpose = "confirm", "digests:newsletter-confirm", tokens.CONFIRM
    elif subscriber.state in (State.ACTIVE, State.PAUSED):
        kind, view, purpose = "subscribed", "digests:newsletter-preferences", tokens.PREFERENCES
    else:
        return f"not sent: {subscriber.state}"
    with translation.override(subscriber.language):
        context = {
            "subscriber": subscriber,
            "url": seo.absolute(reverse(view, args=[tokens.make(subscriber, purpose)])),
            "days": settings.NEWSROOM_NEWSLETTER_CONFIRM_DAYS,
            "privacy_url": seo.absolute(reverse("digests:privacy")),
            "site_url": seo.absolute(reverse("digests:latest")),
        }
        subject = render_to_string(f"digests/newsletter/email/{kind}_subject.txt", context)
        body = render_to_string(f"digests/newsletter/email/{kind}.txt", context)
    message = EmailMessage(
        " ".join(subject.split()),
        body,
        from_email=settings.NEWSROOM_NEWSLETTER_FROM,
        to=[subscriber.email],
        # Sent by a program on someone's request: out-of-office replies stay away.
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        message.send(using="newsletter")
    except MAIL_ERRORS as error:
        return _retry_later(subscriber, error)
    log.info("sign-up mail (%s) sent to subscriber %s", kind, subscriber.pk)
    return f"sent: {kind}"


def _retry_later(subscriber, error):
    now = timezone.now()
    started = subscriber.confirmation_sent_at or now
    if now - started >= RETRY_FOR:
        log.error("sign-up mail to subscriber %s given up: %s", subscriber.pk, error)
        return "not sent: gave up"
    log.warning("sign-up mail to subscriber %s failed, trying again: %s", subscriber.pk, error)
    from digests.tasks import newsletter_confirmation

    newsletter_confirmation.using(run_after=now + RETRY_AFTER).enqueue(subscriber.pk)
    return "not sent: will try again"


# --- confirming, preferences, leaving ---------------------------------------------


@dataclass(frozen=True)
class Change:
    """A change of state a subscriber may make, from its link's page."""

    name: str
    sources: frozenset  # the states it may come from
    target: str
    idle: frozenset = frozenset()  # states left as they are: no error, nothing done
    stamps: tuple = ()  # fields set to the time of the change
    then: str = ""  # the task enqueued after the commit


CHANGES = {
    change.name: change
    for change in (
        # The consent. Pressed again, or paused since: harmless. An address that left,
        # bounced or complained since is refused: it signs up again from the form.
        Change(
            "confirm",
            frozenset({State.PENDING}),
            State.ACTIVE,
            idle=frozenset({State.PAUSED}),
            stamps=("confirmed_at", "consent_at"),
            then="newsletter_welcome",
        ),
        Change("pause", frozenset({State.ACTIVE}), State.PAUSED),
        Change("resume", frozenset({State.PAUSED}), State.ACTIVE),
        # Any number of times; a bounced or complained address stays so (stricter).
        # Deliveries still queued are not sent: sending checks the state.
        Change(
            "leave",
            frozenset({State.PENDING, State.ACTIVE, State.PAUSED}),
            State.UNSUBSCRIBED,
            idle=frozenset({State.BOUNCED, State.COMPLAINED}),
        ),
    )
}


def change(subscriber, name, now=None):
    """Make the change ``name``: True if the state changed, False if there was nothing to do.

    Locks the subscriber, checks the state it comes from (``Refused`` if it may not),
    stamps ``state_changed_at`` and the change's fields, logs it, and enqueues its
    task after the commit.
    """
    rule = CHANGES[name]
    now = now or timezone.now()
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if locked.state == rule.target or locked.state in rule.idle:
            return False
        if locked.state not in rule.sources:
            raise Refused(locked.state)
        log.info("subscriber %s: %s (%s → %s)", locked.pk, name, locked.state, rule.target)
        locked.state = rule.target
        for field in ("state_changed_at", *rule.stamps):
            setattr(locked, field, now)
        locked.save(update_fields=["state", "state_changed_at", *rule.stamps])
        if rule.then:
            _enqueue_on_commit(rule.then, locked.pk)
    return True


def confirm(subscriber, now=None):
    """Pending → active: the consent; the latest briefing follows."""
    return change(subscriber, "confirm", now)


def pause(subscriber, now=None):
    """Active → paused: no mail until resumed."""
    return change(subscriber, "pause", now)


def resume(subscriber, now=None):
    """Paused → active."""
    return change(subscriber, "resume", now)


def leave(subscriber, now=None):
    """Unsubscribe: no more mail."""
    return change(subscriber, "leave", now)


def choose_sections(subscriber, sections):
    """The sections in this subscriber's mail (none: all)."""
    subscriber.sections.set(sections)
    log.info("subscriber %s chose %d sections", subscriber.pk, len(sections))


def forget_unconfirmed(now=None):
    """Delete the addresses that signed up and never confirmed, after
    ``NEWSROOM_NEWSLETTER_UNCONFIRMED_DAYS``: nobody consented to keeping them.
    The worker runs it every cycle; returns how many were deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.NEWSROOM_NEWSLETTER_UNCONFIRMED_DAYS)
    deleted, _ = Subscriber.objects.filter(
        state=State.PENDING, confirmed_at=None, created_at__lt=cutoff
    ).delete()
    if deleted:
        log.info("deleted %d addresses never confirmed", deleted)
    return deleted


def _enqueue_on_commit(task_name, subscriber_id):
    from digests import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.enqueue(subscriber_id))
