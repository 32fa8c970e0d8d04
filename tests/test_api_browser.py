"""The API's browsable docs in a real browser: they render under the site's CSP, offline."""

import pytest
from playwright.sync_api import expect

from digests.briefing import parse_text
from digests.importing import import_briefing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_renders_from_local_files_and_tries_a_request(
    live_server, page, sample_path, artifacts
):
    import_briefing(parse_text(sample_path.read_bytes()), publish=True)
    outside, refused = [], []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(live_server.url) or request.url.startswith("data:")
            else outside.append(request.url)
        ),
    )
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(live_server.url + "/api/docs")
    expect(page.locator(".swagger-ui .opblock")).to_have_count(5)
    expect(page.locator("#operations-items-items")).to_be_visible()
    page.click("#operations-sections_and_sources-sections .opblock-summary")
    page.click("#operations-sections_and_sources-sections .try-out__btn")
    page.click("#operations-sections_and_sources-sections .execute")
    expect(
        page.locator("#operations-sections_and_sources-sections .response .microlight").first
    ).to_contain_text("slug")
    page.screenshot(path=str(artifacts / "api-docs-1280.png"), full_page=False)
    assert outside == []
    assert refused == []
