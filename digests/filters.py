"""Filters for browsing published items at /items/: kept in the URL's query string."""

import django_filters
from django import forms
from django.core.cache import cache
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from digests import public_cache, search
from digests.models import Category, Digest, Item, Source, Tag


def public_choices():
    """The sections, sources, tags and topics that published items use.

    A draft's new tag is not public yet, so the form offers only these. They
    change only when something is published or withdrawn, so they are kept
    under the public generation; the first visit after a publication finds
    them with one index probe per section, source, tag and topic
    (``first_public``, ``public_topics``), never a scan of every item.
    """
    key = f"newsroom:browse-choices:{public_cache.generation()}"
    choices = cache.get(key)
    if choices is None:
        choices = {
            "category": first_public(Category, "category"),
            "source": first_public(Source, "source"),
            "tag": first_public(Tag, "tagged__tag"),
            "topic": public_topics(),
        }
        cache.set(key, choices, 3600)
    return choices


def first_public(model, field):
    """The pks of ``model``'s rows with a published item, each found by its first one.

    A subquery limited to one row per row of ``model``: the database stops at
    the first published item of each (an index probe), where ``EXISTS`` lets
    PostgreSQL hash every published item.
    """
    first = Item.objects.published().filter(**{field: OuterRef("pk")}).order_by().values("pk")
    return list(
        model.objects.alias(first=Subquery(first[:1]))
        .filter(first__isnull=False)
        .values_list("pk", flat=True)
    )


def public_topics():
    """(slug, label) of every topic published items use, in slug order.

    Topics have no table of their own, so they are read from the items'
    ``topic_slug`` index by skipping from one topic to the next (a recursive
    query, one probe per topic), instead of reading every item.
    """
    digests = Digest.objects.published().order_by().values("id")
    published, params = digests.query.sql_with_params()
    item = connection.ops.quote_name(Item._meta.db_table)
    # EXISTS, as in ``Item.objects.published()``: with ``IN (…)`` SQLite builds the
    # list of published digests again for every probe (2 s instead of 1 ms).
    public = f"EXISTS (SELECT 1 FROM ({published}) p WHERE p.id = i.digest_id)"
    sql = f"""
        WITH RECURSIVE topics(slug) AS (
            SELECT (SELECT i.topic_slug FROM {item} i WHERE {public}
                    ORDER BY i.topic_slug LIMIT 1)
            UNION ALL
            SELECT (SELECT i.topic_slug FROM {item} i WHERE i.topic_slug > topics.slug
                    AND {public} ORDER BY i.topic_slug LIMIT 1)
            FROM topics WHERE topics.slug IS NOT NULL
        )
        SELECT slug, (SELECT i.topic FROM {item} i WHERE i.topic_slug = topics.slug
                      AND {public} LIMIT 1)
        FROM topics WHERE slug IS NOT NULL ORDER BY slug
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params, *params])
        return [tuple(row) for row in cursor.fetchall()]


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
        """Items matching the words, by the search index (as /search/ finds them), newest first."""
        value = value.strip()
        if not value:
            return queryset
        return search.matching(value, queryset)
