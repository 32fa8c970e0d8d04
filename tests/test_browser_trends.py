"""A reader opens /trends/ on a phone and on a desktop, reads a chart's table and follows a
topic to its page (Chromium driven by Playwright)."""

import datetime

import pytest
from playwright.sync_api import expect

from digests.models import Category
from digests.trends import counts
from tests import factories
from tests.test_browser import no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

END = datetime.date(2026, 3, 1)
LONG_TOPIC = "超长话题名称用来检验窄屏排版是否溢出"


@pytest.fixture
def archive(db):
    """Half a year of published days in two sections, with a long topic label."""
    other = factories.category("前沿科技突破")
    for n in range(0, 180, 2):
        digest = factories.digest(date=END - datetime.timedelta(days=n), status="published")
        factories.item(digest, category=Category.objects.first(), topic="芯片")
        factories.item(digest, category=other, topic=LONG_TOPIC if n % 4 else "量子计算")
    counts.rebuild()


@pytest.mark.parametrize(("device", "width"), [("phone", 390), ("page", 1280)])
def test_trends_fit_the_screen_and_lead_to_a_topic(
    live_server, archive, request, device, width, artifacts
):
    page = request.getfixturevalue(device)
    page.goto(live_server.url + "/trends/")
    panel = page.locator("#sections-weeks")
    expect(panel.locator("svg.trend-svg").first).to_be_visible()
    expect(panel.locator(".trend-table table")).to_be_visible()
    expect(panel.locator(".trend-table caption")).to_be_visible()
    no_sideways_scroll(page)
    # Every chart fits its column: no SVG is wider than the window.
    widths = page.eval_on_selector_all(
        "svg.trend-svg", "nodes => nodes.map(n => n.getBoundingClientRect().right)"
    )
    assert widths and max(widths) <= width
    page.screenshot(path=artifacts / f"trends-{width}.png", full_page=True)
    # The bars take the site's accent: its dark-mode value in the dark, black in print.
    bar = panel.locator("svg.trend-svg rect").first
    fill = "el => getComputedStyle(el).fill"
    assert bar.evaluate(fill) == "rgb(164, 38, 44)"
    page.emulate_media(color_scheme="dark")
    assert bar.evaluate(fill) == "rgb(255, 143, 133)"
    page.screenshot(path=artifacts / f"trends-dark-{width}.png")
    page.emulate_media(media="print", color_scheme="light")
    assert bar.evaluate(fill) == "rgb(0, 0, 0)"
    page.emulate_media(media="screen")

    page.locator("#topics-weeks .trend-link", has_text="芯片").first.click()
    expect(page).to_have_url(live_server.url + "/trends/topics/xin-pian/")
    expect(page.locator("#months-chart-title")).to_have_text("芯片")
    expect(page.locator("#months .trend-table table")).to_be_visible()
    expect(page.locator("#weeks svg.trend-svg")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=artifacts / f"trends-topic-{width}.png", full_page=True)
    page.locator(".trend-all").first.click()
    expect(page).to_have_url(live_server.url + "/topics/xin-pian/")
