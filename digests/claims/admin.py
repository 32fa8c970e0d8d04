"""The desk's view of a digest's numeric claims: correct or dismiss one.

The digest's change page links here (“Numbers (N)”) filtered to its digest
(``?digest__id__exact=``). Editors and reviewers change the value, unit, bound,
what it measures, or the status in the list itself: a changed value marks the
claim corrected, “dismissed” leaves it out of the checks and the ``.json``, and
“as found” brings back the extractor's values. A withdrawn digest's claims are
read only. Each save goes through ``ledger.desk_changed`` (support, history,
public pages).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from digests.claims import ledger
from digests.models import Claim, Digest

S = Claim.Status


class ClaimNumberField(forms.DecimalField):
    """A claim's value as the desk reads and types it (6000, not 6000.000000), compared
    as a number: a row sent back as shown is unchanged, so saving the list corrects only
    the numbers the desk changed."""

    def prepare_value(self, value):
        return f"{value.normalize():f}" if isinstance(value, Decimal) else value

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial) != self.to_python(data)
        except forms.ValidationError:
            return True


class ClaimForm(forms.ModelForm):
    """A claim as the desk edits it; locked when its digest is withdrawn."""

    class Meta:
        model = Claim
        fields = ["value", "high", "unit", "bound", "measure", "status"]
        field_classes = {"value": ClaimNumberField, "high": ClaimNumberField}
        # Narrow inputs, sized by static/digests/admin/claims.css: the whole row fits
        # a laptop's width beside the filters.
        widgets = {
            "value": forms.TextInput(attrs={"class": "claim-number", "inputmode": "decimal"}),
            "high": forms.TextInput(attrs={"class": "claim-number", "inputmode": "decimal"}),
            "unit": forms.TextInput(attrs={"class": "claim-unit"}),
            "measure": forms.TextInput(attrs={"class": "claim-measure"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.digest.status == Digest.Status.UNPUBLISHED:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        data = super().clean()
        status = data.get("status")
        corrected = any(
            name in self.changed_data for name in ledger.CORRECTABLE if name in self.fields
        )
        if status == S.FOUND and "status" in self.changed_data:
            if not ledger.as_found(self.instance):
                self.add_error("status", _("This number is no longer in the text."))
            for name in ledger.CORRECTABLE:
                data[name] = getattr(self.instance, name)
        elif corrected and status != S.DISMISSED:
            data["status"] = S.CORRECTED
        return data


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    form = ClaimForm
    list_display = ["text", "where", "value", "high", "unit", "bound", "measure", "status"]
    list_display_links = ["text"]
    list_editable = ["value", "unit", "bound", "measure", "status"]
    list_filter = ["block", "status", "unit"]
    list_select_related = ["digest", "item"]
    search_fields = ["text", "measure"]
    readonly_fields = ["digest", "item", "block", "part", "text", "start", "end", "supported"]
    list_per_page = 200

    class Media:
        css = {"all": ["digests/admin/claims.css"]}

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ClaimForm, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("digest", "item")
            .prefetch_related("supported_by")
        )

    @admin.display(description=_("where"))
    def where(self, claim):
        if claim.item_id:
            return f"{claim.digest.date} · {claim.item.heading}"
        return f"{claim.digest.date} · {claim.get_block_display()} ({claim.part})"

    @admin.display(description=_("supported by"))
    def supported(self, claim):
        return "、".join(item.heading for item in claim.supported_by.all()) or "—"

    def has_add_permission(self, request):
        return False  # claims come from the text, never typed in

    def has_delete_permission(self, request, obj=None):
        return False  # dismiss instead: a deleted claim would come back on the next save

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.digest.status == Digest.Status.UNPUBLISHED:
            return False
        return super().has_change_permission(request, obj)

    def changelist_view(self, request, extra_context=None):
        """The list's edits in one transaction; the ledger runs once for all of them."""
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        with transaction.atomic():
            request.claims_changed = []
            response = super().changelist_view(request, extra_context)
            if request.claims_changed:
                ledger.desk_changed(request.claims_changed, request.user)
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if (changed := getattr(request, "claims_changed", None)) is not None:
            changed.append(obj)
        else:
            ledger.desk_changed([obj], request.user)
