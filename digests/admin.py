"""The newsroom desk in Django admin: digests with their items, sections and sources.

Declarative where Django allows; the desk's own pages and buttons live in
``digests.desk.views`` and every status change goes through ``digests.workflow``.
"""

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.db.models import Prefetch
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

import digests.accounts_admin  # registers the users' and groups' admin
import digests.claims.admin  # registers the desk's view of the numeric claims
import digests.ingest.inbox_admin  # registers the inbox of the sources' feeds
import digests.newsletter.admin  # registers the subscribers' and mailings' admin
import digests.search.admin  # noqa: F401  (registers the search terms' admin)
from digests import edition, history, images, public_cache, search, workflow
from digests.briefing.grammar import MAX_ITEMS
from digests.desk import digest_list, locks, merge, review, working_copy
from digests.desk import views as desk
from digests.desk.alias_inlines import KeepsFormerNames, SectionAliasInline, SourceAliasInline
from digests.desk.importing import import_view
from digests.forms import (
    LEGEND,
    AnalysisForm,
    BlockFormSet,
    CorrectionForm,
    DigestForm,
    ItemForm,
    ItemFormSet,
    KnownChoiceField,
    LazyAutocompleteSelect,
    MultilineTextField,
    NoteForm,
    ScheduleForm,
    ShareLinkForm,
    TrendSummaryForm,
    described_once,
    labelled_lines,
)
from digests.ingest import fetch
from digests.models import (
    Analysis,
    Category,
    Digest,
    DigestEvent,
    Item,
    PreviewLink,
    ReviewComment,
    Source,
    TrendSummary,
)
from digests.models.item import item_count
from digests.newsletter import desk as newsletter_desk
from digests.preview import SHAREABLE, share_url
from digests.sources import stats as source_stats
from digests.story import desk as story_desk

admin.site.site_header = _("Newsroom desk")
admin.site.site_title = _("Newsroom")
admin.site.index_title = _("Daily briefing")


RECENT_EVENTS = 10  # lines of the activity log shown before "more"


def status_badge(digest):
    return format_html(
        '<span class="status-badge status-{}">{}</span>',
        digest.status,
        digest.get_status_display(),
    )


def editable(request, digest):
    """Whether the digest's page is a form (True) or read-only.

    A digest is editable in the states ``workflow.can_edit`` allows. A *saved*
    form is always read back in full, so that a save refused because the digest
    moved on (``DigestForm.clean`` decides, on the locked row) keeps the
    editor's text on the page instead of losing it to a 403. While someone else
    holds the edit lock the page is read-only too (``digests.desk.locks``).
    """
    if digest is None:
        return True
    if workflow.can_edit(digest, request.user):
        # Read-only while someone else holds the edit lock (a saved form is still read back).
        return request.method == "POST" or not locks.held_by_other(request, digest)
    return request.method == "POST" and request.user.has_perm("digests.change_digest")


class FollowsDigestState:
    """Inlines are editable exactly when their digest is (a published digest is read-only)."""

    def _editable(self, request, obj):
        return editable(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


class ReadOnlyFields:
    """Fields whose edit form differs from what a read-only page can show."""

    read_only_swaps = {}

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self._editable(request, obj):
            return fields
        return [
            tuple(self.read_only_swaps.get(f, f) for f in field)
            if isinstance(field, tuple)
            else self.read_only_swaps.get(field, field)
            for field in fields
        ]

    def get_readonly_fields(self, request, obj=None):
        extra = [] if self._editable(request, obj) else list(self.read_only_swaps.values())
        return [*super().get_readonly_fields(request, obj), *extra]


# Every text area of the desk reads its text with plain line breaks (a browser sends
# CRLF), so an untouched field is unchanged and a save that changes nothing writes nothing.
MULTILINE = {models.TextField: {"form_class": MultilineTextField}}


class ItemInline(ReadOnlyFields, FollowsDigestState, admin.StackedInline):
    """The items as cards grouped by section (edit_inline/items.html, static editor.js).

    Each card's position and section are hidden inputs that the page sets as
    cards move. Closed cards are drawn from the items, open ones (with errors,
    or new) from their form's fields; not from the admin's per-field rows, which
    on a hundred items cost most of the page's time (ItemFormSet.sections).
    """

    model = Item
    form = ItemForm
    formset = ItemFormSet
    template = "admin/digests/digest/edit_inline/items.html"
    max_num = MAX_ITEMS  # the most a digest holds (digests.briefing.grammar), refused beyond
    formfield_overrides = MULTILINE
    extra = 0
    ordering = ["position", "id"]
    autocomplete_fields = ["source"]
    hidden_fields = ("position", "category")  # set by the page, from where the card stands
    fields = [
        ("position", "category"),
        ("topic", "title"),
        "body",
        ("source", "url"),
        "tags",
        ("image", "image_alt"),
    ]
    classes = ["item-inline"]
    read_only_swaps = {"tags": "tag_names"}

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_max=True, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Sections and sources: looked up once for all rows (``ItemFormSet.known``)."""
        if db_field.name in ItemFormSet.related_fields:
            kwargs["form_class"] = KnownChoiceField
            kwargs.setdefault(
                "widget",
                LazyAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.hidden_fields:
            kwargs["widget"] = forms.HiddenInput
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ItemFormSet.related_fields and field is not None:
            # No add/change/delete buttons beside each row's section and source: on a
            # hundred rows their links cost more to render than the rest of the row.
            field.widget = getattr(field.widget, "widget", field.widget)
        if field is not None and db_field.name in LEGEND:
            described_once(field, db_field.name)
        return field

    @admin.display(description=_("tags"))
    def tag_names(self, item):
        return ", ".join(sorted(row.tag.name for row in item.tagged.all()))


class AnalysisInline(ReadOnlyFields, FollowsDigestState, admin.StackedInline):
    model = Analysis
    form = AnalysisForm
    formset = BlockFormSet
    template = "admin/digests/digest/edit_inline/analysis.html"
    formfield_overrides = MULTILINE
    extra = 1
    max_num = 1
    fields = ["title", "paragraphs"]
    read_only_swaps = {"paragraphs": "paragraph_lines"}
    verbose_name_plural = _("deep analysis (深度解析)")

    @admin.display(description=_("paragraphs"))
    def paragraph_lines(self, analysis):
        return linebreaks_lines(analysis.paragraphs.all())


class TrendSummaryInline(ReadOnlyFields, FollowsDigestState, admin.StackedInline):
    model = TrendSummary
    form = TrendSummaryForm
    formset = BlockFormSet
    template = "admin/digests/digest/edit_inline/trends.html"
    formfield_overrides = MULTILINE
    extra = 1
    max_num = 1
    fields = ["points", "summary"]
    read_only_swaps = {"points": "point_lines"}
    verbose_name_plural = _("trend summary (趋势总结)")

    @admin.display(description=_("trend points"))
    def point_lines(self, trends):
        return linebreaks_lines(trends.points.all(), bullet=True)


def linebreaks_lines(rows, bullet=False):
    return format_html_join(
        mark_safe("<br>"), "{}", ((labelled_lines([row], bullet),) for row in rows)
    )


class CardFormSet(helpers.InlineAdminFormSet):
    """An inline drawn as cards by its own template: every row's media is the empty form's.

    The stock one builds every row's form and admin fieldsets to add up their media,
    which on a hundred items costs more than drawing the page.
    """

    @property
    def media(self):
        return self.opts.media + self.formset.empty_form.media

    def __iter__(self):
        # Iterated only by the admin's prepopulated-fields script, which these inlines
        # do not use; iterating would build every row's form and fieldsets.
        return iter(())


class DeskFilter(admin.SimpleListFilter):
    """The views a desk works from: my drafts, awaiting review, scheduled, published."""

    title = _("desk")
    parameter_name = "desk"

    def lookups(self, request, model_admin):
        return [
            ("mine", _("My drafts")),
            ("review", _("Awaiting review")),
            ("scheduled", _("Scheduled")),
            ("published", _("Published")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "mine":
                return queryset.filter(status=Digest.Status.DRAFT, created_by=request.user)
            case "review":
                return queryset.filter(status=Digest.Status.REVIEW)
            case "scheduled":
                return queryset.filter(status=Digest.Status.SCHEDULED)
            case "published":
                return queryset.published()
        return queryset


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    form = DigestForm
    formfield_overrides = MULTILINE
    list_display = ["date", "title", "status_column", "item_count", "created_by", "updated_at"]
    list_display_links = ["date", "title"]
    list_filter = [DeskFilter, "status"]
    list_select_related = ["created_by"]
    # Seven weeks a page (Django's default is 100 rows): each row costs about 0.5 ms
    # to render, more than the page's queries together; the calendar shows a month.
    list_per_page = 50
    date_hierarchy = "date"
    search_fields = ["title", "lede"]  # and the items, through the search index (below)
    search_help_text = _(
        "Words of a digest's title or lede, or of its items (headline, topic, body, source, "
        "tags), as the site's search finds them; or a date, YYYY-MM-DD."
    )
    readonly_fields = [
        "status_column",
        "published_at",
        "publish_at",
        "created_by",
        "created_at",
        "updated_at",
        "version",
    ]
    # The record (state, version, who and when) is one line above the form
    # (change_form.html), read from the digest itself.
    fieldsets = [(None, {"fields": [("date", "title"), "lede", "cover_image", "base_version"]})]
    inlines = [ItemInline, AnalysisInline, TrendSummaryInline]

    class Media:
        # One script and one stylesheet for each part of the desk's page: the editor
        # (cards, drag and drop), the live parts (autosave, presence, locks), review.
        js = [
            "digests/admin/editor.js",
            "digests/admin/live.js",
            "digests/admin/review.js",
            "digests/admin/story.js",  # the "reported before" hints (digests.story.desk)
        ]
        css = {
            "all": [
                "digests/admin/desk.css",
                "digests/admin/editor.css",
                "digests/admin/live.css",
                "digests/admin/review.css",
                "digests/admin/story.css",
            ]
        }

    def get_urls(self):
        def view(function, name, route):
            return path(
                route,
                self.admin_site.admin_view(lambda request, **kw: function(self, request, **kw)),
                name=f"digests_digest_{name}",
            )

        return [
            view(import_view, "import", "import/"),
            view(desk.month_calendar, "calendar", "calendar/"),
            view(desk.transition, "transition", "<path:object_id>/transition/<str:name>/"),
            view(desk.comment, "comment", "<path:object_id>/comment/"),
            view(
                review.resolve,
                "comment_resolve",
                "<path:object_id>/comment/<int:comment_id>/resolve/",
            ),
            view(
                review.reopen,
                "comment_reopen",
                "<path:object_id>/comment/<int:comment_id>/reopen/",
            ),
            view(working_copy.autosave, "autosave", "<path:object_id>/autosave/"),
            view(working_copy.discard, "autosave_discard", "<path:object_id>/autosave/discard/"),
            view(locks.heartbeat, "presence", "<path:object_id>/presence/"),
            view(locks.lock, "lock", "<path:object_id>/lock/"),
            view(locks.release, "unlock", "<path:object_id>/unlock/"),
            view(locks.take_over, "take_over", "<path:object_id>/lock/take-over/"),
            view(desk.correction, "correction", "<path:object_id>/correction/"),
            view(
                newsletter_desk.test_send,
                "newsletter_test",
                "<path:object_id>/newsletter/test/",
            ),
            view(desk.preview, "preview", "<path:object_id>/preview/"),
            view(desk.share_create, "share", "<path:object_id>/share/"),
            view(
                desk.share_revoke, "share_revoke", "<path:object_id>/share/<int:link_id>/revoke/"
            ),
            # The "reported before" hints and the desk's answers (digests.story.desk).
            view(story_desk.hints_view, "story_hints", "<path:object_id>/story/"),
            view(
                story_desk.decide_view,
                "story_decide",
                "<path:object_id>/story/<int:item_id>/decide/",
            ),
            view(desk.versions, "versions", "<path:object_id>/versions/"),
            view(desk.restore, "restore", "<path:object_id>/versions/<int:version_id>/restore/"),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        # An alias, not an annotation: only a sort by the items column counts every
        # digest's items; the counts shown come from DigestChangeList, for its page.
        return super().get_queryset(request).alias(item_count=item_count("digest"))

    def get_changelist(self, request, **kwargs):
        return digest_list.DigestChangeList

    def get_search_results(self, request, queryset, search_term):
        """Search the digest's own text and date, and its items through the site's index."""
        return digest_list.search(queryset, search_term), False

    @admin.display(description=_("items"), ordering="item_count")
    def item_count(self, digest):
        return digest.item_count

    @admin.display(description=_("status"), ordering="status")
    def status_column(self, digest):
        return status_badge(digest)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and editable(request, obj)

    def view_on_site(self, digest):
        """The public page once readers can see it; before that, the staff preview."""
        if digest.is_published:
            return digest.get_absolute_url()
        return reverse("admin:digests_digest_preview", args=[digest.pk])

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        form.conflicts = getattr(request, "merge_conflicts", ())
        return form

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == Digest.Status.DRAFT)

    def get_fieldsets(self, request, obj=None):
        if obj is None or not self.has_change_permission(request, obj):
            return [(None, {"fields": [("date", "title"), "lede", "cover_image"]})]
        return self.fieldsets

    def get_object(self, request, object_id, from_field=None):
        """A page opened: the digest ``changeform_view`` fetched with its contents, so the
        item and block forms read the rows already there instead of asking again."""
        digest = getattr(request, "desk_digest", None)
        opened = request.method == "GET" and from_field is None and digest is not None
        if opened and str(digest.pk) == str(object_id):
            return digest
        return super().get_object(request, object_id, from_field)

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_admin_formsets = super().get_inline_formsets(
            request, formsets, inline_instances, obj
        )
        for inline_admin_formset in inline_admin_formsets:
            inline_admin_formset.__class__ = CardFormSet
        return inline_admin_formsets

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        digest = None
        if object_id:
            digest = (
                Digest.objects.with_contents()
                .select_related("created_by")
                .prefetch_related(
                    Prefetch(
                        "comments",
                        ReviewComment.objects.select_related("author", "item", "resolved_by"),
                    ),
                    Prefetch(
                        "events",
                        DigestEvent.objects.select_related("actor").prefetch_related(
                            "notifications"
                        ),
                    ),
                    Prefetch("preview_links", PreviewLink.objects.select_related("created_by")),
                    "items__corrections",
                )
                .annotate(has_mailings=newsletter_desk.has_mailings())  # the newsletter panel
                .annotate(repeat_count=edition.repeat_count())  # the no_repeats check
                .filter(pk=object_id)
                .first()
            )
            if digest is not None:
                extra_context["desk"] = self.desk_context(request, digest)
                request.desk_digest = digest
        # The sections an editor may add (read only when the page is a form).
        extra_context["addable_sections"] = Category.objects.filter(is_active=True).only("name")
        if request.method == "POST":
            if digest is not None:
                request.POST, request.merge_conflicts = merge.merge_post(request, digest)
            with history.revision():
                return super().changeform_view(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def desk_context(self, request, digest):
        """What the desk panel above the form shows: state, buttons, checks, thread, record."""
        user = request.user
        events = list(digest.events.all())
        return {
            "digest": digest,
            "badge": status_badge(digest),
            "transitions": workflow.available(digest, user),
            "checks": edition.run_checks(digest),
            "comments": digest.comments.all(),
            # The latest lines open, the rest folded (all fetched in the one prefetch).
            "events": events[-RECENT_EVENTS:],
            "older_events": events[:-RECENT_EVENTS],
            "can_comment": user.has_perm("digests.add_reviewcomment"),
            "note_form": NoteForm(),
            "schedule_form": ScheduleForm(),
            "can_correct": digest.status == Digest.Status.PUBLISHED
            and user.has_perm("digests.add_correction"),
            "correction_form": CorrectionForm(digest=digest, user=user),
            "corrections": [
                (item, c) for item in digest.items.all() for c in item.corrections.all()
            ],
            "can_share": user.has_perm("digests.add_previewlink") and digest.status in SHAREABLE,
            "share_form": ShareLinkForm(initial={"hours": settings.NEWSROOM_PREVIEW_LINK_HOURS}),
            "share_links": [(link, share_url(link)) for link in digest.preview_links.all()],
            "preview_url": reverse("admin:digests_digest_preview", args=[digest.pk]),
            "versions_url": reverse("admin:digests_digest_versions", args=[digest.pk]),
            "public_url": digest.get_absolute_url() if digest.is_published else None,
            **locks.desk_context(request, digest),
            **working_copy.desk_context(request, digest),
            **review.desk_context(request, digest),
            **newsletter_desk.desk_context(request, digest),
        }

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif not form.has_changed():
            return  # the digest's own fields are as they were: nothing to write
        elif form.locked is not None:
            obj.version = form.locked.version + 1
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """After the items are saved: a new version, search tokens and picture renditions.

        A save that changed nothing (the form and every inline as they were) writes
        no version and leaves ``version`` alone.
        """
        super().save_related(request, form, formsets, change)
        digest = form.instance
        if change and not form.has_changed():
            if not any(formset.has_changed() for formset in formsets):
                return
            digest.version = form.locked.version + 1
            Digest.objects.filter(pk=digest.pk).update(
                version=digest.version, updated_at=timezone.now()
            )
        search.reindex_digest(digest)
        for picture in [digest.cover_image, *(item.image for item in digest.items.all())]:
            if picture:
                images.make_renditions(picture)
        history.record(digest, request.user, action=DigestEvent.Action.SAVE)
        working_copy.discard_for(digest, request.user)
        if message := merge.merged_message(request):
            messages.info(request, message)

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        reversion.set_comment(entry.get_change_message() or str(_("Saved")))
        return entry

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        reversion.set_comment(str(_("Created")))
        return entry


class UsageCountAdmin(admin.ModelAdmin):
    """Sources and sections: how many items use each, counted in the list query.

    Their names appear on public pages, so saving one clears the public cache.
    """

    item_field = None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        public_cache.changed(names=True)  # in the admin's transaction, with the save

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=item_count(self.item_field))

    @admin.display(description=_("items"), ordering="item_count")
    def item_count(self, obj):
        return obj.item_count


@admin.register(Category)
class CategoryAdmin(KeepsFormerNames, UsageCountAdmin):
    item_field = "category"
    inlines = [SectionAliasInline]
    list_display = ["name", "slug", "position", "item_count", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "aliases__name", "description"]


# A source's feed state, shown read-only in its form (the worker writes it).
FEED_STATE = [
    "next_poll_at",
    "last_polled_at",
    "last_success_at",
    "last_result",
    "last_error_at",
    "last_error",
    "consecutive_failures",
]
# A source's registry figures, shown read-only in its form (digests.sources.stats).
REGISTRY = ["published_count", "corrected_count", "first_cited", "last_cited", "section_counts"]
ERROR_SHOWN = 60  # characters of the last error in the source list (all of it on hover)


class FeedFailingFilter(admin.SimpleListFilter):
    title = _("feed")
    parameter_name = "feed"

    def lookups(self, request, model_admin):
        return [("failing", _("feed failing")), ("ok", _("feed OK")), ("none", _("no feed"))]

    def queryset(self, request, queryset):
        with_feed = queryset.exclude(feed_url="")
        match self.value():
            case "failing":
                return with_feed.filter(consecutive_failures__gt=0)
            case "ok":
                return with_feed.filter(consecutive_failures=0)
            case "none":
                return queryset.filter(feed_url="")
        return queryset


@admin.register(Source)
class SourceAdmin(KeepsFormerNames, UsageCountAdmin):
    item_field = "source"
    inlines = [SourceAliasInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            search.reindex_source(obj)  # the source's name is searchable on its items
        if change and "feed_url" in form.changed_data:
            fetch.forget_feed_state(obj)  # the old feed's validators and errors

    fieldsets = [
        (None, {"fields": ["name", "slug", "url", "kind", "is_primary", "notes", "is_active"]}),
        (
            _("Registry"),
            {
                "fields": ["reliability_note", *REGISTRY],
                "description": _(
                    "Readers see the kind, the primary flag and the published figures on the "
                    "source's page; the reliability note stays with the desk."
                ),
            },
        ),
        (
            _("Feed"),
            {
                "fields": [
                    "feed_url",
                    "poll_minutes",
                    *FEED_STATE,
                ],
                "description": _(
                    "The worker polls the feed for the desk's inbox; after failures it waits "
                    "longer (twice as long per failure in a row, at most a day)."
                ),
            },
        ),
    ]
    readonly_fields = [*FEED_STATE, *REGISTRY]
    list_display = [
        "name",
        "kind",
        "is_primary",
        "url",
        "item_count",
        "published_count",
        "corrected_count",
        "last_cited",
        "is_active",
        "feed_state",
        "last_success_at",
        "consecutive_failures",
        "short_error",
        "next_poll_at",
    ]
    list_filter = [FeedFailingFilter, "kind", "is_primary", "is_active"]
    search_fields = ["name", "aliases__name", "notes", "url", "feed_url"]
    actions = ["poll_now"]

    def get_queryset(self, request):
        # All items (item_count) and, beside, the published figures readers see.
        return source_stats.with_stats(super().get_queryset(request))

    @admin.display(description=_("published"), ordering="cited")
    def published_count(self, obj):
        return obj.cited

    @admin.display(description=_("corrected (更正)"), ordering="corrected")
    def corrected_count(self, obj):
        return obj.corrected

    @admin.display(description=_("first cited"), ordering="first_cited")
    def first_cited(self, obj):
        return obj.first_cited

    @admin.display(description=_("last cited"), ordering="last_cited")
    def last_cited(self, obj):
        return obj.last_cited

    @admin.display(description=_("sections"))
    def section_counts(self, obj):
        """Every item's section, with the published items' count beside (one query)."""
        if obj.pk is None:
            return "—"
        return (
            format_html_join(
                ", ",
                "{} ({}, {})",
                (
                    (
                        row.name,
                        ngettext("%(n)d item", "%(n)d items", row.items) % {"n": row.items},
                        _("%(n)d published") % {"n": row.published},
                    )
                    for row in source_stats.sections(obj, published=False)
                ),
            )
            or "—"
        )

    @admin.display(description=_("feed"), ordering="consecutive_failures")
    def feed_state(self, obj):
        if not obj.feed_url:
            return "—"
        failing = obj.consecutive_failures > 0
        return format_html(
            '<span class="feed-state feed-{}">{}</span>',
            "failing" if failing else "ok",
            _("failing") if failing else _("OK"),
        )

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        if not obj.last_error:
            return ""
        return format_html(
            '<span class="feed-error" title="{}">{}</span>',
            obj.last_error,
            Truncator(obj.last_error).chars(ERROR_SHOWN),
        )

    @admin.action(description=_("Poll the feed now"), permissions=["change"])
    def poll_now(self, request, queryset):
        queued = fetch.queue_now(queryset.only("pk", "feed_url"))
        messages.success(
            request,
            ngettext(
                "The poll of %(count)d feed is queued for the worker.",
                "The polls of %(count)d feeds are queued for the worker.",
                queued,
            )
            % {"count": queued},
        )
