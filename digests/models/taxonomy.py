"""Sections (categories) of the briefing and the sources items come from."""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from digests.briefing import grammar
from digests.slugs import unique_slug
from digests.validators import validate_section_name, validate_source_name


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


def name_key(name):
    """The form in which names and aliases are compared: NFKC, case-folded, no whitespace.

    So ＡＩ技术动态, AI 技术动态 and ai技术动态 are one name to the importer and to
    the checks below; the name itself is stored as typed.
    """
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def name_clash(model, name, *, owner, skip_same_table):
    """Why ``name`` cannot name ``owner`` (a section or source) or be its alias, or None.

    Names and aliases of one model share a single space of ``name_key``s, so that an
    imported name finds exactly one row. Rows of the table being saved that carry
    exactly the same name are left to its unique constraint.
    """
    key, noun = name_key(name), model._meta.verbose_name
    relation = model._meta.get_field("aliases")
    others = model._default_manager.exclude(pk=owner.pk).only("pk", "name")
    for row in others:
        if name_key(row.name) == key and not (skip_same_table == "name" and row.name == name):
            return _(
                "“%(name)s” is taken: it is the name of the %(noun)s “%(other)s” "
                "(names are compared ignoring case, spaces and full-width forms)."
            ) % {"name": name, "noun": noun, "other": row.name}
    aliases = (
        relation.related_model._default_manager.exclude(**{relation.field.name: owner.pk})
        .select_related(relation.field.name)
        .only("name", f"{relation.field.name}__name")
    )
    for alias in aliases:
        if name_key(alias.name) == key and not (skip_same_table == "alias" and alias.name == name):
            return _(
                "“%(name)s” is taken: “%(alias)s” is a former or other name of the %(noun)s "
                "“%(other)s”; remove it from there first."
            ) % {
                "name": name,
                "alias": alias.name,
                "noun": noun,
                "other": getattr(alias, relation.field.name).name,
            }
    return None


class KnownByAliasesMixin:
    """A section or source whose name must not be another one's name or alias."""

    def clean(self):
        super().clean()
        if self.name and (
            problem := name_clash(type(self), self.name, owner=self, skip_same_table="name")
        ):
            raise ValidationError({"name": problem})


class Category(SlugFromNameMixin, KnownByAliasesMixin, models.Model):
    """A section of the briefing, such as “AI技术动态” or “前沿科技突破”."""

    name = models.CharField(
        _("name"),
        max_length=grammar.MAX_SECTION,
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


class Source(SlugFromNameMixin, KnownByAliasesMixin, models.Model):
    """Where an item came from: a media outlet, a government site, a blog, a person."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("official body")
        MEDIA = "media", _("media")
        COMPANY = "company", _("company")
        PERSON = "person", _("individual")
        BLOG = "blog", _("self-media account")
        OTHER = "other", _("other")

    # An individual's or a self-media account's items: the source_share check weighs them.
    INDIVIDUAL_KINDS = (Kind.PERSON, Kind.BLOG)

    name = models.CharField(
        _("name"),
        max_length=grammar.MAX_SOURCE,
        unique=True,
        validators=[validate_source_name],
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
    is_primary = models.BooleanField(
        _("primary source"),
        default=False,
        help_text=_(
            "It reports what it itself decided, did or measured (a government's own notice, "
            "a company's own results), not what others said."
        ),
    )
    reliability_note = models.TextField(
        _("reliability note"),
        blank=True,
        help_text=_(
            "How far the desk trusts this source and why (past corrections, who runs it); "
            "for the desk only."
        ),
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
    # The source's feed, polled by the worker for the desk's inbox (digests/ingest).
    feed_url = models.URLField(
        _("feed address"),
        max_length=1000,
        blank=True,
        help_text=_("An RSS or Atom feed; its new entries appear in the desk's inbox."),
    )
    poll_minutes = models.PositiveIntegerField(
        _("poll every (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
        help_text=_("How often the worker reads the feed (5 minutes to a week)."),
    )
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True, db_index=True)
    feed_etag = models.CharField(max_length=300, blank=True, editable=False)
    feed_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_result = models.CharField(
        _("last result"), max_length=300, blank=True, help_text=_("What the last poll did.")
    )

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


class AliasMixin:
    """An alias must not be another row's name or alias (see ``name_clash``)."""

    owner_field = None

    def clean(self):
        super().clean()
        owner = getattr(self, self.owner_field, None)  # None while unset
        if self.name and owner is not None:
            problem = name_clash(type(owner), self.name, owner=owner, skip_same_table="alias")
            if problem:
                raise ValidationError({"name": problem})


class SectionAlias(AliasMixin, models.Model):
    """Another heading for a section, e.g. its name before a rename; imports match it."""

    category = models.ForeignKey(
        Category, verbose_name=_("section"), on_delete=models.CASCADE, related_name="aliases"
    )
    owner_field = "category"
    name = models.CharField(
        _("alias"),
        max_length=grammar.MAX_SECTION,
        unique=True,
        validators=[validate_section_name],
        help_text=_("A former or alternative heading; an imported briefing using it lands here."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("section alias")
        verbose_name_plural = _("section aliases")

    def __str__(self):
        return self.name


class SourceAlias(AliasMixin, models.Model):
    """Another name of a source, e.g. its name before a rename; imports match it."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="aliases"
    )
    owner_field = "source"
    name = models.CharField(
        _("alias"),
        max_length=grammar.MAX_SOURCE,
        unique=True,
        validators=[validate_source_name],
        help_text=_(
            "A former or alternative name; an imported 来源 line using it means this source."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("source alias")
        verbose_name_plural = _("source aliases")

    def __str__(self):
        return self.name
