"""The newsroom desk in Django admin: digests with their items, sections and sources."""

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import path
from django.utils.translation import gettext_lazy as _

from digests.desk_import import import_view
from digests.forms import AnalysisForm, TrendSummaryForm
from digests.models import Analysis, Category, Digest, Item, Source, TrendSummary

admin.site.site_header = _("Newsroom desk")
admin.site.site_title = _("Newsroom")
admin.site.index_title = _("Daily briefing")


def item_count(field):
    """Count a row's items in a subquery, so list counts and pagination stay join-free."""
    items = (
        Item.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(items), 0)


class ItemInline(admin.StackedInline):
    model = Item
    extra = 0
    ordering = ["position", "id"]
    autocomplete_fields = ["category", "source"]
    fields = [
        ("position", "category"),
        ("topic", "title"),
        "body",
        ("source", "url"),
        "tags",
        ("image", "image_alt"),
    ]
    classes = ["item-inline"]


class AnalysisInline(admin.StackedInline):
    model = Analysis
    form = AnalysisForm
    extra = 1
    max_num = 1
    verbose_name_plural = _("deep analysis (深度解析)")


class TrendSummaryInline(admin.StackedInline):
    model = TrendSummary
    form = TrendSummaryForm
    extra = 1
    max_num = 1
    fields = ["points", "summary"]
    verbose_name_plural = _("trend summary (趋势总结)")


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["date", "title", "status", "item_count", "created_by", "updated_at"]
    list_display_links = ["date", "title"]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    date_hierarchy = "date"
    search_fields = ["title", "lede", "items__title", "items__topic"]
    readonly_fields = ["status", "published_at", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": [("date", "title"), "lede", "cover_image"]}),
        (
            _("Record"),
            {"fields": [("status", "published_at"), ("created_by", "created_at", "updated_at")]},
        ),
    ]
    inlines = [ItemInline, AnalysisInline, TrendSummaryInline]

    class Media:
        js = ["digests/admin/item-order.js"]
        css = {"all": ["digests/admin/desk.css"]}

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(lambda request: import_view(self, request)),
                name="digests_digest_import",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=item_count("digest"))

    @admin.display(description=_("items"), ordering="item_count")
    def item_count(self, digest):
        return digest.item_count

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class UsageCountAdmin(admin.ModelAdmin):
    """Sources and sections: how many items use each, counted in the list query."""

    item_field = None

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=item_count(self.item_field))

    @admin.display(description=_("items"), ordering="item_count")
    def item_count(self, obj):
        return obj.item_count


@admin.register(Category)
class CategoryAdmin(UsageCountAdmin):
    item_field = "category"
    list_display = ["name", "slug", "position", "item_count", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    readonly_fields = []


@admin.register(Source)
class SourceAdmin(UsageCountAdmin):
    item_field = "source"
    list_display = ["name", "kind", "url", "item_count", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "notes", "url"]
