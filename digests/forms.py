"""Admin forms: the analysis paragraphs and trend points edited as labelled lines."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from digests import workflow
from digests.briefing.model import MAX_LABEL
from digests.briefing.parser import BULLET_RE, split_label
from digests.briefing.render import labelled_line
from digests.models import Analysis, AnalysisParagraph, Digest, Item, TrendPoint, TrendSummary


def labelled_lines(rows, bullet=False):
    prefix = "- " if bullet else ""
    return "\n".join(prefix + labelled_line(row) for row in rows)


class LabelledLinesField(forms.CharField):
    """A textarea where each line is one labelled paragraph: LABEL:TEXT (label optional)."""

    def __init__(self, *, bullet=False, **kwargs):
        self.bullet = bullet
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value) or ""
        rows, errors = [], []
        for number, line in enumerate(value.replace("\r\n", "\n").split("\n"), start=1):
            line = line.strip()
            if self.bullet and (match := BULLET_RE.match(line)):
                line = match["text"].strip()
            if not line:
                continue
            row = split_label(line)
            if row.label and len(row.label) > MAX_LABEL:
                errors.append(
                    ValidationError(
                        _("Line %(line)d: the label is longer than %(limit)d characters."),
                        params={"line": number, "limit": MAX_LABEL},
                    )
                )
            rows.append(row)
        if errors:
            raise ValidationError(errors)
        return rows

    def prepare_value(self, value):
        if isinstance(value, list):
            return labelled_lines(value, bullet=self.bullet)
        return value

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


class LabelledRowsForm(forms.ModelForm):
    """A block form that also writes its labelled rows (paragraphs or points)."""

    rows_field = "rows"
    row_model = None
    row_parent = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            related = getattr(self.instance, self.row_related_name).all()
            self.initial.setdefault(
                self.rows_field,
                labelled_lines(related, bullet=self.fields[self.rows_field].bullet),
            )

    @transaction.atomic
    def save(self, commit=True):
        block = super().save(commit=commit)
        if commit:
            self.save_rows(block)
        return block

    def save_rows(self, block):
        getattr(block, self.row_related_name).all().delete()
        self.row_model.objects.bulk_create(
            self.row_model(**{self.row_parent: block}, position=n, label=row.label, text=row.text)
            for n, row in enumerate(self.cleaned_data.get(self.rows_field) or [], start=1)
        )


class AnalysisForm(LabelledRowsForm):
    paragraphs = LabelledLinesField(
        label=_("paragraphs"),
        help_text=_("One paragraph per line, written LABEL:TEXT, e.g. 背景:……"),
    )
    rows_field = "paragraphs"
    row_related_name = "paragraphs"
    row_model = AnalysisParagraph
    row_parent = "analysis"

    class Meta:
        model = Analysis
        fields = ["title"]


class TrendSummaryForm(LabelledRowsForm):
    points = LabelledLinesField(
        bullet=True,
        label=_("trend points"),
        help_text=_("One point per line, written - LABEL:TEXT, e.g. - 生物医药智能化加速:……"),
    )
    rows_field = "points"
    row_related_name = "points"
    row_model = TrendPoint
    row_parent = "trend_summary"

    class Meta:
        model = TrendSummary
        fields = ["summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})}


class DigestForm(forms.ModelForm):
    """The digest's own fields, plus the version the editor started from (optimistic lock).

    On save the digest row is locked and its version compared with the one the
    form was opened at; if someone saved or moved the digest in between, the
    save is refused, the editor's text stays in the form, and the message says
    who changed what.
    """

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    user = None  # set by the admin to the person saving

    class Meta:
        model = Digest
        fields = ["date", "title", "lede", "cover_image"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["base_version"] = self.instance.version
        self.locked = None

    def clean(self):
        data = super().clean()
        if not self.instance.pk:
            return data
        self.locked = Digest.objects.select_for_update().get(pk=self.instance.pk)
        base = data.get("base_version")
        if base is None or base != self.locked.version:
            from digests.desk.conflicts import conflict_message

            # Re-shown with the current version: a second save, after reading what
            # changed, is a deliberate choice to keep this editor's text.
            self.data = self.data.copy()
            self.data[self.add_prefix("base_version")] = self.locked.version
            raise ValidationError(conflict_message(self.locked, base), code="stale")
        if not workflow.can_edit(self.locked, self.user):
            raise ValidationError(
                _(
                    "Not saved: the digest is %(status)s and you cannot edit it in that state. "
                    "Your text is still below."
                ),
                params={"status": self.locked.get_status_display()},
                code="read_only",
            )
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("comment"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        max_length=5000,
    )


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("In the newsroom's time zone."),
    )


class CorrectionForm(forms.Form):
    item = forms.ModelChoiceField(label=_("item"), queryset=Item.objects.none())
    note = forms.CharField(
        label=_("correction"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        max_length=2000,
    )

    def __init__(self, *args, digest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = digest.items.order_by("position", "id")
        self.fields["item"].label_from_instance = lambda item: item.heading


class ShareLinkForm(forms.Form):
    hours = forms.IntegerField(
        label=_("valid for (hours)"),
        min_value=1,
        max_value=24 * 30,
        help_text=_("The link stops working after this many hours, or when revoked."),
    )
