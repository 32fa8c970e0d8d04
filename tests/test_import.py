"""Importing briefings into digests and exporting them back: commands, admin, round trips."""

import difflib
import io
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from digests import importing
from digests.briefing import BriefingError, from_dict, parse_text
from digests.demo import demo_files
from digests.exporting import briefing_from_digest, export_digest
from digests.importing import ImportRefused, import_briefing
from digests.models import Category, Digest, Item, Source
from tests.formdata import form_data

pytestmark = pytest.mark.django_db

GOOD = """每日科技新闻速览(2026-03-01)
AI技术动态
AI技术-第一条标题
第一条正文。
来源:新华网
前沿科技突破
量子计算-第二条标题
第二条正文。
来源:新来源甲
# 深度解析
深度解析:标题
背景:说明。
趋势总结
- 甲:乙。
今日核心趋势总结:总结。
"""


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def exported(date, fmt):
    out = io.StringIO()
    call_command("export_digest", date, format=fmt, stdout=out)
    return out.getvalue()


def reimport_matches(digest):
    """Export as text, parse it again: the JSON of both must be the same."""
    digest = Digest.objects.with_contents().get(pk=digest.pk)
    text = export_digest(digest, "text")
    first = json.loads(export_digest(digest, "json"))
    for section in first["sections"]:  # the text format has no numeric claims
        for item in section["items"]:
            item.pop("claims")
    again = parse_text(text).to_dict()
    again["status"] = first["status"]
    return first == again


# --- the sample, field by field -----------------------------------------------------------


def test_sample_imports_with_every_field(sample_path):
    briefing = parse_text(sample_path.read_bytes())
    digest = import_briefing(briefing)
    digest = Digest.objects.with_contents().get(pk=digest.pk)
    sections = digest.sections()
    assert [(c.name, len(items)) for c, items in sections] == [
        ("AI技术动态", 5),
        ("前沿科技突破", 4),
        ("政策与资本动向", 2),
        ("其他领域", 2),
    ]
    assert Item.objects.count() == 13
    assert not Item.objects.filter(source=None).exists()
    assert Source.objects.count() == 7
    assert digest.analysis.paragraphs.count() == 3
    assert digest.trend_summary.points.count() == 3
    assert digest.status == Digest.Status.DRAFT
    # Every field, as stored, equals what the parser read from the text.
    stored = briefing_from_digest(digest).to_dict()
    assert stored == briefing.to_dict()


def test_sample_text_export_differs_only_where_the_file_broke_its_conventions(sample_path):
    original = sample_path.read_text(encoding="utf-8")
    digest = import_briefing(parse_text(original))
    exported_text = exported(digest.date.isoformat(), "text")
    changed = [
        line
        for line in difflib.unified_diff(original.splitlines(), exported_text.splitlines(), n=0)
        if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))
    ]
    # Three source lines end in 。 where the other ten do not; nothing else differs.
    assert changed == ["-来源:权宁霞。", "+来源:权宁霞"] * 3
    assert exported_text.endswith("\n")


def test_sample_round_trip(sample_path):
    assert reimport_matches(import_briefing(parse_text(sample_path.read_bytes())))


@pytest.mark.parametrize("path", demo_files(), ids=lambda path: path.stem)
def test_demo_briefings_round_trip(path):
    assert reimport_matches(import_briefing(parse_text(path.read_bytes())))


def test_round_trip_with_lede_links_tags_and_unlabelled_paragraphs():
    text = GOOD.replace("(2026-03-01)\n", "(2026-03-01)\n导语:今日导语。\n").replace(
        "来源:新华网\n", "来源:新华网\n链接:https://example.com/x\n标签:芯片,大模型\n"
    )
    text = text.replace("背景:说明。\n", "背景:说明。\n没有小标题的一段,也要保留。\n")
    digest = import_briefing(parse_text(text))
    assert reimport_matches(digest)
    item = Item.objects.get(title="第一条标题")
    assert item.url == "https://example.com/x"
    assert sorted(item.tags.names()) == ["大模型", "芯片"]


def test_json_export_has_the_documented_shape():
    import_briefing(parse_text(GOOD))
    data = json.loads(exported("2026-03-01", "json"))
    assert set(data) >= {"date", "title", "status", "sections", "analysis", "trends"}
    assert data["date"] == "2026-03-01" and data["status"] == "draft"
    item = data["sections"][0]["items"][0]
    assert item == {
        "topic": "AI技术",
        "title": "第一条标题",
        "body": "第一条正文。",
        "source": "新华网",
        "url": None,
        "tags": [],
        "claims": [],  # 第一条正文 states no number
    }
    assert data["analysis"] == {
        "title": "标题",
        "paragraphs": [{"label": "背景", "text": "说明。"}],
    }
    assert data["trends"] == {"points": [{"label": "甲", "text": "乙。"}], "summary": "总结。"}


def test_json_import_recreates_the_same_digest():
    import_briefing(parse_text(GOOD))
    data = exported("2026-03-01", "json")
    Digest.objects.all().delete()
    digest = import_briefing(from_dict(data))
    assert exported(digest.date.isoformat(), "json") == data


def test_markdown_export():
    import_briefing(parse_text(GOOD))
    markdown = exported("2026-03-01", "markdown")
    assert markdown.startswith("# 每日科技新闻速览(2026-03-01)\n")
    assert "## AI技术动态" in markdown and "### AI技术 · 第一条标题" in markdown
    assert "**背景**:说明。" in markdown and "**今日核心趋势总结**:总结。" in markdown


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ("{", None),
        ("[]", "$"),
        ('{"date": "2026-02-30", "title": "t", "sections": []}', "date"),
        ('{"date": "2026-03-01", "title": "t", "sections": []}', "sections"),
        (
            '{"date": "2026-03-01", "title": "t", "sections": [{"name": "A", "items": '
            '[{"topic": "x", "title": "", "body": "b"}]}]}',
            "sections[0].items[0].title",
        ),
        (
            '{"date": "2026-03-01", "title": "t", "sections": [{"name": "A", "items": '
            '[{"topic": "x", "title": "y", "body": "b", "url": "ftp://x"}]}]}',
            "sections[0].items[0].url",
        ),
    ],
)
def test_bad_json_names_the_path(data, path):
    with pytest.raises(BriefingError) as caught:
        from_dict(data)
    assert caught.value.path == path or (path is None and caught.value.line == 1)


# --- the import command ------------------------------------------------------------------


@pytest.fixture
def briefing_file(tmp_path):
    def write(text=GOOD, name="briefing.txt"):
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return str(path)

    return write


def test_import_command_creates_a_draft(briefing_file):
    out = io.StringIO()
    call_command("import_digest", briefing_file(), stdout=out)
    digest = Digest.objects.get()
    assert digest.status == Digest.Status.DRAFT
    assert digest.items.count() == 2
    assert "2026-03-01" in out.getvalue()


def test_import_command_publishes(briefing_file):
    call_command("import_digest", briefing_file(), "--publish", stdout=io.StringIO())
    digest = Digest.objects.get()
    assert digest.status == Digest.Status.PUBLISHED and digest.published_at is not None


def test_existing_day_is_refused_without_replace(briefing_file):
    call_command("import_digest", briefing_file(), stdout=io.StringIO())
    changed = briefing_file(GOOD.replace("第一条标题", "新标题"), "again.txt")
    with pytest.raises(CommandError, match="already exists"):
        call_command("import_digest", changed, stdout=io.StringIO(), stderr=io.StringIO())
    assert Item.objects.filter(title="第一条标题").exists()


def test_replace_refills_a_draft_in_place(briefing_file):
    call_command("import_digest", briefing_file(), stdout=io.StringIO())
    digest = Digest.objects.get()
    changed = briefing_file(GOOD.replace("第一条标题", "新标题"), "again.txt")
    call_command("import_digest", changed, "--replace", stdout=io.StringIO())
    assert Digest.objects.get().pk == digest.pk
    assert list(Item.objects.values_list("title", flat=True)) == ["新标题", "第二条标题"]


def test_published_digest_is_never_replaced(briefing_file):
    call_command("import_digest", briefing_file(), "--publish", stdout=io.StringIO())
    changed = briefing_file(GOOD.replace("第一条标题", "新标题"), "again.txt")
    with pytest.raises(CommandError, match="published"):
        call_command(
            "import_digest", changed, "--replace", stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert list(Item.objects.values_list("title", flat=True)) == ["第一条标题", "第二条标题"]


def test_many_files_import_each_and_summarise(briefing_file):
    good = [briefing_file(path.read_text(encoding="utf-8"), path.name) for path in demo_files()]
    bad = briefing_file("每日科技新闻速览(2026-02-30)\n", "bad.txt")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"bad\.txt"):
        call_command("import_digest", *good, bad, stdout=out, stderr=err)
    assert Digest.objects.count() == 7
    assert "7 of 8 files imported, 1 refused." in out.getvalue()
    assert "Line 1" in err.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        "每日科技新闻速览(2026-03-01)\nAI技术动态\n".encode(),
        GOOD.encode("gbk"),
        GOOD.replace("(2026-03-01)", "(2026-02-30)").encode(),
        GOOD.replace("# 深度解析\n深度解析:标题\n", "# 深度解析\n").encode(),
    ],
    ids=["empty", "no-items", "gbk", "impossible-date", "analysis-without-title"],
)
def test_refused_file_writes_nothing(briefing_file, content):
    with pytest.raises(CommandError, match=r"Line \d+: "):
        call_command(
            "import_digest", briefing_file(content), stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert not Digest.objects.exists()
    assert not Source.objects.exists()
    assert not Category.objects.exists()


def test_failure_while_writing_rolls_everything_back(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(importing.TrendPoint.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        import_briefing(parse_text(GOOD))
    assert not Digest.objects.exists()
    assert not Item.objects.exists()
    assert not Source.objects.exists()
    assert not Category.objects.exists()


def test_command_line_refusal_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("每日科技新闻速览(2026-02-30)\n", encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LANGUAGE_CODE": "en",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "import_digest", str(bad)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Line 1: 2026-02-30 is not a date that exists" in result.stderr


def test_export_of_a_missing_day_is_an_error():
    with pytest.raises(CommandError, match="no digest for 2026-03-01"):
        exported("2026-03-01", "text")


def test_import_refusal_is_specific():
    import_briefing(parse_text(GOOD))
    with pytest.raises(ImportRefused):
        import_briefing(parse_text(GOOD))


# --- the admin import page ----------------------------------------------------------------

IMPORT_URL = "/admin/digests/digest/import/"


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_changelist_links_to_the_import_page(desk):
    response = desk.get("/admin/digests/digest/")
    assert IMPORT_URL in response.content.decode()


def test_preview_shows_structure_and_warnings_and_writes_nothing(desk):
    text = GOOD.replace("来源:新华网\n", "")
    response = desk.post(IMPORT_URL, {"text": text, "preview": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["preview"].date.isoformat() == "2026-03-01"
    assert "第一条标题" in page and "前沿科技突破" in page
    assert "has no 来源 line" in page
    assert "新来源甲" in page  # listed as a new source to be created
    assert not Digest.objects.exists() and not Source.objects.exists()


def test_confirm_creates_the_draft_and_opens_it(desk, editor):
    preview = desk.post(IMPORT_URL, {"text": GOOD, "preview": "1"})
    data = form_data(preview.content, form_id="import_form")
    assert data["text"] == GOOD
    data["confirm"] = "1"
    response = desk.post(IMPORT_URL, data)
    digest = Digest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:digests_digest_change", args=[digest.pk])
    assert digest.created_by == editor and digest.status == Digest.Status.DRAFT
    assert digest.items.count() == 2


def test_uploaded_file_with_bom_and_crlf(desk):
    data = ("\ufeff" + GOOD.replace("\n", "\r\n")).encode("utf-8")
    upload = SimpleUploadedFile("briefing.txt", data, content_type="text/plain")
    response = desk.post(IMPORT_URL, {"file": upload, "preview": "1"})
    assert response.context["preview"].items[0].source == "新华网"


def test_bad_text_is_a_form_error_with_the_line(desk):
    response = desk.post(IMPORT_URL, {"text": "每日科技新闻速览(2026-02-30)\n", "preview": "1"})
    assert response.status_code == 200
    assert response.context["preview"] is None
    assert "Line 1: 2026-02-30 is not a date that exists" in response.content.decode()


def test_existing_day_is_refused_unless_replace(desk):
    import_briefing(parse_text(GOOD))
    response = desk.post(IMPORT_URL, {"text": GOOD, "preview": "1"})
    assert "already exists" in response.content.decode()
    response = desk.post(IMPORT_URL, {"text": GOOD, "replace": "on", "preview": "1"})
    assert response.context["preview"] is not None


def test_json_paste_is_accepted(desk):
    import_briefing(parse_text(GOOD))
    data = exported("2026-03-01", "json").replace("2026-03-01", "2026-03-02")
    response = desk.post(IMPORT_URL, {"text": data, "preview": "1"})
    assert response.context["preview"].date.isoformat() == "2026-03-02"


def test_import_page_needs_the_add_permission(client, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(clerk)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"text": GOOD, "confirm": "1"}).status_code == 403
    assert not Digest.objects.exists()


# --- file size limit of the command (issue 8, point 14) -----------------------------------


def test_the_command_refuses_a_file_over_the_limit_before_reading_it(tmp_path):
    from digests.briefing import grammar

    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(grammar.MAX_FILE_BYTES + 1)
    with pytest.raises(CommandError, match=f"at most {grammar.MAX_FILE_BYTES} bytes"):
        call_command("import_digest", str(path))
    assert not Digest.objects.exists()
