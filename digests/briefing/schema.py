"""Read the JSON form of a briefing (as ``Briefing.to_dict`` writes it), checking every field.

Errors name the JSON path, e.g. ``sections[1].items[0].title``, and what was expected.
"""

import datetime
import json
import math
from decimal import Decimal

from django.utils.translation import gettext as _

from . import grammar
from .claims import BOUNDS, MAX_VALUE
from .claims import MAX_CLAIMS as MAX_PARAGRAPH_CLAIMS
from .model import Analysis, Briefing, BriefingError, BriefingItem, Labelled, Section, Trends

STATUSES = {"draft", "review", "scheduled", "published", "unpublished"}


def _expect(condition, path, message):
    if not condition:
        raise BriefingError(message, path=path)


def _check(problems, path):
    """Raise the first of a field's problems (from ``grammar``) at ``path``."""
    if problems:
        raise BriefingError(problems[0], path=path)


def _string(data, key, path, rule=None, optional=False):
    """The string at ``key``, stripped, and checked by the grammar's ``rule``."""
    value = data.get(key)
    where = f"{path}.{key}" if path else key
    if value is None and optional:
        return None
    _expect(isinstance(value, str), where, _("expected a string"))
    value = value.strip()
    if rule is not None:
        _check(rule(value), where)
    return value


def _object(value, path):
    _expect(isinstance(value, dict), path, _("expected an object"))
    return value


def _list(value, path):
    _expect(isinstance(value, list), path, _("expected a list"))
    return value


def _labelled(data, path):
    data = _object(data, path)
    label = _string(data, "label", path)
    text = _string(data, "text", path)
    _check(grammar.labelled_problems(label, text), path)
    return Labelled(label, text)


def _trend_point(data, path, count):
    """A trend point, with its supporting items as 1-based numbers among the day's ``count``."""
    point = _labelled(data, path)
    raw = data.get("items")
    if raw is None:
        return point
    numbers = _list(raw, f"{path}.items")
    for index, number in enumerate(numbers):
        ok = isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= count
        _expect(
            ok,
            f"{path}.items[{index}]",
            _("expected an item's number, from 1 to %(count)d") % {"count": count},
        )
    _expect(len(set(numbers)) == len(numbers), f"{path}.items", _("each item may appear once"))
    point.items = sorted(numbers)
    return point


def _item(data, path):
    data = _object(data, path)
    tags = []
    for index, tag in enumerate(_list(data.get("tags", []), f"{path}.tags")):
        where = f"{path}.tags[{index}]"
        _expect(isinstance(tag, str), where, _("expected a string"))
        _check(grammar.tag_problems(tag.strip()), where)
        tags.append(tag.strip())
    source = _string(data, "source", path, optional=True) or None
    if source is not None:
        _check(grammar.source_problems(source), f"{path}.source")
    url = _string(data, "url", path, grammar.url_problems, optional=True) or None
    body = grammar.normalize_body(_string(data, "body", path))
    _check(grammar.body_problems(body, trailer=bool(source or url or tags)), f"{path}.body")
    return BriefingItem(
        topic=_string(data, "topic", path, grammar.topic_problems),
        title=_string(data, "title", path, grammar.headline_problems),
        body=body,
        source=source,
        url=url,
        tags=sorted(set(tags)),
        claims=_claims(data, path),
    )


# An item's numeric claims (docs/claims.md): the lengths the ledger stores, and how many:
# as many as the extractor can find in an item's two texts (its headline and its body),
# so that every exported item imports back.
CLAIM_TEXT, CLAIM_UNIT, CLAIM_MEASURE = 100, 30, 100
MAX_CLAIMS = 2 * MAX_PARAGRAPH_CLAIMS


def _number(data, key, path, optional=False):
    value = data.get(key)
    if value is None and optional:
        return None
    where = f"{path}.{key}"
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    _expect(ok and math.isfinite(value), where, _("expected a number"))
    number = Decimal(str(value))
    _expect(abs(number) < MAX_VALUE, where, _("the number is too large"))
    return number


def _claims(data, path):
    """The item's ``claims`` list, if given: each with text and value, unit, bound, high,
    measure. Absent means "as the text says" (every number found is a claim)."""
    if data.get("claims") is None:
        return None
    found = _list(data["claims"], f"{path}.claims")
    _expect(
        len(found) <= MAX_CLAIMS,
        f"{path}.claims",
        _("at most %(n)d claims per item") % {"n": MAX_CLAIMS},
    )
    claims = []
    for index, claim in enumerate(found):
        where = f"{path}.claims[{index}]"
        claim = _object(claim, where)
        text = _string(claim, "text", where)
        _expect(0 < len(text) <= CLAIM_TEXT, f"{where}.text", _("expected 1 to 100 characters"))
        unit = _string(claim, "unit", where, optional=True) or ""
        _expect(len(unit) <= CLAIM_UNIT, f"{where}.unit", _("expected at most 30 characters"))
        measure = _string(claim, "measure", where, optional=True) or ""
        _expect(
            len(measure) <= CLAIM_MEASURE,
            f"{where}.measure",
            _("expected at most 100 characters"),
        )
        bound = _string(claim, "bound", where, optional=True) or ""
        _expect(
            bound in BOUNDS,
            f"{where}.bound",
            _("expected one of: %(bounds)s") % {"bounds": ", ".join(b for b in BOUNDS if b)},
        )
        claims.append(
            {
                "text": text,
                "value": _number(claim, "value", where),
                "unit": unit,
                "bound": bound,
                "high": _number(claim, "high", where, optional=True),
                "measure": measure,
            }
        )
    return claims


def loads(text):
    """Parse JSON text, turning every way it can fail into a ``BriefingError``."""
    try:
        return json.loads(text)
    except RecursionError:
        raise BriefingError(
            _("the JSON is nested too deeply; a briefing needs at most %(depth)d levels")
            % {"depth": grammar.MAX_JSON_DEPTH}
        ) from None
    except ValueError as error:
        raise BriefingError(
            _("not valid JSON: %(error)s") % {"error": error},
            line=getattr(error, "lineno", None),
        ) from None


def from_dict(data):
    """Build a ``Briefing`` from parsed JSON (or a JSON string); raise ``BriefingError``.

    Every field passes the same rules (``grammar``) as the parser and the admin apply,
    so whatever is accepted here exports to text that reads back the same.
    """
    if isinstance(data, (str, bytes)):
        data = loads(data)
    data = _object(data, "$")
    raw_date = _string(data, "date", "")
    try:
        date = datetime.date.fromisoformat(raw_date)
    except ValueError:
        raise BriefingError(_("expected a date as YYYY-MM-DD"), path="date") from None
    status = data.get("status", "draft")
    _expect(
        isinstance(status, str) and status in STATUSES,
        "status",
        _("expected one of %(s)s") % {"s": sorted(STATUSES)},
    )

    sections, count = [], 0
    for s_index, raw in enumerate(_list(data.get("sections"), "sections")):
        path = f"sections[{s_index}]"
        raw = _object(raw, path)
        items = _list(raw.get("items"), f"{path}.items")
        _expect(items, f"{path}.items", _("a section needs at least one item"))
        count += len(items)
        if problem := grammar.items_problem(count):
            raise BriefingError(problem, path=f"{path}.items")
        sections.append(
            Section(
                name=_string(raw, "name", path, grammar.section_problems),
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
            title=_string(raw, "title", "analysis", grammar.analysis_title_problems),
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
                _trend_point(p, f"trends.points[{i}]", count)
                for i, p in enumerate(_list(raw.get("points", []), "trends.points"))
            ],
            summary=_string(raw, "summary", "trends", grammar.summary_problems, optional=True)
            or "",
        )
    return Briefing(
        date=date,
        title=_string(data, "title", "", grammar.title_problems),
        lede=_string(data, "lede", "", grammar.lede_problems, optional=True) or "",
        status=status,
        sections=sections,
        analysis=analysis,
        trends=trends,
    )
