"""Merge an editor's stale save with what others saved meanwhile (docs/workflow.md).

Three versions of the digest take part: *base*, the version the editor opened;
*theirs*, the digest as it is now; *mine*, what the editor posted. Each is read
into the same flat shape, ``{key: value}``, where a key names one field of the
digest, of one item (by its id) or of one closing block, and the values compare
equal exactly when an editor would see no difference.

``three_way`` is pure: for every key, a side that left the base value alone
takes the other side's value; where both sides changed it differently, that is
a ``Conflict`` for the editor to decide. ``rebase`` applies the result to the
posted form data, so the admin's ordinary save writes the merged digest.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from taggit.utils import parse_tags

from digests.briefing.grammar import MAX_ITEMS
from digests.briefing.model import Labelled
from digests.forms import LabelledLinesField, labelled_lines, plain_line_breaks

DIGEST_FIELDS = {"title": _("title"), "lede": _("lede")}
ITEM_FIELDS = {
    "position": _("position"),
    "category": _("section"),
    "topic": _("topic"),
    "title": _("headline"),
    "body": _("body"),
    "source": _("source"),
    "url": _("link to the original"),
    "tags": _("tags"),
    "image_alt": _("image description"),
}
BLOCK_FIELDS = {
    ("analysis", "title"): ("analysis-0-title", _("analysis title")),
    ("analysis", "paragraphs"): ("analysis-0-paragraphs", _("analysis paragraphs")),
    ("trends", "points"): ("trend_summary-0-points", _("trend points")),
    ("trends", "summary"): ("trend_summary-0-summary", _("core summary")),
}


@dataclass
class Conflict:
    """One field both editors changed, differently."""

    key: tuple
    field: str  # the form field's name in the posted data
    label: str
    mine: str
    theirs: str


def text(value):
    return plain_line_breaks(str(value or "")).strip()


def lines(value, bullet=False):
    try:
        rows = LabelledLinesField(bullet=bullet).to_python(value)
    except ValidationError:
        return text(value)  # not valid: a change of mine, which the form then reports
    return tuple((row.label, row.text) for row in rows)


def tags(value):
    return ", ".join(sorted(parse_tags(value or "")))


def three_way(base, theirs, mine):
    """Merge flat dicts; returns (merged, conflicting keys). Pure."""
    merged, conflicts = {}, []
    for key in mine.keys() | theirs.keys():
        if key not in mine:
            merged[key] = theirs[key]
        elif key not in theirs or mine[key] == theirs[key]:
            merged[key] = mine[key]
        elif key not in base:
            conflicts.append(key)  # both added it, differently
            merged[key] = mine[key]
        elif mine[key] == base[key]:
            merged[key] = theirs[key]
        elif theirs[key] == base[key]:
            merged[key] = mine[key]
        else:
            conflicts.append(key)
            merged[key] = mine[key]
    return merged, sorted(conflicts, key=str)


# --- reading each side into the flat shape -------------------------------------------


def from_snapshot(shot):
    """A saved version (``history.Snapshot``) as flat values."""
    values = {("digest", name): text(shot.digest.get(name)) for name in DIGEST_FIELDS}
    for pk, item in shot.items.items():
        row = {
            "position": str(item["position"]),
            "category": str(item["category_id"] or ""),
            "source": str(item["source_id"] or ""),
            "tags": tags(item["tags"]),
        }
        for name in ("topic", "title", "body", "url", "image_alt"):
            row[name] = text(item.get(name))
        values.update({("item", str(pk), name): value for name, value in row.items()})
    values[("analysis", "title")] = text(shot.analysis_title)
    values[("analysis", "paragraphs")] = lines("\n".join(shot.paragraphs))
    values[("trends", "summary")] = text(shot.trends_summary)
    values[("trends", "points")] = lines("\n".join(shot.points))
    return values


def item_forms(post):
    """The posted item forms, in order, as {field: value} with their index."""
    total = int(post.get("items-TOTAL_FORMS") or 0)
    forms = []
    for i in range(total):
        prefix = f"items-{i}-"
        forms.append({k.removeprefix(prefix): v for k, v in post.items() if k.startswith(prefix)})
    return forms


def from_post(post):
    """The posted form data as flat values (deleted items left out)."""
    values = {("digest", name): text(post.get(name)) for name in DIGEST_FIELDS}
    for form in item_forms(post):
        if not form.get("id") or form.get("DELETE"):
            continue
        for name in ITEM_FIELDS:
            value = tags(form.get(name)) if name == "tags" else text(form.get(name))
            values[("item", form["id"], name)] = value
    for key, (field, _label) in BLOCK_FIELDS.items():
        if key[1] in ("paragraphs", "points"):
            values[key] = lines(post.get(field, ""), bullet=key[1] == "points")
        else:
            values[key] = text(post.get(field))
    return values


# --- writing the merge back into the form data ---------------------------------------


def as_form_value(key, value):
    if key[-1] in ("paragraphs", "points"):
        rows = [Labelled(label, body) for label, body in value]
        return labelled_lines(rows, bullet=key[-1] == "points")
    return value


def field_name(key, index_of):
    if key[0] == "digest":
        return key[1]
    if key[0] == "item":
        return f"items-{index_of[key[1]]}-{key[2]}"
    return BLOCK_FIELDS[key][0]


def label_of(key, theirs):
    if key[0] == "digest":
        return str(DIGEST_FIELDS[key[1]])
    if key[0] == "item":
        item = theirs.items.get(int(key[1]), {})
        return f"{item.get('topic', '')}-{item.get('title', '')} · {ITEM_FIELDS[key[2]]}"
    return str(BLOCK_FIELDS[key][1])


def rebase(post, base, theirs):
    """Apply the three-way merge to ``post`` (a mutable QueryDict); returns the conflicts.

    ``base`` and ``theirs`` are snapshots. Items the other editor deleted are
    dropped from the form unless this editor changed them (then they come back
    as new items); items they added are not in the form and stay as they are.
    """
    base_values, their_values = from_snapshot(base), from_snapshot(theirs)
    mine = from_post(post)
    merged, conflicting = three_way(base_values, their_values, mine)
    forms = item_forms(post)
    their_ids = {str(pk) for pk in theirs.items}
    kept, added = [], []
    for form in forms:
        pk = form.get("id")
        if pk and pk not in their_ids and not form.get("DELETE"):
            mine_changed = any(
                mine.get(("item", pk, n)) != base_values.get(("item", pk, n)) for n in ITEM_FIELDS
            )
            if mine_changed:
                added.append({**form, "id": ""})  # they deleted it, I changed it: keep mine
            continue
        if pk and pk not in their_ids:
            continue  # deleted on both sides
        (kept if pk else added).append(form)
    ordered = kept + added
    for key in [k for k in list(post.keys()) if k.startswith("items-") and k[6].isdigit()]:
        del post[key]
    index_of = {}
    for i, form in enumerate(ordered):
        if form.get("id"):
            index_of[form["id"]] = i
        for name, value in form.items():
            post[f"items-{i}-{name}"] = value
    post["items-TOTAL_FORMS"] = str(len(ordered))
    post["items-INITIAL_FORMS"] = str(len(kept))
    for key, value in merged.items():
        if key[0] == "item" and key[1] not in index_of:
            continue  # an item not in the form: theirs stays as it is
        if key in conflicting:
            continue  # the form keeps mine until the editor chooses
        post[field_name(key, index_of)] = as_form_value(key, value)
    return [
        Conflict(
            key=key,
            field=field_name(key, index_of),
            label=label_of(key, theirs),
            mine=as_form_value(key, mine[key]),
            theirs=as_form_value(key, their_values[key]),
        )
        for key in conflicting
        if key[0] != "item" or key[1] in index_of
    ]


def merge_post(request, digest):
    """The data a save of ``digest`` goes on with: choices applied, a stale save merged.

    Returns the (copied) data and the conflicts left for the editor. With no
    conflict the data is rebased on the current version and saves as usual;
    with some, it keeps its old base, so ``DigestForm`` refuses it and shows them.
    """
    from digests import history

    post = request.POST.copy()
    for key in [k for k in post if k.startswith("choose-")]:
        field = key.removeprefix("choose-")
        if post[key] == "theirs" and f"theirs-{field}" in post:
            post[field] = post[f"theirs-{field}"]
    for key in [k for k in post if k.startswith(("choose-", "theirs-"))]:
        del post[key]
    try:
        base = int(post.get("base_version", ""))
        total = int(post.get("items-TOTAL_FORMS", ""))
    except ValueError:
        return post, []  # not a form the desk sent: left to the form's own errors
    if total > MAX_ITEMS + 1:
        return post, []
    if base == digest.version:
        return post, []
    older = history.version_for(digest, base)
    newest = history.versions_of(digest).first()
    if older is None or newest is None or newest.field_dict.get("version") != digest.version:
        return post, []  # no saved version to merge with: refused as a plain stale save
    conflicts = rebase(
        post,
        history.snapshot(older.revision, digest.pk),
        history.snapshot(newest.revision, digest.pk),
    )
    if not conflicts:
        post["base_version"] = str(digest.version)
        request.merged_with = newest  # told to the editor once the save succeeds
    return post, conflicts


def merged_message(request):
    """What the desk is told after a save that was merged, if it was."""
    newest = getattr(request, "merged_with", None)
    if newest is None:
        return None
    who = newest.revision.user.get_username() if newest.revision.user else _("the system")
    message = _(
        "%(who)s saved this digest while you were editing it; your changes and theirs were merged."
    )
    return message % {"who": who}
