"""A withdrawn day: its addresses answer 410 Gone with a public notice, never its contents."""

import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from digests import workflow
from digests.models import Digest
from tests import factories

pytestmark = pytest.mark.django_db
S = Digest.Status
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
REASON = "来源报道有误,已核实撤回"


@pytest.fixture
def withdrawn(reviewer, django_capture_on_commit_callbacks):
    digest = factories.full_digest(date=datetime.date(2026, 3, 1), status=S.REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(digest, reviewer)
        with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
            workflow.withdraw(digest, reviewer, "第一次撤回的理由")
        workflow.perform(digest, "republish", reviewer)
        with time_machine.travel(
            datetime.datetime(2026, 3, 2, 10, 30, tzinfo=SHANGHAI), tick=False
        ):
            workflow.withdraw(digest, reviewer, REASON)
    return digest


def contents(digest):
    """Words only the digest's contents carry: its items' headlines and bodies."""
    return [text for item in digest.items.all() for text in (item.title, item.body)]


def addresses(digest):
    urls = ["/2026/03/01/", "/2026/03/01.txt", "/2026/03/01.md", "/2026/03/01.json"]
    return urls + [f"/items/{item.pk}/" for item in digest.items.all()]


def test_every_address_of_a_withdrawn_day_is_gone_with_the_latest_reason(client, withdrawn):
    for url in addresses(withdrawn):
        response = client.get(url)
        assert response.status_code == 410, url
        page = response.content.decode()
        assert "2026-03-01" in page and REASON in page, url
        assert "第一次撤回的理由" not in page  # the latest withdrawal's reason only
        assert '<time datetime="2026-03-02T10:30:00+08:00">2026-03-02 10:30</time>' in page
        assert not [text for text in contents(withdrawn) if text in page], url
        assert '<meta name="robots" content="noindex">' in page


def test_the_notice_says_withdrawn_in_the_readers_language(client, withdrawn):
    assert "已撤回" in client.get("/2026/03/01/").content.decode()
    with translation.override("en"):
        page = client.get("/en/2026/03/01/").content.decode()
    assert "withdrawn" in page and REASON in page


def test_feeds_sitemap_and_lists_drop_a_withdrawn_day(client, withdrawn):
    sitemaps = ["/sitemap.xml", "/sitemap-days.xml", "/sitemap-items.xml", "/sitemap-months.xml"]
    for url in ["/feeds/rss/", "/feeds/atom/", *sitemaps, "/archive/", "/items/"]:
        page = client.get(url).content.decode()
        assert "2026/03/01" not in page and REASON not in page, url
        assert not [text for text in contents(withdrawn) if text in page], url


def test_a_reopened_day_is_not_withdrawn_any_more(client, withdrawn, reviewer):
    workflow.perform(withdrawn, "reopen", reviewer)
    assert not Digest.objects.withdrawn().exists()
    for url in addresses(withdrawn):
        assert client.get(url).status_code == 404, url


def test_a_republished_day_is_back(client, withdrawn, reviewer):
    workflow.perform(withdrawn, "republish", reviewer)
    assert client.get("/2026/03/01/").status_code == 200
    assert client.get("/2026/03/01.json").status_code == 200


@pytest.mark.parametrize("status", [S.DRAFT, S.REVIEW, S.SCHEDULED])
def test_days_never_published_stay_not_found(client, status):
    digest = factories.full_digest(date=datetime.date(2026, 3, 4), status=status)
    if status == S.SCHEDULED:
        Digest.objects.filter(pk=digest.pk).update(publish_at=timezone.now())
    assert client.get("/2026/03/04/").status_code == 404
    assert client.get("/2026/03/04.txt").status_code == 404
    assert client.get("/2026/03/05/").status_code == 404  # no digest at all
    assert client.get("/2026/02/31/").status_code == 404  # no such date


def test_withdrawn_is_beside_published(withdrawn):
    other = factories.full_digest(date=datetime.date(2026, 3, 3), status=S.PUBLISHED)
    assert list(Digest.objects.published()) == [other]
    (digest,) = Digest.objects.withdrawn()
    assert (digest, digest.withdrawal_reason) == (withdrawn, REASON)


def test_withdrawn_notice_queries(client, withdrawn, django_assert_num_queries):
    # 1 the published digest of the day (none), 2 the withdrawn digest with its
    # latest withdrawal's reason and time (subqueries), 3 the public counters.
    with django_assert_num_queries(3):
        assert client.get("/2026/03/01/").status_code == 410
