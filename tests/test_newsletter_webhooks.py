"""Bounces and complaints through a real provider webhook (Postmark's, via django-anymail)."""

import base64
import json

import pytest
from django.urls import reverse

from digests.models import Delivery, Mailing, Subscriber
from digests.newsletter import sending

SECRET = "hooks:s3cret-for-tests"
D, S = Delivery.State, Subscriber.State


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


def post(client, payload, secret=SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        reverse("anymail:postmark_tracking_webhook"),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


@pytest.fixture
def sent(published_day, django_capture_on_commit_callbacks):
    """Two subscribers who were sent the day's issue."""
    for address in ("one@example.com", "two@example.com"):
        Subscriber.objects.create(email=address, state=S.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        sending.start_issue(published_day.pk)
    sending.send_batch(Mailing.objects.get(digest=published_day).pk)
    return {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}


def state_of(address):
    return Subscriber.objects.get(email=address)


def test_hard_bounce_marks_the_delivery_and_stops_the_address(client, sent):
    delivery = sent["one@example.com"]
    response = post(
        client,
        {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "ID": 42,
            "MessageID": delivery.message_id,
            "Email": "one@example.com",
            "Description": "The server was unable to deliver your message",
            "Details": "smtp;550 5.1.1 user unknown",
            "BouncedAt": "2026-03-01T08:00:00Z",
        },
    )
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == D.BOUNCED
    subscriber = state_of("one@example.com")
    assert subscriber.state == S.BOUNCED and "unable to deliver" in subscriber.note
    assert state_of("two@example.com").state == S.ACTIVE
    assert not Subscriber.objects.receiving().filter(email="one@example.com").exists()


def test_complaint_found_by_address_when_the_message_is_unknown(client, sent):
    response = post(
        client,
        {
            "RecordType": "SpamComplaint",
            "Type": "SpamComplaint",
            "MessageID": "not-one-of-ours",
            "Email": "TWO@example.com",
            "BouncedAt": "2026-03-01T08:00:00Z",
        },
    )
    assert response.status_code == 200
    assert state_of("two@example.com").state == S.COMPLAINED
    assert sent["two@example.com"].state == D.SENT  # no delivery matched


def test_unsubscribe_at_the_provider_and_no_downgrade(client, sent):
    delivery = sent["one@example.com"]
    payload = {
        "RecordType": "SubscriptionChange",
        "MessageID": delivery.message_id,
        "Recipient": "one@example.com",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "ChangedAt": "2026-03-01T08:00:00Z",
    }
    assert post(client, payload).status_code == 200
    assert state_of("one@example.com").state == S.UNSUBSCRIBED
    delivery.refresh_from_db()
    assert delivery.state == D.SENT  # it was delivered; the reader left afterwards
    Subscriber.objects.filter(email="one@example.com").update(state=S.COMPLAINED)
    assert post(client, payload).status_code == 200
    assert state_of("one@example.com").state == S.COMPLAINED


def test_soft_events_change_nothing(client, sent):
    response = post(
        client,
        {
            "RecordType": "Delivery",
            "MessageID": sent["one@example.com"].message_id,
            "Recipient": "one@example.com",
            "DeliveredAt": "2026-03-01T08:00:00Z",
        },
    )
    assert response.status_code == 200
    assert state_of("one@example.com").state == S.ACTIVE


def test_webhook_needs_the_secret(client, sent):
    payload = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "MessageID": sent["one@example.com"].message_id,
        "Email": "one@example.com",
        "BouncedAt": "2026-03-01T08:00:00Z",
    }
    assert post(client, payload, secret="hooks:wrong").status_code == 400
    assert state_of("one@example.com").state == S.ACTIVE


def test_bounced_subscriber_gets_no_more_mail(client, sent, mailoutbox, reviewer):
    post(
        client,
        {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "MessageID": sent["one@example.com"].message_id,
            "Email": "one@example.com",
            "BouncedAt": "2026-03-01T08:00:00Z",
        },
    )
    mailoutbox.clear()
    from tests import factories

    day = factories.full_digest(status="published")
    sending.start_issue(day.pk)
    sending.send_batch(Mailing.objects.get(digest=day).pk)
    assert [m.to for m in mailoutbox] == [["two@example.com"]]
