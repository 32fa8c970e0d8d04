"""Filters for browsing published items at /items/: kept in the URL's query string."""

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from digests import public_cache
from digests.models import Category, Item, Source, Tag


def public_choices():
    """The sections, sources, tags and topics that published items use.

    A draft's new tag is not public yet, so the form offers only these. They
    change only when something is published or withdrawn, so they are kept
    under the public generation instead of being scanned for on every visit.
    """
    key = f"newsroom:browse-choices:{public_cache.generation()}"
    choices = cache.get(key)
    if choices is None:
        public = Item.objects.published()
        topics = {}
        for slug, label in public.order_by("topic_slug").values_list("topic_slug", "topic"):
            topics.setdefault(slug, label)
        choices = {
            "category": list(
                Category.objects.filter(items__in=public).values_list("pk", flat=True).distinct()
            ),
            "source": list(
                Source.objects.filter(items__in=public).values_list("pk", flat=True).distinct()
            ),
            "tag": list(
                Tag.objects.filter(tagged_items__content_object__in=public)
                .values_list("pk", flat=True)
                .distinct()
            ),
            "topic": list(topics.items()),
        }
        cache.set(key, choices, 3600)
    return choices


class ItemFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        field_name="digest__date",
        lookup_expr="gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="digest__date",
        lookup_expr="lte",
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.none(), to_field_name="slug", label=_("Section")
    )
    topic = django_filters.ChoiceFilter(field_name="topic_slug", choices=[], label=_("Topic"))
    tag = django_filters.ModelChoiceFilter(
        field_name="tags", queryset=Tag.objects.none(), to_field_name="slug", label=_("Tag")
    )
    source = django_filters.ModelChoiceFilter(
        queryset=Source.objects.none(), to_field_name="slug", label=_("Source")
    )
    q = django_filters.CharFilter(method="filter_text", label=_("Text"))

    class Meta:
        model = Item
        fields = ["date_from", "date_to", "category", "topic", "tag", "source", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = public_choices()
        self.filters["category"].queryset = Category.objects.filter(pk__in=choices["category"])
        self.filters["source"].queryset = Source.objects.filter(pk__in=choices["source"])
        self.filters["tag"].queryset = Tag.objects.filter(pk__in=choices["tag"])
        self.filters["topic"].extra["choices"] = choices["topic"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(body__icontains=value)
            | Q(topic__icontains=value)
            | Q(source__name__icontains=value)
        )
