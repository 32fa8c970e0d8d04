"""Review anchored to items, and the user admin's roles, in a real browser (1280 px)."""

import re

import pytest
from playwright.sync_api import expect

from digests import workflow
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import Digest, ReviewComment
from tests.conftest import desk_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BRIEFING = """每日科技新闻速览(2026-03-10)
AI技术动态
AI技术-国产大模型开源发布
某实验室发布新一代开源大模型,推理成本下降40%。
来源:机器之心
芯片-国产GPU进入量产
多家厂商宣布新一代GPU进入量产阶段。
来源:IT之家
# 深度解析
深度解析:开源与算力
背景:开源模型降低了应用门槛。
趋势总结
- 开源普及:更多企业采用开源模型。
今日核心趋势总结:开源与国产算力共同推动AI落地。
"""


def test_review_on_an_item_from_comment_to_changed_since(
    live_server, browser, editor, reviewer, artifacts
):
    digest = import_briefing(parse_text(BRIEFING.encode()), user=editor)
    workflow.submit(digest, editor)
    chip = digest.items.get(topic="芯片")
    change_url = f"{live_server.url}/admin/digests/digest/{digest.pk}/change/"

    # The reviewer comments on the second item from its card ...
    chief = desk_login(browser, live_server, "reviewer")
    chief.goto(change_url)
    card = chief.locator(f"#item-{chip.pk}")
    add = card.locator(".review-add")
    expect(add).to_have_attribute("aria-expanded", "false")
    add.click()
    expect(add).to_have_attribute("aria-expanded", "true")
    expect(card.locator("#review-compose")).to_be_visible()
    expect(card.locator(".review-on-label")).to_have_text("芯片-国产GPU进入量产")
    expect(chief.locator("#comment-note")).to_be_focused()
    chief.keyboard.type("请补充量产时间。")
    card.screenshot(path=artifacts / "review-compose-in-card.png")
    card.locator("#review-compose button[type=submit]").click()
    expect(chief.locator(f"#item-{chip.pk} .review-comments")).to_contain_text("请补充量产时间。")
    comment = ReviewComment.objects.get(kind=ReviewComment.Kind.COMMENT)
    assert (comment.anchor, comment.item_id) == ("item", chip.pk)
    expect(chief.locator(f'#review-thread a[href="#item-{chip.pk}"]')).to_be_visible()
    chief.locator(f"#item-{chip.pk}").screenshot(path=artifacts / "review-comment-on-card.png")

    # ... and asks for changes.
    chief.fill("#note-request_changes", "见第二条的意见。")
    chief.locator(".transition-request_changes button").click()
    expect(chief.locator("#desk .status-badge").first).to_have_class(re.compile("status-draft"))

    # The editor sees the comment on the card, edits the item, resolves, resubmits.
    desk = desk_login(browser, live_server, "editor")
    desk.goto(change_url)
    card = desk.locator(f"#item-{chip.pk}")
    expect(card.locator(".review-comments .comment-body")).to_have_text("请补充量产时间。")
    expect(desk.locator("#review-thread .review-count")).to_have_attribute("data-open", "2")
    new_body = "多家厂商宣布新一代GPU将于今年第二季度进入量产阶段。"
    card.locator(".item-toggle").click()
    card.locator("textarea[name$='-body']").fill(new_body)
    desk.click("input[name=_continue]")
    expect(desk.locator(".messagelist .success").first).to_be_visible()
    card.locator(".review-resolve").click()
    expect(card.locator(".review-resolved summary")).to_be_visible()
    expect(card.locator(".review-resolve")).to_have_count(0)
    desk.locator("#review-thread .comment-changes .review-resolve").click()
    expect(desk.locator("#review-thread .review-count")).to_have_attribute("data-open", "0")
    desk.locator(".transition-submit button").click()
    expect(desk.locator("#desk .status-badge").first).to_have_class(re.compile("status-review"))

    # The reviewer sees what changed since, on the card and in the panel.
    chief.goto(change_url)
    badge = chief.locator(f"#item-{chip.pk} .review-changed")
    expect(badge).to_be_visible()
    expect(chief.locator("#review-since")).to_contain_text("芯片-国产GPU进入量产")
    since_link = chief.locator(f'#review-since a[href="#item-{chip.pk}"]')
    expect(since_link).to_be_visible()
    other = digest.items.exclude(pk=chip.pk).get()
    expect(chief.locator(f"#item-{other.pk} .review-changed")).to_have_count(0)
    assert Digest.objects.get(pk=digest.pk).status == Digest.Status.REVIEW
    chief.locator("#desk").screenshot(path=artifacts / "review-changed-since-panel.png")
    chief.locator(f"#item-{chip.pk}").screenshot(path=artifacts / "review-changed-card.png")
    chief.screenshot(path=artifacts / "review-page.png", full_page=True)


def test_an_admin_creates_a_reviewer_who_then_logs_in(
    live_server, browser, admin_user, editor, artifacts
):
    digest = import_briefing(parse_text(BRIEFING.encode()), user=editor)
    workflow.submit(digest, editor)

    chief = desk_login(browser, live_server, "chief")
    chief.goto(live_server.url + "/admin/auth/user/add/")
    table = chief.locator("#desk-roles table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(11)
    chief.fill("#id_username", "newchief")
    chief.select_option("#id_role", "reviewer")
    chief.fill("#id_password1", "pw-for-tests")
    chief.fill("#id_password2", "pw-for-tests")
    chief.screenshot(path=artifacts / "roles-add-user.png", full_page=True)
    chief.click("input[name=_save]")
    expect(chief.locator("#id_role")).to_have_value("reviewer")
    expect(chief.locator(".field-is_staff img")).to_have_attribute("alt", "True")
    chief.screenshot(path=artifacts / "roles-change-user.png", full_page=True)

    newcomer = desk_login(browser, live_server, "newchief")
    newcomer.goto(f"{live_server.url}/admin/digests/digest/{digest.pk}/change/")
    expect(newcomer.locator(".transition-request_changes button")).to_be_visible()
    expect(newcomer.locator(".transition-publish button")).to_be_visible()
