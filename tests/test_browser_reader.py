"""A reader on a phone (390 px) and a desktop (1280 px): the day's heading, the month list,
the page of a missing day and its links, search that finds nothing, and an item's
neighbours (Chromium driven by Playwright)."""

import datetime

import pytest
from playwright.sync_api import expect

from digests.models import Digest
from digests.trends import counts
from tests import factories
from tests.test_browser import no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Digest.Status
LONG_HEADLINE = (
    "国产开源大模型全球累计下载量突破100亿次并在多模态生成与边缘部署领域持续领先全球同行"
)
LONG_LEDE = (
    "春节前最后一个工作日：" + "人工智能、商业航天与6G通信的要闻汇总，" * 6 + "两分钟读完。"
)


@pytest.fixture
def days(db):
    """Published 2026-02-01 (with a lede) and 2026-02-05 (three items of one topic, long
    headlines); 2026-02-03 is only a draft, 2026-02-04 withdrawn."""
    section = factories.category("AI技术动态")
    first = factories.digest(date=datetime.date(2026, 2, 1), status=S.PUBLISHED, lede=LONG_LEDE)
    factories.item(first, category=section, topic="芯片", title="二月一日的芯片新闻")
    fifth = factories.digest(date=datetime.date(2026, 2, 5), status=S.PUBLISHED)
    items = [
        factories.item(fifth, category=section, topic="芯片", title=f"{LONG_HEADLINE}{n}")
        for n in range(1, 4)
    ]
    draft = factories.digest(date=datetime.date(2026, 2, 3))
    factories.item(draft, category=section, topic="芯片", title="草稿里的秘密标题")
    withdrawn = factories.digest(date=datetime.date(2026, 2, 4), status=S.UNPUBLISHED)
    factories.item(withdrawn, category=section, topic="芯片", title="撤下的秘密标题")
    counts.rebuild()
    return items


DEVICES = [("phone", 390), ("page", 1280)]


@pytest.mark.parametrize(("device", "width"), DEVICES)
def test_day_heading_and_month_list(live_server, days, request, device, width, artifacts):
    page = request.getfixturevalue(device)
    page.goto(live_server.url + "/2026/02/05/")
    expect(page.locator("h1#digest-title")).to_have_text("2026年2月5日 星期四")
    expect(page.locator(".site-name")).to_have_text("每日科技新闻速览")
    no_sideways_scroll(page)
    page.goto(live_server.url + "/en/2026/02/05/")
    expect(page.locator("h1#digest-title")).to_have_text("Thursday, 5 February 2026")

    page.goto(live_server.url + "/2026/02/")
    expect(page.locator(".month-day")).to_have_count(2)
    expect(page.locator(".month-day-line").first).to_contain_text("春节前最后一个工作日")
    expect(page.locator(".month-day-line").last).to_contain_text(LONG_HEADLINE)
    expect(page.locator("a[href='/2026/02/03/'], a[href='/2026/02/04/']")).to_have_count(0)
    no_sideways_scroll(page)
    page.screenshot(path=artifacts / f"reader-month-lines-{width}.png", full_page=True)


@pytest.mark.parametrize(("device", "width"), DEVICES)
def test_missing_day_links_the_nearest_days(live_server, days, request, device, width, artifacts):
    page = request.getfixturevalue(device)
    response = page.goto(live_server.url + "/2026/02/03/")  # a draft: as missing as any day
    assert response.status == 404
    expect(page.locator("h1#day-missing-title")).to_be_visible()
    expect(page.locator(".missing-date")).to_have_text("2026年2月3日 星期二")
    expect(page.get_by_text("秘密")).to_have_count(0)
    no_sideways_scroll(page)
    page.screenshot(path=artifacts / f"reader-missing-day-{width}.png", full_page=True)

    page.locator(".nearest-after").click()
    expect(page).to_have_url(live_server.url + "/2026/02/05/")
    expect(page.locator("h1#digest-title")).to_have_text("2026年2月5日 星期四")
    page.go_back()
    page.locator(".nearest-before").click()
    expect(page).to_have_url(live_server.url + "/2026/02/01/")
    expect(page.locator("h1#digest-title")).to_have_text("2026年2月1日 星期日")

    assert page.goto(live_server.url + "/2026/02/04/").status == 410  # withdrawn: its notice


@pytest.mark.parametrize(("device", "width"), DEVICES)
def test_search_with_nothing_found_offers_a_way_on(
    live_server, days, request, device, width, artifacts
):
    page = request.getfixturevalue(device)
    page.goto(live_server.url + "/search/?q=芯片组没有的词")
    suggestions = page.locator(".search-suggestions")
    expect(suggestions).to_be_visible()
    expect(suggestions.locator("h2")).to_be_visible()
    expect(page.locator(".suggested-sections a")).to_have_count(1)
    expect(page.locator(".suggested-latest a")).to_have_attribute("href", "/2026/02/05/")
    no_sideways_scroll(page)
    page.screenshot(path=artifacts / f"reader-search-empty-{width}.png", full_page=True)
    page.locator(".suggested-topics a").first.click()
    expect(page).to_have_url(live_server.url + "/topics/xin-pian/")
    expect(page.locator(".item-row")).to_have_count(4)  # published items only


@pytest.mark.parametrize(("device", "width"), DEVICES)
def test_item_page_leads_on(live_server, days, request, device, width, artifacts):
    page = request.getfixturevalue(device)
    _first, middle, last = days
    page.goto(live_server.url + middle.get_absolute_url())
    expect(page.locator("h1#item-title")).to_have_text(middle.title)
    expect(page.locator(".same-topic li")).to_have_count(3)  # the day's two others, 2026-02-01
    expect(page.locator(".same-topic")).not_to_contain_text("秘密")
    no_sideways_scroll(page)
    page.screenshot(path=artifacts / f"reader-item-neighbours-{width}.png", full_page=True)
    page.locator(".item-next").click()
    expect(page).to_have_url(live_server.url + last.get_absolute_url())
    expect(page.locator(".item-next")).to_have_count(0)
    page.locator(".item-previous").click()
    expect(page).to_have_url(live_server.url + middle.get_absolute_url())
