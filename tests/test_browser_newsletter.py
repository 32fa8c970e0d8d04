"""A reader signs up for the briefing by e-mail on a 390 px phone, in Chromium."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from digests.models import Subscriber
from digests.newsletter import signup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "phone.reader@example.com"


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shoot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def test_a_reader_subscribes_from_the_footer_and_confirms_on_a_phone(
    live_server, phone, published_day, artifacts
):
    phone.goto(live_server.url + "/2026/03/01/")
    form = phone.locator("#footer-newsletter")
    form.scroll_into_view_if_needed()
    expect(form).to_be_visible()
    assert no_horizontal_scroll(phone)
    shoot(phone, artifacts, "newsletter-footer-390")
    phone.fill("#footer-newsletter-email", ADDRESS)
    phone.click("#footer-newsletter-submit")
    phone.wait_for_url("**/newsletter/sent/")
    expect(phone.locator("#newsletter-page-title")).to_be_visible()
    assert no_horizontal_scroll(phone)

    reader = Subscriber.objects.get()
    assert reader.state == Subscriber.State.PENDING
    assert reader.consent_source == "/2026/03/01/"
    # The worker's part: the task queued on commit sends the confirmation.
    assert signup.send_confirmation(reader.pk) == "sent: confirm"
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/newsletter/confirm/\S+/", message.body).group(0)

    phone.goto(live_server.url + urlsplit(link).path)
    expect(phone.locator("#confirm-button")).to_be_visible()
    assert no_horizontal_scroll(phone)
    reader.refresh_from_db()
    assert reader.state == Subscriber.State.PENDING  # opening the link confirms nothing
    shoot(phone, artifacts, "newsletter-confirm-390")
    phone.click("#confirm-button")
    expect(phone.locator("h1.confirmed")).to_be_visible()
    expect(phone.locator("#preferences-link")).to_be_visible()
    assert no_horizontal_scroll(phone)
    reader.refresh_from_db()
    assert reader.state == Subscriber.State.ACTIVE

    phone.click("#preferences-link")
    expect(phone.locator("#sections-form")).to_be_visible()
    assert no_horizontal_scroll(phone)
    shoot(phone, artifacts, "newsletter-preferences-390")
    phone.click("#pause-button")
    expect(phone.locator("#preferences-done")).to_be_visible()
    expect(phone.locator("#resume-button")).to_be_visible()
    reader.refresh_from_db()
    assert reader.state == Subscriber.State.PAUSED


def test_the_full_sign_up_page_on_a_phone(live_server, phone, published_day, artifacts):
    phone.goto(live_server.url + "/newsletter/")
    expect(phone.locator("#newsletter-email")).to_have_attribute("autocomplete", "email")
    assert phone.locator(".newsletter-sections input[type=checkbox]").count() >= 1
    assert no_horizontal_scroll(phone)
    shoot(phone, artifacts, "newsletter-signup-390")
    phone.fill("#newsletter-email", "reader@example.com")
    phone.locator(".newsletter-sections input[type=checkbox]").first.check()
    phone.click("#newsletter-submit")
    phone.wait_for_url("**/newsletter/sent/")
    reader = Subscriber.objects.get()
    assert reader.sections.count() == 1
