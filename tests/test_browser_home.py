"""The desk home and the planning calendar in Chromium, at 1280 px and on a 390 px phone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from digests.models import Correction, Digest
from tests import factories
from tests.conftest import desk_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Digest.Status
# The briefing's body below its header line, which the import page writes for the day.
BODY = """AI技术动态
AI技术-国产大模型开源发布
某实验室发布新一代开源大模型,推理成本下降40%。
来源:机器之心
深度解析
深度解析:开源与算力
背景:开源模型降低了应用门槛。
趋势总结
- 开源普及:更多企业采用开源模型。
今日核心趋势总结:开源与国产算力共同推动AI落地。
"""


def shoot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def at_eight(day):
    """08:00 of an editorial day in the newsroom's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0)))


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def morning(editor, reviewer):
    """Today a draft by the editor with a failing check, two days in review, one scheduled,
    three published with a correction; tomorrow and the days after still missing."""
    today = timezone.localdate()
    draft = factories.full_digest(date=today, created_by=editor, items=5)
    draft.analysis.delete()
    for n in (1, 2):
        factories.full_digest(date=today - datetime.timedelta(days=10 + n), status=S.REVIEW)
    scheduled_day = today + datetime.timedelta(days=3)
    factories.full_digest(
        date=scheduled_day,
        status=S.SCHEDULED,
        created_by=editor,
        publish_at=at_eight(scheduled_day),
    )
    for n in (1, 2, 3):
        day = factories.full_digest(date=today - datetime.timedelta(days=n), status=S.PUBLISHED)
    Correction.objects.create(item=day.items.first(), note="第三条的数字应为40%。")
    return today


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_the_desk_home_at_1280_and_390(live_server, browser, morning, artifacts, role):
    page = desk_login(browser, live_server, role)
    expect(page.locator("#desk-today .status-badge.status-draft")).to_be_visible()
    expect(page.locator("#desk-today .day-items")).to_have_text("5")
    expect(page.locator("#desk-today [data-check=analysis_present]")).to_be_visible()
    expect(page.locator("#desk-tomorrow.day-missing .desk-import-day")).to_be_visible()
    first = "desk-review" if role == "reviewer" else "desk-drafts"
    expect(page.locator(".desk-grid > section").first).to_have_attribute("id", first)
    expect(page.locator("#desk-review .desk-count")).to_have_text("2")
    badge = page.locator("#review-badge")
    expect(badge).to_have_attribute("data-count", "2")
    expect(badge).to_have_attribute("href", "/admin/digests/digest/?desk=review")
    expect(page.locator("#desk-published .desk-rows > li")).to_have_count(3)
    expect(page.locator("#desk-published")).to_contain_text("第三条的数字应为40%。")
    expect(page.locator("#desk-scheduled .desk-rows > li")).to_have_count(1)
    expect(page.locator(".desk-admin .app-digests")).to_be_visible()  # Django's app list
    assert no_horizontal_scroll(page)
    shoot(page, artifacts, f"home-desk-{role}-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#desk-today")).to_be_visible()
    assert no_horizontal_scroll(page)
    today_box = page.locator("#desk-today").bounding_box()
    tomorrow_box = page.locator("#desk-tomorrow").bounding_box()
    assert tomorrow_box["y"] >= today_box["y"] + today_box["height"]  # the cards stack
    assert today_box["width"] <= 390
    shoot(page, artifacts, f"home-desk-{role}-390")

    # The badge goes to the review queue from any admin page.
    page.goto(live_server.url + "/admin/digests/source/")
    page.locator("#review-badge").click()
    page.wait_for_url("**/admin/digests/digest/?desk=review")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    page.context.close()


def test_import_text_for_this_day_from_the_home(live_server, browser, morning, editor):
    tomorrow = morning + datetime.timedelta(days=1)
    page = desk_login(browser, live_server, "editor")
    page.locator("#desk-tomorrow .desk-import-day").click()
    page.wait_for_url(f"**/admin/digests/digest/import/?date={tomorrow.isoformat()}")
    expect(page.locator(".import-day")).to_have_attribute("data-date", tomorrow.isoformat())
    header = f"每日科技新闻速览({tomorrow.isoformat()})\n"
    expect(page.locator("#id_text")).to_have_value(header)
    page.locator("#id_text").press("Control+End")
    page.locator("#id_text").type(BODY)
    page.locator("input[name=preview]").click()
    expect(page.locator(".import-preview")).to_contain_text("国产大模型开源发布")
    page.locator("input[name=confirm]").click()
    expect(page.locator(".messagelist .success")).to_contain_text(tomorrow.isoformat())
    digest = Digest.objects.get(date=tomorrow)
    assert page.url.endswith(f"/admin/digests/digest/{digest.pk}/change/")
    assert digest.created_by == editor
    assert list(digest.items.values_list("title", flat=True)) == ["国产大模型开源发布"]
    page.context.close()


def test_reviewer_drags_a_scheduled_day_to_reschedule_it(live_server, browser, morning, artifacts):
    scheduled = Digest.objects.get(status=S.SCHEDULED)
    target = scheduled.date + datetime.timedelta(days=1)
    if target.month != scheduled.date.month:  # stay in the month shown
        target = scheduled.date - datetime.timedelta(days=1)
    page = desk_login(browser, live_server, "reviewer")
    page.goto(f"{live_server.url}/admin/digests/digest/calendar/?month={scheduled.date:%Y-%m}")
    card = page.locator(f".calendar-digest[data-digest='{scheduled.pk}']")
    expect(card).to_have_attribute("draggable", "true")
    shoot(page, artifacts, "home-calendar-1280")
    card.drag_to(page.locator(f"td[data-date='{target.isoformat()}']"))
    dialog = page.locator("#reschedule-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#reschedule-publish-at")).to_have_value(f"{target.isoformat()}T08:00")
    shoot(page, artifacts, "home-calendar-dialog-1280")
    page.locator("#reschedule-confirm").click()
    page.wait_for_url(f"**/admin/digests/digest/calendar/?month={scheduled.date:%Y-%m}")
    expect(page.locator(".messagelist .success")).to_be_visible()
    scheduled.refresh_from_db()
    assert scheduled.status == S.SCHEDULED
    assert scheduled.publish_at == at_eight(target)
    assert scheduled.date == morning + datetime.timedelta(days=3)  # its own day stays
    page.context.close()


def test_keyboard_reschedule_and_cancel(live_server, browser, morning):
    scheduled = Digest.objects.get(status=S.SCHEDULED)
    page = desk_login(browser, live_server, "reviewer")
    page.goto(f"{live_server.url}/admin/digests/digest/calendar/?month={scheduled.date:%Y-%m}")
    button = page.locator(f".calendar-digest[data-digest='{scheduled.pk}'] .calendar-reschedule")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#reschedule-dialog")).to_be_visible()
    publish_at = page.locator("#reschedule-publish-at")
    expect(publish_at).to_be_focused()
    expect(publish_at).to_have_value(f"{scheduled.date.isoformat()}T08:00")
    page.keyboard.press("Escape")
    expect(page.locator("#reschedule-dialog")).to_be_hidden()
    expect(button).to_be_focused()
    # The editor sees the same calendar without anything to drag.
    desk = desk_login(browser, live_server, "editor")
    desk.goto(f"{live_server.url}/admin/digests/digest/calendar/?month={scheduled.date:%Y-%m}")
    expect(desk.locator(f".calendar-digest[data-digest='{scheduled.pk}']")).to_be_visible()
    expect(desk.locator("[draggable=true]")).to_have_count(0)
    page.context.close()
    desk.context.close()
