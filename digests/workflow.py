"""Every status change of a digest, in one place.

The admin's buttons, the management commands (``import_digest --publish``,
``publish_due``), the scheduler's task and any future API call ``perform`` (or
the small wrappers below it). Each transition is checked against the digest's
current state and the actor's permission, runs the edition checks, changes the
digest under a row lock, records who did what in the digest's history, and
only after the transaction commits sends notifications and clears the public
cache. A refused transition raises a ``WorkflowError`` and changes nothing.

``actor=None`` is the system: the scheduler, or a command run by someone with
shell access to the server. It has every permission.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digests import edition, history, public_cache, search, sharing
from digests.desk import locks
from digests.models import Correction, Digest, DigestEvent, ReviewComment
from digests.trends import counts as trend_counts

S = Digest.Status
A = DigestEvent.Action


class WorkflowError(Exception):
    """A status change that was refused; the message says why, for the desk."""


class TransitionNotAllowed(WorkflowError):
    """The digest is not in a state this transition starts from."""


class NotPermitted(WorkflowError, PermissionDenied):
    """The person may not make this transition (shown to them, and a 403 for forged requests)."""


class NoteRequired(WorkflowError):
    """A comment or reason is required and was empty."""


class ChecksFailed(WorkflowError):
    """Required edition checks failed; ``results`` holds them."""

    def __init__(self, message, results):
        super().__init__(message)
        self.results = results


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple
    target: str
    permission: str | None
    action: str
    forward: bool = False  # brings the digest closer to readers: required checks block it
    note: str | None = None  # "comment" or "reason" when one is required
    system_only: bool = False
    revokes_share_links: bool = False  # the digest's share links stop working

    def allows(self, status):
        return status in self.sources

    @property
    def changes_public_site(self):
        """Whether readers see a difference: the digest becomes, or stops being, public."""
        return S.PUBLISHED in (self.target, *self.sources)


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit",
            gettext_lazy("Submit for review"),
            (S.DRAFT,),
            S.REVIEW,
            "digests.submit_digest",
            A.SUBMIT,
            forward=True,
        ),
        Transition(
            "request_changes",
            gettext_lazy("Request changes"),
            (S.REVIEW,),
            S.DRAFT,
            "digests.review_digest",
            A.REQUEST_CHANGES,
            note="comment",
        ),
        Transition(
            "publish",
            gettext_lazy("Approve and publish now"),
            (S.REVIEW,),
            S.PUBLISHED,
            "digests.publish_digest",
            A.PUBLISH,
            forward=True,
        ),
        Transition(
            "schedule",
            gettext_lazy("Approve and schedule"),
            (S.REVIEW,),
            S.SCHEDULED,
            "digests.publish_digest",
            A.SCHEDULE,
            forward=True,
        ),
        Transition(
            "reschedule",
            gettext_lazy("Reschedule"),
            (S.SCHEDULED,),
            S.SCHEDULED,
            "digests.publish_digest",
            A.RESCHEDULE,
        ),
        Transition(
            "unschedule",
            gettext_lazy("Cancel the schedule"),
            (S.SCHEDULED,),
            S.REVIEW,
            "digests.publish_digest",
            A.UNSCHEDULE,
        ),
        Transition(
            "publish_scheduled",
            gettext_lazy("Publish on schedule"),
            (S.SCHEDULED,),
            S.PUBLISHED,
            None,
            A.PUBLISH_SCHEDULED,
            forward=True,
            system_only=True,
        ),
        Transition(
            "withdraw",
            gettext_lazy("Withdraw"),
            (S.PUBLISHED,),
            S.UNPUBLISHED,
            "digests.withdraw_digest",
            A.WITHDRAW,
            note="reason",
            revokes_share_links=True,
        ),
        Transition(
            "republish",
            gettext_lazy("Republish"),
            (S.UNPUBLISHED,),
            S.PUBLISHED,
            "digests.publish_digest",
            A.REPUBLISH,
            forward=True,
        ),
        Transition(
            "reopen",
            gettext_lazy("Reopen for editing"),
            (S.UNPUBLISHED,),
            S.DRAFT,
            "digests.withdraw_digest",
            A.REOPEN,
        ),
    ]
}

# The transitions that set the time a digest goes public (they take ``publish_at``).
SCHEDULING = ("schedule", "reschedule")

# States in which the content may be edited, and the permission that allows it.
EDITABLE = {S.DRAFT: "digests.change_digest", S.REVIEW: "digests.review_digest"}


def can_edit(digest, user):
    """Whether ``user`` may change the digest's content in its current state."""
    permission = EDITABLE.get(digest.status)
    return bool(
        permission and user.has_perm("digests.change_digest") and user.has_perm(permission)
    )


def may(user, transition):
    if transition.system_only:
        return user is None
    return user is None or user.has_perm(transition.permission)


def available(digest, user):
    """The transitions ``user`` may make now: the buttons to show."""
    return [t for t in TRANSITIONS.values() if t.allows(digest.status) and may(user, t)]


def _check(digest, transition, user):
    """Who first, then when: a forged request is a 403 whatever state the digest is in."""
    if not may(user, transition):
        raise NotPermitted(
            _("You may not “%(action)s” (it needs the permission %(perm)s).")
            % {"action": transition.label, "perm": transition.permission or "system"}
        )
    if not transition.allows(digest.status):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible: the digest of %(date)s is %(status)s.")
            % {
                "action": transition.label,
                "date": digest.date.isoformat(),
                "status": digest.get_status_display(),
            }
        )


def _record(digest, transition, actor, note, source):
    return DigestEvent.objects.create(
        digest=digest,
        action=transition.action,
        from_status=source,
        to_status=transition.target,
        actor=actor,
        note=note,
        version=digest.version,
    )


def perform(digest, name, user=None, *, note="", publish_at=None, now=None):
    """Make the transition ``name`` on ``digest`` as ``user``; return the updated digest.

    Raises ``TransitionNotAllowed``, ``NotPermitted``, ``NoteRequired`` or
    ``ChecksFailed`` (all ``WorkflowError``), and then nothing has changed.
    """
    transition = TRANSITIONS[name]
    now = now or timezone.now()
    note = (note or "").strip()
    with transaction.atomic(), history.revision():
        locked = Digest.objects.select_for_update().get(pk=digest.pk)
        _check(locked, transition, user)
        if transition.note and not note:
            raise NoteRequired(
                _("Write a comment for the editor.")
                if transition.note == "comment"
                else _("Give the reason readers and the desk will see in the history.")
            )
        if name in SCHEDULING and (publish_at is None or publish_at <= now):
            raise WorkflowError(_("Choose a time in the future to publish at."))
        if name == "publish_scheduled" and locked.publish_at > now:
            raise TransitionNotAllowed(
                _("The digest of %(date)s is scheduled for later.")
                % {"date": locked.date.isoformat()}
            )
        results = edition.run_checks(Digest.objects.with_contents().get(pk=locked.pk))
        failed = [r for r in results if r.blocks]
        if transition.forward and failed:
            problems = "; ".join(p for r in failed for p in r.problems)
            raise ChecksFailed(
                _("Not ready: %(problems)s") % {"problems": problems}, results=failed
            )

        source = locked.status
        locked.status = transition.target
        locked.version += 1
        if transition.target == S.PUBLISHED:
            locked.published_at = locked.published_at or now
        locked.publish_at = publish_at if name in SCHEDULING else None
        locked.save(
            update_fields=["status", "version", "published_at", "publish_at", "updated_at"]
        )
        if transition.revokes_share_links:
            locked.preview_links.filter(revoked_at=None).update(revoked_at=now)
        event = _record(locked, transition, user, note, source)
        locks.after_transition(locked, transition, user)
        history.record(locked, user, transition.label)
        if transition.note == "comment":
            ReviewComment.objects.create(
                digest=locked, author=user, kind=ReviewComment.Kind.CHANGES, body=note
            )
        _after_commit(locked, event, transition)
    for field in ("status", "version", "published_at", "publish_at"):
        setattr(digest, field, getattr(locked, field))
    return digest


def _after_commit(digest, event, transition):
    """What follows a transition: the public generation in its transaction; once it is
    committed, mail and the schedule."""
    from digests import tasks

    if transition.action in tasks.NOTIFY:
        transaction.on_commit(lambda: tasks.send_notifications.enqueue(event_id=event.pk))
    if transition.changes_public_site:
        # Commits with the change: no cache failure can lose it. A digest leaving the
        # site (a withdrawal) raises the floor: no page built before is served again.
        public_cache.changed(removes=transition.target != S.PUBLISHED, digest=digest)
        # /trends/' counts of the day, rewritten in the same transaction (digests/trends).
        trend_counts.recount_digest(digest)
        # The day's share card drawn by the worker, or its files removed (digests/sharing).
        sharing.after_change(digest, published=transition.target == S.PUBLISHED)
    _newsletter(digest, transition)
    if transition.name in SCHEDULING:
        # A rescheduled digest's earlier task finds another time and leaves it alone.
        transaction.on_commit(
            lambda: tasks.publish_scheduled_digest.using(run_after=digest.publish_at).enqueue(
                digest_id=digest.pk, publish_at=digest.publish_at.isoformat()
            )
        )


def _newsletter(digest, transition):
    """The briefing by e-mail: every transition into published starts (or resumes) the
    day's mailing once committed; a withdrawal stops, in its own transaction, whatever
    has not been sent (digests/newsletter/sending.py)."""
    from digests import tasks
    from digests.newsletter import sending

    if transition.target == S.PUBLISHED and S.PUBLISHED not in transition.sources:
        digest_id = digest.pk
        transaction.on_commit(lambda: tasks.newsletter_start_issue.enqueue(digest_id=digest_id))
    elif S.PUBLISHED in transition.sources and transition.target != S.PUBLISHED:
        sending.cancel_unsent(digest)


# --- the named transitions -----------------------------------------------------------


def submit(digest, user=None):
    """Send a draft to the reviewers."""
    return perform(digest, "submit", user)


def request_changes(digest, user, comment):
    """Send a digest in review back to its editor, with a required comment."""
    return perform(digest, "request_changes", user, note=comment)


def publish(digest, user=None):
    """Approve a digest in review and publish it now."""
    return perform(digest, "publish", user)


def schedule(digest, user, publish_at):
    """Approve a digest in review for publication at ``publish_at``."""
    return perform(digest, "schedule", user, publish_at=publish_at)


def withdraw(digest, user, reason):
    """Take a published digest off the public site, with a required reason."""
    return perform(digest, "withdraw", user, note=reason)


def publish_due(now=None):
    """Publish every scheduled digest whose time has come; returns those published.

    Safe to run at any time and any number of times: a digest that is no longer
    scheduled, or not yet due, is left alone.
    """
    now = now or timezone.now()
    published = []
    for digest in Digest.objects.filter(status=S.SCHEDULED, publish_at__lte=now).order_by("date"):
        try:
            published.append(perform(digest, "publish_scheduled", None, now=now))
        except TransitionNotAllowed:
            continue  # published or unscheduled by someone else meanwhile
    return published


def publish_if_due(digest_id, publish_at, now=None):
    """The scheduler's task: publish if the digest is still scheduled for ``publish_at``.

    Returns what happened, for the task's result; a digest rescheduled or
    unscheduled since the task was queued is left to its newer schedule.
    """
    now = now or timezone.now()
    expected = datetime.datetime.fromisoformat(publish_at)
    digest = Digest.objects.filter(pk=digest_id).first()
    if digest is None:
        return "gone"
    if digest.status != S.SCHEDULED or digest.publish_at != expected:
        return "not scheduled for this time"
    try:
        perform(digest, "publish_scheduled", None, now=now)
    except TransitionNotAllowed:
        return "already handled"
    return "published"


# --- corrections --------------------------------------------------------------------


def add_correction(item, user, note):
    """Add a dated correction to an item of a published digest; readers see it at once."""
    note = (note or "").strip()
    if user is not None and not user.has_perm("digests.add_correction"):
        raise NotPermitted(_("You may not add corrections."))
    if not note:
        raise NoteRequired(_("Write the correction readers will see."))
    with transaction.atomic():
        digest = Digest.objects.select_for_update().get(pk=item.digest_id)
        if digest.status != S.PUBLISHED:
            raise TransitionNotAllowed(
                _("Corrections are for published digests; edit the %(status)s digest instead.")
                % {"status": digest.get_status_display()}
            )
        correction = Correction.objects.create(item=item, note=note, author=user)
        digest.version += 1
        digest.save(update_fields=["version", "updated_at"])
        DigestEvent.objects.create(
            digest=digest,
            action=A.CORRECT,
            from_status=digest.status,
            to_status=digest.status,
            actor=user,
            note=f"{item.heading}: {note}",
            version=digest.version,
        )
        public_cache.changed(digest=digest)  # may be served stale until refreshed
        sharing.after_change(digest, published=True)  # the card of the new version
    return correction


# --- restoring a saved version ------------------------------------------------------------

RESTORABLE = (S.DRAFT, S.REVIEW)


def restore(digest, version, user):
    """Bring back an earlier saved version's content as a new draft version.

    The items, analysis and trend summary become those of ``version``; the
    digest returns to draft (from draft or review), and the restore is itself
    saved as a new version, so nothing is lost and it can be undone.
    """
    import reversion

    if user is not None and not can_edit(digest, user):
        raise NotPermitted(_("You may not edit this digest now."))
    with transaction.atomic(), history.revision():
        locked = Digest.objects.select_for_update().get(pk=digest.pk)
        if locked.status not in RESTORABLE:
            raise TransitionNotAllowed(
                _("Only a draft or a digest in review can be restored; this one is %(status)s.")
                % {"status": locked.get_status_display()}
            )
        if version.object_id != str(locked.pk):
            raise WorkflowError(_("That version belongs to another digest."))
        keep = {
            name: getattr(locked, name)
            for name in ("date", "created_by_id", "created_at", "published_at")
        }
        source = locked.status
        version.revision.revert(delete=True)
        Digest.objects.filter(pk=locked.pk).update(
            **keep, status=S.DRAFT, publish_at=None, version=locked.version + 1
        )
        restored = Digest.objects.get(pk=locked.pk)
        # The version's items come back with the tokens of their day's tokenizer.
        search.reindex_digest(restored)
        history.record(restored, user)
        when = timezone.localtime(version.revision.date_created)
        reversion.set_comment(
            _("Restored the version saved on %(when)s") % {"when": f"{when:%Y-%m-%d %H:%M}"}
        )
        DigestEvent.objects.create(
            digest=restored,
            action=A.RESTORE,
            from_status=source,
            to_status=S.DRAFT,
            actor=user,
            note=_("version of %(when)s") % {"when": f"{when:%Y-%m-%d %H:%M}"},
            version=restored.version,
        )
    return restored
