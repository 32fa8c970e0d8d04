"""The whole path through a real SMTP server on loopback (aiosmtpd in this process).

Subscribe → the confirmation mail → confirm → publish → exactly one mail with the
list headers and both parts → one-click unsubscribe → the next publication sends
nothing. Both mailers send by SMTP to the server; the worker's tasks run in process.
"""

import datetime
import email
import email.policy
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from digests import workflow
from digests.models import Digest, Subscriber
from tests import factories
from tests.test_newsletter_sending import run_tasks
from tests.test_newsletter_worker import start_smtp

ADDRESS = "new.reader@example.com"


class Inbox:
    """Every message the server accepted, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address):
        return [message for rcpt, message in self.messages if address in rcpt]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller, port = start_smtp(inbox)
    smtp = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
    }
    settings.MAILERS = {"default": smtp, "newsletter": smtp}
    settings.NEWSROOM_NEWSLETTER_RATE = 1_000_000
    yield inbox
    controller.stop()


def body_of(message, subtype):
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else None


def test_subscribe_confirm_receive_once_unsubscribe_then_nothing(
    client, smtp, reviewer, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        response = client.post(reverse("digests:newsletter-subscribe"), {"email": ADDRESS})
    assert response.status_code == 303
    assert Subscriber.objects.get(email=ADDRESS).state == Subscriber.State.PENDING
    run_tasks(capture)

    (confirmation,) = smtp.to(ADDRESS)
    text = body_of(confirmation, "plain")
    confirm_url = re.search(r"https?://\S+/newsletter/confirm/\S+/", text).group(0)
    assert ADDRESS not in confirm_url
    with capture(execute=True):
        assert client.get(urlsplit(confirm_url).path).status_code == 200  # a scanner's GET
        assert Subscriber.objects.get(email=ADDRESS).state == Subscriber.State.PENDING
        assert client.post(urlsplit(confirm_url).path).status_code == 200
    assert Subscriber.objects.get(email=ADDRESS).state == Subscriber.State.ACTIVE
    run_tasks(capture)  # the welcome: nothing is published yet
    assert len(smtp.to(ADDRESS)) == 1

    day = factories.full_digest(date=datetime.date(2026, 4, 1), status=Digest.Status.REVIEW)
    with capture(execute=True):
        workflow.publish(day, reviewer)
    run_tasks(capture)
    confirmation, issue = smtp.to(ADDRESS)
    assert "2026-04-01" in issue["Subject"]
    unsubscribe = issue["List-Unsubscribe"]
    assert re.fullmatch(r"<https?://\S+/newsletter/unsubscribe/\S+/>", unsubscribe)
    assert issue["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert issue.get_content_type() == "multipart/alternative"
    assert day.items.first().title in body_of(issue, "plain")
    assert "prefers-color-scheme: dark" in body_of(issue, "html")
    run_tasks(capture)
    assert len(smtp.to(ADDRESS)) == 2  # exactly one issue

    # RFC 8058: the mail client posts the one-click body, with no cookie and no token.
    client.cookies.clear()
    with capture(execute=True):
        response = client.post(
            urlsplit(unsubscribe[1:-1]).path,
            data="List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_code == 200
    assert Subscriber.objects.get(email=ADDRESS).state == Subscriber.State.UNSUBSCRIBED

    following = factories.full_digest(date=datetime.date(2026, 4, 2), status=Digest.Status.REVIEW)
    with capture(execute=True):
        workflow.publish(following, reviewer)
    run_tasks(capture)
    assert len(smtp.to(ADDRESS)) == 2
