"""The admin's import page: where each name lands, the edition checks, what a replacement loses."""

import re

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import strip_tags

from digests import edition
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import (
    Analysis,
    Category,
    Correction,
    Digest,
    Item,
    SectionAlias,
    Source,
    SourceAlias,
    TrendSummary,
)
from tests import factories
from tests.formdata import form_data

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/digests/digest/import/"

HEAD = "每日科技新闻速览(2026-03-01)\n"
ITEMS = """AI技术动态
AI技术-第一条标题
第一条正文。
来源:新华网
前沿科技突破
量子计算-第二条标题
第二条正文。
来源:新来源甲
"""
ANALYSIS = """# 深度解析
深度解析:标题
背景:说明。
"""
TRENDS = """趋势总结
- 甲:乙。
今日核心趋势总结:总结。
"""
GOOD = HEAD + ITEMS + ANALYSIS + TRENDS


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def preview(desk, text, **fields):
    return desk.post(IMPORT_URL, {"text": text, "preview": "1", **fields})


def confirm(desk, response, **fields):
    """Press “confirm” on a preview page, with ``fields`` ticked or changed."""
    data = form_data(response.content, form_id="import_form")
    data.update(fields, confirm="1")
    return desk.post(IMPORT_URL, data)


def page_text(response):
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def results(checks):
    return [(r.name, r.level, r.problems) for r in checks]


# --- point 6: which section and source each name lands in ------------------------------------


def test_preview_says_where_each_heading_and_source_lands(desk):
    factories.category("AI技术动态")
    frontier = factories.category("前沿科技")
    SectionAlias.objects.create(category=frontier, name="前沿科技突破")
    reuters = factories.source("Reuters")
    SourceAlias.objects.create(source=reuters, name="新华网")
    response = preview(desk, GOOD)
    sections = {m.written: (m.row and m.row.name, m.how) for m in response.context["sections"]}
    sources = {m.written: (m.row and m.row.name, m.how) for m in response.context["sources"]}
    assert sections == {
        "AI技术动态": ("AI技术动态", "exact"),
        "前沿科技突破": ("前沿科技", "alias"),
    }
    assert sources == {"新华网": ("Reuters", "alias"), "新来源甲": (None, "new")}
    text = page_text(response)
    assert "AI技术动态 → AI技术动态" in text
    assert "前沿科技突破 → 前沿科技 (former name)" in text
    assert "新华网 → Reuters (former name)" in text
    assert "新来源甲 → new source" in text


def test_preview_mapping_is_what_the_import_does(desk):
    section = factories.category("AI技术")
    SectionAlias.objects.create(category=section, name="AI技术动态")
    response = preview(desk, GOOD.replace("AI技术动态", "ＡＩ技术 动态"))
    [first, second] = response.context["sections"]
    assert (first.row, first.how) == (section, "alias")
    assert (second.row, second.how) == (None, "new")
    assert confirm(desk, response).status_code == 302
    digest = Digest.objects.get()
    assert digest.items.get(title="第一条标题").category == section
    assert Category.objects.count() == 2


# --- point 8: the edition checks run on the preview ------------------------------------------

CHECKED = {
    "complete": GOOD,
    "no analysis": HEAD + ITEMS + TRENDS,
    "no trends": HEAD + ITEMS + ANALYSIS,
    "no core summary": HEAD + ITEMS + ANALYSIS + "趋势总结\n- 甲:乙。\n",
    "no source": HEAD + ITEMS.replace("来源:新华网\n", "") + ANALYSIS + TRENDS,
    "same headline twice": HEAD + ITEMS.replace("第二条标题", "第一条标题") + ANALYSIS + TRENDS,
    "nothing but items": HEAD + ITEMS,
}


@pytest.mark.parametrize("text", CHECKED.values(), ids=CHECKED.keys())
def test_preview_checks_are_those_the_workflow_runs_after_the_import(desk, text):
    shown = preview(desk, text).context["checks"]
    digest = import_briefing(parse_text(text))
    after = edition.run_checks(Digest.objects.with_contents().get(pk=digest.pk))
    assert results(shown) == results(after)


def test_preview_shows_what_will_block_submitting(desk):
    response = preview(desk, HEAD + ITEMS + TRENDS)
    blocking = [r.name for r in response.context["checks"] if r.blocks]
    assert blocking == ["analysis_present"]
    text = page_text(response)
    assert "Required before submitting" in text
    assert "The deep analysis (深度解析) is missing." in text


def test_preview_follows_the_configured_levels(desk, settings):
    settings.NEWSROOM_EDITION_CHECKS = {"analysis_present": "recommended", "trends_present": "off"}
    response = preview(desk, HEAD + ITEMS)
    checks = {r.name: r for r in response.context["checks"]}
    assert "trends_present" not in checks
    assert checks["analysis_present"].level == "recommended"
    assert not any(r.blocks for r in checks.values())
    text = page_text(response)
    assert "Recommended" in text and "Required before submitting" not in text
    assert "The trend summary (趋势总结) is missing." not in text


def test_complete_briefing_passes_every_check(desk):
    response = preview(desk, GOOD)
    assert all(r.passed for r in response.context["checks"])
    assert "passes the edition checks" in page_text(response)


def _writes(queries):
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}
    ]


def test_preview_writes_nothing(desk):
    import_briefing(parse_text(GOOD))
    draft = Digest.objects.get()
    before = (Digest.objects.count(), Item.objects.count(), Source.objects.count(), draft.version)
    with CaptureQueriesContext(connection) as queries:
        response = preview(desk, GOOD.replace("新来源甲", "新来源乙") + "", replace="on")
    assert response.status_code == 200 and response.context["checks"]
    assert _writes(queries.captured_queries) == []
    draft.refresh_from_db()
    after = (Digest.objects.count(), Item.objects.count(), Source.objects.count(), draft.version)
    assert after == before


def _many(n):
    items = "".join(f"AI技术-标题{i}\n正文{i}。\n来源:来源{i % 7}\n" for i in range(n))
    return HEAD + "AI技术动态\n" + items + ANALYSIS + TRENDS


def test_preview_query_count(desk, django_assert_num_queries):
    factories.source("来源1")
    desk.get(IMPORT_URL)  # the session is read from here on
    # 1 session, 1 user, 2 the editor's permissions (user and group), 1 the digest of
    # the day, then where names land: 1 sections, 1 their aliases, 1 sources, 1 their
    # aliases, and 1 the header's review badge. The edition checks read the parsed
    # briefing: no query, but 1 for source_share (the individual accounts by name and
    # alias, joined).
    with django_assert_num_queries(11):
        small = preview(desk, _many(2))
    with django_assert_num_queries(11):
        large = preview(desk, _many(40))
    assert len(small.context["preview"].items) == 2
    assert len(large.context["preview"].items) == 40


def test_replacing_preview_query_count(desk, django_assert_num_queries):
    import_briefing(parse_text(_many(3)))
    desk.get(IMPORT_URL)
    # As above, plus the draft with its contents: 1 digest with its analysis and trend
    # summary, 1 items with section and source, 1 tags, 1 corrections, 1 analysis
    # paragraphs, 1 trend points (with their items' ids), 1 numeric claims.
    with django_assert_num_queries(18):
        preview(desk, _many(3), replace="on")
    import_briefing(parse_text(_many(30)), replace=True)
    with django_assert_num_queries(18):
        response = preview(desk, _many(3), replace="on")
    assert len(response.context["losses"]) == 27  # the items only in the draft


# --- point 7: what replacing a draft loses ---------------------------------------------------


def _edited_draft():
    """The digest imported from GOOD, then edited on the desk as an editor would."""
    digest = import_briefing(parse_text(GOOD))
    first = digest.items.get(title="第一条标题")
    first.body = "编辑改写的正文。"
    first.save()
    second = digest.items.get(title="第二条标题")
    second.source = factories.source("编辑补充的来源")
    second.save()
    Item.objects.filter(pk=second.pk).update(
        image="items/2026/photo.jpg", image_width=640, image_height=480
    )
    factories.item(digest, title="编辑新增的条目", category=first.category)
    Digest.objects.filter(pk=digest.pk).update(lede="编辑写的导语。", version=F("version") + 1)
    Analysis.objects.filter(digest=digest).update(title="编辑改的分析标题")
    TrendSummary.objects.filter(digest=digest).update(summary="编辑改的总结。")
    return digest


def test_replacing_lists_every_edit_it_discards(desk):
    _edited_draft()
    response = preview(desk, GOOD, replace="on")
    losses = {
        (group.title, group.kind): sorted(str(change.label) for change in group.changes)
        for group in response.context["losses"]
    }
    assert losses == {
        ("The digest", "changed"): ["lede"],
        ("AI技术-第一条标题", "changed"): ["body"],
        ("量子计算-第二条标题", "changed"): ["image", "source"],
        ("AI技术-编辑新增的条目", "removed"): ["body", "headline", "section", "topic"],
        ("Deep analysis", "changed"): ["title"],
        ("Trend summary", "changed"): ["core summary"],
    }
    text = page_text(response)
    assert "编辑写的导语" in text and "编辑补充的来源" in text and "编辑新增的条目" in text
    assert "I understand" in text


def test_replacing_without_the_acknowledgement_is_refused(desk):
    draft = _edited_draft()
    shown = preview(desk, GOOD, replace="on")
    response = confirm(desk, shown)
    assert response.status_code == 200
    assert "Tick “I understand" in page_text(response)
    assert response.context["losses"]  # the list is shown again
    assert draft.items.filter(title="编辑新增的条目").exists()
    assert Digest.objects.get().lede == "编辑写的导语。"


def test_replacing_with_the_acknowledgement_replaces(desk):
    draft = _edited_draft()
    shown = preview(desk, GOOD, replace="on")
    response = confirm(desk, shown, discard="on")
    assert response.status_code == 302
    assert not draft.items.filter(title="编辑新增的条目").exists()
    assert Digest.objects.get().lede == ""


def test_replacing_an_untouched_draft_asks_nothing(desk):
    import_briefing(parse_text(GOOD))
    shown = preview(desk, GOOD, replace="on")
    assert shown.context["losses"] == []
    assert "I understand" not in page_text(shown)
    assert confirm(desk, shown).status_code == 302


def test_a_section_reached_by_its_former_name_is_no_loss(desk):
    import_briefing(parse_text(GOOD))
    section = Category.objects.get(name="AI技术动态")
    section.name = "AI新闻"
    section.save()
    SectionAlias.objects.create(category=section, name="AI技术动态")
    assert preview(desk, GOOD, replace="on").context["losses"] == []


def test_an_edit_made_after_the_preview_is_not_lost(desk):
    draft = import_briefing(parse_text(GOOD))
    shown = preview(desk, GOOD, replace="on")
    assert shown.context["losses"] == []
    # Another editor adds an item while this one reads the preview.
    factories.item(draft, title="后来新增的条目", category=Category.objects.first())
    Digest.objects.filter(pk=draft.pk).update(version=F("version") + 1)
    response = confirm(desk, shown, discard="on")
    assert response.status_code == 200
    assert "changed since your preview" in page_text(response)
    assert draft.items.filter(title="后来新增的条目").exists()
    [lost] = response.context["losses"]
    assert lost.kind == "removed" and "后来新增的条目" in lost.title
    # Confirming what is now shown goes through.
    assert confirm(desk, response, discard="on").status_code == 302
    assert not draft.items.filter(title="后来新增的条目").exists()


def test_a_draft_created_after_the_preview_is_not_replaced_unseen(desk):
    shown = preview(desk, GOOD, replace="on")
    assert shown.context["losses"] == []
    other = import_briefing(parse_text(GOOD.replace("第一条正文", "别人的正文")))
    response = confirm(desk, shown)
    assert response.status_code == 200
    assert "changed since your preview" in page_text(response)
    assert other.items.filter(body__contains="别人的正文").exists()


@pytest.mark.parametrize("status", ["review", "scheduled", "unpublished", "published"])
def test_a_digest_past_draft_is_refused_before_the_preview(desk, status):
    factories.digest(date=parse_text(GOOD).date, status=status)
    response = preview(desk, GOOD, replace="on")
    assert response.status_code == 200
    assert response.context["preview"] is None
    assert "an import only ever replaces a draft" in page_text(response)


def test_replacing_lists_a_new_order_and_corrections(desk, reviewer):
    digest = import_briefing(parse_text(GOOD))
    first, second = digest.items.order_by("position")
    Item.objects.filter(pk=first.pk).update(position=9)  # moved below the other by hand
    Correction.objects.create(item=second, note="更正:日期有误。", author=reviewer)
    losses = {group.title: group for group in preview(desk, GOOD, replace="on").context["losses"]}
    assert [change.old for change in losses["Order of items"].changes] == [
        "量子计算-第二条标题\nAI技术-第一条标题"
    ]
    [correction] = losses["量子计算-第二条标题"].changes
    assert (str(correction.label), correction.old) == ("corrections", "更正:日期有误。")
