"""Saved versions hold the whole digest, whatever made them, and restore it whole."""

import pytest
from django.urls import reverse

from digests import history, workflow
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import Digest, DigestEvent
from tests.formdata import form_data

pytestmark = pytest.mark.django_db
S = Digest.Status

BRIEFING = """每日科技新闻速览(2026-03-05)
导语:今天的三件事。
AI技术动态
AI技术-原来的标题
正文。
来源:新华网
标签:大模型,芯片
AI技术-第二条
正文二。
来源:新华网
前沿科技突破
生物医药-第三条
正文三。
来源:全球技术地图
# 深度解析
深度解析:原来的分析
背景:原来的背景。
数据支撑:原来的数据。
趋势总结
- 趋势一:原来的趋势一。
- 趋势二:原来的趋势二。
今日核心趋势总结:原来的核心趋势。
"""


def whole(digest):
    """Everything a version must hold, read from the database."""
    digest = Digest.objects.get(pk=digest.pk)
    analysis = getattr(digest, "analysis", None) if hasattr(digest, "analysis") else None
    trends = getattr(digest, "trend_summary", None) if hasattr(digest, "trend_summary") else None
    return {
        "title": digest.title,
        "lede": digest.lede,
        "cover_image": str(digest.cover_image or ""),
        "items": [
            (
                item.position,
                item.category.name,
                item.topic,
                item.title,
                item.body,
                item.source.name if item.source else "",
                item.url,
                sorted(item.tags.names()),
                str(item.image or ""),
                item.image_alt,
            )
            for item in digest.items.select_related("category", "source").order_by(
                "position", "id"
            )
        ],
        "analysis": analysis
        and (analysis.title, list(analysis.paragraphs.values_list("label", "text"))),
        "trends": trends and (trends.summary, list(trends.points.values_list("label", "text"))),
    }


def save_in_admin(client, digest, **changes):
    url = reverse("admin:digests_digest_change", args=[digest.pk])
    data = form_data(client.get(url).content, form_id="digest_form")
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:800]


def newest_version(digest):
    return history.versions_of(digest).first()


def test_a_version_made_by_any_creator_restores_the_whole_digest(client, editor, reviewer):
    client.force_login(reviewer)
    states = {}

    digest = import_briefing(parse_text(BRIEFING), user=editor)
    states["import"] = (newest_version(digest), whole(digest))
    assert states["import"][1]["analysis"][1], "the import has analysis paragraphs"
    assert states["import"][1]["items"][0][7] == ["大模型", "芯片"]

    save_in_admin(
        client,
        digest,
        **{
            "lede": "改过的导语",
            "items-0-title": "改过的标题",
            "items-0-tags": "芯片, 手机",
            "items-2-DELETE": "on",
            "analysis-0-title": "改过的分析",
            "analysis-0-paragraphs": "背景:改过的背景。\n影响:新的一段。",
            "trend_summary-0-points": "- 趋势三:改过的趋势。",
            "trend_summary-0-summary": "改过的核心趋势。",
        },
    )
    states["admin save"] = (newest_version(digest), whole(digest))

    workflow.submit(digest, editor)
    states["transition"] = (newest_version(digest), whole(digest))
    assert states["transition"][0] != states["admin save"][0]

    workflow.restore(digest, states["import"][0], reviewer)
    assert whole(digest) == states["import"][1]
    states["restore"] = (newest_version(digest), whole(digest))

    save_in_admin(
        client,
        digest,
        **{
            "lede": "又一次",
            "items-1-DELETE": "on",
            "analysis-0-paragraphs": "",
            "trend_summary-0-points": "- 只剩一点:说明。",
        },
    )
    for creator, (version, contents) in states.items():
        workflow.restore(digest, version, reviewer)
        assert whole(digest) == contents, creator


def test_a_version_snapshot_shows_the_whole_digest_made_by_an_import(editor):
    digest = import_briefing(parse_text(BRIEFING), user=editor)
    shot = history.snapshot(newest_version(digest).revision, digest.pk)
    assert shot.paragraphs == ["背景:原来的背景。", "数据支撑:原来的数据。"]
    assert shot.points == ["趋势一:原来的趋势一。", "趋势二:原来的趋势二。"]
    assert [item["tags"] for item in shot.items.values()] == ["大模型, 芯片", "", ""]


def test_replacing_an_imported_draft_records_the_new_contents(editor):
    digest = import_briefing(parse_text(BRIEFING), user=editor)
    changed = BRIEFING.replace("原来的背景", "新的背景").replace("原来的标题", "新的标题")
    import_briefing(parse_text(changed), user=editor, replace=True)
    shot = history.snapshot(newest_version(digest).revision, digest.pk)
    assert shot.paragraphs[0] == "背景:新的背景。"
    assert next(iter(shot.items.values()))["title"] == "新的标题"
    assert len(shot.items) == 3  # the replaced items are not in the new version


def events(digest):
    return list(
        DigestEvent.objects.filter(digest=digest).values_list(
            "action", "actor__username", "note", "version"
        )
    )


def test_imports_and_saves_are_in_the_activity_log(client, editor):
    A = DigestEvent.Action
    digest = import_briefing(parse_text(BRIEFING), user=editor)
    assert events(digest) == [(A.IMPORT, editor.username, "", 1)]
    import_briefing(parse_text(BRIEFING), user=editor, replace=True)
    assert events(digest)[-1] == (A.REPLACE, editor.username, "", 2)
    client.force_login(editor)
    save_in_admin(client, digest, title="改过的标题")
    assert events(digest)[-1][:2] == (A.SAVE, editor.username)
    assert events(digest)[-1][3] == Digest.objects.get(pk=digest.pk).version == 3
    # The desk sees it in "Who did what, when".
    page = client.get(reverse("admin:digests_digest_change", args=[digest.pk])).content.decode()
    assert page.count(str(A.SAVE.label)) == 1 and page.count(str(A.IMPORT.label)) == 1
    assert page.count(str(A.REPLACE.label)) == 1


def test_a_save_that_changes_nothing_adds_no_line(client, editor):
    digest = import_briefing(parse_text(BRIEFING), user=editor)
    client.force_login(editor)
    save_in_admin(client, digest)
    assert [action for action, *_ in events(digest)] == [DigestEvent.Action.IMPORT]
