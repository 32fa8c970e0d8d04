"""Read the JSON form of a briefing (as ``Briefing.to_dict`` writes it), checking every field.

Errors name the JSON path, e.g. ``sections[1].items[0].title``, and what was expected.
"""

import datetime
import json

from django.utils.translation import gettext as _

from .model import (
    MAX_HEADLINE,
    MAX_LABEL,
    MAX_SECTION,
    MAX_SOURCE,
    MAX_TAG,
    MAX_TITLE,
    MAX_TOPIC,
    MAX_URL,
    Analysis,
    Briefing,
    BriefingError,
    BriefingItem,
    Labelled,
    Section,
    Trends,
)

STATUSES = {"draft", "review", "scheduled", "published", "unpublished"}


def _expect(condition, path, message):
    if not condition:
        raise BriefingError(message, path=path)


def _string(data, key, path, limit=None, optional=False, allow_empty=False):
    value = data.get(key)
    where = f"{path}.{key}" if path else key
    if value is None and optional:
        return None
    _expect(isinstance(value, str), where, _("expected a string"))
    value = value.strip()
    _expect(allow_empty or value, where, _("expected a non-empty string"))
    if limit is not None:
        _expect(len(value) <= limit, where, _("at most %(limit)d characters") % {"limit": limit})
    return value


def _object(value, path):
    _expect(isinstance(value, dict), path, _("expected an object"))
    return value


def _list(value, path):
    _expect(isinstance(value, list), path, _("expected a list"))
    return value


def _labelled(data, path):
    data = _object(data, path)
    label = _string(data, "label", path, MAX_LABEL, allow_empty=True)
    return Labelled(label, _string(data, "text", path))


def _item(data, path):
    data = _object(data, path)
    body = _string(data, "body", path)
    tags = _list(data.get("tags", []), f"{path}.tags")
    for index, tag in enumerate(tags):
        _expect(
            isinstance(tag, str) and tag.strip() and len(tag) <= MAX_TAG,
            f"{path}.tags[{index}]",
            _("expected a non-empty string of at most %(limit)d characters") % {"limit": MAX_TAG},
        )
    url = _string(data, "url", path, MAX_URL, optional=True)
    _expect(
        url is None or url.startswith(("http://", "https://")),
        f"{path}.url",
        _("expected an http:// or https:// address"),
    )
    return BriefingItem(
        topic=_string(data, "topic", path, MAX_TOPIC),
        title=_string(data, "title", path, MAX_HEADLINE),
        body="\n".join(line.strip() for line in body.splitlines() if line.strip()),
        source=_string(data, "source", path, MAX_SOURCE, optional=True) or None,
        url=url or None,
        tags=sorted({tag.strip() for tag in tags}),
    )


def from_dict(data):
    """Build a ``Briefing`` from parsed JSON (or a JSON string); raise ``BriefingError``."""
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError as error:
            raise BriefingError(
                _("not valid JSON: %(error)s") % {"error": error},
                line=getattr(error, "lineno", None),
            ) from None
    data = _object(data, "$")
    raw_date = _string(data, "date", "")
    try:
        date = datetime.date.fromisoformat(raw_date)
    except ValueError:
        raise BriefingError(_("expected a date as YYYY-MM-DD"), path="date") from None
    status = data.get("status", "draft")
    _expect(status in STATUSES, "status", _("expected one of %(s)s") % {"s": sorted(STATUSES)})

    sections = []
    for s_index, raw in enumerate(_list(data.get("sections"), "sections")):
        path = f"sections[{s_index}]"
        raw = _object(raw, path)
        items = _list(raw.get("items"), f"{path}.items")
        _expect(items, f"{path}.items", _("a section needs at least one item"))
        sections.append(
            Section(
                name=_string(raw, "name", path, MAX_SECTION),
                items=[_item(item, f"{path}.items[{i}]") for i, item in enumerate(items)],
            )
        )
    _expect(sections, "sections", _("expected at least one section"))
    names = [section.name for section in sections]
    _expect(len(set(names)) == len(names), "sections", _("each section name may appear once"))

    analysis = None
    if data.get("analysis") is not None:
        raw = _object(data["analysis"], "analysis")
        analysis = Analysis(
            title=_string(raw, "title", "analysis", MAX_TITLE),
            paragraphs=[
                _labelled(p, f"analysis.paragraphs[{i}]")
                for i, p in enumerate(_list(raw.get("paragraphs", []), "analysis.paragraphs"))
            ],
        )
    trends = None
    if data.get("trends") is not None:
        raw = _object(data["trends"], "trends")
        trends = Trends(
            points=[
                _labelled(p, f"trends.points[{i}]")
                for i, p in enumerate(_list(raw.get("points", []), "trends.points"))
            ],
            summary=_string(raw, "summary", "trends", allow_empty=True, optional=True) or "",
        )
    return Briefing(
        date=date,
        title=_string(data, "title", "", MAX_TITLE),
        lede=_string(data, "lede", "", optional=True, allow_empty=True) or "",
        status=status,
        sections=sections,
        analysis=analysis,
        trends=trends,
    )
