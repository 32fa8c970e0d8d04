"""Sections (categories) of the briefing and the sources items come from."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from digests.slugs import unique_slug
from digests.validators import validate_section_name


class SluggedQuerySet(models.QuerySet):
    def active(self):
        """Only the rows editors may still pick for new items."""
        return self.filter(is_active=True)


class SlugFromNameMixin:
    """Fill an empty slug from the name, once; a later rename keeps the slug."""

    slug_fallback = "x"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                type(self)._default_manager.all(),
                self.name,
                max_length=self._meta.get_field("slug").max_length,
                fallback=self.slug_fallback,
                exclude_pk=self.pk,
            )
        super().save(*args, **kwargs)


class Category(SlugFromNameMixin, models.Model):
    """A section of the briefing, such as “AI技术动态” or “前沿科技突破”."""

    name = models.CharField(
        _("name"),
        max_length=50,
        unique=True,
        validators=[validate_section_name],
        help_text=_("The section heading as it appears in the briefing, e.g. AI技术动态."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        blank=True,
        help_text=_(
            "Used in the public URL. Left empty, it is made from the name in pinyin "
            "(AI技术动态 → ai-ji-shu-dong-tai) and then kept when the name changes."
        ),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown to readers on the section page.")
    )
    position = models.PositiveIntegerField(
        _("position"),
        default=0,
        help_text=_("Sections with a lower number come first in lists of sections."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive sections stay on old digests but are not offered for new items."),
    )

    objects = SluggedQuerySet.as_manager()
    slug_fallback = "section"

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("digests:category", kwargs={"slug": self.slug})


class Source(SlugFromNameMixin, models.Model):
    """Where an item came from: a media outlet, a government site, a blog, a person."""

    class Kind(models.TextChoices):
        MEDIA = "media", _("media")
        GOVERNMENT = "government", _("government")
        BLOG = "blog", _("blog / self-media")
        PERSON = "person", _("person")
        OTHER = "other", _("other")

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("As written after 来源: in the briefing, e.g. 网易手机网."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_("Used in the public URL; made from the name in pinyin when left empty."),
    )
    url = models.URLField(_("website"), blank=True, help_text=_("The source's home page."))
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind,
        default=Kind.OTHER,
        help_text=_("What sort of source this is."),
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("For the desk only; never shown to readers.")
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive sources stay on old items but are not offered for new ones."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SluggedQuerySet.as_manager()
    slug_fallback = "source"

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("digests:source", kwargs={"slug": self.slug})
