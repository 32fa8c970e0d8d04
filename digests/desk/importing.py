"""The admin's “Import from text” page: paste or upload, preview, then confirm."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digests.briefing import BriefingError, decode
from digests.importing import ImportRefused, import_briefing, parse_any
from digests.models import Category, Digest, Source

MAX_UPLOAD = 2 * 1024 * 1024


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
        existing = Digest.objects.filter(date=self.briefing.date).first()
        if existing and existing.status == Digest.Status.PUBLISHED:
            raise forms.ValidationError(
                _("The digest of %(date)s is published; an import never replaces it.")
                % {"date": self.briefing.date.isoformat()}
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


def import_view(model_admin, request):
    """Preview on the first submit, import on “confirm”; nothing is written before that."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        if form.existing and not model_admin.has_change_permission(request, form.existing):
            raise PermissionDenied
        if "confirm" in request.POST:
            try:
                digest = import_briefing(
                    form.briefing, user=request.user, replace=form.cleaned_data["replace"]
                )
            except ImportRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Imported the briefing of %(date)s as a draft with %(count)d items.")
                    % {"date": digest.date.isoformat(), "count": len(form.briefing.items)},
                )
                return redirect(reverse("admin:digests_digest_change", args=[digest.pk]))
        else:
            preview = form.briefing
            # The confirmation form carries the text, not the upload.
            form = ImportForm(
                initial={
                    "text": form.cleaned_data["text"],
                    "replace": form.cleaned_data["replace"],
                }
            )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import a briefing from text"),
        "form": form,
        "preview": preview,
    }
    if preview is not None:
        names = {item.source for item in preview.items if item.source}
        context["new_sources"] = sorted(
            names - set(Source.objects.filter(name__in=names).values_list("name", flat=True))
        )
        sections = {section.name for section in preview.sections}
        context["new_sections"] = sorted(
            sections
            - set(Category.objects.filter(name__in=sections).values_list("name", flat=True))
        )
    return TemplateResponse(request, "admin/digests/digest/import.html", context)
