"""The inbox's filters: state, when fetched, whether already in a draft.

State and fetched time have defaults (new; the last ``INBOX_HOURS`` hours), so the inbox
opens on today's new candidates with a clean address; "all" is an explicit choice. A
search looks through every kept candidate unless a fetched time is picked.
"""

import datetime

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digests.models import Candidate, Digest

ALL = "all"
INBOX_HOURS = 24  # "today's" candidates: fetched within this many hours


class DefaultFilter(admin.SimpleListFilter):
    """A list filter that applies ``default`` when the address does not name a choice."""

    default = ALL

    def default_value(self, request):
        return self.default

    def __init__(self, request, params, model, model_admin):
        self.fallback = self.default_value(request)
        super().__init__(request, params, model, model_admin)

    def value(self):
        return super().value() or self.fallback

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class StateFilter(DefaultFilter):
    title = _("state")
    parameter_name = "state"
    default = Candidate.State.NEW

    def lookups(self, request, model_admin):
        return [*Candidate.State.choices, (ALL, _("All"))]

    def queryset(self, request, queryset):
        if self.value() in Candidate.State.values:
            return queryset.filter(state=self.value())
        return queryset


FETCHED = {"today": INBOX_HOURS, "week": 7 * 24, "month": 30 * 24}  # hours


class FetchedFilter(DefaultFilter):
    title = _("fetched")
    parameter_name = "fetched"

    def default_value(self, request):
        return ALL if request.GET.get("q") else "today"

    def lookups(self, request, model_admin):
        return [
            ("today", _("In the last 24 hours")),
            ("week", _("In the last 7 days")),
            ("month", _("In the last 30 days")),
            (ALL, _("All")),
        ]

    def queryset(self, request, queryset):
        if hours := FETCHED.get(self.value()):
            since = timezone.now() - datetime.timedelta(hours=hours)
            return queryset.filter(fetched_at__gte=since)
        return queryset


class InDraftFilter(admin.SimpleListFilter):
    title = _("already in a digest")
    parameter_name = "in_draft"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("In a digest not yet published")),
            ("published", _("In a published digest")),
            ("no", _("Not in a digest")),
        ]

    def queryset(self, request, queryset):
        published = Q(item__digest__status=Digest.Status.PUBLISHED)
        match self.value():
            case "draft":
                return queryset.filter(item__isnull=False).exclude(published)
            case "published":
                return queryset.filter(published)
            case "no":
                return queryset.filter(item__isnull=True)
        return queryset
