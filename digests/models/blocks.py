"""The two closing blocks of a briefing: the deep analysis and the trend summary."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LabelledText(models.Model):
    """A paragraph with a short label, as in “背景:…” or “- AI多模态交互:…”."""

    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(
        _("label"),
        max_length=30,
        blank=True,
        help_text=_("The word before the colon, e.g. 背景 or 数据支撑."),
    )
    text = models.TextField(_("text"))

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.label}:{self.text}" if self.label else self.text


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
        max_length=200,
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
        help_text=_("The one line after 今日核心趋势总结:."),
    )

    class Meta:
        verbose_name = _("trend summary")
        verbose_name_plural = _("trend summaries")

    def __str__(self):
        return self.summary


class TrendPoint(LabelledText):
    trend_summary = models.ForeignKey(
        TrendSummary, on_delete=models.CASCADE, related_name="points"
    )

    class Meta(LabelledText.Meta):
        verbose_name = _("trend point")
        verbose_name_plural = _("trend points")
