"""Admin forms: the analysis paragraphs and trend points edited as labelled lines."""

from dataclasses import dataclass

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from taggit.utils import edit_string_for_tags

from digests import trend_support, workflow
from digests.briefing.grammar import MAX_ITEMS
from digests.briefing.model import MAX_LABEL
from digests.briefing.parser import BULLET_RE, split_label
from digests.briefing.render import labelled_line
from digests.models import (
    Analysis,
    AnalysisParagraph,
    Digest,
    Item,
    ReviewComment,
    TrendPoint,
    TrendSummary,
)
from digests.models.item import tags_prefetch


def plain_line_breaks(value):
    """Line breaks as the database keeps them (\\n), whatever a browser sent (\\r\\n or \\r)."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


class MultilineTextField(forms.CharField):
    """A textarea's text with plain line breaks: unchanged text compares equal to the stored."""

    def to_python(self, value):
        value = super().to_python(value)
        return plain_line_breaks(value) if isinstance(value, str) else value

    def has_changed(self, initial, data):
        # Text stored before this normalisation (with CRLF) is not changed by a look.
        return super().has_changed(self.to_python(initial), data)


def labelled_lines(rows, bullet=False):
    prefix = "- " if bullet else ""
    return "\n".join(prefix + labelled_line(row) for row in rows)


class KnownChoiceField(forms.ModelChoiceField):
    """A related object chosen on one row of many; ``known`` holds the rows' choices.

    ``ItemFormSet`` reads every row's choice in one query per field and puts the
    objects here, so a digest of a hundred items is not a hundred look-ups.
    """

    known = None  # {str(pk): object}, from ``queryset``, or None to look up as usual

    def to_python(self, value):
        if self.known is not None and str(value) in self.known:
            return self.known[str(value)]
        return super().to_python(value)


class KnownAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete select, labelled from its field's ``known`` objects."""

    def optgroups(self, name, value, attr=None):
        field = self.choices.field
        if getattr(field, "known", None) is None:
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for chosen in (str(v) for v in value if v not in field.empty_values):
            if chosen in field.known:
                label = field.label_from_instance(field.known[chosen])
                options.append(self.create_option(name, chosen, label, True, len(options)))
        return [(None, options, 0)]


class LazyAutocompleteSelect(KnownAutocompleteSelect):
    """The item's source: the admin's autocomplete, started by the editor when its card opens.

    Marked ``item-autocomplete`` instead of ``admin-autocomplete``, so that the
    admin's script does not start a hundred select2 boxes when the page loads.
    """

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["class"] = attrs["class"].replace("admin-autocomplete", "item-autocomplete")
        return attrs


class LabelledLinesField(forms.CharField):
    """A textarea where each line is one labelled paragraph: LABEL:TEXT (label optional)."""

    def __init__(self, *, bullet=False, **kwargs):
        self.bullet = bullet
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value) or ""
        rows, errors = [], []
        for number, line in enumerate(plain_line_breaks(value).split("\n"), start=1):
            line = line.strip()
            if self.bullet and (match := BULLET_RE.match(line)):
                line = match["text"].strip()
            if not line:
                continue
            row = split_label(line)
            if row.label and len(row.label) > MAX_LABEL:
                errors.append(
                    ValidationError(
                        _("Line %(line)d: the label is longer than %(limit)d characters."),
                        params={"line": number, "limit": MAX_LABEL},
                    )
                )
            rows.append(row)
        if errors:
            raise ValidationError(errors)
        return rows

    def prepare_value(self, value):
        if isinstance(value, list):
            return labelled_lines(value, bullet=self.bullet)
        return value

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


class LabelledRowsForm(forms.ModelForm):
    """A block form that also writes its labelled rows (paragraphs or points)."""

    rows_field = "rows"
    row_model = None
    row_parent = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            related = getattr(self.instance, self.row_related_name).all()
            self.initial.setdefault(
                self.rows_field,
                labelled_lines(related, bullet=self.fields[self.rows_field].bullet),
            )

    @transaction.atomic
    def save(self, commit=True):
        block = super().save(commit=commit)
        if commit:
            self.save_rows(block)
        return block

    def save_rows(self, block):
        getattr(block, self.row_related_name).all().delete()
        return self.row_model.objects.bulk_create(
            self.row_model(**{self.row_parent: block}, position=n, label=row.label, text=row.text)
            for n, row in enumerate(self.cleaned_data.get(self.rows_field) or [], start=1)
        )


class AnalysisForm(LabelledRowsForm):
    paragraphs = LabelledLinesField(
        label=_("paragraphs"),
        help_text=_("One paragraph per line, written LABEL:TEXT, e.g. 背景:……"),
    )
    rows_field = "paragraphs"
    row_related_name = "paragraphs"
    row_model = AnalysisParagraph
    row_parent = "analysis"

    class Meta:
        model = Analysis
        fields = ["title"]


class TrendSummaryForm(LabelledRowsForm):
    points = LabelledLinesField(
        bullet=True,
        label=_("trend points"),
        help_text=_("One point per line, written - LABEL:TEXT, e.g. - 生物医药智能化加速:……"),
    )
    supporting = trend_support.SupportField()
    rows_field = "points"
    row_related_name = "points"
    row_model = TrendPoint
    row_parent = "trend_summary"

    class Meta:
        model = TrendSummary
        fields = ["summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})}

    class Media:
        css = {"all": ["digests/admin/trend_support.css"]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The saved points offer the day's saved items, read only when drawn (on the
        # digest's page both came with its contents; the items' search tokens are one
        # query more). A save compares the posted choices with the stored ones.
        if self.instance.pk:
            self.fields["supporting"].offer(
                lambda: (list(self.instance.points.all()), list(self.instance.digest.items.all()))
            )
            self.initial.setdefault("supporting", self.stored_support())

    def stored_support(self):
        """The stored choices as posted values: from the page's prefetch, or one query."""
        cache = getattr(self.instance, "_prefetched_objects_cache", {})
        if "points" in cache and all(hasattr(p, "joined_item_ids") for p in cache["points"]):
            pairs = [(p.position, pk) for p in cache["points"] for pk in p.item_ids]
        else:
            pairs = TrendPoint.items.through.objects.filter(
                trendpoint__trend_summary=self.instance
            ).values_list("trendpoint__position", "item_id")
        return [trend_support.value(position, pk) for position, pk in sorted(pairs)]

    def save_rows(self, block):
        points = {point.position: point for point in super().save_rows(block)}
        chosen = [
            pair
            for pair in map(trend_support.parse, self.cleaned_data.get("supporting") or ())
            if pair[0] in points
        ]
        # Items the same save deleted (their cards removed) are no choice any more.
        kept = set(
            Item.objects.filter(
                digest_id=block.digest_id, pk__in={item_pk for _, item_pk in chosen}
            ).values_list("pk", flat=True)
        )
        through = TrendPoint.items.through
        through.objects.bulk_create(
            through(trendpoint=points[position], item_id=item_pk)
            for position, item_pk in chosen
            if item_pk in kept
        )
        return list(points.values())


# The fields an item card shows, whose help the editor's legend gives once for all cards.
LEGEND = ("topic", "title", "body", "source", "url", "tags", "image", "image_alt")
# What a closed card carries as values (not its picture: a file left out is unchanged).
LAZY_FIELDS = ("topic", "title", "body", "source", "url", "tags", "image_alt")


def hidden_inputs(prefix, values, source=None):
    """A card's values as hidden inputs named as its form reads them (drawn in Python: on a
    hundred cards, a template loop over their fields costs more than the rest of the card)."""
    return format_html_join(
        "",
        '<input type="hidden" name="{}-{}" value="{}"{}>',
        (
            (
                prefix,
                name,
                "" if value is None else value,
                format_html(' data-label="{}"', source.name)
                if name == "source" and source and value
                else "",
            )
            for name, value in values
        ),
    )


def described_once(field, name):
    """An item field whose help the legend above the cards gives once (``LEGEND``)."""
    field.help_text = ""
    field.widget.attrs["aria-describedby"] = f"items-help-{name}"
    return field


class ItemForm(forms.ModelForm):
    """One item on the digest's page; its tags come from the prefetched ``tagged`` rows."""

    tags = described_once(Item._meta.get_field("tags").formfield(), "tags")

    class Meta:
        model = Item
        # Not `fields`: the admin names the fields, tags among them, and an excluded
        # tags field is read from the prefetch (not a query per item) and set in _save_m2m.
        exclude = ["tags"]  # noqa: DJ006

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("tags", [row.tag for row in self.instance.tagged.all()])

    def chosen(self, name):
        """The section or source the card stands for: as posted, or as stored."""
        if self.is_bound and name in self.fields:
            known = getattr(self.fields[name], "known", None) or {}
            return known.get(str(self[name].value()))
        if getattr(self.instance, f"{name}_id") is None:
            return None
        return getattr(self.instance, name)

    # What the item's card shows (edit_inline/items.html); ClosedCard says the same.

    @property
    def item(self):
        return self.instance

    @property
    def chosen_source(self):
        return self.chosen("source")

    @property
    def heading(self):
        return f"{self['topic'].value() or ''}-{self['title'].value() or ''}"

    @property
    def is_lazy(self):
        """A stored item without errors: its card starts closed, its fields as plain values
        that the page turns into inputs when the card opens (editor.js)."""
        return self.instance.pk is not None and not self.errors

    @property
    def deletable(self):
        return "DELETE" in self.fields

    @property
    def deleted(self):
        return self.deletable and bool(self["DELETE"].value())

    def hidden_inputs(self):
        values = [(field.name, field.value()) for field in self.hidden_fields()]
        if self.is_lazy:
            values += self.lazy_values()
        return hidden_inputs(self.prefix, values, self.chosen_source)

    def lazy_values(self):
        """(name, value) of the fields a closed card carries, as the form would post them."""
        values = []
        for name in LAZY_FIELDS:
            if name not in self.fields:
                continue
            value = self[name].value()
            if name == "tags" and not isinstance(value, str):
                value = edit_string_for_tags(value or [])
            elif name == "source":
                value = getattr(value, "pk", value)
            values.append((name, value))
        return values

    def _get_validation_exclusions(self):
        # A section or source the form field found among the known choices exists: the
        # model's own existence check would only repeat it, one query per row.
        exclude = super()._get_validation_exclusions()
        exclude.update(
            name
            for name, field in self.fields.items()
            if isinstance(field, KnownChoiceField) and field.known is not None
        )
        return exclude

    def _save_m2m(self):
        super()._save_m2m()
        if "tags" in self.fields:  # as the model's own tags field would (a saved form only)
            self.instance.tags.set(self.cleaned_data.get("tags") or [])


class NamedLookups:
    """A formset whose attributes a template reads without building every form.

    A template looks ``formset.sections`` up as ``formset["sections"]`` first, and a
    formset answers that from ``self.forms``, building them all before failing.
    """

    def __getitem__(self, index):
        if isinstance(index, str):
            raise TypeError("a formset's forms are numbered")
        return super().__getitem__(index)


@dataclass
class ClosedCard:
    """A stored item's card on a page just opened: drawn from the item, without its form.

    Building a hundred admin forms (each a deep copy of a dozen fields) costs more
    than the rest of the page; a closed card needs only the item's values, posted
    under the name its form would read them by.
    """

    prefix: str
    item: Item
    deletable: bool
    errors = None
    is_lazy = True
    deleted = False

    @property
    def chosen_source(self):
        return self.item.source

    @property
    def heading(self):
        return self.item.heading

    def hidden_inputs(self):
        item = self.item
        values = [
            ("position", item.position),
            ("category", item.category_id),
            ("id", item.pk),
            ("digest", item.digest_id),
            *self.lazy_values(),
        ]
        return hidden_inputs(self.prefix, values, item.source)

    def lazy_values(self):
        item = self.item
        values = {
            "source": item.source_id,
            "tags": edit_string_for_tags([row.tag for row in item.tagged.all()]),
        }
        return [(name, values.get(name, getattr(item, name))) for name in LAZY_FIELDS]


class ItemFormSet(NamedLookups, forms.BaseInlineFormSet):
    """A digest's items: at most ``MAX_ITEMS``, and a fixed number of queries for any count."""

    related_fields = ("category", "source")
    default_error_messages = {
        "too_many_forms": ngettext_lazy(
            "A digest holds at most %(num)d item; remove some before saving.",
            "A digest holds at most %(num)d items; remove some before saving.",
            "num",
        )
    }

    def get_queryset(self):
        if not hasattr(self, "_queryset") and not self.is_bound:
            # A page opened: the digest came with its items (DigestAdmin.get_object).
            prefetched = getattr(self.instance, "_prefetched_objects_cache", {})
            if "items" in prefetched:
                self._queryset = list(prefetched["items"])
        if not hasattr(self, "_queryset"):
            self._queryset = (
                super()
                .get_queryset()
                # Joined, so a read-only page shows each row's section and source
                # without a query per row, and ``known`` starts from them.
                .select_related(*self.related_fields)
                .prefetch_related(tags_prefetch())
            )
        return self._queryset

    @cached_property
    def known(self):
        """Every row's section and source: the stored ones came with the rows, and the
        ones chosen anew on a saved form are looked up in one query per field."""
        known = {}
        for name in self.related_fields:
            field = self.form.base_fields.get(name)
            if not isinstance(field, KnownChoiceField):
                continue
            stored = {
                str(obj.pk): obj
                for obj in (getattr(item, name) for item in self.get_queryset())
                if obj is not None
            }
            chosen = set()
            if self.is_bound:
                chosen = {
                    value
                    for key, value in self.data.items()
                    if key.startswith(f"{self.prefix}-") and key.endswith(f"-{name}")
                }
            pks = {int(pk) for pk in chosen - stored.keys() if pk.isascii() and pk.isdigit()}
            found = field.queryset.in_bulk(pks) if pks else {}
            known[name] = {**stored, **{str(pk): obj for pk, obj in found.items()}}
        return known

    def legend(self):
        """Each field's label and help, shown once above the cards: (name, label, help)."""
        return [
            (name, field.label, Item._meta.get_field(name).help_text)
            for name, field in self.form.base_fields.items()
            if name in LEGEND
        ]

    def sections(self):
        """The item cards by section, in page order: a list of (category, [card]).

        A section stands where its first item does (``Digest.sections``). A page just
        opened has closed cards drawn from the items (no form built); a page sent
        back has the forms, where the editor had put them (their posted positions).
        """

        def place(form):
            try:
                return int(form["position"].value())
            except (KeyError, TypeError, ValueError):
                return MAX_ITEMS + 1

        if self.is_bound:
            cards = [(form.chosen("category"), form) for form in sorted(self.forms, key=place)]
        else:
            cards = [
                (item.category, ClosedCard(self.add_prefix(i), item, self.can_delete))
                for i, item in enumerate(self.get_queryset())
            ]
        groups = {}
        for category, card in cards:
            groups.setdefault(getattr(category, "pk", None), (category, []))[1].append(card)
        return list(groups.values())

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        for name, objects in self.known.items():
            form.fields[name].known = objects
        return form

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The row's hidden id: the digest's items are loaded already, no look-up per row.
        name = self.model._meta.pk.name
        stock = form.fields[name]
        form.fields[name] = KnownChoiceField(
            stock.queryset, initial=stock.initial, required=False, widget=stock.widget
        )
        form.fields[name].known = self.known_items

    @cached_property
    def known_items(self):
        return {str(item.pk): item for item in self.get_queryset()}


class BlockFormSet(NamedLookups, forms.BaseInlineFormSet):
    """The analysis or the trend summary: the digest's own when it came with its contents."""

    def get_queryset(self):
        if not hasattr(self, "_queryset") and not self.is_bound and self.instance.pk:
            accessor = self.fk.remote_field.get_accessor_name()
            descriptor = getattr(type(self.instance), accessor)
            if descriptor.is_cached(self.instance):
                block = getattr(self.instance, accessor, None)
                self._queryset = [block] if block is not None else []
        return super().get_queryset()


class DigestForm(forms.ModelForm):
    """The digest's own fields, plus the version the editor started from (optimistic lock).

    On save the digest row is locked and its version compared with the one the
    form was opened at; if someone saved or moved the digest in between, the
    save is refused, the editor's text stays in the form, and the message says
    who changed what.
    """

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    user = None  # set by the admin to the person saving
    conflicts = ()  # set by the admin: fields both editors changed (digests.desk.merge)

    class Meta:
        model = Digest
        fields = ["date", "title", "lede", "cover_image"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # also when bound: an unchanged form has not changed
            self.initial["base_version"] = self.instance.version
        self.locked = None

    def clean(self):
        data = super().clean()
        if not self.instance.pk:
            return data
        self.locked = Digest.objects.select_for_update().get(pk=self.instance.pk)
        base = data.get("base_version")
        if base is None or base != self.locked.version:
            from digests.desk.conflicts import conflict_message

            # Re-shown with the current version: a second save, after reading what
            # changed, is a deliberate choice to keep this editor's text.
            self.data = self.data.copy()
            self.data[self.add_prefix("base_version")] = self.locked.version
            raise ValidationError(
                conflict_message(self.locked, base, self.conflicts), code="stale"
            )
        from digests.desk import locks

        locks.check_save(self.locked, self.user)
        if not workflow.can_edit(self.locked, self.user):
            raise ValidationError(
                _(
                    "Not saved: the digest is %(status)s and you cannot edit it in that state. "
                    "Your text is still below."
                ),
                params={"status": self.locked.get_status_display()},
                code="read_only",
            )
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("comment"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        max_length=5000,
    )


class CommentForm(NoteForm):
    """A review comment on the digest, one of its items, the analysis or the trends."""

    anchor = forms.ChoiceField(
        choices=ReviewComment.Anchor, initial=ReviewComment.Anchor.DIGEST, required=False
    )
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, digest, **kwargs):
        super().__init__(*args, **kwargs)
        self.digest = digest

    def clean(self):
        data = super().clean()
        anchor = data.get("anchor") or ReviewComment.Anchor.DIGEST
        data["anchor"] = anchor
        if anchor != ReviewComment.Anchor.ITEM:
            data["item"] = None
            return data
        item = self.digest.items.filter(pk=data.get("item")).first() if data.get("item") else None
        if item is None:
            raise ValidationError(_("That item is not in this digest."), code="foreign_item")
        data["item"] = item
        return data

    def label(self):
        """The item's heading as it reads now, kept should the item be deleted."""
        item = self.cleaned_data["item"]
        return item.heading if item is not None else ""


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("In the newsroom's time zone."),
    )


class CorrectionForm(forms.Form):
    item = forms.ModelChoiceField(label=_("item"), queryset=Item.objects.none())
    note = forms.CharField(
        label=_("correction"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        max_length=2000,
    )

    # The newsletter (issue 11): offered only to members who may send mailings.
    notify = forms.BooleanField(
        label=_("Send a correction notice to subscribers"),
        required=False,
        help_text=_(
            "A short mail naming the item and the correction, to the subscribers this "
            "digest was sent to. Unticked, the correction is only published on the site."
        ),
    )

    def __init__(self, *args, digest, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Not ``digest.items``: on a digest fetched with its contents, that would fetch
        # the items' tags and corrections again for a list of headlines.
        items = Item.objects.filter(digest=digest)
        self.fields["item"].queryset = items.order_by("position", "id")
        self.fields["item"].label_from_instance = lambda item: item.heading
        if user is None or not user.has_perm("digests.send_mailing"):
            del self.fields["notify"]


class ShareLinkForm(forms.Form):
    hours = forms.IntegerField(
        label=_("valid for (hours)"),
        min_value=1,
        max_value=24 * 30,
        help_text=_("The link stops working after this many hours, or when revoked."),
    )
