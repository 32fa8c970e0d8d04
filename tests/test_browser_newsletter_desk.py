"""The newsletter panel on a digest's desk page, in a real browser (1280 px): a reviewer
reads the mailing's counts and sends themselves a test (issue 11, point 6)."""

import datetime

import pytest
from playwright.sync_api import expect

from digests.models import Delivery, Digest, Mailing, Subscriber
from tests import factories
from tests.conftest import desk_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Delivery.State


def test_reviewer_reads_the_counts_and_sends_a_test(
    live_server, browser, reviewer, mailoutbox, artifacts
):
    digest = factories.full_digest(date=datetime.date(2026, 3, 1), status=Digest.Status.PUBLISHED)
    issue = Mailing.objects.create(digest=digest, created_by=reviewer)
    for n, state in enumerate([D.SENT, D.SENT, D.SENT, D.QUEUED, D.BOUNCED]):
        reader = Subscriber.objects.create(email=f"r{n}@example.com", state="active")
        Delivery.objects.create(
            mailing=issue, digest=digest, kind="issue", subscriber=reader, state=state
        )

    page = desk_login(browser, live_server, "reviewer")
    page.goto(f"{live_server.url}/admin/digests/digest/{digest.pk}/change/")
    panel = page.locator("#newsletter")
    expect(panel).to_be_visible()
    row = panel.locator(f"#mailing-{issue.pk}")
    expect(row.locator("td.count-sent")).to_have_text("3")
    expect(row.locator("td.count-queued")).to_have_text("1")
    expect(row.locator("td.count-bounced")).to_have_text("1")
    expect(row.locator("td.count-failed")).to_have_text("0")
    panel.screenshot(path=artifacts / "newsletter-panel-1280.png")

    page.locator("#newsletter-test-send").click()
    page.wait_for_url("**/change/#newsletter")
    expect(page.locator(".messagelist .success")).to_contain_text("reviewer@newsroom.test")
    expect(page.locator("#newsletter tr.mailing-test")).to_have_count(1)
    assert [m.to for m in mailoutbox] == [["reviewer@newsroom.test"]]
    assert Mailing.objects.filter(kind=Mailing.Kind.TEST, created_by=reviewer).count() == 1
    page.locator("#newsletter").screenshot(path=artifacts / "newsletter-panel-after-test.png")
