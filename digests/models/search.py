"""Words the search should keep whole: the newsroom's own dictionary of tech terms."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchTerm(models.Model):
    """A term the Chinese word segmenter must not split, such as 具身智能 or 智算中心."""

    term = models.CharField(
        _("term"),
        max_length=50,
        unique=True,
        help_text=_(
            "A word or name search should treat as one, e.g. 具身智能. After adding terms the "
            "search index is rebuilt in the background."
        ),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self):
        return self.term
