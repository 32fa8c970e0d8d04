"""One whole morning on the desk, in Chromium, from /admin/ and without the URL bar.

The editor imports tomorrow's text from the desk home, moves an item into another
section by dragging it, saves and submits; the reviewer finds it in the review
queue, comments on that item and asks for changes; the editor resolves the comment
after fixing the item and resubmits; the reviewer sees what changed and publishes.
A reader then finds the item in its new section.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from digests.models import Digest, DigestEvent, ReviewComment
from tests.conftest import desk_login
from tests.test_browser_editor import drag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the editor pastes under the header line the import page starts with.
PASTED = """AI技术动态
AI技术-国产大模型开源发布
某实验室发布新一代开源大模型,推理成本下降40%。
来源:机器之心
芯片-量子芯片完成千比特验证
研究团队宣布新一代超导量子芯片完成千比特规模验证。
来源:IT之家
前沿科技突破
材料-室温超导复现取得进展
多个实验室报告了新的复现结果。
来源:新华网
# 深度解析
深度解析:开源与算力
背景:开源模型降低了应用门槛。
趋势总结
- 开源普及:更多企业采用开源模型。
今日核心趋势总结:开源与国产算力共同推动AI落地。
"""


def test_the_whole_morning(live_server, browser, editor, reviewer, artifacts):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    # 07:00 — the editor's desk home offers tomorrow's missing briefing.
    desk = desk_login(browser, live_server, "editor")
    desk.locator("#desk-tomorrow .desk-import-day").click()
    text = desk.locator("#id_text")
    expect(text).to_have_value(re.compile(re.escape(f"({tomorrow.isoformat()})")))
    text.fill(text.input_value().rstrip("\n") + "\n" + PASTED)
    desk.get_by_role("button", name="预览").click()
    desk.get_by_role("button", name="创建草稿").click()
    digest = Digest.objects.get(date=tomorrow)
    chip = digest.items.get(topic="芯片")
    frontier = digest.items.get(topic="材料")

    # The chip item belongs with the breakthroughs: dragged into 前沿科技突破, below 材料.
    expect(desk.locator(".editor-open-all")).to_be_visible()  # the editor's script is up
    drag(
        desk,
        desk.locator(f"#item-{chip.pk} .item-handle"),
        desk.locator(f"#item-{frontier.pk}"),
        "after",
    )
    section = desk.locator(f".desk-section[data-category-id='{frontier.category_id}']")
    expect(section.locator(".item-card").last).to_have_id(f"item-{chip.pk}")
    desk.click("input[name=_continue]")
    expect(desk.locator(".messagelist .success").first).to_be_visible()
    desk.locator(".transition-submit button").click()
    expect(desk.locator("#desk .status-badge").first).to_have_class(re.compile("status-review"))

    # 07:20 — the reviewer's header says one digest waits; the queue leads to it.
    chief = desk_login(browser, live_server, "reviewer")
    expect(chief.locator("#review-badge")).to_have_attribute("data-count", "1")
    chief.locator(f"#desk-review .desk-row[data-digest='{digest.pk}'] a.desk-row-date").click()
    card = chief.locator(f"#item-{chip.pk}")
    card.locator(".review-add").click()
    chief.locator("#comment-note").fill("请注明验证机构。")
    card.locator("#review-compose button[type=submit]").click()
    expect(chief.locator(f"#item-{chip.pk} .review-comments")).to_contain_text("请注明验证机构。")
    chief.fill("#note-request_changes", "见芯片一条的意见。")
    chief.locator(".transition-request_changes button").click()
    expect(chief.locator("#desk .status-badge").first).to_have_class(re.compile("status-draft"))

    # 07:35 — the editor finds the draft under "my drafts", fixes the item, resolves.
    desk.locator("#site-name a").click()
    desk.locator(f"#desk-drafts .desk-row[data-digest='{digest.pk}'] a.desk-row-date").click()
    card = desk.locator(f"#item-{chip.pk}")
    expect(card.locator(".review-comments")).to_contain_text("请注明验证机构。")
    card.locator(".item-toggle").click()
    card.locator("textarea[name$='-body']").fill(
        "中国科学院团队宣布新一代超导量子芯片完成千比特规模验证。"
    )
    desk.click("input[name=_continue]")
    expect(desk.locator(".messagelist .success").first).to_be_visible()
    desk.locator(f"#item-{chip.pk} .review-resolve").click()
    expect(desk.locator(f"#item-{chip.pk} .review-resolve")).to_have_count(0)
    desk.locator("#review-thread .comment-changes .review-resolve").click()
    expect(desk.locator("#review-thread .review-count")).to_have_attribute("data-open", "0")
    desk.locator(".transition-submit button").click()
    expect(desk.locator("#desk .status-badge").first).to_have_class(re.compile("status-review"))

    # 07:50 — the reviewer sees what changed since, on the card, and publishes.
    chief.locator("#review-badge").click()
    chief.locator(
        f"#result_list a[href*='/admin/digests/digest/{digest.pk}/change/']"
    ).first.click()
    expect(chief.locator(f"#item-{chip.pk} .review-changed")).to_be_visible()
    expect(chief.locator("#review-since")).to_contain_text("量子芯片完成千比特验证")
    chief.locator(".transition-publish button").click()
    expect(chief.locator("#desk .status-badge").first).to_have_class(
        re.compile("status-published")
    )
    chief.screenshot(path=artifacts / "morning-published.png", full_page=True)

    digest.refresh_from_db()
    assert digest.status == Digest.Status.PUBLISHED
    assert not ReviewComment.objects.filter(digest=digest, resolved_at=None).exists()
    actions = list(DigestEvent.objects.filter(digest=digest).values_list("action", flat=True))
    assert actions[0] == "import" and actions[-1] == "publish"
    assert {"save", "submit", "request_changes"} <= set(actions)

    # A reader finds the chip item among the breakthroughs, with its fix.
    reader = browser.new_context(locale="zh-CN").new_page()
    reader.goto(live_server.url + digest.get_absolute_url())
    breakthroughs = reader.locator(f"section#section-{frontier.category.slug}")
    expect(breakthroughs).to_contain_text("量子芯片完成千比特验证")
    expect(reader.locator("body")).to_contain_text("中国科学院团队")
    reader.context.close()
