"""The digest's cards in Chromium: drag and drop, the keyboard, adding, collapsing, saving."""

import pytest
from playwright.sync_api import expect

from digests.models import AnalysisParagraph, Item, TrendSummary
from tests import factories
from tests.conftest import desk_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day(editor):
    """A draft: AI技术动态 with 甲 and 乙, then 前沿科技突破 with 丙; 机器人 not used yet."""
    ai, frontier = factories.category("AI技术动态"), factories.category("前沿科技突破")
    robots = factories.category("机器人")
    origin = factories.source("新华网")
    digest = factories.full_digest(items=0, created_by=editor)
    items = [
        factories.item(digest, category=ai, source=origin, position=1, title="甲"),
        factories.item(digest, category=ai, source=origin, position=2, title="乙"),
        factories.item(digest, category=frontier, source=origin, position=3, title="丙"),
    ]
    return digest, ai, frontier, robots, items


def open_page(browser, live_server, digest):
    page = desk_login(browser, live_server, "editor")
    page.goto(f"{live_server.url}/admin/digests/digest/{digest.pk}/change/")
    expect(page.locator(".item-card[data-item-id]")).to_have_count(3)
    expect(page.locator(".editor-open-all")).to_be_visible()  # editor.js has started
    return page


def save(page):
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()


def order(digest):
    return list(
        Item.objects.filter(digest=digest)
        .order_by("position", "id")
        .values_list("title", "category__name", "position")
    )


def drag(page, handle, target, where):
    """Mouse down on ``handle``, move over ``target`` (its top or bottom quarter), up."""
    target.scroll_into_view_if_needed()
    handle.scroll_into_view_if_needed()
    start = handle.bounding_box()
    box = target.bounding_box()
    y = box["y"] + box["height"] * (0.25 if where == "before" else 0.75)
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, y, steps=6)
    page.mouse.up()


def test_drag_within_and_across_sections_with_the_mouse(live_server, browser, day, artifacts):
    digest, ai, frontier, _robots, (a1, a2, f1) = day
    page = open_page(browser, live_server, digest)
    card = page.locator
    # 乙 above 甲, in the same section.
    drag(page, card(f"#item-{a2.pk} .item-handle"), card(f"#item-{a1.pk}"), "before")
    expect(card(f".desk-section[data-category-id='{ai.pk}'] .item-card")).to_have_count(2)
    expect(card(f".desk-section[data-category-id='{ai.pk}'] .item-card").first).to_have_id(
        f"item-{a2.pk}"
    )
    # 甲 below 丙, into 前沿科技突破: its section changes.
    drag(page, card(f"#item-{a1.pk} .item-handle"), card(f"#item-{f1.pk}"), "after")
    section = card(f".desk-section[data-category-id='{frontier.pk}']")
    expect(section.locator(".item-card").last).to_have_id(f"item-{a1.pk}")
    expect(section.locator(".section-count")).to_have_text("2")
    expect(card(f"#item-{a1.pk} input[name$='-category']")).to_have_value(str(frontier.pk))
    expect(card(f"#item-{a1.pk} input[name$='-position']")).to_have_value("3")
    page.screenshot(path=artifacts / "editor-dragged-1280.png", full_page=True)
    save(page)
    assert order(digest) == [
        ("乙", "AI技术动态", 1),
        ("丙", "前沿科技突破", 2),
        ("甲", "前沿科技突破", 3),
    ]


def test_move_with_the_keyboard_and_cancel_with_escape(live_server, browser, day):
    digest, _ai, frontier, _robots, (a1, _a2, f1) = day
    page = open_page(browser, live_server, digest)
    handle = page.locator(f"#item-{a1.pk} .item-handle")
    handle.focus()
    page.keyboard.press("Space")
    expect(handle).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("ArrowDown")  # below 乙
    page.keyboard.press("ArrowDown")  # past the section's edge: first of 前沿科技突破
    page.keyboard.press("Space")
    expect(handle).to_have_attribute("aria-pressed", "false")
    expect(handle).to_be_focused()
    expect(page.locator("#editor-announce")).to_contain_text("甲")
    section = page.locator(f".desk-section[data-category-id='{frontier.pk}']")
    expect(section.locator(".item-card").first).to_have_id(f"item-{a1.pk}")

    # Picked up, moved and put back with Escape: nothing moves.
    other = page.locator(f"#item-{f1.pk} .item-handle")
    other.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Escape")
    expect(section.locator(".item-card").last).to_have_id(f"item-{f1.pk}")

    # The ↑ button: 乙 … is alone in its section; ↓ on 甲 puts it after 丙.
    page.locator(f"#item-{a1.pk} .item-down").click()
    expect(section.locator(".item-card").last).to_have_id(f"item-{a1.pk}")
    save(page)
    assert order(digest) == [
        ("乙", "AI技术动态", 1),
        ("丙", "前沿科技突破", 2),
        ("甲", "前沿科技突破", 3),
    ]


def test_add_an_item_in_a_section_and_a_new_section(live_server, browser, day, artifacts):
    digest, ai, _frontier, robots, _items = day
    page = open_page(browser, live_server, digest)
    page.locator(f".desk-section[data-category-id='{ai.pk}'] .add-item").click()
    new = page.locator(f".desk-section[data-category-id='{ai.pk}'] .item-card").last
    expect(new.locator("input[name$='-topic']")).to_be_focused()
    new.locator("input[name$='-topic']").fill("芯片")
    new.locator("input[name$='-title']").fill("新加的一条")
    new.locator("textarea[name$='-body']").fill("新加的正文。")
    expect(new.locator(".item-summary")).to_have_text("芯片-新加的一条")

    page.select_option("#add-section-choice", str(robots.pk))
    page.click("#add-section")
    section = page.locator(f".desk-section[data-category-id='{robots.pk}']")
    expect(section.locator(".section-name")).to_have_text("机器人")
    expect(page.locator(f"#add-section-choice option[value='{robots.pk}']")).to_be_disabled()
    section.locator(".add-item").click()
    robot = section.locator(".item-card")
    robot.locator("input[name$='-topic']").fill("机器人")
    robot.locator("input[name$='-title']").fill("人形机器人进厂")
    robot.locator("textarea[name$='-body']").fill("量产节奏加快。")
    expect(page.locator("#id_items-TOTAL_FORMS")).to_have_value("5")
    page.screenshot(path=artifacts / "editor-added-1280.png", full_page=True)
    save(page)
    assert order(digest) == [
        ("甲", "AI技术动态", 1),
        ("乙", "AI技术动态", 2),
        ("新加的一条", "AI技术动态", 3),
        ("丙", "前沿科技突破", 4),
        ("人形机器人进厂", "机器人", 5),
    ]


def test_collapse_expand_and_edit_the_closing_blocks(live_server, browser, day, artifacts):
    digest, ai, _frontier, _robots, (a1, _a2, _f1) = day
    page = open_page(browser, live_server, digest)
    page.screenshot(path=artifacts / "editor-collapsed-1280.png", full_page=True)
    section = page.locator(f".desk-section[data-category-id='{ai.pk}']")
    toggle = section.locator(".section-toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(section.locator(".item-card").first).to_be_hidden()
    toggle.click()
    expect(section.locator(".item-card").first).to_be_visible()

    card = page.locator(f"#item-{a1.pk}")
    expect(card.locator(".item-fields")).to_be_hidden()
    card.locator(".item-toggle").click()
    expect(card.locator(".item-toggle")).to_have_attribute("aria-expanded", "true")
    title = card.locator("input[name$='-title']")
    expect(title).to_be_visible()
    expect(title).to_have_value("甲")
    title.fill("甲改")
    expect(card.locator(".item-summary")).to_have_text("AI技术-甲改")
    page.locator(".editor-open-all").click()
    expect(page.locator(".item-fields:visible")).to_have_count(3)
    page.screenshot(path=artifacts / "editor-expanded-1280.png", full_page=True)

    page.fill("#id_analysis-0-title", "新的分析标题")
    page.fill("#id_analysis-0-paragraphs", "背景:新的背景。\n数据支撑:三项数据。")
    page.fill("#id_trend_summary-0-points", "- 趋势一:说明一。")
    page.fill("#id_trend_summary-0-summary", "新的核心趋势。")
    save(page)
    assert Item.objects.get(pk=a1.pk).title == "甲改"
    assert list(AnalysisParagraph.objects.values_list("label", flat=True)) == ["背景", "数据支撑"]
    trends = TrendSummary.objects.get(digest=digest)
    assert trends.summary == "新的核心趋势。"
    assert list(trends.points.values_list("label", flat=True)) == ["趋势一"]
