"""The inbox in Chromium: from the desk home to an item of today's draft in two clicks."""

import hashlib

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from digests.models import Candidate, Digest, Item
from tests import factories
from tests.conftest import desk_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_adds_a_candidate_to_todays_draft_in_two_clicks(
    live_server, browser, editor, artifacts
):
    ai, policy = factories.category("AI技术动态"), factories.category("政策与资本动向")
    feed = factories.source("机器之心", feed_url="https://jiqizhixin.example/rss")
    today = timezone.localdate()
    draft = factories.digest(date=today, created_by=editor)
    factories.item(draft, category=ai, source=feed, topic="大模型")  # the source's habit: AI
    factories.item(draft, category=policy)
    link = "https://jiqizhixin.example/a/42"
    candidate = Candidate.objects.create(
        source=feed,
        title="国产大模型开源发布，推理成本下降40%",
        summary="某实验室发布新一代开源大模型。",
        link=link,
        link_key=hashlib.sha256(link.encode()).hexdigest(),
        published_at=timezone.now(),
    )

    page = desk_login(browser, live_server, "editor")
    expect(page.locator("#desk-inbox .desk-count")).to_have_text("1")
    page.click("#desk-inbox-link")
    row = page.locator("#result_list tbody tr").filter(
        has=page.locator(f'[value="{candidate.pk}"]')
    )
    expect(row.locator(".inbox-link")).to_have_attribute("rel", "noopener noreferrer")
    expect(row.locator("select.inbox-section")).to_have_value(str(ai.pk))  # guessed

    # The two clicks: the section (here kept as guessed, so a click on it changes
    # nothing; another section is one pick) and the button.
    row.locator("select.inbox-section").select_option(str(ai.pk))
    row.locator("button.inbox-add").click()

    expect(page.locator(".messagelist .success .inbox-open-draft")).to_be_visible()
    page.screenshot(path=str(artifacts / "inbox-added.png"), full_page=True)
    item = Item.objects.get(digest=draft, title="国产大模型开源发布，推理成本下降40%")
    assert (item.category, item.source, item.url, item.topic) == (ai, feed, link, "大模型")
    assert Candidate.objects.get(pk=candidate.pk).state == Candidate.State.USED

    page.click(".messagelist .inbox-open-draft")
    expect(page.locator(f"#item-{item.pk}")).to_be_attached()
    expect(page.locator(f"#section-{ai.pk}-items #item-{item.pk}")).to_be_attached()
    assert Digest.objects.get(pk=draft.pk).version == draft.version + 1
