"""Story memory in a real browser: an editor sees "reported before" and marks a follow-up."""

import pytest
from playwright.sync_api import expect

from digests.models import ItemLink
from tests.conftest import desk_login
from tests.test_story_desk import story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_marks_an_item_a_follow_up_of_one_published_three_days_earlier(
    live_server, browser, editor, artifacts
):
    draft, item, earlier, other = story()  # 2026-03-10, close to an item of 2026-03-07
    page = desk_login(browser, live_server, "editor")  # the desk in Chinese
    page.goto(f"{live_server.url}/admin/digests/digest/{draft.pk}/change/")

    # The hint comes after the page, under the card's head; the other item has none.
    card = page.locator(f"#item-{item.pk}")
    hint = card.locator(f'.story-hint[data-earlier="{earlier.pk}"]')
    expect(hint).to_be_visible()
    expect(hint.locator("time")).to_have_text("2026-03-07")
    link = hint.locator("a")
    expect(link).to_have_attribute("href", earlier.get_absolute_url())
    expect(link).to_have_attribute("target", "_blank")
    expect(page.locator("#items-group")).to_have_attribute("data-story-loaded", "1")
    expect(page.locator(f"#item-{other.pk} .story-hints")).to_have_count(0)
    expect(page.locator("#story-announce")).not_to_be_empty()  # "1 item may have …"
    expect(hint.locator(".story-answers")).to_have_attribute("role", "group")

    # By keyboard: focus the follow-up answer and press Enter.
    answer = hint.locator(".story-answer-follow_up")
    expect(answer).to_have_attribute("aria-pressed", "false")
    answer.focus()
    page.keyboard.press("Enter")

    # Marked: shown as decided, the answer pressed and still focused, announced.
    decided = card.locator(f'.story-hint.story-follow_up[data-earlier="{earlier.pk}"]')
    expect(decided).to_be_visible()
    expect(decided.locator(".story-decided")).to_be_visible()
    pressed = decided.locator(".story-answer-follow_up")
    expect(pressed).to_have_attribute("aria-pressed", "true")
    expect(pressed).to_be_focused()
    expect(page.locator("#story-announce")).to_contain_text(earlier.heading)
    card.screenshot(path=artifacts / "story-follow-up.png")
    assert ItemLink.objects.get(item=item, earlier=earlier).kind == ItemLink.Kind.FOLLOW_UP

    # Still marked after a reload, with a way to change it.
    page.reload()
    expect(decided.locator(".story-answer-follow_up")).to_have_attribute("aria-pressed", "true")
    decided.locator(".story-answer-repeat").click()
    expect(card.locator(".story-hint.story-repeat")).to_be_visible()
    assert ItemLink.objects.get(item=item, earlier=earlier).kind == ItemLink.Kind.REPEAT
