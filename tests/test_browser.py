"""Readers and editors in a real browser (Chromium driven by Playwright)."""

import pytest

from digests.briefing import parse_text
from digests.importing import import_briefing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_opens_the_home_page(live_server, page, sample_path):
    import_briefing(parse_text(sample_path.read_bytes()), publish=True)
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "每日科技新闻速览"
    assert page.locator("time").first.inner_text() == "2026-02-02"
    assert page.locator("article.item").count() == 13
    assert page.get_by_role("heading", name="AI技术动态").is_visible()


def test_editor_logs_in_and_opens_the_sample_digest(live_server, page, editor, sample_path):
    digest = import_briefing(parse_text(sample_path.read_bytes()), user=editor)
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    page.click("a[href$='/admin/digests/digest/']")
    page.click(f"a[href$='/admin/digests/digest/{digest.pk}/change/']")
    assert page.input_value("#id_items-0-title") == "多模态生成式AI进入自然交互阶段"
    assert page.locator("#items-group .inline-related:not(.empty-form)").count() == 13
    assert "背景:" in page.input_value("#id_analysis-0-paragraphs")
