"""Readers and editors in a real browser (Chromium driven by Playwright)."""

import re

import pytest
from playwright.sync_api import expect

from digests.briefing import parse_text
from digests.importing import import_briefing
from tests.conftest import desk_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_opens_the_home_page(live_server, page, sample_path):
    import_briefing(parse_text(sample_path.read_bytes()), publish=True)
    page.goto(live_server.url + "/")
    # The heading is the day itself; the site's name is in the header.
    assert page.locator("h1").inner_text() == "2026年2月2日 星期一"
    assert page.locator(".digest-date").first.get_attribute("datetime") == "2026-02-02"
    expect(page.locator("article.item")).to_have_count(13)
    expect(page.get_by_role("heading", name="AI技术动态")).to_be_visible()


def test_editor_logs_in_and_opens_the_sample_digest(live_server, page, editor, sample_path):
    digest = import_briefing(parse_text(sample_path.read_bytes()), user=editor)
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    page.click("a[href$='/admin/digests/digest/']")
    page.click(f"a[href$='/admin/digests/digest/{digest.pk}/change/']")
    # The items as closed cards by section: each shows its heading and carries its fields.
    expect(page.locator(".item-card[data-item-id]")).to_have_count(13)
    expect(page.locator(".desk-section .section-name").first).to_have_text("AI技术动态")
    first = page.locator(".item-card[data-item-id]").first
    expect(first.locator(".item-summary")).to_have_text("AI技术-多模态生成式AI进入自然交互阶段")
    first.locator(".item-toggle").click()
    expect(page.locator("#id_items-0-title")).to_have_value("多模态生成式AI进入自然交互阶段")
    expect(page.locator("#id_analysis-0-paragraphs")).to_have_value(re.compile("^背景:"))


DESK_BRIEFING = """每日科技新闻速览(2026-03-09)
AI技术动态
AI技术-国产大模形开源发布
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


def test_the_whole_desk(live_server, browser, editor, other_editor, reviewer, artifacts):
    # An editor imports a pasted briefing ...
    desk = desk_login(browser, live_server, "editor")
    desk.goto(live_server.url + "/admin/digests/digest/")
    desk.get_by_role("link", name="从文本导入").click()
    desk.fill("#id_text", DESK_BRIEFING)
    desk.get_by_role("button", name="预览").click()
    expect(desk.locator(".import-preview")).to_contain_text("国产大模形开源发布")
    desk.get_by_role("button", name="创建草稿").click()
    expect(desk.locator("[data-prefix='items-0'] .item-summary")).to_have_text(
        "AI技术-国产大模形开源发布"
    )
    change_url = desk.url

    # ... opens the item's card, fixes the typo in its headline, saves and submits.
    desk.locator("[data-prefix='items-0'] .item-toggle").click()
    desk.fill("#id_items-0-title", "国产大模型开源发布")
    desk.click("input[name=_continue]")
    expect(desk.locator(".messagelist")).to_contain_text("成功")
    desk.get_by_role("button", name="提交审核").click()
    expect(desk.locator(".status-badge").first).to_have_text("待审")

    # The reviewer asks for changes, with a comment.
    chief = desk_login(browser, live_server, "reviewer")
    chief.goto(change_url)
    chief.fill("#note-request_changes", "第二条请补充量产时间。")
    chief.get_by_role("button", name="退回修改").click()
    expect(chief.locator(".status-badge").first).to_have_text("草稿")

    # A second editor opens the draft too, and will save later.
    colleague = desk_login(browser, live_server, "editor2")
    colleague.goto(change_url)

    # The editor sees the comment, edits and resubmits.
    desk.goto(change_url)
    expect(desk.locator("#review-thread")).to_contain_text("第二条请补充量产时间。")
    desk.locator("[data-prefix='items-1'] .item-toggle").click()
    desk.fill("#id_items-1-body", "多家厂商宣布新一代GPU将于今年第二季度进入量产阶段。")
    desk.click("input[name=_continue]")
    expect(desk.locator(".messagelist")).to_contain_text("成功")
    desk.get_by_role("button", name="提交审核").click()
    expect(desk.locator(".status-badge").first).to_have_text("待审")

    # The second editor's stale save is refused, with the message, and their text kept.
    colleague.fill("#id_lede", "同事写的导语")
    colleague.click("input[name=_continue]")
    expect(colleague.locator(".errornote, .errorlist").first).to_be_visible()
    expect(colleague.locator("#digest_form")).to_contain_text("未保存")
    expect(colleague.locator("#id_lede")).to_have_value("同事写的导语")
    colleague.screenshot(path=artifacts / "desk-stale-save-refused.png", full_page=True)

    # The reviewer publishes.
    chief.goto(change_url)
    chief.get_by_role("button", name="批准并立即发布").click()
    expect(chief.locator(".status-badge").first).to_have_text("已发布")
    chief.screenshot(path=artifacts / "desk-published.png")

    # A reader sees the day.
    reader = browser.new_context(locale="zh-CN").new_page()
    reader.goto(live_server.url + "/2026/03/09/")
    expect(reader.locator("h1")).to_have_text("2026年3月9日 星期一")
    expect(reader.locator("article.item").first).to_contain_text("国产大模型开源发布")
    expect(reader.locator("body")).to_contain_text("第二季度进入量产")
    expect(reader.locator("body")).not_to_contain_text("同事写的导语")


# --- the reader ----------------------------------------------------------------------------


@pytest.fixture
def published_week(db):
    from digests.demo import demo_files

    return [import_briefing(parse_text(path.read_bytes()), publish=True) for path in demo_files()]


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"the page is {width}px wide in a {viewport}px window"


@pytest.mark.parametrize(("device", "width"), [("phone", 390), ("page", 1280)])
def test_reader_reads_the_day_and_follows_an_item(
    live_server, published_week, request, device, width, artifacts
):
    page = request.getfixturevalue(device)
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("2026年11月28日 星期六")
    expect(page.locator(".digest-date")).to_have_attribute("datetime", "2026-11-28")
    no_sideways_scroll(page)
    page.screenshot(path=artifacts / f"reader-home-{width}.png", full_page=True)

    first = page.locator("article.item").first
    headline = first.locator(".headline").inner_text()
    first.locator("a.permalink").click()
    expect(page.locator("h1")).to_have_text(headline)
    no_sideways_scroll(page)
    page.screenshot(path=artifacts / f"reader-item-{width}.png", full_page=True)
    page.get_by_role("link", name=re.compile("阅读 2026年11月28日 的完整简报")).click()
    expect(page).to_have_url(re.compile(r"/2026/11/28/#item-\d+$"))


def test_reader_uses_the_calendar_and_the_day_links(live_server, published_week, phone, artifacts):
    phone.goto(live_server.url + "/2026/11/")
    calendar = phone.locator(".month-calendar")
    calendar.get_by_role("link", name="25 (2026-11-25)", exact=True).click()
    expect(phone).to_have_url(live_server.url + "/2026/11/25/")
    phone.get_by_role("link", name="11月26日 星期四 ›").click()
    expect(phone.locator(".digest-date")).to_have_attribute("datetime", "2026-11-26")
    no_sideways_scroll(phone)
    phone.screenshot(path=artifacts / "reader-month-390.png", full_page=True)


def test_reader_filters_items(live_server, published_week, page, artifacts):
    page.goto(live_server.url + "/items/")
    page.select_option("#id_category", "ai-ji-shu-dong-tai")
    page.fill("#id_date_from", "2026-11-27")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"category=ai-ji-shu-dong-tai"))
    expect(page).to_have_url(re.compile(r"date_from=2026-11-27"))
    rows = page.locator(".item-row")
    expect(rows).to_have_count(10)  # AI技术动态 has 5 items on each of the 27th and 28th
    dates = rows.locator("time").all_inner_texts()
    assert set(dates) == {"2026-11-27", "2026-11-28"}
    page.screenshot(path=artifacts / "reader-browse-1280.png", full_page=True)


def test_reader_searches_in_chinese(live_server, published_week, phone, artifacts):
    phone.goto(live_server.url + "/")
    phone.fill("#site-search-q", "人形机器人")
    phone.keyboard.press("Enter")
    expect(phone.locator("h1")).to_have_text("搜索")
    rows = phone.locator(".item-row")
    expect(rows.first).to_be_visible()
    expect(rows.first.locator("mark").first).to_have_text("人形机器人")
    expect(rows).to_have_count(2)  # the two demo items about humanoid robots
    for row in rows.all():
        expect(row.locator("mark").first).to_have_text("人形机器人")
    no_sideways_scroll(phone)
    phone.screenshot(path=artifacts / "reader-search-390.png", full_page=True)
