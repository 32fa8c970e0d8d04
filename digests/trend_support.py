"""The items supporting each trend point: suggested by text similarity, ticked by the editor.

On the digest's page each saved trend point lists the day's items as checkboxes,
the few most similar to the point's text first and marked “suggested”
(``digests.story.similarity``: the point's words against each item's stored search
tokens, Jaccard). A choice is posted as ``POSITION:ITEM`` and kept for the point on
that line when the trend summary is saved; readers see the chosen items linked under
the point (templates/digests/includes/trends.html).
"""

from dataclasses import dataclass

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from digests.models import Item
from digests.search.index import current_terms
from digests.story import similarity

SUGGESTED = 3  # how many items are marked suggested under each point
LEGEND_CHARS = 40  # of a point's text, when it has no label


@dataclass(frozen=True)
class Choice:
    item: Item
    chosen: bool
    suggested: bool


def value(position, item_pk):
    """A choice as posted: the point's line number and the item's id."""
    return f"{position}:{item_pk}"


def parse(value_):
    """``POSITION:ITEM`` as two ints (the field's choices have checked the form)."""
    position, item_pk = value_.split(":")
    return int(position), int(item_pk)


def ranked(point, items, tokens):
    """``items`` ranked for ``point``: (score, item) pairs, most similar first, then in the
    day's order; ``tokens`` maps an item's id to its (search_title, search_body)."""
    wanted = similarity.text_features(f"{point.label} {point.text}", current_terms())
    scores = [
        (similarity.score(wanted, similarity.stored_features(*tokens.get(item.pk, ("", "")))), n)
        for n, item in enumerate(items)
    ]
    scores.sort(key=lambda pair: (-pair[0], pair[1]))
    return [(score, items[n]) for score, n in scores]


def choices_for(points, items, chosen):
    """For each point, its ``Choice`` rows: suggested and chosen first, then the rest.

    ``chosen`` is the set of posted or stored ``POSITION:ITEM`` values. One query: the
    day's items' search tokens (the page fetched its items without them).
    """
    tokens = {
        pk: (title, body)
        for pk, title, body in Item.objects.filter(pk__in=[item.pk for item in items])
        .order_by()
        .values_list("pk", "search_title", "search_body")
    }
    rows = []
    for point in points:
        top = {item.pk for score, item in ranked(point, items, tokens)[:SUGGESTED] if score > 0}
        ticks = [
            Choice(item, value(point.position, item.pk) in chosen, item.pk in top)
            for item in items
        ]
        first = [c for c in ticks if c.suggested or c.chosen]
        first.sort(key=lambda c: not c.suggested)  # suggested first, each part in day order
        rest = [c for c in ticks if not (c.suggested or c.chosen)]
        rows.append((point, first, rest))
    return rows


class SupportChooser(forms.Widget):
    """Each trend point's checkboxes, drawn in Python (a hundred items under each point)."""

    # Several values under one name, as a multiple select posts them: the desk's working
    # copy compares the page's fields by this (digests/desk/working_copy.form_fields).
    allow_multiple_selected = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = None  # a callable giving (points, items), set by SupportField.offer

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])

    def value_omitted_from_data(self, data, files, name):
        return False  # nothing ticked posts nothing: that is a choice too

    def render(self, name, value, attrs=None, renderer=None):
        self.points, self.items = self.offered() if self.offered else ([], [])
        if not self.points or not self.items:
            return ""
        chosen = set(value or ())
        return format_html_join(
            "",
            '<fieldset class="trend-support" id="trend-support-{}"><legend>{}</legend>'
            '<ul class="trend-support-first">{}</ul>{}</fieldset>',
            (
                (
                    point.position,
                    point.label or Truncator(point.text).chars(LEGEND_CHARS),
                    self.boxes(name, point, first),
                    format_html(
                        '<details class="trend-support-rest"><summary>{}</summary>'
                        "<ul>{}</ul></details>",
                        _("The day's other items"),
                        self.boxes(name, point, rest, short=True),
                    )
                    if rest
                    else "",
                )
                for point, first, rest in choices_for(self.points, self.items, chosen)
            ),
        )

    def boxes(self, name, point, rows, short=False):
        """Checkboxes; ``short`` ones name the item by its number and topic only (under
        three points, a hundred headlines would weigh more than the rest of the page)."""
        number = {item.pk: n for n, item in enumerate(self.items, start=1)}
        return format_html_join(
            "",
            '<li{}><label><input type="checkbox" name="{}" value="{}"{}> {}{}</label></li>',
            (
                (
                    mark_safe(' class="suggested"') if row.suggested else "",
                    name,
                    value(point.position, row.item.pk),
                    mark_safe(" checked") if row.chosen else "",
                    format_html('<span class="suggested-mark">{}</span> ', _("suggested"))
                    if row.suggested
                    else "",
                    f"{number[row.item.pk]}. {row.item.topic}" if short else row.item.heading,
                )
                for row in rows
            ),
        )


class SupportField(forms.MultipleChoiceField):
    """The chosen ``POSITION:ITEM`` pairs; ``offer`` sets the points and the day's items."""

    widget = SupportChooser

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("supporting items"))
        kwargs.setdefault(
            "help_text",
            _(
                "Tick the items each trend point rests on; readers see them linked under the "
                "point. The items most like the point are marked suggested. Choices follow the "
                "point's line: after moving lines, check them again."
            ),
        )
        super().__init__(**kwargs)

    def offer(self, offered):
        """``offered()`` gives the saved points and the day's items, when drawn."""
        self.widget.offered = offered

    def validate(self, value):
        """Each value is POSITION:ITEM; which points and items exist is the save's to check
        (a point on that line, an item of this digest), so a post costs no query for it."""
        for choice in value:
            position, colon, item = str(choice).partition(":")
            if not (colon and _number(position) and _number(item)):
                raise forms.ValidationError(
                    _("“%(value)s” is not a trend point's line and an item."),
                    code="invalid_choice",
                    params={"value": choice},
                )


def _number(text):
    return text.isascii() and text.isdigit() and len(text) <= 18
