"""Autosave, presence and edit locks in a real browser (Chromium driven by Playwright)."""

import pytest
from playwright.sync_api import expect

from digests.briefing import parse_text
from digests.desk import locks, working_copy
from digests.importing import import_briefing
from digests.models import DigestEvent, EditLock, WorkingCopy
from tests.conftest import desk_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BRIEFING = """每日科技新闻速览(2026-03-10)
AI技术动态
AI技术-开源模型发布
某实验室发布新一代开源大模型。
来源:机器之心
芯片-国产GPU量产
多家厂商宣布新一代GPU进入量产阶段。
来源:IT之家
# 深度解析
深度解析:开源与算力
背景:开源模型降低了应用门槛。
趋势总结
- 开源普及:更多企业采用开源模型。
今日核心趋势总结:开源与国产算力共同推动AI落地。
"""


@pytest.fixture
def quick(monkeypatch):
    """Shorter intervals than the desk's 5 s and 15 s, so the test waits less."""
    monkeypatch.setattr(working_copy, "AUTOSAVE_SECONDS", 1)
    monkeypatch.setattr(locks, "HEARTBEAT_SECONDS", 1)


@pytest.fixture
def digest(editor):
    return import_briefing(parse_text(BRIEFING), user=editor)


def change_url(live_server, digest):
    return f"{live_server.url}/admin/digests/digest/{digest.pk}/change/"


def test_work_survives_a_closed_tab(live_server, browser, editor, digest, quick, artifacts):
    page = desk_login(browser, live_server, "editor")
    page.goto(change_url(live_server, digest))
    expect(page.locator("#live-restore")).to_be_hidden()
    page.fill("#id_lede", "关掉标签页前写的导语")
    status = page.locator("#live-status")
    expect(status).to_have_attribute("data-state", "ok")
    expect(status).to_contain_text(":")  # a time, HH:MM:SS
    assert WorkingCopy.objects.get(user=editor).data["lede"] == ["关掉标签页前写的导语"]
    page.screenshot(path=artifacts / "live-autosaved.png")
    page.context.close()  # the tab is gone, nothing saved

    again = desk_login(browser, live_server, "editor")
    again.goto(change_url(live_server, digest))
    expect(again.locator("#id_lede")).to_have_value("")
    banner = again.locator("#live-restore")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(str(digest.version))
    again.screenshot(path=artifacts / "live-restore-offered.png")
    banner.locator(".live-restore-button").click()
    expect(again.locator("#id_lede")).to_have_value("关掉标签页前写的导语")
    expect(banner).to_be_hidden()
    again.click("input[name=_continue]")
    expect(again.locator(".messagelist .success")).to_be_visible()
    expect(again.locator("#id_lede")).to_have_value("关掉标签页前写的导语")
    expect(again.locator("#live-restore")).to_be_hidden()
    digest.refresh_from_db()
    assert digest.lede == "关掉标签页前写的导语"
    assert not WorkingCopy.objects.filter(user=editor).exists()
    again.context.close()


def test_two_people_see_each_other_lock_and_take_over(
    live_server, browser, editor, reviewer, digest, quick, artifacts
):
    desk = desk_login(browser, live_server, "editor")
    desk.goto(change_url(live_server, digest))
    chief = desk_login(browser, live_server, "reviewer")
    chief.goto(change_url(live_server, digest))

    # Each sees the other.
    expect(chief.locator('#live-presence [data-username="editor"]')).to_be_visible()
    expect(desk.locator('#live-presence [data-username="reviewer"]')).to_be_visible()

    # The editor starts editing; the reviewer's page learns it, and warns when they start too.
    desk.fill("#id_lede", "编辑在写")
    expect(
        chief.locator('#live-presence [data-username="editor"].live-person-editing')
    ).to_be_visible()
    chief.fill("#id_title", "主编也在改标题")
    warning = chief.locator("#live-warning")
    expect(warning).to_be_visible()
    expect(warning).to_have_attribute("role", "alert")
    expect(warning).to_contain_text("editor")
    chief.screenshot(path=artifacts / "live-two-editing.png")

    # The editor locks; the reviewer's page says so, and is read-only once reloaded.
    desk.locator(".live-lock-button").click()
    expect(desk.locator("#live-lock")).to_have_attribute("data-state", "mine")
    expect(desk.locator("#id_lede")).to_have_value("编辑在写")  # the page was not left
    expect(chief.locator("#live-lock")).to_have_attribute("data-state", "other")
    chief.reload()
    expect(chief.locator(".live-lock-other")).to_be_visible()
    expect(chief.locator(".live-lock-holder")).to_have_text("editor")
    expect(chief.locator("#id_lede")).to_have_count(0)  # read-only
    expect(chief.locator("#id_items-0-title")).to_have_count(0)
    chief.screenshot(path=artifacts / "live-locked-by-other.png", full_page=False)

    # The reviewer takes over with a note; the editor's page shows it.
    chief.fill("#live-take-over-note", "八点前要发布,我来收尾")
    chief.locator(".live-take-over-button").click()
    expect(chief.locator("#live-lock")).to_have_attribute("data-state", "mine")
    expect(chief.locator("#id_lede")).to_be_editable()
    assert EditLock.objects.get(digest=digest).holder == reviewer

    expect(desk.locator("#live-lock")).to_have_attribute("data-state", "other")
    told = desk.locator("#live-warning")
    expect(told).to_be_visible()
    expect(told).to_contain_text("reviewer")
    expect(told).to_contain_text("八点前要发布,我来收尾")
    expect(desk.locator("#id_lede")).to_have_value("编辑在写")  # their work stays
    desk.screenshot(path=artifacts / "live-taken-over.png")

    # The activity log has the lock and the take-over.
    chief.reload()
    log = chief.locator("#activity")
    expect(log).to_contain_text("八点前要发布,我来收尾")
    actions = list(digest.events.values_list("action", flat=True))
    assert DigestEvent.Action.LOCK in actions and DigestEvent.Action.TAKE_OVER in actions
    expect(log.locator("li")).to_have_count(len(actions))
    chief.screenshot(path=artifacts / "live-activity.png", full_page=True)
    assert WorkingCopy.objects.get(user=editor).data["lede"] == ["编辑在写"]
    desk.context.close()
    chief.context.close()


def test_restore_brings_back_an_added_item_and_its_chosen_source(
    live_server, browser, editor, digest, quick, artifacts
):
    from digests.models import Source

    extra = Source.objects.create(name="新华网", slug="xinhua")
    page = desk_login(browser, live_server, "editor")
    page.goto(change_url(live_server, digest))
    # Add an item in the first section (the editor's cards, or Django's "add another").
    page.evaluate(
        """() => {
        const editor = window.NewsroomEditor;
        if (editor) {
            const section = document.querySelector("[data-category-id]");
            editor.addItem(section.dataset.categoryId);
        } else {
            document.querySelector("#items-group .add-row a").click();
        }
    }"""
    )
    page.fill('[name="items-2-title"]', "自动保存的新条目")
    # The source as the admin's autocomplete leaves it: an option chosen in the select.
    page.evaluate(
        """([value, label]) => {
        const select = document.querySelector('[name="items-2-source"]');
        select.add(new Option(label, value, true, true));
        select.dispatchEvent(new Event("change", {bubbles: true}));
    }""",
        [str(extra.pk), "新华网"],
    )
    expect(page.locator("#live-status")).to_have_attribute("data-state", "ok")
    copy = WorkingCopy.objects.get(user=editor)
    assert copy.data["items-2-title"] == ["自动保存的新条目"]
    assert copy.labels["items-2-source"] == {str(extra.pk): "新华网"}
    page.context.close()

    again = desk_login(browser, live_server, "editor")
    again.goto(change_url(live_server, digest))
    expect(again.locator('[name="items-2-title"]')).to_have_count(0)
    again.locator("#live-restore .live-restore-button").click()
    expect(again.locator('[name="items-2-title"]')).to_have_value("自动保存的新条目")
    expect(again.locator('[name="items-TOTAL_FORMS"]')).to_have_value("3")
    chosen = again.locator('[name="items-2-source"] option:checked')
    expect(chosen).to_have_text("新华网")
    expect(chosen).to_have_attribute("value", str(extra.pk))
    again.screenshot(path=artifacts / "live-restored-item.png", full_page=True)
    again.context.close()
