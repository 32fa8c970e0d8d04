"""Sharing a day: its share card image (``card``) and its WeChat-ready copy (``wechat``).

The services every caller uses: the workflow queues ``make_card`` after a digest is
published or corrected and removes the cards when it leaves the site; the card's
address answers from the kept file, or draws it on the first request.
"""

import logging

from django.db import transaction
from django.urls import reverse

from digests import seo
from digests.sharing import card

log = logging.getLogger(__name__)


def card_path(digest):
    """The card's address on the site (relative); ``card_url`` checks publication."""
    d = digest.date
    return reverse("digests:share-card", kwargs={"year": d.year, "month": d.month, "day": d.day})


def card_url(digest):
    """The absolute address of a published day's share card, or ``None``. No query."""
    if not digest.is_published:
        return None
    return seo.absolute(card_path(digest))


def make_card(digest):
    """Draw and keep the card of the digest's current version (one query, for the titles)."""
    titles = list(digest.items.order_by("position", "id").values_list("title", flat=True))
    return card.write(digest.date, digest.version, digest.title, titles)


def after_change(digest, published):
    """Once the transaction commits: queue the day's card, or remove its files.

    ``published`` says whether the digest is public after the change. Neither the
    queue nor the files may break publishing: a failure is logged and the card's
    address draws the card itself when it is next asked for.
    """
    from digests import tasks

    digest_id, date = digest.pk, digest.date

    def queue():
        tasks.draw_share_card.enqueue(digest_id=digest_id)

    def remove():
        card.remove(date)

    transaction.on_commit(queue if published else remove, robust=True)
