"""Former and other names of sections and sources in the admin: inlines and renames."""

from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from digests import aliases
from digests.models import SectionAlias, SourceAlias
from digests.models.taxonomy import name_key


class AliasFormSet(BaseInlineFormSet):
    """One row's aliases: no two of them may read as one name."""

    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            name = form.cleaned_data.get("name") if form.cleaned_data else None
            if not name or (self.can_delete and self._should_delete_form(form)):
                continue
            if (other := seen.setdefault(name_key(name), name)) != name:
                raise ValidationError(
                    _("“%(one)s” and “%(other)s” are the same name to the importer; keep one.")
                    % {"one": other, "other": name}
                )


class AliasInline(admin.TabularInline):
    """Aliases are part of their section or source: the same permissions apply."""

    formset = AliasFormSet
    extra = 1
    fields = ["name"]

    def _may(self, request, action):
        opts = self.parent_model._meta
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")

    def has_view_permission(self, request, obj=None):
        return self._may(request, "view") or self._may(request, "change")

    def has_add_permission(self, request, obj=None):
        return self._may(request, "change" if obj else "add")

    def has_change_permission(self, request, obj=None):
        return self._may(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._may(request, "change")


class SectionAliasInline(AliasInline):
    model = SectionAlias


class SourceAliasInline(AliasInline):
    model = SourceAlias


class KeepsFormerNames:
    """ModelAdmin mixin: a rename keeps the former name as an alias, in the same transaction."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and "name" in form.changed_data:
            aliases.keep_former_name(form.instance, form.initial["name"])
