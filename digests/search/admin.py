"""The desk's dictionary of search terms in Django admin.

Imported by ``digests.admin`` (``import digests.search.admin``). Every change
calls ``terms_changed()``, which, once committed, queues the rebuild of the
items whose tokens the new terms change.
"""

from django.contrib import admin

from digests.models import SearchTerm
from digests.search.index import terms_changed


@admin.register(SearchTerm)
class SearchTermAdmin(admin.ModelAdmin):
    list_display = ["term", "added_by", "created_at"]
    list_select_related = ["added_by"]
    search_fields = ["term"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
        terms_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        terms_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        terms_changed()
