"""The newsletter in the admin: subscribers (admins only), mailings and their deliveries.

Imported by ``digests.admin``. Subscribers are personal data: only the roles that
``digests.roles.SUBSCRIBERS`` lists see them, and their CSV export needs a permission
of its own (``digests.export_subscriber``). Mailings are the sending record, read-only:
what was sent is changed by the sending code (``digests.newsletter.sending``), never by
hand, except for putting cut-off deliveries back in the queue (``requeue``).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from digests.models import Delivery, Digest, Mailing, Subscriber
from digests.newsletter import csv_export

D = Delivery.State
# Deliveries the admin may put back in the queue: a send that failed for good after
# its retries, or one cut off mid-send (which may have reached its reader already).
REQUEUEABLE = (D.FAILED, D.INTERRUPTED)


CONSENT_MAX = Subscriber._meta.get_field("consent_source").max_length  # 300 characters


class AddSubscriberForm(forms.ModelForm):
    """An address added by hand: the admin must say where the reader's consent came from.

    What they type is stored with who added it ("… · added by chief"), within the
    field's 300 characters, or refused with the number of characters left.
    """

    added_by = ""  # the admin's username, set per request by ``SubscriberAdmin.get_form``

    consent_source = forms.CharField(
        label=_("consent source"),
        help_text=_(
            "How this reader asked for the newsletter, e.g. “asked by e-mail on 2026-03-01”. "
            "Required: no address is added without the reader's consent."
        ),
    )

    class Meta:
        model = Subscriber
        fields = ["email", "state", "sections", "language", "consent_source"]

    def clean_consent_source(self):
        text = self.cleaned_data["consent_source"].strip()
        suffix = f" · added by {self.added_by}"
        if len(text) + len(suffix) > CONSENT_MAX:
            raise forms.ValidationError(
                _("Keep it to %(limit)d characters (it is %(length)d).")
                % {"limit": CONSENT_MAX - len(suffix), "length": len(text)}
            )
        return text + suffix


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "state",
        "section_names",
        "language",
        "created_at",
        "confirmed_at",
        "consent_source",
    ]
    list_filter = ["state", "sections", "language"]
    search_fields = ["email"]
    search_help_text = _("Part of an e-mail address.")
    date_hierarchy = "created_at"
    actions = ["export_selected"]
    fields = [
        "email",
        "state",
        "sections",
        "language",
        "consent_source",
        "consent_at",
        "created_at",
        "confirmed_at",
        "state_changed_at",
        "note",
    ]
    readonly_fields = ["consent_at", "created_at", "confirmed_at", "state_changed_at", "note"]
    filter_horizontal = ["sections"]
    change_list_template = "admin/digests/subscriber/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sections")

    def get_readonly_fields(self, request, obj=None):
        """The address and its consent are facts of the sign-up: not edited afterwards."""
        if obj is None:
            return self.readonly_fields
        return ["email", "consent_source", *self.readonly_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AddSubscriberForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.added_by = request.user.get_username()  # a class made for this request
        return form

    def get_changeform_initial_data(self, request):
        return {"state": Subscriber.State.ACTIVE, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        """Stamp when consent was recorded (an address added by hand) and the state changed."""
        now = timezone.now()
        if not change:
            obj.consent_at = now
        if "state" in form.changed_data:
            obj.state_changed_at = now
            if obj.state == Subscriber.State.ACTIVE and obj.confirmed_at is None:
                obj.confirmed_at = now
        super().save_model(request, obj, form, change)

    @admin.display(description=_("sections"))
    def section_names(self, subscriber):
        names = [section.name for section in subscriber.sections.all()]
        return ", ".join(names) if names else _("all")

    # --- the CSV export ------------------------------------------------------------

    def has_export_permission(self, request):
        return request.user.has_perm("digests.export_subscriber")

    @admin.action(permissions=["export"], description=_("Export the selected subscribers (CSV)"))
    def export_selected(self, request, queryset):
        return csv_export.response(queryset.prefetch_related("sections"))

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_matching),
                name="digests_subscriber_export",
            ),
            *super().get_urls(),
        ]

    def export_matching(self, request):
        """Every subscriber the list shows with its current search and filters, as CSV."""
        if not (self.has_view_permission(request) and self.has_export_permission(request)):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return csv_export.response(changelist.get_queryset(request))

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "can_export": self.has_export_permission(request),
            "export_query": request.GET.urlencode(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)


def counts_by_state(queryset):
    """Each mailing's deliveries counted by state: a subquery per state on the ledger's
    (mailing, state) index, in the mailings' own query. Not a join: the list's row
    counts and date hierarchy then read the mailings alone, however long the ledger."""

    def count(state):
        rows = (
            Delivery.objects.filter(mailing=OuterRef("pk"), state=state)
            .order_by()
            .values("mailing")
            .annotate(n=Count("*"))
            .values("n")
        )
        return Coalesce(Subquery(rows), 0)

    return queryset.annotate(**{f"n_{state}": count(state) for state in D.values})


def total(mailing):
    return sum(getattr(mailing, f"n_{state}") for state in D.values)


def requeue(request, deliveries):
    """Put the failed and interrupted ones of ``deliveries`` back in the queue.

    Only deliveries of a digest readers may still see (``published()``): a withdrawn
    digest is not sent. The mailings' next batches are enqueued once this commits.
    """
    candidates = deliveries.filter(state__in=REQUEUEABLE).exclude(kind=Mailing.Kind.TEST)
    with transaction.atomic():
        live = candidates.filter(digest__in=Digest.objects.published().values("pk"))
        mailing_ids = sorted(set(live.values_list("mailing", flat=True)))
        count = Delivery.objects.filter(pk__in=list(live.values_list("pk", flat=True))).update(
            state=D.QUEUED, attempts=0, claimed_at=None, error=""
        )
        skipped = candidates.count()  # what is left: digests no longer published
        Mailing.objects.filter(pk__in=mailing_ids).update(finished_at=None)
        transaction.on_commit(lambda: _enqueue_batches(mailing_ids))
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d delivery was left alone: its digest is no longer published.",
                "%(count)d deliveries were left alone: their digest is no longer published.",
                skipped,
            )
            % {"count": skipped},
        )
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d delivery is queued again.",
                "%(count)d deliveries are queued again.",
                count,
            )
            % {"count": count}
            + " "
            + str(
                _(
                    "An interrupted mail may already have reached its reader, "
                    "who may now get it twice."
                )
            ),
        )
    elif not skipped:
        messages.info(request, _("There was no failed or interrupted delivery to queue again."))
    return count


def _enqueue_batches(mailing_ids):
    from digests import tasks

    for mailing_id in mailing_ids:
        tasks.newsletter_send_batch.enqueue(mailing_id)


class LedgerAdmin(admin.ModelAdmin):
    """Mailings and deliveries are written by the sending only; the desk may queue a
    failed or interrupted delivery again (``requeue``), nothing else."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_requeue_permission(self, request):
        return request.user.has_perm("digests.change_delivery")


@admin.register(Mailing)
class MailingAdmin(LedgerAdmin):
    """The sending record of each digest, read-only, with its counts by state."""

    list_display = [
        "digest",
        "kind",
        "created_at",
        "created_by",
        "finished_at",
        "cancelled_at",
        "sent",
        "queued",
        "trouble",
        "deliveries_link",
    ]
    list_filter = ["kind"]
    list_select_related = ["digest", "created_by"]
    date_hierarchy = "created_at"
    actions = ["queue_again"]
    fields = [
        "digest",
        "kind",
        "correction",
        "created_by",
        "created_at",
        "finished_at",
        "cancelled_at",
        "counts",
        "deliveries_link",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return counts_by_state(
            super().get_queryset(request).select_related("digest", "created_by", "correction")
        )

    @admin.action(
        permissions=["requeue"], description=_("Queue failed and interrupted deliveries again")
    )
    def queue_again(self, request, queryset):
        requeue(request, Delivery.objects.filter(mailing__in=[m.pk for m in queryset]))

    @admin.display(description=pgettext_lazy("newsletter count", "sent"), ordering="n_sent")
    def sent(self, mailing):
        return mailing.n_sent

    @admin.display(description=pgettext_lazy("newsletter count", "queued"), ordering="n_queued")
    def queued(self, mailing):
        return mailing.n_queued + mailing.n_sending

    @admin.display(description=_("not delivered"))
    def trouble(self, mailing):
        return sum(
            getattr(mailing, f"n_{state}")
            for state in (D.FAILED, D.INTERRUPTED, D.BOUNCED, D.COMPLAINED)
        )

    @admin.display(description=_("deliveries by state"))
    def counts(self, mailing):
        return ", ".join(
            f"{label}: {getattr(mailing, f'n_{state}')}" for state, label in D.choices
        )

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, mailing):
        url = reverse("admin:digests_delivery_changelist") + f"?mailing__id__exact={mailing.pk}"
        return format_html('<a href="{}">{}</a>', url, total(mailing))


@admin.register(Delivery)
class DeliveryAdmin(LedgerAdmin):
    """The ledger, line by line: who was sent what, when, and the last error."""

    list_display = ["subscriber", "digest", "kind", "state", "attempts", "sent_at", "error"]
    list_filter = ["state", "kind"]
    list_select_related = ["subscriber", "digest"]
    search_fields = ["subscriber__email"]
    search_help_text = _("Part of an e-mail address.")
    readonly_fields = [
        "mailing",
        "digest",
        "kind",
        "subscriber",
        "state",
        "attempts",
        "claimed_at",
        "sent_at",
        "message_id",
        "error",
        "created_at",
    ]
    fields = readonly_fields
    actions = ["queue_again"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mailing")

    @admin.action(
        permissions=["requeue"],
        description=_("Queue these deliveries again (failed and interrupted ones)"),
    )
    def queue_again(self, request, queryset):
        requeue(request, queryset)
