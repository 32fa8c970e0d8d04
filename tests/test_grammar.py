"""The briefing's grammar (digests/briefing/grammar.py), one set of rules for every way in.

What the admin's validators or the JSON import accept must export to text that the
parser reads back as the same digest; every limit is stated once; no input makes a
pattern run for long (issue 8, points 5, 9, 10, 14 and 15).
"""

import contextlib
import datetime
import json
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from digests import validators
from digests.briefing import BriefingError, from_dict, grammar, parse_text, render_text
from digests.briefing import parser as parser_module
from digests.briefing import schema as schema_module
from digests.importing import parse_any
from digests.models import (
    Analysis,
    AnalysisParagraph,
    Category,
    Digest,
    Item,
    Source,
    TrendPoint,
    TrendSummary,
)
from tests import factories

S = Digest.Status
SCHEMA = Path(settings.BASE_DIR) / "docs" / "briefing.schema.json"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def minimal(**fields):
    """A one-item briefing in its JSON form, with ``fields`` replacing the item's."""
    item = {"topic": "AI技术", "title": "标题", "body": "正文。", "source": "新华网", "tags": []}
    item.update(fields)
    return {
        "date": "2026-03-01",
        "title": "每日科技新闻速览",
        "lede": "",
        "status": "draft",
        "sections": [{"name": "AI技术动态", "items": [item]}],
        "analysis": None,
        "trends": None,
    }


def round_trip(briefing):
    """Export to text and read it back; return both JSON forms without the status."""
    expected = briefing.to_dict()
    again = parse_text(render_text(briefing)).to_dict()
    expected.pop("status"), again.pop("status")
    return expected, again


# --- the cases of the issue -------------------------------------------------------------------


def test_a_section_name_as_long_as_the_admin_allows_round_trips():
    name = "长" * grammar.MAX_SECTION
    Category(name=name).clean_fields(exclude=["slug", "position", "description"])
    data = minimal()
    data["sections"][0]["name"] = name
    expected, again = round_trip(from_dict(data))
    assert again == expected
    with pytest.raises(ValidationError):
        Category(name=name + "长").clean_fields(exclude=["slug", "position", "description"])


def test_a_headline_ending_in_a_full_stop_is_refused_everywhere():
    with pytest.raises(ValidationError, match="cannot end with 。"):
        validators.validate_headline("标题。")
    with pytest.raises(BriefingError, match=r"sections\[0\]\.items\[0\]\.title"):
        from_dict(minimal(title="标题。"))


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        ("topic", "A-B<script>", r"sections\[0\]\.items\[0\]\.topic"),
        ("section", "A-B,C", r"sections\[0\]\.name"),
        ("section", "深度解析", r"sections\[0\]\.name"),
        ("section", "·要点", r"sections\[0\]\.name"),
        ("source", "新华网。", r"sections\[0\]\.items\[0\]\.source"),
        ("tags", ["甲,乙"], r"sections\[0\]\.items\[0\]\.tags\[0\]"),
        ("url", "ftp://example.com/", r"sections\[0\]\.items\[0\]\.url"),
        ("body", "正文。\n来源:别处", r"sections\[0\]\.items\[0\]\.body"),
        ("body", "正文。\n甲方-乙方合作\n再一段。", r"sections\[0\]\.items\[0\]\.body"),
        ("title", "第一行\n第二行", r"sections\[0\]\.items\[0\]\.title"),
        ("topic", "AI\x00", r"sections\[0\]\.items\[0\]\.topic"),
    ],
)
def test_the_json_import_applies_the_field_rules(where, value, path):
    data = minimal()
    if where == "section":
        data["sections"][0]["name"] = value
    else:
        data["sections"][0]["items"][0][where] = value
    with pytest.raises(BriefingError, match=path):
        from_dict(data)


@pytest.mark.parametrize(
    ("validator", "value", "expected"),
    [
        (validators.validate_topic, "A-B<script>", "cannot contain"),
        (validators.validate_section_name, "A-B,C", "cannot contain"),
        (validators.validate_section_name, "# 深度解析", "closing block"),
        (validators.validate_title, "每日\n速览", "one line"),
        (validators.validate_title, "每日\u2028速览", "control character"),
        (validators.validate_lede, "导语第一行\r\n第二行", "one line"),
        (validators.validate_analysis_title, "a\tb", "U+0009"),
        (validators.validate_source_name, "新华\x00网", "U+0000"),
        (validators.validate_url, "https://example.com/a b", "http"),
        (validators.validate_label, "背景:", "cannot contain"),
        (validators.validate_summary, "一行\n两行", "one line"),
        (validators.validate_body, "正文。\n# 深度解析", "reads as"),
        (validators.validate_body, "正文\x07。", "U+0007"),
        (validators.validate_one_line, "图片\n说明", "one line"),
    ],
)
def test_the_field_validators_say_what_was_expected(validator, value, expected):
    with pytest.raises(ValidationError) as caught:
        validator(value)
    assert expected in " ".join(caught.value.messages)


def test_an_items_last_paragraph_may_look_like_a_heading_only_before_its_source():
    item = Item(topic="AI技术", title="标题", body="第一段。\nGPT-5 即将发布")
    with pytest.raises(ValidationError) as caught:
        item.clean()
    assert "item heading" in " ".join(caught.value.messages)
    item.url = "https://example.com/"
    item.clean()  # the 链接 line follows the body, so the last paragraph stays body


def test_the_admin_stores_the_body_as_the_text_format_holds_it():
    item = Item(
        topic="AI技术", title="标题", body="  第一段。 \r\n\r\n第二段。\r\n", url="https://a.b/"
    )
    item.clean()
    assert item.body == "第一段。\n第二段。"


def test_an_unlabelled_text_that_reads_as_labelled_is_refused():
    with pytest.raises(ValidationError, match="label"):
        AnalysisParagraph(label="", text="背景:正文").clean()
    AnalysisParagraph(label="背景", text="正文").clean()


# --- line breaks in single-line fields (point 10) ----------------------------------------------


@pytest.mark.django_db
def test_a_title_with_a_line_break_is_refused_by_the_admin(client, editor):
    digest = factories.full_digest(status=S.DRAFT)
    digest.title = "每日科技\n新闻速览"
    with pytest.raises(ValidationError) as caught:
        digest.full_clean()
    assert "title" in caught.value.message_dict


@pytest.mark.django_db
def test_a_stored_title_with_a_line_break_does_not_stop_notifications(
    editor, reviewer, mailoutbox
):
    from digests import workflow
    from digests.tasks import send_notifications

    digest = factories.full_digest(date=datetime.date(2026, 3, 1), status=S.DRAFT)
    Digest.objects.filter(pk=digest.pk).update(title="每日科技\r\n新闻速览", created_by=editor)
    digest.refresh_from_db()
    workflow.submit(digest, None)
    workflow.publish(digest, reviewer)
    event = digest.events.get(action="publish")
    send_notifications.call(event_id=event.pk)
    (message,) = mailoutbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "每日科技 新闻速览" in message.subject
    assert event.notifications.get().error == ""


# --- limits: items, lines, files (points 5 and 14) --------------------------------------------


def many_items_text(count):
    lines = ["每日科技新闻速览(2026-03-01)", "AI技术动态"]
    for number in range(1, count + 1):
        lines += [f"AI技术-第{number}条", f"第{number}条正文。", "来源:新华网"]
    return "\n".join(lines) + "\n"


def test_the_parser_reads_the_most_items_and_refuses_one_more():
    assert len(parse_text(many_items_text(grammar.MAX_ITEMS)).items) == grammar.MAX_ITEMS
    with pytest.raises(BriefingError) as caught:
        parse_text(many_items_text(grammar.MAX_ITEMS + 1))
    assert caught.value.line == 3 + 3 * grammar.MAX_ITEMS
    assert f"at most {grammar.MAX_ITEMS} items" in str(caught.value)


def test_the_json_import_refuses_more_items_than_the_limit():
    data = minimal()
    item = data["sections"][0]["items"][0]
    data["sections"][0]["items"] = [dict(item, title=f"第{n}条") for n in range(60)]
    data["sections"].append(
        {"name": "其他领域", "items": [dict(item, title=f"又{n}条") for n in range(41)]}
    )
    with pytest.raises(BriefingError, match=r"sections\[1\]\.items: .*at most 100 items"):
        from_dict(data)
    data["sections"][1]["items"].pop()
    assert len(from_dict(data).items) == grammar.MAX_ITEMS


@pytest.mark.django_db
def test_the_command_refuses_a_digest_with_too_many_items(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(many_items_text(grammar.MAX_ITEMS + 1), encoding="utf-8")
    with pytest.raises(CommandError, match="at most 100 items"):
        call_command("import_digest", str(path))
    assert not Digest.objects.exists()


def test_a_line_longer_than_the_limit_is_refused_before_it_is_read():
    text = "每日科技新闻速览(2026-03-01)\nAI技术动态\nAI技术-标题\n" + "长" * (
        grammar.MAX_LINE + 1
    )
    with pytest.raises(BriefingError) as caught:
        parse_text(text)
    assert caught.value.line == 4 and f"at most {grammar.MAX_LINE}" in str(caught.value)


def test_a_file_larger_than_the_limit_is_refused():
    with pytest.raises(BriefingError, match="at most"):
        parse_any(b"{" + b" " * grammar.MAX_FILE_BYTES + b"}", "big.json")
    with pytest.raises(BriefingError, match="at most"):
        parse_text("x" * (grammar.MAX_FILE_BYTES + 1))


# --- patterns stay linear (point 14) ----------------------------------------------------------

ADVERSARIAL = [
    "每日(" + " " * 100_000 + "x",
    "来源:a" + " " * 100_000 + "b。c",
    "来源:" + " " * 100_000 + "。x",
    "链接:" + " " * 100_000 + "x",
    "链接:https://" + "a" * 100_000 + " b",
    "# " + "#" * 50_000 + " " * 50_000 + "x",
    "-" + " " * 100_000 + "\nx",
    "A" * 50_000 + "-" + " " * 50_000,
    "甲:" * 50_000,
    "1:" * 50_000 + "x",
    ("(" + " " * 10) * 9_000,
    "标签:" + ",　" * 50_000,
    "2026" + "-1" * 50_000,
]
LINE_FUNCTIONS = [
    grammar.title_line,
    grammar.lede_line,
    grammar.source_line,
    grammar.link_line,
    grammar.tags_line,
    grammar.is_analysis_heading,
    grammar.analysis_title_line,
    grammar.is_trends_heading,
    grammar.core_line,
    grammar.bullet_line,
    grammar.is_trailer,
    grammar.split_item_heading,
    grammar.reads_as_section,
    grammar.split_label,
    grammar.normalize_body,
    grammar.title_problems,
    grammar.section_problems,
    grammar.topic_problems,
    grammar.headline_problems,
    grammar.body_problems,
    grammar.source_problems,
    grammar.url_problems,
    grammar.tag_problems,
    grammar.label_problems,
    grammar.summary_problems,
    lambda line: grammar.labelled_problems("", line),
    lambda line: parser_module.parse_date(line, 1),
    validators.validate_body,
    validators.validate_topic,
    validators.validate_section_name,
    parser_module.BULLET_RE.match,
]


# The issue asks for "well under a second". Before the fix these inputs took tens of
# seconds (quadratic and cubic patterns); linear code takes milliseconds, so a bound of
# half a second tells them apart on a loaded machine without flaking.
FAST = 0.5


def timed(function, *args):
    start = time.perf_counter()
    with contextlib.suppress(BriefingError, ValidationError):
        function(*args)
    return time.perf_counter() - start


@pytest.mark.parametrize("line", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_every_line_function_is_fast_on_adversarial_lines(line):
    slow = {
        getattr(function, "__name__", repr(function)): elapsed
        for function in LINE_FUNCTIONS
        if (elapsed := timed(function, line)) > FAST
    }
    assert slow == {}


@pytest.mark.parametrize("line", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_the_parser_and_the_json_import_are_fast_on_adversarial_lines(line):
    assert timed(parse_text, line) < FAST
    assert timed(parse_text, "每日科技新闻速览(2026-03-01)\nAI技术动态\n" + line) < FAST
    text = "每日科技新闻速览(2026-03-01)\nAI技术动态\nAI技术-标题\n正文。\n" + line[:5000]
    assert timed(parse_text, text) < FAST
    for field in ("topic", "title", "body", "source", "url"):
        assert timed(from_dict, minimal(**{field: line})) < FAST


def test_a_whole_file_of_adversarial_lines_is_read_quickly():
    body = "\n".join(["正文。"] + [line[: grammar.MAX_LINE] for line in ADVERSARIAL] * 10)
    text = "每日科技新闻速览(2026-03-01)\nAI技术动态\nAI技术-标题\n" + body
    assert timed(parse_text, text) < 1.0


# --- JSON that cannot be read (point 15) -----------------------------------------------------


def test_deeply_nested_json_is_a_clear_error():
    with pytest.raises(BriefingError, match="nested too deeply"):
        parse_any("[" * 100_000, "deep.json")
    with pytest.raises(BriefingError, match="nested too deeply"):
        from_dict('{"date": ' + "[" * 100_000)


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "a\x1bb"])
def test_control_characters_and_lone_surrogates_in_json_are_refused(value):
    with pytest.raises(BriefingError, match=r"sections\[0\]\.items\[0\]\.title: .*U\+"):
        from_dict(json.dumps(minimal(title=value)))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("deep.json", "[" * 100_000),
        ("nul.json", json.dumps(minimal(body="正文\x00。"))),
        ("nul.txt", "每日科技新闻速览(2026-03-01)\nAI技术动态\nAI技术-标题\n正\x00文。\n"),
    ],
)
def test_the_command_and_the_admin_page_refuse_bad_json_clearly(
    client, admin_user, tmp_path, name, content
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    with pytest.raises(CommandError) as caught:
        call_command("import_digest", str(path))
    assert str(path) in str(caught.value)
    client.force_login(admin_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    upload = SimpleUploadedFile(name, path.read_bytes())
    response = client.post(reverse("admin:digests_digest_import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Digest.objects.exists()


# --- the JSON schema states the grammar's limits -----------------------------------------------


def test_the_json_schema_agrees_with_the_grammar():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    item = schema["$defs"]["item"]["properties"]
    labelled = schema["$defs"]["labelled"]["properties"]
    section = schema["properties"]["sections"]["items"]["properties"]
    analysis = schema["properties"]["analysis"]["oneOf"][1]["properties"]
    trends = schema["properties"]["trends"]["oneOf"][1]["properties"]
    limits = {
        "title": (schema["properties"]["title"], grammar.MAX_TITLE),
        "lede": (schema["properties"]["lede"], grammar.MAX_PARAGRAPH),
        "section": (section["name"], grammar.MAX_SECTION),
        "topic": (item["topic"], grammar.MAX_TOPIC),
        "headline": (item["title"], grammar.MAX_HEADLINE),
        "body": (item["body"], grammar.MAX_BODY),
        "source": (item["source"], grammar.MAX_SOURCE),
        "url": (item["url"], grammar.MAX_URL),
        "tag": (item["tags"]["items"], grammar.MAX_TAG),
        "analysis title": (analysis["title"], grammar.MAX_TITLE),
        "label": (labelled["label"], grammar.MAX_LABEL),
        "text": (labelled["text"], grammar.MAX_PARAGRAPH),
        "summary": (trends["summary"], grammar.MAX_PARAGRAPH),
    }
    assert {name: spec.get("maxLength") for name, (spec, _) in limits.items()} == {
        name: limit for name, (_, limit) in limits.items()
    }
    assert section["items"]["maxItems"] == grammar.MAX_ITEMS
    assert str(grammar.MAX_ITEMS) in schema["properties"]["sections"]["description"]


def test_the_database_columns_use_the_grammars_limits():
    columns = {
        (Digest, "title"): grammar.MAX_TITLE,
        (Category, "name"): grammar.MAX_SECTION,
        (Source, "name"): grammar.MAX_SOURCE,
        (Item, "topic"): grammar.MAX_TOPIC,
        (Item, "title"): grammar.MAX_HEADLINE,
        (Item, "url"): grammar.MAX_URL,
        (Analysis, "title"): grammar.MAX_TITLE,
        (AnalysisParagraph, "label"): grammar.MAX_LABEL,
        (TrendPoint, "label"): grammar.MAX_LABEL,
    }
    assert {key: key[0]._meta.get_field(key[1]).max_length for key in columns} == columns


# --- the property: accepted means it round-trips (point 9) ----------------------------------

# The characters that matter to the format (hyphens, colons, 。 , # - spaces, the
# keywords of its lines), among plain CJK, letters and digits.
PLAIN = list("科技新闻模型发布AIabcXY019")
SPECIAL = [
    *" \u3000-－–:：,，。、;；#*•·()（）“”!?\t\x00",
    "来源",
    "链接",
    "标签",
    "导语",
    "深度解析",
    "趋势总结",
    "今日核心趋势总结",
    "https://",
    "\n",
]
CHARACTERS = st.sampled_from(PLAIN * 2) | st.sampled_from(SPECIAL)
TEXT = st.lists(CHARACTERS, min_size=0, max_size=10).map("".join)
BODY = st.lists(TEXT, min_size=1, max_size=4).map("\n".join)


def admin_accepts(model, **fields):
    """The instance if the model's validators (as the admin runs them) accept the fields.

    Field validators, and the model's own ``clean`` where it checks the grammar (the
    name checks of sections and sources need the database, and are not about it).
    """
    instance = model(**fields)
    try:
        instance.clean_fields(exclude=[f.name for f in model._meta.fields if f.name not in fields])
        if model in (Item, AnalysisParagraph, TrendPoint):
            instance.clean()
    except ValidationError:
        return None
    return instance


@st.composite
def admin_briefings(draw):
    """A digest made field by field of what the admin's validators accept.

    Each object is drawn until the admin accepts it (a few tries, then a plain one),
    so that one refused field does not throw the whole digest away.
    """
    from digests.briefing import Analysis as A
    from digests.briefing import Briefing, BriefingItem, Labelled, Section, Trends

    def accepted(model, fallback, **strategies):
        for _ in range(5):
            values = {name: draw(strategy) for name, strategy in strategies.items()}
            if (instance := admin_accepts(model, **values)) is not None:
                return instance
        instance = admin_accepts(model, **fallback)
        assert instance is not None
        return instance

    digest = accepted(Digest, {"title": "每日"}, title=TEXT, lede=TEXT)
    sections, names = [], set()
    for number in range(draw(st.integers(1, 3))):
        name = accepted(Category, {"name": f"栏目{number}"}, name=TEXT).name
        if name in names:
            continue
        names.add(name)
        items = []
        for _ in range(draw(st.integers(1, 3))):
            source = accepted(Source, {"name": "新华网"}, name=TEXT).name
            source = draw(st.sampled_from([None, source]))
            item = accepted(
                Item,
                {"topic": "AI", "title": "标题", "body": "正文。", "url": ""},
                topic=TEXT,
                title=TEXT,
                body=BODY,
                url=st.sampled_from(["", "https://example.com/a", "HTTP://x.y/-:。"]),
                source_id=st.just(1 if source else None),
            )
            tags = [t for t in draw(st.lists(TEXT, max_size=3)) if not grammar.tag_problems(t)]
            items.append(
                BriefingItem(
                    topic=item.topic,
                    title=item.title,
                    body=item.body,
                    source=source,
                    url=item.url or None,
                    tags=sorted(set(tags)),
                )
            )
        sections.append(Section(name=name, items=items))

    def rows(model):
        return [
            Labelled(row.label, row.text)
            for row in (
                accepted(model, {"label": "", "text": "正文"}, label=TEXT, text=TEXT)
                for _ in range(draw(st.integers(0, 3)))
            )
        ]

    analysis = trends = None
    if draw(st.booleans()):
        title = accepted(Analysis, {"title": "解析"}, title=TEXT).title
        analysis = A(title=title, paragraphs=rows(AnalysisParagraph))
    if draw(st.booleans()):
        summary = accepted(TrendSummary, {"summary": ""}, summary=TEXT).summary
        trends = Trends(points=rows(TrendPoint), summary=summary)
    return Briefing(
        date=datetime.date(2026, 3, 1),
        title=digest.title,
        lede=digest.lede,
        sections=sections,
        analysis=analysis,
        trends=trends,
    )


# A CI-sized run by default; GRAMMAR_EXAMPLES=5000 for a search while changing the grammar.
EXAMPLES = int(os.environ.get("GRAMMAR_EXAMPLES", "60"))
PROPERTY = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


@PROPERTY
@given(admin_briefings())
def test_what_the_admin_accepts_exports_to_text_that_imports_back(briefing):
    expected, again = round_trip(briefing)
    assert again == expected


def field(check, fallback, strategy=TEXT):
    """A JSON value drawn from TEXT, kept when ``check`` (the grammar's) finds it fine."""
    return strategy.map(lambda value: value if not check(value.strip()) else fallback)


@st.composite
def json_briefings(draw):
    """JSON briefings whose fields mostly pass; ``from_dict`` has the last word."""
    labelled = st.fixed_dictionaries(
        {
            "label": field(grammar.label_problems, ""),
            "text": field(lambda text: grammar.labelled_problems("", text), "正文"),
        }
    )
    item = st.fixed_dictionaries(
        {
            "topic": field(grammar.topic_problems, "AI"),
            "title": field(grammar.headline_problems, "标题"),
            "body": field(lambda body: grammar.body_problems(body, trailer=False), "正文。", BODY),
            "source": st.none() | field(grammar.source_problems, "新华网"),
            "url": st.sampled_from([None, "https://example.com/", "http://a.b/标签:x"]),
            "tags": st.lists(field(grammar.tag_problems, "标签"), max_size=3),
        }
    )
    section = st.fixed_dictionaries(
        {
            "name": field(grammar.section_problems, "栏目"),
            "items": st.lists(item, min_size=1, max_size=3),
        }
    )
    return {
        "date": "2026-03-01",
        "title": draw(field(grammar.title_problems, "每日")),
        "lede": draw(field(grammar.lede_problems, "")),
        "status": "draft",
        "sections": draw(
            st.lists(section, min_size=1, max_size=3, unique_by=lambda section: section["name"])
        ),
        "analysis": draw(
            st.none()
            | st.fixed_dictionaries(
                {
                    "title": field(grammar.analysis_title_problems, "解析"),
                    "paragraphs": st.lists(labelled, max_size=3),
                }
            )
        ),
        "trends": draw(
            st.none()
            | st.fixed_dictionaries(
                {
                    "points": st.lists(labelled, max_size=3),
                    "summary": field(grammar.summary_problems, ""),
                }
            )
        ),
    }


@PROPERTY
@given(json_briefings())
def test_what_the_json_import_accepts_exports_to_text_that_imports_back(data):
    try:
        briefing = schema_module.from_dict(data)
    except BriefingError:
        from hypothesis import reject

        reject()
    expected, again = round_trip(briefing)
    assert again == expected
