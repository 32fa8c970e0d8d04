"""The admin's “Import from text” page: paste or upload, preview, then confirm.

Opened for one day (``?date=YYYY-MM-DD``, from the desk home or the calendar), the text
starts with that day's header line, and a briefing of another day is refused.
"""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digests import aliases, edition
from digests.briefing import Briefing, BriefingError, decode, grammar
from digests.desk.replacing import losses
from digests.importing import ImportRefused, import_briefing, parse_any
from digests.models import Category, Digest, Source
from digests.models.digest import DEFAULT_TITLE
from digests.story import desk as story_desk

MAX_UPLOAD = grammar.MAX_FILE_BYTES  # the briefing grammar's file limit


class ImportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Briefing text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "vLargeTextField", "lang": "zh"}),
        help_text=gettext_lazy(
            "Paste the day's briefing as written, starting with 每日科技新闻速览(YYYY-MM-DD), "
            "or its JSON export."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("…or a file"),
        required=False,
        help_text=gettext_lazy("A .txt briefing or a .json export, UTF-8, at most 2 MB."),
    )
    replace = forms.BooleanField(
        label=gettext_lazy("Replace the draft if the day already has one"),
        required=False,
    )
    # The confirmation step: the draft's version the preview compared with, and the
    # editor's word that the changes it listed may go.
    draft_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    discard = forms.BooleanField(
        label=gettext_lazy("I understand that replacing the draft discards the changes above"),
        required=False,
    )
    # The day the import was opened for, if any: the text must be that day's briefing.
    date = forms.DateField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_UPLOAD:
                raise forms.ValidationError(_("The file is larger than 2 MB."))
            raw, name = upload.read(), upload.name
        else:
            raw, name = data.get("text") or "", ""
        if not raw.strip():
            raise forms.ValidationError(_("Paste a briefing or choose a file."))
        try:
            # Keep the text itself, so the confirmation step re-reads exactly this.
            data["text"] = decode(raw)
            self.briefing = parse_any(data["text"], name)
        except BriefingError as error:
            self.add_error("file" if upload else "text", str(error))
            return data
        day = data.get("date")
        if day and self.briefing.date != day:
            raise forms.ValidationError(
                _(
                    "This import is for %(day)s, but the text is the briefing of %(date)s. "
                    "Paste the briefing of %(day)s, or start an import without a date."
                )
                % {"day": day.isoformat(), "date": self.briefing.date.isoformat()}
            )
        existing = Digest.objects.filter(date=self.briefing.date).first()
        if existing and existing.status != Digest.Status.DRAFT:
            raise forms.ValidationError(
                _("The digest of %(date)s is %(status)s; an import only ever replaces a draft.")
                % {"date": self.briefing.date.isoformat(), "status": existing.get_status_display()}
            )
        if existing and not data.get("replace"):
            raise forms.ValidationError(
                _(
                    "A digest for %(date)s already exists. Tick “Replace the draft” to "
                    "overwrite it, or edit it instead."
                )
                % {"date": self.briefing.date.isoformat()}
            )
        self.existing = existing
        return data


@dataclass
class Preview:
    """What an import would do: where names land, the edition checks, what a draft loses."""

    briefing: Briefing
    sections: list  # of aliases.Match, one per heading
    sources: list  # of aliases.Match, one per distinct 来源
    checks: list  # of edition.CheckResult
    draft: Digest | None = None  # the draft being replaced, with its contents
    losses: list = field(default_factory=list)  # of history.Group

    @classmethod
    def build(cls, briefing, existing=None):
        """Read only: two queries each for sections and sources, six for a draft."""
        sections = aliases.resolve(Category, [section.name for section in briefing.sections])
        sources = aliases.resolve(
            Source, sorted({item.source for item in briefing.items if item.source})
        )
        draft = existing and Digest.objects.with_contents().filter(pk=existing.pk).first()
        return cls(
            briefing=briefing,
            sections=list(sections.values()),
            sources=list(sources.values()),
            checks=edition.run_checks(edition.briefing_edition(briefing)),
            draft=draft,
            losses=losses(draft, briefing, sections, sources) if draft else [],
        )

    @property
    def blocking(self):
        return [result for result in self.checks if result.blocks]

    @property
    def warnings(self):
        return [result for result in self.checks if not result.passed and not result.blocks]


def _changed_since(preview):
    return ImportRefused(
        _(
            "The draft of %(date)s changed since your preview. Check below what replacing "
            "it discards now, then confirm again."
        )
        % {"date": preview.briefing.date.isoformat()}
    )


def confirm_import(preview, data, user):
    """Import as previewed, or raise ``ImportRefused`` saying why not.

    The draft must still be the version the preview compared with (checked again
    on the locked row), and if the preview listed losses the editor must have
    ticked that they may go.
    """
    draft = preview.draft
    if draft is not None:
        if data["draft_version"] != draft.version:
            raise _changed_since(preview)
        if preview.losses and not data["discard"]:
            raise ImportRefused(
                _("Tick “I understand …” to replace the draft and discard the changes listed.")
            )
    with transaction.atomic():
        if draft is not None:
            locked = Digest.objects.select_for_update().filter(pk=draft.pk)
            if locked.values_list("version", flat=True).first() not in (draft.version, None):
                raise _changed_since(preview)
        return import_briefing(
            preview.briefing, user=user, replace=data["replace"] and draft is not None
        )


def requested_day(request):
    """The day asked for with ``?date=YYYY-MM-DD``, or None."""
    try:
        return datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return None


def header_line(day):
    """The first line of a briefing for ``day``, as the grammar reads it."""
    return f"{DEFAULT_TITLE}({day.isoformat()})\n"


def import_view(model_admin, request):
    """Preview on the first submit, import on “confirm”; nothing is written before that."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    day = requested_day(request)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES or None)
    else:
        form = ImportForm(initial={"date": day, "text": header_line(day)} if day else None)
    preview = refusal = None
    if request.method == "POST" and form.is_valid():
        if form.existing and not model_admin.has_change_permission(request, form.existing):
            raise PermissionDenied
        preview = Preview.build(form.briefing, form.existing)
        if "confirm" in request.POST:
            try:
                digest = confirm_import(preview, form.cleaned_data, request.user)
            except ImportRefused as error:
                refusal = str(error)
            else:
                messages.success(
                    request,
                    _("Imported the briefing of %(date)s as a draft with %(count)d items.")
                    % {"date": digest.date.isoformat(), "count": len(form.briefing.items)},
                )
                if seen := story_desk.reported_before(digest):  # one lookup per item
                    messages.info(request, story_desk.reported_before_message(seen))
                return redirect(reverse("admin:digests_digest_change", args=[digest.pk]))
        # The confirmation form carries the text, not the upload, and the version of
        # the draft the preview compared with.
        form = ImportForm(
            initial={
                "text": form.cleaned_data["text"],
                "replace": form.cleaned_data["replace"],
                "draft_version": preview.draft.version if preview.draft else None,
                "date": form.cleaned_data["date"],
            }
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import the briefing of %(date)s") % {"date": day}
        if day
        else _("Import a briefing from text"),
        "day": day,
        "form": form,
        "refusal": refusal,
        "preview": preview and preview.briefing,
        "sections": preview and preview.sections,
        "sources": preview and preview.sources,
        "checks": preview and preview.checks,
        "blocking": preview and preview.blocking,
        "check_warnings": preview and preview.warnings,
        "draft": preview and preview.draft,
        "losses": preview and preview.losses,
    }
    return TemplateResponse(request, "admin/digests/digest/import.html", context)
