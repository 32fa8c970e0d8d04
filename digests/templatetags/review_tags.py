"""Template helpers for review on the digest's change page (``digests.desk.review``)."""

from django import template

from digests.desk.review import card_id, card_key
from digests.models import ReviewComment

register = template.Library()


@register.simple_tag
def review_card(desk, anchor, item=None):
    """What one card shows of the review: its comments and what changed since the request.

    ``None`` where there is nothing to show: no desk (a new digest) or an item not saved yet.
    """
    if not desk or "review_cards" not in desk:
        return None
    item_id = getattr(item, "pk", None)
    key = card_key(anchor, item_id)
    if key is None:
        return None
    comments = desk["review_cards"].get(key, {})
    changes = desk["review_changes"]
    return {
        "key": key,
        "id": card_id(anchor, item_id),
        "open": comments.get("open", ()),
        "resolved": comments.get("resolved", ()),
        "changed": changes.by_card.get(key) if changes else None,
        # The comment box says what it is about: the item's heading comes from its card.
        "label": "" if item_id else ReviewComment.Anchor(anchor).label,
    }
