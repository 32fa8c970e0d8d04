"""The inbox's page in the admin: the candidates list, its buttons and actions.

The services it calls (``add_to_draft``, ``mark``) are in ``digests.ingest.inbox``;
this module only shows them to the desk.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digests.ingest import guess
from digests.ingest.inbox import SUMMARY_SHOWN, AddRefused, add_to_draft, item_problems, mark
from digests.ingest.inbox_filters import INBOX_HOURS, FetchedFilter, InDraftFilter, StateFilter
from digests.models import Candidate, Category
from digests.models.digest import page_fetch_mode

State = Candidate.State


class InboxChangeList(admin.views.main.ChangeList):
    """The inbox's page: guesses the sections of the candidates shown that have none
    (``guess.fill``, a fixed number of queries) and reads the active sections once."""

    def get_results(self, request):
        super().get_results(request)
        guess.fill(self.result_list)
        sections = list(Category.objects.active().only("pk", "name", "is_active"))
        for candidate in self.result_list:
            candidate.inbox_sections = sections  # what its section select offers


def _pk(value):
    """A primary key from a form, or None (never a 500 for a forged value)."""
    return int(value) if isinstance(value, str) and value.isdigit() else None


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    # The section and the buttons beside the headline: in reach without scrolling the
    # list sideways on a laptop, where the admin's sidebar and filters take half the width.
    list_display = [
        "headline",
        "section_choice",
        "controls",
        "source",
        "published_at",
        "in_draft",
        "state",
    ]
    list_display_links = None
    list_filter = [
        StateFilter,
        FetchedFilter,
        InDraftFilter,
        ("source", admin.RelatedOnlyFieldListFilter),
    ]
    # A plain icontains over 30 days of candidates (docs/workflow.md, "The inbox").
    search_fields = ["title", "summary"]
    search_help_text = gettext_lazy(
        "Words of a candidate's title or summary, over all kept candidates (30 days)."
    )
    ordering = [F("published_at").desc(nulls_last=True), "-id"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["mark_used", "mark_dismissed", "mark_new"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .fetch_mode(page_fetch_mode())
            .select_related("source", "item__digest", "duplicate_of__source")
        )

    def get_changelist(self, request, **kwargs):
        return InboxChangeList

    def get_list_display(self, request):
        if self.has_change_permission(request):
            return self.list_display
        return [name for name in self.list_display if name != "controls"]

    def has_add_permission(self, request):
        return False  # candidates come from the feeds only

    def has_delete_permission(self, request, obj=None):
        return False  # pruned after 30 days by the worker

    def has_change_permission(self, request, obj=None):
        # The list's buttons and actions change candidates; a candidate's own page is
        # read-only: what the feed said is not the desk's to edit.
        return obj is None and super().has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        context = {"title": _("Inbox"), "inbox_hours": INBOX_HOURS, **(extra_context or {})}
        return super().changelist_view(request, context)

    def get_urls(self):
        handle = self.admin_site.admin_view(self.handle_view)
        return [path("handle/", handle, name="digests_candidate_handle"), *super().get_urls()]

    # --- columns

    @admin.display(description=gettext_lazy("title"), ordering="title")
    def headline(self, candidate):
        summary = Truncator(" ".join(candidate.summary.split())).chars(SUMMARY_SHOWN)
        same = ""
        if candidate.duplicate_of is not None:
            same = format_html(
                '<div class="inbox-same">{} {} ({})</div>',
                _("Same story as"),
                candidate.duplicate_of.title,
                candidate.duplicate_of.source.name,
            )
        title = candidate.title
        if candidate.link.startswith(("http://", "https://")):  # never a javascript: link
            title = format_html(
                '<a class="inbox-link" href="{}" target="_blank" rel="noopener noreferrer">{}</a>',
                candidate.link,
                candidate.title,
            )
        return format_html(
            '<div class="inbox-title">{}</div><div class="inbox-summary">{}</div>{}',
            title,
            summary,
            same,
        )

    @admin.display(description=gettext_lazy("section (guess)"))
    def section_choice(self, candidate):
        sections = getattr(candidate, "inbox_sections", [])
        if not self.controls_apply(candidate):
            names = {section.pk: section.name for section in sections}
            return names.get(candidate.section_guess_id, "—")
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (s.pk, " selected" if s.pk == candidate.section_guess_id else "", s.name)
                for s in sections
            ),
        )
        return format_html(
            '<select class="inbox-section" name="section-{}" form="inbox-rows" '
            'aria-label="{}">{}</select>',
            candidate.pk,
            _("Section for the item"),
            options,
        )

    @admin.display(description=gettext_lazy("in a draft"))
    def in_draft(self, candidate):
        if candidate.item is None:
            return "—"
        digest = candidate.item.digest
        if digest.is_published:
            return format_html(
                '<a class="inbox-published" href="{}">{} {}</a>',
                candidate.item.get_absolute_url(),
                _("published"),
                digest.date.isoformat(),
            )
        return format_html(
            '<a class="inbox-draft" href="{}">{}</a>',
            reverse("admin:digests_digest_change", args=[digest.pk]),
            digest.date.isoformat(),
        )

    def controls_apply(self, candidate):
        return candidate.state == State.NEW and candidate.item_id is None

    @admin.display(description=gettext_lazy("actions"))
    def controls(self, candidate):
        button = (
            '<button type="submit" form="inbox-rows" class="{}" name="{}" value="{}">{}</button>'
        )
        if candidate.state == State.NEW:
            buttons = [
                ("inbox-used", "used", _("Used")),
                ("inbox-dismiss", "dismiss", _("Dismiss")),
            ]
            if candidate.item_id is None:
                buttons.insert(0, ("inbox-add default", "add", _("Add to today's draft")))
        else:
            buttons = [("inbox-restore", "restore", _("Back to new"))]
        return format_html_join(
            " ", button, ((css, name, candidate.pk, label) for css, name, label in buttons)
        )

    # --- actions

    def _mark(self, request, queryset, state, message):
        count = mark(queryset, state, request.user)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(permissions=["change"], description=gettext_lazy("Mark as used"))
    def mark_used(self, request, queryset):
        self._mark(request, queryset, State.USED, _("%(count)d candidates marked used."))

    @admin.action(permissions=["change"], description=gettext_lazy("Dismiss"))
    def mark_dismissed(self, request, queryset):
        self._mark(request, queryset, State.DISMISSED, _("%(count)d candidates dismissed."))

    @admin.action(permissions=["change"], description=gettext_lazy("Put back as new"))
    def mark_new(self, request, queryset):
        self._mark(request, queryset, State.NEW, _("%(count)d candidates put back as new."))

    # --- the row buttons

    def handle_view(self, request):
        """One row's button: add to today's draft, used, dismiss or back to new; then back
        to the inbox as it was (its filters and page), with a message.

        Back to the inbox rather than into the draft: a desk goes through the morning's
        candidates one after another, and the message links to the draft.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("admin:digests_candidate_changelist")
        for name, state, message in [
            ("used", State.USED, _("“%(title)s” marked used.")),
            ("dismiss", State.DISMISSED, _("“%(title)s” dismissed.")),
            ("restore", State.NEW, _("“%(title)s” is new again.")),
        ]:
            if name in request.POST:
                candidate = Candidate.objects.filter(pk=_pk(request.POST[name])).first()
                if candidate is not None:
                    mark(Candidate.objects.filter(pk=candidate.pk), state, request.user)
                    messages.success(request, message % {"title": candidate.title})
                return redirect(back)
        pk = _pk(request.POST.get("add"))
        candidate = Candidate.objects.filter(pk=pk).first()
        category = Category.objects.filter(pk=_pk(request.POST.get(f"section-{pk}"))).first()
        if candidate is None or category is None:
            messages.error(request, _("Pick a candidate and a section."))
            return redirect(back)
        try:
            item = add_to_draft(candidate, category, request.user)
        except AddRefused as refusal:
            messages.error(request, str(refusal))
            return redirect(back)
        self.added_message(request, item)
        return redirect(back)

    def added_message(self, request, item):
        url = reverse("admin:digests_digest_change", args=[item.digest_id])
        messages.success(
            request,
            format_html(
                '{} <a class="inbox-open-draft" href="{}#item-{}">{}</a>',
                _("“%(title)s” is now an item of the draft of %(date)s, in %(section)s.")
                % {
                    "title": item.title,
                    "date": item.digest.date.isoformat(),
                    "section": item.category.name,
                },
                url,
                item.pk,
                _("Open the draft"),
            ),
        )
        if problems := item_problems(item):
            messages.warning(
                request,
                _("Before the digest can be saved, fix in the item: %(problems)s.")
                % {"problems": "; ".join(problems)},
            )
