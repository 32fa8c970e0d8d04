"""Saved versions of a digest, kept by django-reversion, and readable diffs between them.

A version is recorded whenever the desk saves a digest in the admin, imports a
briefing, restores an earlier version or changes its status; it holds the whole
digest, read once all writes are done (``record``): its items with their tags and
pictures, the deep analysis with its paragraphs and the trend summary with its
points. ``snapshot`` turns one
into plain dictionaries; ``diff`` compares two item by item and field by field.
"""

import difflib
from collections import defaultdict
from dataclasses import dataclass, field

import reversion
from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.models import Version

from digests.briefing.model import Labelled
from digests.briefing.render import labelled_line
from digests.models import (
    Analysis,
    AnalysisParagraph,
    Category,
    Digest,
    DigestEvent,
    Item,
    Source,
    Tag,
    TaggedItem,
    TrendPoint,
    TrendSummary,
)

ITEM_FIELDS = [
    ("position", gettext_lazy("position")),
    ("category", gettext_lazy("section")),
    ("topic", gettext_lazy("topic")),
    ("title", gettext_lazy("headline")),
    ("body", gettext_lazy("body")),
    ("source", gettext_lazy("source")),
    ("url", gettext_lazy("link to the original")),
    ("tags", gettext_lazy("tags")),
    ("image", gettext_lazy("image")),
    ("image_alt", gettext_lazy("image description")),
]
DIGEST_FIELDS = [
    ("date", gettext_lazy("date")),
    ("title", gettext_lazy("title")),
    ("lede", gettext_lazy("lede")),
    ("cover_image", gettext_lazy("cover image")),
]


def register():
    """Tell django-reversion what a digest version holds (called from AppConfig.ready)."""
    if reversion.is_registered(Digest):
        return
    reversion.register(Digest, follow=["items", "analysis", "trend_summary"])
    reversion.register(Item, follow=["tagged"])
    reversion.register(TaggedItem)
    reversion.register(Analysis, follow=["paragraphs"])
    reversion.register(AnalysisParagraph)
    reversion.register(TrendSummary, follow=["points"])
    reversion.register(TrendPoint)


def record(digest, user=None, comment="", action=None):
    """Add the whole digest, read afresh from the database, to the open revision.

    Every writer of a digest (the admin's save, an import, a restore, a status
    change) opens its revision with ``manage_manually=True`` and calls this once
    its writes are done, so a version never holds a half-written digest: objects
    saved along the way are not serialised before their paragraphs, points or
    tags exist, and items deleted by the same save are not in it. With
    ``action`` (a ``DigestEvent.Action``: a save, an import) the digest's
    activity log gets a line too; transitions and restores write their own.
    """
    # Read in fixed queries however many items (a version's label names each row's tag).
    fresh = Digest.objects.prefetch_related(
        Prefetch("items__tagged", TaggedItem.objects.select_related("tag")),
        "analysis__paragraphs",
        "trend_summary__points__items",  # a point's supporting items: its m2m, serialised
    ).get(pk=digest.pk)
    reversion.add_to_revision(fresh)
    if user is not None:
        reversion.set_user(user)
    if comment and not reversion.get_comment():
        reversion.set_comment(str(comment))
    if action is not None:
        DigestEvent.objects.create(
            digest=fresh,
            action=action,
            from_status=fresh.status,
            to_status=fresh.status,
            actor=user,
            version=fresh.version,
        )


def revision():
    """Open a revision for one writer; ``record`` says what goes in it."""
    return reversion.create_revision(manage_manually=True)


def versions_of(digest):
    """The digest's saved versions, newest first, with who saved them."""
    return (
        Version.objects.get_for_object(digest)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


@dataclass
class Snapshot:
    """A saved version as plain data: the digest, its items by id and its two blocks."""

    digest: dict
    items: dict = field(default_factory=dict)
    analysis_title: str | None = None
    paragraphs: list = field(default_factory=list)
    trends_summary: str | None = None
    points: list = field(default_factory=list)

    @property
    def version(self):
        return self.digest.get("version")


def snapshot(revision, digest_id):
    """Read the revision's versions of one digest into a ``Snapshot``."""
    rows = defaultdict(list)
    for version in revision.version_set.all():
        rows[version._model].append(version.field_dict)
    digest = next(row for row in rows[Digest] if row["id"] == digest_id)
    items = [row for row in rows[Item] if row["digest_id"] == digest_id]
    item_ids = {row["id"] for row in items}
    tag_ids = defaultdict(list)
    for row in rows[TaggedItem]:
        if row["content_object_id"] in item_ids:
            tag_ids[row["content_object_id"]].append(row["tag_id"])
    names = {
        "category": dict(Category.objects.values_list("id", "name")),
        "source": dict(
            Source.objects.filter(id__in={r["source_id"] for r in items}).values_list("id", "name")
        ),
        "tag": dict(
            Tag.objects.filter(id__in={t for ts in tag_ids.values() for t in ts}).values_list(
                "id", "name"
            )
        ),
    }
    shot = Snapshot(digest=digest)
    for row in sorted(items, key=lambda r: (r["position"], r["id"])):
        shot.items[row["id"]] = {
            **row,
            "category": names["category"].get(row["category_id"], f"#{row['category_id']}"),
            "source": names["source"].get(row["source_id"], "") if row["source_id"] else "",
            "tags": ", ".join(sorted(names["tag"].get(t, f"#{t}") for t in tag_ids[row["id"]])),
            "image": str(row.get("image") or ""),
        }
    analysis = [row for row in rows[Analysis] if row["digest_id"] == digest_id]
    if analysis:
        shot.analysis_title = analysis[0]["title"]
        shot.paragraphs = _labelled(rows[AnalysisParagraph], "analysis_id", digest_id)
    trends = [row for row in rows[TrendSummary] if row["digest_id"] == digest_id]
    if trends:
        shot.trends_summary = trends[0]["summary"]
        shot.points = _labelled(rows[TrendPoint], "trend_summary_id", digest_id)
    return shot


def _labelled(rows, parent, digest_id):
    mine = sorted(
        (r for r in rows if r[parent] == digest_id), key=lambda r: (r["position"], r["id"])
    )
    # Written as the desk's form writes them, so both read back the same.
    return [labelled_line(Labelled(r["label"], r["text"])) for r in mine]


# --- diffs -------------------------------------------------------------------------------


def inline_diff(old, new):
    """HTML showing what changed within a text: removed in <del>, added in <ins>."""
    old, new = str(old or ""), str(new or "")
    out = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(
        None, old, new, autojunk=False
    ).get_opcodes():
        if op == "equal":
            out.append(escape(old[a1:a2]))
            continue
        if a2 > a1:
            out.append(f"<del>{escape(old[a1:a2])}</del>")
        if b2 > b1:
            out.append(f"<ins>{escape(new[b1:b2])}</ins>")
    return mark_safe("".join(out))


@dataclass
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def html(self):
        return inline_diff(self.old, self.new)


@dataclass
class Group:
    """Changes to one thing: the digest itself, one item, or one of the closing blocks."""

    title: str
    kind: str  # "changed", "added" or "removed"
    changes: list = field(default_factory=list)


def _field_changes(old, new, fields):
    return [
        FieldChange(str(label), str(old.get(name) or ""), str(new.get(name) or ""))
        for name, label in fields
        if (old.get(name) or "") != (new.get(name) or "")
    ]


def _lines_change(label, old, new):
    return [FieldChange(label, "\n".join(old), "\n".join(new))] if old != new else []


def diff(old, new):
    """Compare two snapshots; returns a list of ``Group`` in reading order."""
    groups = []
    own = _field_changes(old.digest, new.digest, DIGEST_FIELDS)
    if own:
        groups.append(Group(_("The digest"), "changed", own))
    for item_id, item in new.items.items():
        heading = f"{item['topic']}-{item['title']}"
        if item_id not in old.items:
            groups.append(Group(heading, "added", _field_changes({}, item, ITEM_FIELDS)))
            continue
        changes = _field_changes(old.items[item_id], item, ITEM_FIELDS)
        if changes:
            groups.append(Group(heading, "changed", changes))
    for item_id, item in old.items.items():
        if item_id not in new.items:
            groups.append(
                Group(
                    f"{item['topic']}-{item['title']}",
                    "removed",
                    _field_changes(item, {}, ITEM_FIELDS),
                )
            )
    analysis = _lines_change(_("title"), [old.analysis_title or ""], [new.analysis_title or ""])
    analysis += _lines_change(_("paragraphs"), old.paragraphs, new.paragraphs)
    if analysis:
        groups.append(Group(_("Deep analysis"), "changed", analysis))
    trends = _lines_change(_("trend points"), old.points, new.points)
    trends += _lines_change(
        _("core summary"), [old.trends_summary or ""], [new.trends_summary or ""]
    )
    if trends:
        groups.append(Group(_("Trend summary"), "changed", trends))
    return groups


def version_for(digest, number):
    """The latest saved version whose digest version is at most ``number``, or None."""
    for version in versions_of(digest):
        if (version.field_dict.get("version") or 0) <= number:
            return version
    return None
