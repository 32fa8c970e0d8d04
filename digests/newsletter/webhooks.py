"""Bounces and complaints: the mail provider's reports, through django-anymail's webhooks.

Anymail turns each provider's webhook (``/anymail/<provider>/tracking/``, guarded
by ``ANYMAIL["WEBHOOK_SECRET"]``) into a normalized ``tracking`` event and sends
the ``anymail.signals.tracking`` signal; ``on_tracking`` (connected in
``DigestsConfig.ready``) marks the delivery and stops mail to the address: an
address that bounced or complained is never mailed again (a provider that keeps
sending to such addresses loses its reputation, and the mail of every reader
with it). Other events (delivered, opened, deferred…) are ignored.
"""

import logging

from anymail.signals import EventType, RejectReason
from django.db import transaction
from django.utils import timezone

from digests.models import Delivery, Subscriber

log = logging.getLogger(__name__)

S = Subscriber.State
# A rejection for one of these reasons means the address itself will not take mail.
PERMANENT_REJECTIONS = {RejectReason.BOUNCED, RejectReason.INVALID}
# Stronger states are never replaced by weaker ones: a complaint stays a complaint.
RANK = {S.UNSUBSCRIBED: 1, S.BOUNCED: 2, S.COMPLAINED: 3}


def outcome(event):
    """The subscriber state an event leads to, or None for events that change nothing."""
    if event.event_type == EventType.BOUNCED:
        return S.BOUNCED
    if event.event_type == EventType.REJECTED:
        if event.reject_reason == RejectReason.SPAM:
            return S.COMPLAINED
        if event.reject_reason == RejectReason.UNSUBSCRIBED:
            return S.UNSUBSCRIBED
        return S.BOUNCED if event.reject_reason in PERMANENT_REJECTIONS else None
    if event.event_type == EventType.COMPLAINED:
        return S.COMPLAINED
    if event.event_type == EventType.UNSUBSCRIBED:
        return S.UNSUBSCRIBED
    return None


def on_tracking(sender, event, esp_name, **kwargs):
    """Receiver of ``anymail.signals.tracking``: mark the delivery and the subscriber."""
    state = outcome(event)
    if state is None:
        return
    note = f"{esp_name} {event.event_type}: {event.description or event.mta_response or ''}"
    note = note.strip().rstrip(":")[:300]
    with transaction.atomic():
        delivery = None
        if event.message_id:
            delivery = (
                Delivery.objects.select_for_update()
                .filter(message_id=str(event.message_id))
                .select_related("subscriber")
                .first()
            )
        if delivery is not None:
            subscriber = delivery.subscriber
            if state in (S.BOUNCED, S.COMPLAINED):
                Delivery.objects.filter(pk=delivery.pk).update(state=state, error=note)
        else:
            subscriber = Subscriber.objects.by_address(event.recipient).first()
        if subscriber is None:
            log.info("%s report for an address we do not know: ignored", esp_name)
            return
        if RANK.get(subscriber.state, 0) >= RANK[state]:
            return  # already stopped for as strong a reason
        Subscriber.objects.filter(pk=subscriber.pk).update(
            state=state, state_changed_at=timezone.now(), note=note
        )
    log.info("subscriber %s is now %s (%s)", subscriber.pk, state, esp_name)
