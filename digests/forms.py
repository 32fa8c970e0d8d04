"""Admin forms: the analysis paragraphs and trend points edited as labelled lines."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from digests.briefing.model import MAX_LABEL
from digests.briefing.parser import BULLET_RE, split_label
from digests.briefing.render import labelled_line
from digests.models import Analysis, AnalysisParagraph, TrendPoint, TrendSummary


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
