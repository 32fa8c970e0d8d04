"""The image a shared page shows (og:image, twitter:image): the editor's, else the day's card."""

from django import template

from digests import sharing

register = template.Library()


@register.simple_tag(takes_context=True)
def share_image(context, og):
    """The absolute image URL for ``og``: a day's cover image, an item's image, or else
    the share card of the day (``digest`` or ``object.digest`` in the context). No query."""
    item = context.get("item") or context.get("object")
    digest = getattr(item, "digest", None) if item is not None else None
    if digest is None:
        digest = context.get("digest")
        chosen = og.get("image") if digest is not None and digest.cover_image else None
    else:
        chosen = og.get("image") if item.image else None
    if chosen:
        return chosen
    return (sharing.card_url(digest) if digest is not None else None) or og.get("image") or ""
