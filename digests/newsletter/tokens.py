"""Signed links that stand for a subscriber: an address never appears in a URL.

A token carries the subscriber's random ``key`` and the purpose it was made for,
signed with the site's secret; a token made to confirm cannot unsubscribe, and one
from a confirmation mail stops working after ``NEWSROOM_NEWSLETTER_CONFIRM_DAYS``.
Links in sent mails (preferences, unsubscribe) do not expire: an old mail's
unsubscribe link must keep working.
"""

import datetime

from django.conf import settings
from django.core import signing

from digests.models import Subscriber

SALT = "newsroom.newsletter"
CONFIRM = "confirm"
PREFERENCES = "preferences"
UNSUBSCRIBE = "unsubscribe"
PURPOSES = (CONFIRM, PREFERENCES, UNSUBSCRIBE)


class BadToken(Exception):
    """The link is forged, mangled, made for another purpose, or expired."""


def make(subscriber, purpose):
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    return signing.TimestampSigner(salt=f"{SALT}.{purpose}").sign(subscriber.key.hex)


def load(token, purpose):
    """The subscriber ``token`` stands for, or ``BadToken``."""
    signer = signing.TimestampSigner(salt=f"{SALT}.{purpose}")
    max_age = (
        datetime.timedelta(days=settings.NEWSROOM_NEWSLETTER_CONFIRM_DAYS)
        if purpose == CONFIRM
        else None
    )
    try:
        key = signer.unsign(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise BadToken("expired") from error
    except signing.BadSignature as error:
        raise BadToken("bad signature") from error
    subscriber = Subscriber.objects.filter(key=key).first()
    if subscriber is None:
        raise BadToken("no such subscriber")  # erased since the mail was sent
    return subscriber
