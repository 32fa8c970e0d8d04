"""Autosave: each editor's open form kept server-side as a working copy (issue 10, point 3).

The page's script posts the form's fields every few seconds when they changed;
they are kept per person and digest (``WorkingCopy``), never written into the
digest. When the person opens the page again and the copy differs from what the
page shows, the page offers it back (restore or discard). A successful save
spends the copy; a closed tab, a crash or a refused save leaves it.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from digests import workflow
from digests.desk import locks
from digests.models import Digest, WorkingCopy

# The largest autosave accepted: a 100-item digest's form is about 150 KB.
MAX_BYTES = 512 * 1024

# How often an open page posts its form when it changed.
AUTOSAVE_SECONDS = 5

# Fields that say how the form is built, not what it says: left out of comparisons.
_STRUCTURE = ("base_version", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


def _editable_digest(model_admin, request, object_id):
    digest = get_object_or_404(Digest.objects.only("pk", "status", "version"), pk=object_id)
    if not (
        workflow.can_edit(digest, request.user)
        and model_admin.has_change_permission(request, digest)
    ):
        raise PermissionDenied
    return digest


def desk_context(request, digest):
    """What the change page needs to offer a working copy back, and to autosave."""
    if not workflow.can_edit(digest, request.user) or (
        request.method == "GET" and locks.held_by_other(request, digest)
    ):
        return {"live_autosave": False}
    context = {
        "live_autosave": True,
        "live_autosave_url": reverse("admin:digests_digest_autosave", args=[digest.pk]),
        "live_discard_url": reverse("admin:digests_digest_autosave_discard", args=[digest.pk]),
        "live_max_bytes": MAX_BYTES,
        "live_autosave_seconds": AUTOSAVE_SECONDS,
    }
    if request.method != "GET":  # a refused save shows the posted text: nothing to offer
        return context
    copy = WorkingCopy.objects.filter(digest=digest, user=request.user).first()
    if copy is not None:
        context.update(
            live_copy=copy,
            live_copy_stale=copy.base_version < digest.version,
            live_copy_json={
                "data": copy.data,
                "labels": copy.labels,
                "base_version": copy.base_version,
                "saved_at": timezone.localtime(copy.saved_at).isoformat(),
            },
        )
    return context


def normalised(data):
    """A form's fields (name → list of values) as compared: plain line breaks, no empty
    values, and none of the fields that only describe the form's structure."""
    result = {}
    for name, values in data.items():
        if name.endswith(_STRUCTURE) or "__prefix__" in name:
            continue
        if not isinstance(values, list):
            values = [values]
        values = [str(v).replace("\r\n", "\n").replace("\r", "\n") for v in values]
        values = [v for v in values if v.strip()]
        if values:
            result[name] = values
    return result


def form_fields(forms):
    """The fields the given (unbound or bound) forms show, as a browser would send them."""
    data = {}
    for form in forms:
        for bound in form:
            widget = bound.field.widget
            if getattr(widget, "input_type", None) == "file":
                continue
            value = bound.value()
            if getattr(widget, "check_test", None) is not None:  # a checkbox
                if widget.check_test(value):
                    data[bound.html_name] = ["on"]
                continue
            if getattr(widget, "allow_multiple_selected", False):
                data[bound.html_name] = [str(v) for v in value or []]
                continue
            shown = widget.format_value(value)
            if isinstance(shown, list | tuple):  # a select: its chosen values
                data[bound.html_name] = [str(v) for v in shown]
            else:
                data[bound.html_name] = ["" if shown is None else str(shown)]
    return data


def page_differs(copy, adminform, inline_admin_formsets):
    """Whether a working copy says something else than the change page's form."""
    forms = [adminform.form]
    for inline in inline_admin_formsets:
        forms.extend([inline.formset.management_form, *inline.formset.forms])
    return normalised(copy.data) != normalised(form_fields(forms))


def _payload(request):
    if request.content_type == "application/json":
        body = json.loads(request.body)
        if not isinstance(body, dict):
            raise ValueError
        return body.get("data") or {}, body.get("labels") or {}, body.get("base_version")
    # A form post: what the page sends as a beacon when it is closed.
    data = {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}
    base = (data.pop("base_version", None) or [None])[0]
    labels = json.loads((data.pop("_labels", None) or ["{}"])[0])
    return data, labels, base


def autosave(model_admin, request, object_id):
    """Keep the posted form as the person's working copy; answer when it was kept."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    digest = _editable_digest(model_admin, request, object_id)
    length = request.headers.get("Content-Length") or "0"
    declared = int(length) if length.isdigit() else 0
    json_body = request.content_type == "application/json"
    if declared > MAX_BYTES or (json_body and len(request.body) > MAX_BYTES):
        return JsonResponse(
            {
                "ok": False,
                "error": _(
                    "Not autosaved: the form is larger than %(limit)d KB. Save the digest to "
                    "keep your work."
                )
                % {"limit": MAX_BYTES // 1024},
            },
            status=413,
        )
    try:
        data, labels, base = _payload(request)
        base = int(base) if base not in (None, "") else digest.version
    except (ValueError, TypeError):
        return JsonResponse(
            {"ok": False, "error": _("Not autosaved: unreadable form.")}, status=400
        )
    if not isinstance(data, dict) or not isinstance(labels, dict):
        return JsonResponse(
            {"ok": False, "error": _("Not autosaved: unreadable form.")}, status=400
        )
    data.pop("csrfmiddlewaretoken", None)
    data.pop("base_version", None)
    now = timezone.now()
    WorkingCopy.objects.bulk_create(
        [
            WorkingCopy(
                digest=digest,
                user=request.user,
                data=data,
                labels=labels,
                base_version=max(base, 0),
                saved_at=now,
            )
        ],
        update_conflicts=True,
        unique_fields=["digest", "user"],
        update_fields=["data", "labels", "base_version", "saved_at"],
    )
    return JsonResponse(
        {
            "ok": True,
            "saved_at": timezone.localtime(now).isoformat(),
            "saved_at_label": timezone.localtime(now).strftime("%H:%M:%S"),
            "version": digest.version,
        }
    )


def discard(model_admin, request, object_id):
    """Throw away the person's working copy of the digest."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    digest = get_object_or_404(Digest.objects.only("pk"), pk=object_id)
    if not model_admin.has_view_or_change_permission(request, digest):
        raise PermissionDenied
    discard_for(digest, request.user)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": True})
    messages.info(request, _("Your unsaved work was discarded."))
    return redirect(reverse("admin:digests_digest_change", args=[digest.pk]))


def discard_for(digest, user):
    """After a successful save: the person's working copy of the digest is spent."""
    WorkingCopy.objects.filter(digest=digest, user=user).delete()
