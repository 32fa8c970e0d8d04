"""Presence and edit locks on a digest's page (issue 10, point 4).

Each open change page sends a heartbeat every few seconds; the answer says who
else has the page open (and whether their form differs from the saved digest)
and who holds the edit lock. A lock makes the page read-only for everyone but
its holder; the holder releases it, a reviewer may take it over with a note,
and a digest leaving the editable states releases it. Every lock, release and
take-over is a line in the digest's activity log.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from digests import workflow
from digests.models import Digest, DigestEvent, EditLock, Presence

# A page not heard from for this long has been closed (its heartbeat runs every 15 s).
PRESENCE_SECONDS = 45
HEARTBEAT_SECONDS = 15
NOTE_MAX = EditLock._meta.get_field("note").max_length

_CACHE = "_newsroom_edit_locks"


def current_lock(request, digest):
    """The digest's edit lock (or None), read once per request."""
    cache = request.__dict__.setdefault(_CACHE, {})
    if digest.pk not in cache:
        cache[digest.pk] = EditLock.objects.select_related("holder").filter(digest=digest).first()
    return cache[digest.pk]


def held_by_other(request, digest):
    """Whether someone other than the person asking holds the digest's edit lock."""
    lock = current_lock(request, digest)
    return lock is not None and lock.holder_id != request.user.pk


def _when(moment):
    return time_format(timezone.localtime(moment), "H:i")


def lock_state(lock, user):
    """The lock as the page's script reads it (None when the digest is not locked)."""
    if lock is None:
        return None
    return {
        "holder": lock.holder.get_username(),
        "mine": lock.holder_id == user.pk,
        "since": timezone.localtime(lock.locked_at).isoformat(),
        "since_label": _when(lock.locked_at),
        "note": lock.note,
    }


def present(digest, user, now=None):
    """The others whose page on the digest sent a heartbeat in the last ``PRESENCE_SECONDS``."""
    now = now or timezone.now()
    rows = (
        Presence.objects.filter(
            digest=digest, seen_at__gte=now - datetime.timedelta(seconds=PRESENCE_SECONDS)
        )
        .exclude(user=user)
        .select_related("user")
        .order_by("user__username")
    )
    return [
        {
            "username": row.user.get_username(),
            "editing": row.editing,
            "seen_at": timezone.localtime(row.seen_at).isoformat(),
        }
        for row in rows
    ]


def desk_context(request, digest):
    """Who else has the page open, and who holds the lock, for the page's first paint."""
    user = request.user
    lock = current_lock(request, digest)
    can_edit = workflow.can_edit(digest, user)
    return {
        "live_lock": lock,
        "live_lock_state": lock_state(lock, user),
        "live_others": present(digest, user),
        "live_can_lock": can_edit,
        "live_can_take_over": can_edit and user.has_perm("digests.review_digest"),
        "live_heartbeat_url": reverse("admin:digests_digest_presence", args=[digest.pk]),
        "live_lock_url": reverse("admin:digests_digest_lock", args=[digest.pk]),
        "live_unlock_url": reverse("admin:digests_digest_unlock", args=[digest.pk]),
        "live_take_over_url": reverse("admin:digests_digest_take_over", args=[digest.pk]),
        "live_note_max": NOTE_MAX,
        "live_heartbeat_seconds": HEARTBEAT_SECONDS,
        "live_messages": messages_for_script(),
    }


def messages_for_script():
    """What the page's script says, translated here; ``{name}`` marks are filled in there."""
    return {
        "autosaved": _("Autosaved {time}"),
        "saving": _("Autosaving…"),
        "offline": _("Not autosaved: can't reach the server, retrying"),
        "refused": _("Not autosaved: you can no longer edit this digest."),
        "too_large": _("Not autosaved: the form is too large. Save the digest to keep your work."),
        "pending": _(
            "Not autosaved yet: restore or discard your earlier unsaved work first (this "
            "browser keeps a copy meanwhile)."
        ),
        "editing": _("editing"),
        "also_editing": _(
            "{names} is also editing this digest. Saving at the same time makes the second "
            "save merge or stop on conflicts: agree who edits, or lock the digest for editing."
        ),
        "locked_other": _(
            "{holder} holds the edit lock: your save will be refused. Your work is kept in "
            "your working copy."
        ),
        "taken_over": _(
            "Your edit lock was taken over by {holder}: {note}. Your unsaved work is kept in "
            "your working copy; saving now will be refused."
        ),
        "released": _("The edit lock was released: reload the page to edit."),
        "local_copy": _(
            "You have unsaved work from {time} in this browser (opened at version {version})."
        ),
        "restored": _("Your unsaved work is back in the form. Save to keep it."),
    }


def check_save(digest, user):
    """Raise ``ValidationError`` when someone else holds the digest's edit lock.

    Called by ``DigestForm.clean`` on the locked row, before the save.
    """
    lock = EditLock.objects.select_related("holder").filter(digest=digest).first()
    if lock is None or user is None or lock.holder_id == user.pk:
        return
    raise ValidationError(
        _(
            "Not saved: %(holder)s holds the edit lock (since %(since)s). Your text is still "
            "below and in your working copy; ask them to release the lock, or a reviewer to "
            "take it over."
        ),
        params={"holder": lock.holder.get_username(), "since": _when(lock.locked_at)},
        code="locked",
    )


def after_transition(digest, transition, user):
    """Called by ``workflow.perform`` inside its transaction, after the status changed.

    A digest that leaves the editable states (scheduled, published…) has nothing
    left to lock: its lock is released, with a line saying why.
    """
    if digest.status in workflow.EDITABLE:
        return
    deleted, _rows = EditLock.objects.filter(digest=digest).delete()
    if deleted:
        DigestEvent.objects.create(
            digest=digest,
            action=DigestEvent.Action.UNLOCK,
            actor=user,
            note=_("released because the digest is now %(status)s")
            % {"status": digest.get_status_display()},
            version=digest.version,
        )


# --- the views ----------------------------------------------------------------------


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _digest(model_admin, request, object_id, queryset=None):
    digest = get_object_or_404(
        queryset if queryset is not None else Digest.objects.all(), pk=object_id
    )
    if not model_admin.has_view_or_change_permission(request, digest):
        raise PermissionDenied
    return digest


def _answer(request, digest, lock, message="", level=messages.SUCCESS, status=200):
    """JSON for the page's script, or a redirect back to the page with a message."""
    if _wants_json(request):
        return JsonResponse(
            {"ok": status == 200, "message": message, "lock": lock_state(lock, request.user)},
            status=status,
        )
    if message:
        messages.add_message(request, level, message)
    return redirect(reverse("admin:digests_digest_change", args=[digest.pk]) + "#desk")


def heartbeat(model_admin, request, object_id):
    """An open page says it is still there (``editing``: its form differs from the
    saved digest) or that it is leaving (``left``); the answer: others and the lock."""
    if refused := _post_only(request):
        return refused
    digest = _digest(
        model_admin,
        request,
        object_id,
        # The lock comes with the digest: one query for both.
        Digest.objects.select_related("edit_lock__holder"),
    )
    user = request.user
    if request.POST.get("left"):
        Presence.objects.filter(digest=digest, user=user).delete()
        return JsonResponse({"ok": True})
    now = timezone.now()
    Presence.objects.bulk_create(
        [
            Presence(
                digest=digest,
                user=user,
                seen_at=now,
                editing=request.POST.get("editing") in {"1", "true"},
            )
        ],
        update_conflicts=True,
        unique_fields=["digest", "user"],
        update_fields=["seen_at", "editing"],
    )
    try:
        lock = digest.edit_lock
    except EditLock.DoesNotExist:
        lock = None
    return JsonResponse(
        {
            "ok": True,
            "others": present(digest, user, now),
            "lock": lock_state(lock, user),
            "version": digest.version,
            "every": HEARTBEAT_SECONDS,
        }
    )


def lock(model_admin, request, object_id):
    """Lock for editing: the page is read-only for everyone else until released."""
    if refused := _post_only(request):
        return refused
    digest = _digest(model_admin, request, object_id)
    user = request.user
    if not workflow.can_edit(digest, user):
        raise PermissionDenied
    note = request.POST.get("note", "").strip()[:NOTE_MAX]
    with transaction.atomic():
        digest = Digest.objects.select_for_update().get(pk=digest.pk)
        held = EditLock.objects.select_related("holder").filter(digest=digest).first()
        if held is not None:
            if held.holder_id == user.pk:
                return _answer(request, digest, held, _("You already hold the edit lock."))
            return _answer(
                request,
                digest,
                held,
                _("%(holder)s already holds the edit lock.")
                % {"holder": held.holder.get_username()},
                messages.ERROR,
                status=409,
            )
        held = EditLock.objects.create(digest=digest, holder=user, note=note)
        DigestEvent.objects.create(
            digest=digest,
            action=DigestEvent.Action.LOCK,
            actor=user,
            note=note,
            version=digest.version,
        )
    return _answer(
        request, digest, held, _("You hold the edit lock: others can read the digest only.")
    )


def release(model_admin, request, object_id):
    """The holder releases the edit lock."""
    if refused := _post_only(request):
        return refused
    digest = _digest(model_admin, request, object_id)
    user = request.user
    with transaction.atomic():
        held = EditLock.objects.select_for_update().filter(digest=digest).first()
        if held is None:
            return _answer(request, digest, None, _("The digest is not locked."), messages.INFO)
        if held.holder_id != user.pk:
            raise PermissionDenied
        held.delete()
        DigestEvent.objects.create(
            digest=digest, action=DigestEvent.Action.UNLOCK, actor=user, version=digest.version
        )
    return _answer(request, digest, None, _("The edit lock is released."))


def take_over(model_admin, request, object_id):
    """A reviewer takes someone else's edit lock, with a note the former holder reads."""
    if refused := _post_only(request):
        return refused
    digest = _digest(model_admin, request, object_id)
    user = request.user
    if not (workflow.can_edit(digest, user) and user.has_perm("digests.review_digest")):
        raise PermissionDenied
    note = request.POST.get("note", "").strip()
    if not note:
        return _answer(
            request,
            digest,
            current_lock(request, digest),
            _("Say why you take over the lock: the note is required."),
            messages.ERROR,
            status=400,
        )
    note = note[:NOTE_MAX]
    with transaction.atomic():
        held = (
            EditLock.objects.select_for_update().select_related("holder").filter(digest=digest)
        ).first()
        if held is None:
            held = EditLock(digest=digest)
            former = None
        elif held.holder_id == user.pk:
            return _answer(request, digest, held, _("You already hold the edit lock."))
        else:
            former = held.holder.get_username()
        held.holder, held.locked_at, held.note = user, timezone.now(), note
        held.save()
        DigestEvent.objects.create(
            digest=digest,
            action=DigestEvent.Action.TAKE_OVER if former else DigestEvent.Action.LOCK,
            actor=user,
            note=_("from %(holder)s: %(note)s") % {"holder": former, "note": note}
            if former
            else note,
            version=digest.version,
        )
    return _answer(
        request,
        digest,
        held,
        _("You hold the edit lock now; %(holder)s's page says so at its next heartbeat.")
        % {"holder": former}
        if former
        else _("You hold the edit lock: others can read the digest only."),
    )
