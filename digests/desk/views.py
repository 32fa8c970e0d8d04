"""The desk's own admin pages and actions for one digest: status changes, the review
thread, corrections, previews and share links, versions, and the month calendar.

Each view is thin: it checks the request, calls the domain (``digests.workflow``,
``digests.history``) and redirects back with a message.
"""

import calendar
import datetime
import functools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from reversion.models import Version

from digests import history, seo, workflow
from digests.desk.home import DAYS_AHEAD
from digests.forms import CommentForm, CorrectionForm, ScheduleForm, ShareLinkForm
from digests.models import Digest, PreviewLink, ReviewComment
from digests.models.item import item_count
from digests.preview import SHAREABLE, preview_response, share_url


def post_only(view):
    """Like ``require_POST``, for views that take the model admin first."""

    @functools.wraps(view)
    def wrapper(model_admin, request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(model_admin, request, *args, **kwargs)

    return wrapper


def _digest(model_admin, request, object_id, queryset=None):
    if queryset is None:  # not `queryset or …`: that would load every digest to test it
        queryset = Digest.objects.all()
    digest = get_object_or_404(queryset, pk=object_id)
    if not model_admin.has_view_or_change_permission(request, digest):
        raise PermissionDenied
    return digest


def _attempt(request, action, success):
    """Run a workflow action; tell the desk what happened. Forged requests stay a 403."""
    try:
        action()
    except workflow.NotPermitted:
        raise
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, success())
    return True


def _back(digest, anchor=""):
    return redirect(reverse("admin:digests_digest_change", args=[digest.pk]) + anchor)


@post_only
def transition(model_admin, request, object_id, name):
    """Press a workflow button. Forged or stale presses are refused by the workflow."""
    digest = _digest(model_admin, request, object_id)
    if name not in workflow.TRANSITIONS:
        raise Http404
    options = {"note": request.POST.get("note", "")}
    if name in workflow.SCHEDULING:
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose the date and time to publish at."))
            return _next(request) or _back(digest, "#desk")
        options["publish_at"] = form.cleaned_data["publish_at"]
    _attempt(
        request,
        lambda: workflow.perform(digest, name, request.user, **options),
        lambda: (
            _("%(action)s: the digest of %(date)s is now %(status)s.")
            % {
                "action": workflow.TRANSITIONS[name].label,
                "date": digest.date.isoformat(),
                "status": digest.get_status_display(),
            }
        ),
    )
    return _next(request) or _back(digest, "#desk")


@post_only
def comment(model_admin, request, object_id):
    """A review comment on the digest, or anchored to one of its items, the analysis or
    the trends; back to where it was written."""
    from digests.desk.review import card_id  # review.py builds on this module

    digest = _digest(model_admin, request, object_id)
    if not request.user.has_perm("digests.add_reviewcomment"):
        raise PermissionDenied
    form = CommentForm(request.POST, digest=digest)
    if not form.is_valid():
        if "note" in form.errors:
            messages.error(request, _("Write a comment first."))
        else:
            messages.error(request, " ".join(form.non_field_errors()) or _("Choose an item."))
        return _back(digest, "#review-thread")
    anchor, item = form.cleaned_data["anchor"], form.cleaned_data["item"]
    ReviewComment.objects.create(
        digest=digest,
        author=request.user,
        body=form.cleaned_data["note"],
        anchor=anchor,
        item=item,
        anchor_label=form.label(),
    )
    messages.success(request, _("Your comment is in the review thread."))
    return _back(digest, "#" + card_id(anchor, item.pk if item else None))


@post_only
def correction(model_admin, request, object_id):
    digest = _digest(model_admin, request, object_id)
    form = CorrectionForm(request.POST, digest=digest, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose the item and write the correction."))
        return _back(digest, "#corrections")
    item, note = form.cleaned_data["item"], form.cleaned_data["note"]
    correction = None

    def add():
        nonlocal correction
        correction = workflow.add_correction(item, request.user, note)

    _attempt(request, add, lambda: _("The correction is published under the item."))
    if correction is not None and form.cleaned_data.get("notify"):  # the newsletter (issue 11)
        from digests.newsletter.desk import notify_correction

        notify_correction(request, correction)
    return _back(digest, "#corrections")


def preview(model_admin, request, object_id):
    """The digest exactly as readers would see it, marked as a preview, never cached."""
    digest = _digest(model_admin, request, object_id, Digest.objects.with_contents())
    return preview_response(request, digest, shared=False)


@post_only
def share_create(model_admin, request, object_id):
    digest = _digest(model_admin, request, object_id)
    if not request.user.has_perm("digests.add_previewlink"):
        raise PermissionDenied
    if digest.status not in SHAREABLE:
        messages.error(
            request,
            _(
                "Share links are for work in progress (draft, in review, scheduled); "
                "this digest is %(status)s."
            )
            % {"status": digest.get_status_display()},
        )
        return _back(digest, "#share-links")
    form = ShareLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the number of hours the link should work."))
        return _back(digest, "#share-links")
    link = PreviewLink.objects.create(
        digest=digest,
        created_by=request.user,
        expires_at=timezone.now() + datetime.timedelta(hours=form.cleaned_data["hours"]),
    )
    messages.success(
        request,
        _("Share link created; it works until %(when)s: %(url)s")
        % {
            "when": f"{timezone.localtime(link.expires_at):%Y-%m-%d %H:%M}",
            "url": seo.absolute(share_url(link)),
        },
    )
    return _back(digest, "#share-links")


@post_only
def share_revoke(model_admin, request, object_id, link_id):
    digest = _digest(model_admin, request, object_id)
    link = get_object_or_404(PreviewLink, pk=link_id, digest=digest)
    if not (
        request.user.has_perm("digests.change_previewlink") or link.created_by == request.user
    ):
        raise PermissionDenied
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    messages.success(request, _("The share link no longer works."))
    return _back(digest, "#share-links")


def versions(model_admin, request, object_id):
    """Every saved version, with a comparison of any two and restore buttons."""
    digest = _digest(model_admin, request, object_id)
    saved = list(history.versions_of(digest))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Digest._meta,
        "original": digest,
        "title": _("Versions of %(digest)s") % {"digest": digest},
        "versions": saved,
        "can_restore": digest.status in workflow.RESTORABLE
        and workflow.can_edit(digest, request.user),
    }
    older, newer = request.GET.get("a"), request.GET.get("b")
    if older and newer:
        by_id = {str(v.pk): v for v in saved}
        if older not in by_id or newer not in by_id:
            raise Http404
        a, b = sorted((by_id[older], by_id[newer]), key=lambda v: v.revision.date_created)
        context.update(
            {
                "older": a,
                "newer": b,
                "groups": history.diff(
                    history.snapshot(a.revision, digest.pk),
                    history.snapshot(b.revision, digest.pk),
                ),
            }
        )
    return TemplateResponse(request, "admin/digests/digest/versions.html", context)


def restore(model_admin, request, object_id, version_id):
    """Ask first (GET: what the version holds and what becomes of the digest), then restore."""
    digest = _digest(model_admin, request, object_id)
    version = get_object_or_404(Version.objects.get_for_object(digest), pk=version_id)
    if request.method != "POST":
        if not workflow.can_edit(digest, request.user) or digest.status not in workflow.RESTORABLE:
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/digests/digest/restore_confirm.html",
            {
                **model_admin.admin_site.each_context(request),
                "opts": Digest._meta,
                "original": digest,
                "title": _("Restore an earlier version?"),
                "version": version,
                "snapshot": history.snapshot(version.revision, digest.pk),
                "in_review": digest.status == Digest.Status.REVIEW,
            },
        )
    if not _attempt(
        request,
        lambda: workflow.restore(digest, version, request.user),
        lambda: _("The earlier version is back, as a new draft version."),
    ):
        return redirect(reverse("admin:digests_digest_versions", args=[digest.pk]))
    return _back(digest)


def _next(request):
    """A redirect to the desk page the form came from (``next``), if it is on this site."""
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return None


def month_calendar(model_admin, request):
    """A month of editorial days: each day's digest with its state, items, author and
    scheduled time (one query), a way to start a missing day, and rescheduling."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    today = timezone.localdate()
    try:
        first = datetime.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        first = today.replace(day=1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    digests = {
        d.date: d
        for d in Digest.objects.filter(date__range=(weeks[0][0], weeks[-1][-1]))
        .select_related("created_by")
        .annotate(item_count=item_count("digest"))
    }
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    # Past weekdays and the desk's planning week (the home's "days without a briefing")
    # stand out when missing; later weeks are only marked, or a month ahead is all alarm.
    horizon = today + datetime.timedelta(days=DAYS_AHEAD)
    days = [
        [
            {
                "date": day,
                "digest": digests.get(day),
                "in_month": day.month == first.month,
                "weekend": day.weekday() >= 5,
                "missing_weekday": day.month == first.month
                and day.weekday() < 5
                and day < horizon
                and day not in digests,
            }
            for day in week
        ]
        for week in weeks
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Digest._meta,
        "title": _("Calendar"),
        "month": first,
        "today": today,
        "previous": previous,
        "following": following,
        "weekdays": [WEEKDAYS_ABBR[n] for n in range(7)],
        "weeks": days,
        "horizon": horizon - datetime.timedelta(days=1),
        "missing_weekdays": sum(cell["missing_weekday"] for week in days for cell in week),
        "can_add": model_admin.has_add_permission(request),
        "can_reschedule": request.user.has_perm("digests.publish_digest"),
        "time_zone": settings.TIME_ZONE,
    }
    return TemplateResponse(request, "admin/digests/digest/calendar.html", context)
