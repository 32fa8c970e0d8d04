"""The two closing blocks of a briefing: the deep analysis and the trend summary."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Cast
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from digests.briefing import grammar
from digests.validators import (
    validate_analysis_title,
    validate_label,
    validate_paragraph,
    validate_summary,
)


class LabelledText(models.Model):
    """A paragraph with a short label, as in “背景:…” or “- AI多模态交互:…”."""

    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(
        _("label"),
        max_length=grammar.MAX_LABEL,
        blank=True,
        validators=[validate_label],
        help_text=_("The word before the colon, e.g. 背景 or 数据支撑."),
    )
    text = models.TextField(_("text"), validators=[validate_paragraph])

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.label}:{self.text}" if self.label else self.text

    def clean(self):
        """An unlabelled text must not read as LABEL:TEXT once written out."""
        if problems := grammar.labelled_problems(self.label, self.text):
            raise ValidationError({"text": [capfirst(p) for p in problems]})


class Analysis(models.Model):
    """The day's deep analysis (深度解析): a title and labelled paragraphs."""

    digest = models.OneToOneField(
        "Digest",
        verbose_name=_("digest"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="analysis",
    )
    title = models.CharField(
        _("title"),
        max_length=grammar.MAX_TITLE,
        validators=[validate_analysis_title],
        help_text=_("The line after 深度解析:, e.g. 中国AI领跑全球的核心驱动力."),
    )

    class Meta:
        verbose_name = _("deep analysis")
        verbose_name_plural = _("deep analyses")

    def __str__(self):
        return self.title


class AnalysisParagraph(LabelledText):
    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="paragraphs")

    class Meta(LabelledText.Meta):
        verbose_name = _("analysis paragraph")
        verbose_name_plural = _("analysis paragraphs")


class TrendSummary(models.Model):
    """The trend summary (趋势总结): labelled trend points and the day's core trend."""

    digest = models.OneToOneField(
        "Digest",
        verbose_name=_("digest"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="trend_summary",
    )
    summary = models.TextField(
        _("core summary"),
        blank=True,
        validators=[validate_summary],
        help_text=_("The one line after 今日核心趋势总结:."),
    )

    class Meta:
        verbose_name = _("trend summary")
        verbose_name_plural = _("trend summaries")

    def __str__(self):
        return self.summary


class TrendPointQuerySet(models.QuerySet):
    def with_item_ids(self):
        """Each point with ``joined_item_ids``, its supporting items' ids comma-joined, read
        in the points' own query (so a page showing them costs no query more)."""
        return self.annotate(
            joined_item_ids=models.StringAgg(
                Cast("items__id", models.CharField()), delimiter=models.Value(",")
            )
        )


class TrendPoint(LabelledText):
    trend_summary = models.ForeignKey(
        TrendSummary, on_delete=models.CASCADE, related_name="points"
    )
    items = models.ManyToManyField(
        "digests.Item",
        blank=True,
        related_name="trend_points",
        verbose_name=_("supporting items"),
        help_text=_("The day's items this trend rests on; readers see them linked."),
    )

    objects = TrendPointQuerySet.as_manager()

    class Meta(LabelledText.Meta):
        verbose_name = _("trend point")
        verbose_name_plural = _("trend points")

    @property
    def item_ids(self):
        """The supporting items' ids: from ``with_item_ids()`` when fetched so, else a query."""
        joined = getattr(self, "joined_item_ids", False)
        if joined is False:
            return set(self.items.values_list("pk", flat=True))
        return {int(pk) for pk in (joined or "").split(",") if pk}

    def supporting(self, items):
        """Those of ``items`` (the day's, in their order) that support the point."""
        ids = self.item_ids
        return [item for item in items if item.pk in ids]
