"""Review comments anchored to items, the analysis or the trends (issue 10, point 5).

Each card of the change page shows its open comments (with *Resolve*) and its
resolved ones folded (with *Reopen*); the desk panel lists the whole thread, open
first. Once changes were requested and the digest is back in review, the panel
lists what changed since, item by item, and each changed card says so.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from reversion.models import Version

from digests import history
from digests.briefing.render import labelled_line
from digests.desk.views import _back, _digest, post_only
from digests.models import Digest, DigestEvent, ReviewComment

A = ReviewComment.Anchor
BLOCKS = (A.ANALYSIS, A.TRENDS)
# Compared item by item; a changed position alone (an item moved, or one added above
# it) is no change worth a reviewer's time.
COMPARED = [(name, label) for name, label in history.ITEM_FIELDS if name != "position"]
# Sections and sources are compared by id: a renamed source is no change to an item
# (and a snapshot kept in the cache holds the names of its time).
BY_ID = {"category": "category_id", "source": "source_id"}
SNAPSHOT_SECONDS = 24 * 3600


def card_key(anchor, item_id=None):
    """The key of the card a comment sits on: an item's pk, "analysis", "trends" or None."""
    if anchor == A.ITEM:
        return item_id
    return str(anchor) if anchor in BLOCKS else None


def card_id(anchor, item_id=None):
    """The HTML id of that card (``item-<pk>``, ``block-analysis``, ``block-trends``)."""
    key = card_key(anchor, item_id)
    if key is None:
        return "review-thread"
    return f"item-{key}" if anchor == A.ITEM else f"block-{key}"


def desk_context(request, digest):
    """Open and resolved comments by anchor, and what changed since changes were requested."""
    comments = list(digest.comments.all())
    cards = {}
    for comment in comments:
        key = card_key(comment.anchor, comment.item_id)
        if key is not None:
            card = cards.setdefault(key, {"open": [], "resolved": []})
            card["resolved" if comment.resolved_at else "open"].append(comment)
    return {
        # Open first, each part in the order written.
        "review_thread": sorted(comments, key=lambda c: c.resolved_at is not None),
        "review_open": sum(1 for c in comments if c.resolved_at is None),
        "review_cards": cards,
        "review_changes": changed_since(digest),
        "review_on": _review_on(request, digest),
    }


def _review_on(request, digest):
    """Without scripts, a card's *Comment* link reloads the page with ``?review_on=``."""
    wanted = request.GET.get("review_on", "")
    if wanted in BLOCKS:
        return {"anchor": wanted, "item": "", "label": A(wanted).label}
    if wanted.isdigit():
        for item in digest.items.all():
            if item.pk == int(wanted):
                return {"anchor": A.ITEM, "item": item.pk, "label": item.heading}
    return None


# --- what changed since changes were requested ----------------------------------------


@dataclass
class Change:
    """One entry of the list: an item changed, added or removed, or a closing block."""

    kind: str  # "changed", "added" or "removed"
    title: str
    anchor: str = A.ITEM
    item_id: int | None = None
    fields: list = field(default_factory=list)

    @property
    def card_id(self):
        return card_id(self.anchor, self.item_id) if self.kind != "removed" else ""


@dataclass
class ChangedSince:
    event: DigestEvent
    changes: list

    @cached_property
    def by_card(self):
        """Each changed or added card's entry, keyed as ``card_key``."""
        return {card_key(c.anchor, c.item_id): c for c in self.changes if c.kind != "removed"}


def changed_since(digest):
    """For a digest in review that had changes requested: what changed since that request.

    Compares the version the request recorded with the digest as it is now (its
    items, analysis and trends already fetched): the one version read costs the
    same few queries however many items.
    """
    if digest.status != Digest.Status.REVIEW:
        return None
    requests = [e for e in digest.events.all() if e.action == DigestEvent.Action.REQUEST_CHANGES]
    if not requests:
        return None
    event = max(requests, key=lambda e: (e.created_at, e.pk))
    version = request_version(digest, event)
    if version is None:
        return None
    before, now = cached_snapshot(version, digest.pk), current_snapshot(digest)
    changes = []
    for item_id, item in now.items.items():
        heading = f"{item['topic']}-{item['title']}"
        if item_id not in before.items:
            changes.append(Change("added", heading, item_id=item_id))
            continue
        fields = _changed(before.items[item_id], item)
        if fields:
            changes.append(Change("changed", heading, item_id=item_id, fields=fields))
    for item_id, item in before.items.items():
        if item_id not in now.items:
            changes.append(Change("removed", f"{item['topic']}-{item['title']}"))
    analysis = [
        str(label)
        for label, old, new in (
            (_("title"), before.analysis_title, now.analysis_title),
            (_("paragraphs"), before.paragraphs, now.paragraphs),
        )
        if (old or "") != (new or "")
    ]
    if analysis:
        changes.append(Change("changed", _("Deep analysis"), A.ANALYSIS, fields=analysis))
    trends = [
        str(label)
        for label, old, new in (
            (_("trend points"), before.points, now.points),
            (_("core summary"), before.trends_summary, now.trends_summary),
        )
        if (old or "") != (new or "")
    ]
    if trends:
        changes.append(Change("changed", _("Trend summary"), A.TRENDS, fields=trends))
    return ChangedSince(event, changes)


def request_version(digest, event):
    """The version the request for changes recorded: its transition's own revision.

    Found by time, the last revision opened before the event (django-reversion dates
    a revision when it is opened, before the transition writes; one query, reading no
    other version), and checked against the event's version number; failing that,
    ``history.version_for`` walks the versions.
    """
    version = (
        Version.objects.get_for_object(digest)
        .select_related("revision")
        .filter(revision__date_created__lte=event.created_at)
        .order_by("-revision__date_created", "-pk")
        .first()
    )
    if version is not None and version.field_dict.get("version") == event.version:
        return version
    return history.version_for(digest, event.version or 0)


def cached_snapshot(version, digest_id):
    """A saved version never changes, so its snapshot is kept in the cache a day."""
    key = f"review:snapshot:{version.pk}"
    shot = cache.get(key)
    if shot is None:
        shot = history.snapshot(version.revision, digest_id)
        cache.set(key, shot, SNAPSHOT_SECONDS)
    return shot


def _changed(old, new):
    return [
        str(label)
        for name, label in COMPARED
        if (old.get(BY_ID.get(name, name)) or "") != (new.get(BY_ID.get(name, name)) or "")
    ]


def current_snapshot(digest):
    """The digest as fetched with its contents, shaped as ``history.snapshot`` reads a version."""
    shot = history.Snapshot(digest={"version": digest.version})
    for item in digest.items.all():
        shot.items[item.pk] = {
            "topic": item.topic,
            "title": item.title,
            "body": item.body,
            "url": item.url,
            "image": str(item.image or ""),
            "image_alt": item.image_alt,
            "category_id": item.category_id,
            "source_id": item.source_id,
            "tags": ", ".join(sorted(link.tag.name for link in item.tagged.all())),
        }
    analysis = getattr(digest, "analysis", None)
    if analysis is not None:
        shot.analysis_title = analysis.title
        shot.paragraphs = [labelled_line(p) for p in analysis.paragraphs.all()]
    trends = getattr(digest, "trend_summary", None)
    if trends is not None:
        shot.trends_summary = trends.summary
        shot.points = [labelled_line(p) for p in trends.points.all()]
    return shot


# --- resolve and reopen ------------------------------------------------------------------


def _comment(model_admin, request, object_id, comment_id):
    digest = _digest(model_admin, request, object_id)
    if not request.user.has_perm("digests.add_reviewcomment"):
        raise PermissionDenied
    return get_object_or_404(ReviewComment, pk=comment_id, digest=digest)


def _back_to(comment):
    return _back(comment.digest, "#" + card_id(comment.anchor, comment.item_id))


@post_only
def resolve(model_admin, request, object_id, comment_id):
    """Mark a comment resolved, with who and when; a resolved one stays as it was."""
    comment = _comment(model_admin, request, object_id, comment_id)
    if comment.resolved_at is None:
        comment.resolved_at, comment.resolved_by = timezone.now(), request.user
        comment.save(update_fields=["resolved_at", "resolved_by"])
        messages.success(request, _("The comment is resolved."))
    else:
        messages.info(request, _("The comment was already resolved."))
    return _back_to(comment)


@post_only
def reopen(model_admin, request, object_id, comment_id):
    """Open a resolved comment again."""
    comment = _comment(model_admin, request, object_id, comment_id)
    if comment.resolved_at is not None:
        comment.resolved_at, comment.resolved_by = None, None
        comment.save(update_fields=["resolved_at", "resolved_by"])
        messages.success(request, _("The comment is open again."))
    else:
        messages.info(request, _("The comment was already open."))
    return _back_to(comment)
