"""The desk's inbox: the candidates from the sources' feeds, in the admin.

An editor opens it from the desk home, reads today's new candidates (fetched in the last
``INBOX_HOURS`` hours, newest first), and for each one either marks it used or dismissed,
or adds it to today's draft: the section select is preselected by ``guess`` and one button
makes the item, so a candidate becomes an item in two clicks. ``add_to_draft`` is the one
place that turns a candidate into an item; it writes as every other item writer does (a
new digest version, the history, the search and story indexes) and refuses, with a
message for the desk, a day that cannot be edited now.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from digests import history, search, workflow
from digests.briefing import grammar
from digests.ingest import guess
from digests.ingest.inbox_filters import INBOX_HOURS
from digests.models import Candidate, Digest, DigestEvent, EditLock, Item

SUMMARY_SHOWN = 160  # characters of a candidate's summary under its title in the list
State = Candidate.State


class AddRefused(Exception):
    """A candidate that may not become an item now; the message says why, for the desk."""


def todays_new(now=None):
    """The new candidates fetched in the last ``INBOX_HOURS`` hours (the desk home's count)."""
    since = (now or timezone.now()) - datetime.timedelta(hours=INBOX_HOURS)
    return Candidate.objects.filter(state=State.NEW, fetched_at__gte=since)


def mark(candidates, state, user):
    """Mark ``candidates`` (a queryset) used, dismissed or new again, as ``user``; one UPDATE.

    Returns how many changed. Marking leaves a candidate's item alone: an item made
    from it stays in its digest.
    """
    return candidates.exclude(state=state).update(
        state=state, handled_by=user, handled_at=timezone.now()
    )


# --- "add to today's draft" -------------------------------------------------------------


def headline_from(title):
    """A candidate's title as a headline: one line, at most ``MAX_HEADLINE``, no final 。."""
    headline = " ".join(title.split())[: grammar.MAX_HEADLINE].rstrip()
    while headline.endswith(grammar.HEADLINE_END):
        headline = headline[: -len(grammar.HEADLINE_END)].rstrip()
    return headline


def body_from(summary):
    """A candidate's summary as a body: paragraphs as the text format holds them, cut to
    ``MAX_BODY`` characters (the editor reads and rewrites it anyway)."""
    return grammar.normalize_body(grammar.normalize_body(summary)[: grammar.MAX_BODY])


def link_from(link):
    """The candidate's link, when an item can hold it (http(s), at most ``MAX_URL``), else ""."""
    return "" if grammar.url_problems(link) else link


def item_problems(item):
    """What the editor must still fix on an item made from a candidate (empty topic, a
    body that reads as something else…): the same rules the digest's form applies."""
    return [
        *grammar.topic_problems(item.topic),
        *grammar.headline_problems(item.title),
        *grammar.body_problems(item.body, trailer=True),
    ]


def _digest_of(date, user):
    """The digest of ``date``, locked for the write, created as a blank draft if missing.

    Refused when ``user`` may not edit it now: its state (``workflow.can_edit``: an
    editor adds to drafts, a reviewer also to digests in review), someone else's edit
    lock (``digests.desk.locks``), or a full digest (``MAX_ITEMS``).
    """
    digest = Digest.objects.select_for_update().filter(date=date).first()
    if digest is None:
        if not user.has_perm("digests.add_digest"):
            raise AddRefused(_("You may not start the digest of %(date)s.") % {"date": date})
        try:
            with transaction.atomic():  # a savepoint: someone may create it at the same time
                digest = Digest.objects.create(date=date, created_by=user)
        except IntegrityError:
            digest = Digest.objects.select_for_update().get(date=date)
    if not workflow.can_edit(digest, user):
        raise AddRefused(
            _("The digest of %(date)s is %(status)s: you can't add items to it now.")
            % {"date": date.isoformat(), "status": digest.get_status_display()}
        )
    lock = EditLock.objects.select_related("holder").filter(digest=digest).first()
    if lock is not None and lock.holder_id != user.pk:
        raise AddRefused(
            _(
                "%(holder)s holds the edit lock on the digest of %(date)s: ask them to "
                "release it, then add the item."
            )
            % {"holder": lock.holder.get_username(), "date": date.isoformat()}
        )
    return digest


def _place(digest, item):
    """Put ``item`` at the end of its section in the digest (else at the digest's end),
    renumbering the items 1, 2, 3… in one UPDATE; returns the number of items before."""
    rows = list(digest.items.order_by("position", "id").only("pk", "category_id", "position"))
    if len(rows) >= grammar.MAX_ITEMS:
        raise AddRefused(
            _("The digest of %(date)s already holds %(count)d items, the most it may hold.")
            % {"date": digest.date.isoformat(), "count": len(rows)}
        )
    ends = [n for n, row in enumerate(rows, start=1) if row.category_id == item.category_id]
    at = ends[-1] if ends else len(rows)
    ordered = [*rows[:at], item, *rows[at:]]
    moved = []
    for position, row in enumerate(ordered, start=1):
        if row.position != position:
            row.position = position
            moved.append(row)
    return [row for row in moved if row is not item]


def add_to_draft(candidate, category, user, date=None):
    """Make an item of ``candidate`` at the end of ``category`` in the digest of ``date``.

    ``date`` defaults to today in the newsroom's time zone; a missing digest is created
    as a blank draft (as "Create blank" on the desk home does). The headline is the
    candidate's title, the body its summary, the source and link its own, the topic
    ``guess.topic_for`` (possibly empty: the editor fills it). The digest gets a new
    version (others' open pages merge it as any concurrent save) and a history entry;
    the item its search tokens and story bands; the candidate becomes used with its item.
    Raises ``AddRefused`` with the reason when the day can't take the item.
    """
    date = date or timezone.localdate()
    if not (user.has_perm("digests.add_item") and user.has_perm("digests.change_candidate")):
        raise AddRefused(_("You may not add items from the inbox."))
    if not category.is_active:
        raise AddRefused(
            _("The section “%(name)s” is no longer offered for new items; pick another.")
            % {"name": category.name}
        )
    with transaction.atomic(), history.revision():
        locked = Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
        if locked is None:
            raise AddRefused(_("This candidate is gone (candidates are kept 30 days)."))
        if locked.item_id is not None:
            made = Item.objects.select_related("digest").get(pk=locked.item_id)
            raise AddRefused(
                _("“%(title)s” is already an item of the digest of %(date)s.")
                % {"title": locked.title, "date": made.digest.date.isoformat()}
            )
        digest = _digest_of(date, user)
        item = Item(
            digest=digest,
            category=category,
            topic=guess.topic_for(locked.source_id, category, date),
            title=headline_from(locked.title),
            body=body_from(locked.summary),
            source_id=locked.source_id,
            url=link_from(locked.link),
        )
        moved = _place(digest, item)
        if moved:
            Item.objects.bulk_update(moved, ["position"])
        item.save()
        Digest.objects.filter(pk=digest.pk).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        digest.refresh_from_db(fields=["version", "updated_at"])
        search.index_items([item])  # the search tokens, and the story index through them
        history.record(
            digest,
            user,
            _("Added from the inbox: %(heading)s") % {"heading": item.heading},
            action=DigestEvent.Action.SAVE,
        )
        Candidate.objects.filter(pk=locked.pk).update(
            state=State.USED, item=item, handled_by=user, handled_at=timezone.now()
        )
    candidate.state, candidate.item = State.USED, item
    return item


# --- the admin ----------------------------------------------------------------------------
