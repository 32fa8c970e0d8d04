"""A reader on a phone follows a story back through the days (Chromium driven by Playwright)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from digests.models import Digest, ItemLink
from tests import factories
from tests.test_browser import no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "https://example.com/" + "a-very-long-address-without-spaces-" * 6


@pytest.fixture
def story(db):
    """Three published days; each day's lead item follows the day before's, with a long
    headline and a long unbroken address, the hardest case for a 390 px screen."""
    items = []
    for k, day in enumerate((10, 12, 16)):
        digest = factories.full_digest(date=datetime.date(2026, 3, day), status="published")
        items.append(
            factories.item(
                digest,
                source=digest.items.first().source,
                position=0,
                title=f"火星车自主驾驶第{k + 1}次报道:毅力号完成全AI规划驾驶并创下单日行驶纪录",
                body="NASA毅力号火星车独立分析地形、规划路径并规避障碍。" * 4 + LONG,
            )
        )
        if k:
            ItemLink.objects.create(
                item=items[k], earlier=items[k - 1], kind=ItemLink.Kind.FOLLOW_UP
            )
    assert Digest.objects.published().count() == 3
    return items


def test_a_phone_reader_follows_the_story_back_and_reads_the_thread(
    live_server, story, phone, artifacts
):
    first, second, third = story
    phone.goto(live_server.url + "/2026/03/16/")
    links = phone.locator(f"#{third.anchor} .story-links")
    expect(links.locator(".story-earlier a")).to_have_attribute("href", f"/items/{second.pk}/")
    no_sideways_scroll(phone)
    phone.screenshot(path=artifacts / "story-day-390.png", full_page=True)

    links.locator(".story-earlier a").click()  # back a step: day 2's item
    expect(phone).to_have_url(live_server.url + f"/items/{second.pk}/")
    item_links = phone.locator(".item-page .story-links")
    expect(item_links.locator(".story-earlier a")).to_have_attribute("href", f"/items/{first.pk}/")
    expect(item_links.locator(".story-later a")).to_have_attribute("href", f"/items/{third.pk}/")
    no_sideways_scroll(phone)
    box = item_links.locator(".story-later").bounding_box()
    assert box["height"] >= 44  # a link a thumb can hit

    item_links.locator(".story-thread-link a").click()
    expect(phone).to_have_url(live_server.url + f"/items/{second.pk}/story/")
    steps = phone.locator("ol.story-thread > li")
    expect(steps).to_have_count(3)
    expect(steps.locator("time")).to_have_text(["2026-03-10", "2026-03-12", "2026-03-16"])
    expect(phone.locator(".story-current")).to_have_attribute("aria-current", "page")
    expect(phone.locator('link[rel="canonical"]')).to_have_attribute(
        "href", re.compile(rf"/items/{first.pk}/story/$")
    )
    no_sideways_scroll(phone)
    phone.screenshot(path=artifacts / "story-thread-390.png", full_page=True)

    steps.first.get_by_role("link", name=re.compile("第1次报道")).click()
    expect(phone).to_have_url(live_server.url + f"/items/{first.pk}/")
    expect(phone.locator("h1")).to_contain_text("第1次报道")
