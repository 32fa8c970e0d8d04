"""Background work, run by the task worker (``python manage.py db_worker``)."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from digests import refresh, seo, workflow
from digests.models import Digest, DigestEvent, Notification

log = logging.getLogger(__name__)

A = DigestEvent.Action
# Who hears of what: reviewers of submissions, the digest's author of the rest.
NOTIFY = {
    A.SUBMIT: "reviewers",
    A.REQUEST_CHANGES: "author",
    A.PUBLISH: "author",
    A.PUBLISH_SCHEDULED: "author",
}


@task()
def publish_scheduled_digest(digest_id, publish_at):
    """Publish a scheduled digest when its time comes (queued with ``run_after``)."""
    outcome = workflow.publish_if_due(digest_id, publish_at)
    log.info("scheduled publication of digest %s for %s: %s", digest_id, publish_at, outcome)
    return outcome


# Before mail and the search index: readers are served stale pages until it has run.
@task(priority=50)
def refresh_pages(addresses):
    """Render these pages again and keep them as fresh entries (``digests.refresh``)."""
    return refresh.render(addresses)


def reviewers():
    User = get_user_model()
    can_review = Q(groups__permissions__codename="publish_digest") | Q(
        user_permissions__codename="publish_digest"
    )
    return (
        User.objects.filter(is_active=True)
        .filter(can_review | Q(is_superuser=True))
        .exclude(email="")
        .distinct()
        .order_by("username")
    )


def recipients(event):
    audience = NOTIFY.get(event.action)
    if audience == "reviewers":
        if event.digest.status != Digest.Status.REVIEW:
            return []  # reviewed (or sent back) before the mail went out: nothing awaits
        return [user for user in reviewers() if user != event.actor]
    author = event.digest.created_by
    if audience == "author" and author and author.is_active and author.email:
        return [author] if author != event.actor else []
    return []


@task()
def send_notifications(event_id):
    """E-mail the people an event concerns and record each attempt on the event."""
    event = DigestEvent.objects.select_related("digest", "digest__created_by", "actor").get(
        pk=event_id
    )
    if event.notifications.exists():
        return "already sent"
    sent = 0
    path = reverse("admin:digests_digest_change", args=[event.digest_id])
    for user in recipients(event):
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "event": event,
                "digest": event.digest,
                "user": user,
                "url": seo.absolute(path),
            }
            subject = " ".join(render_to_string("digests/email/subject.txt", context).split())
            body = render_to_string("digests/email/body.txt", context)
        notification = Notification(event=event, recipient=user, email=user.email)
        try:
            EmailMessage(subject, body, to=[user.email]).send()
        except Exception as error:
            notification.error = f"{type(error).__name__}: {error}"
            log.warning("notification to %s for event %s failed: %s", user.email, event_id, error)
        else:
            notification.sent_at = timezone.now()
            sent += 1
        notification.save()
    return f"{sent} sent"


# --- the newsletter (digests/newsletter) ---------------------------------------------


@task()
def newsletter_confirmation(subscriber_id):
    """Mail the double opt-in link to an address that signed up."""
    from digests.newsletter import signup

    return signup.send_confirmation(subscriber_id)


@task()
def newsletter_start_issue(digest_id):
    """A digest was published: its mailing to every receiving subscriber."""
    from digests.newsletter import sending

    return sending.start_issue(digest_id)


@task()
def newsletter_send_batch(mailing_id):
    """One batch of a mailing, at ``NEWSROOM_NEWSLETTER_RATE``."""
    from digests.newsletter import sending

    return sending.send_batch(mailing_id)


@task()
def newsletter_welcome(subscriber_id):
    """A subscriber confirmed: the latest briefing, so the first mail comes at once."""
    from digests.newsletter import sending

    return sending.send_welcome(subscriber_id)


# --- the desk's memory (digests/ingest) -----------------------------------------------


@task()
def fetch_source(source_id):
    """Poll one source's feed into the inbox (queued by the worker when it is due)."""
    from digests.ingest import fetch

    return fetch.poll(source_id)


# --- sharing a day (digests/sharing) --------------------------------------------------


@task()
def draw_share_card(digest_id):
    """Draw a published day's share card (queued after publication and each correction)."""
    from digests import sharing
    from digests.sharing import card

    digest = Digest.objects.filter(pk=digest_id).only("pk", "date", "title", "version", "status")
    digest = digest.first()
    if digest is None:
        return "no such digest"
    if not digest.is_published:  # withdrawn before the task ran
        card.remove(digest.date)
        return "not published"
    if card.path_for(digest.date, digest.version).exists():
        return "already drawn"
    return str(sharing.make_card(digest))
