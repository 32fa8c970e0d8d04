"""What replacing a draft with an imported briefing would discard, for the import preview."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digests.history import ITEM_FIELDS, FieldChange, Group

# An item's position is compared as the order of the items (one item more above
# shifts every position below it); corrections are what readers saw corrected.
FIELDS = [(name, label) for name, label in ITEM_FIELDS if name != "position"] + [
    ("corrections", gettext_lazy("corrections"))
]


def _changes(old, new, fields):
    return [
        FieldChange(str(label), str(old.get(name) or ""), str(new.get(name) or ""))
        for name, label in fields
        if (old.get(name) or "") != (new.get(name) or "")
    ]


def _draft_item(item):
    return {
        "category": item.category.name,
        "topic": item.topic,
        "title": item.title,
        "body": item.body,
        "source": item.source.name if item.source else "",
        "url": item.url,
        "tags": ", ".join(tag.name for tag in item.tag_list),
        "image": str(item.image or ""),
        "image_alt": item.image_alt,
        "corrections": "\n".join(correction.note for correction in item.corrections.all()),
    }


def _incoming_item(section, item, sections, sources):
    section_row = sections[section.name].row
    source_row = sources[item.source].row if item.source else None
    return {
        "category": section_row.name if section_row else section.name,
        "topic": item.topic,
        "title": item.title,
        "body": item.body,
        "source": source_row.name if source_row else (item.source or ""),
        "url": item.url or "",
        "tags": ", ".join(sorted(item.tags)),
    }


def _lines(labelled):
    return "\n".join(f"{p.label}:{p.text}" if p.label else p.text for p in labelled)


def losses(draft, briefing, sections, sources):
    """What importing ``briefing`` over ``draft`` would change or drop: ``history.Group``s.

    ``draft`` comes with ``Digest.objects.with_contents()``; ``sections`` and ``sources``
    are the ``aliases.resolve`` matches, so a heading that reaches a section by its
    former name is no change. Items pair up by heading (TOPIC-HEADLINE), in order; a
    draft item without a partner in the briefing is listed whole, as removed.
    """
    groups = []
    own = _changes(
        {"title": draft.title, "lede": draft.lede},
        {"title": briefing.title, "lede": briefing.lede},
        [("title", _("title")), ("lede", _("lede"))],
    )
    if own:
        groups.append(Group(_("The digest"), "changed", own))
    incoming = {}
    for section in briefing.sections:
        for item in section.items:
            incoming.setdefault(item.heading, []).append(
                _incoming_item(section, item, sections, sources)
            )
    kept = []  # the draft's items that the briefing has too, in the draft's order
    for item in draft.items.all():
        old = _draft_item(item)
        partners = incoming.get(item.heading)
        if not partners:
            groups.append(Group(item.heading, "removed", _changes(old, {}, FIELDS)))
            continue
        kept.append(item.heading)
        if changes := _changes(old, partners.pop(0), FIELDS):
            groups.append(Group(item.heading, "changed", changes))
    order = [item.heading for item in briefing.items if item.heading in set(kept)]
    if kept != order:
        groups.append(
            Group(
                _("Order of items"),
                "changed",
                [FieldChange(_("order"), "\n".join(kept), "\n".join(order))],
            )
        )
    analysis = getattr(draft, "analysis", None)
    new_analysis = briefing.analysis
    changes = _changes(
        {
            "title": analysis.title if analysis else "",
            "paragraphs": _lines(analysis.paragraphs.all()) if analysis else "",
        },
        {
            "title": new_analysis.title if new_analysis else "",
            "paragraphs": _lines(new_analysis.paragraphs) if new_analysis else "",
        },
        [("title", _("title")), ("paragraphs", _("paragraphs"))],
    )
    if changes:
        groups.append(Group(_("Deep analysis"), "changed", changes))
    trends = getattr(draft, "trend_summary", None)
    new_trends = briefing.trends
    changes = _changes(
        {
            "points": _lines(trends.points.all()) if trends else "",
            "summary": trends.summary if trends else "",
        },
        {
            "points": _lines(new_trends.points) if new_trends else "",
            "summary": new_trends.summary if new_trends else "",
        },
        [("points", _("trend points")), ("summary", _("core summary"))],
    )
    if changes:
        groups.append(Group(_("Trend summary"), "changed", changes))
    return groups
