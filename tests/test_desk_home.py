"""The desk home at /admin/ and the review badge in the admin's header."""

import datetime
import re

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from digests.desk.site import DeskSite
from digests.models import Correction, Digest
from tests import factories
from tests.conftest import as_user

S = Digest.Status
# 07:00 on 2026-03-10 in Shanghai: the editorial day is the 10th.
MORNING = datetime.datetime(2026, 3, 9, 23, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 10)
HOME = "/admin/"


@pytest.fixture(autouse=True)
def morning():
    with time_machine.travel(MORNING, tick=False):
        yield


def day(n):
    return TODAY + datetime.timedelta(days=n)


def section_ids(page):
    return re.findall(r'<section class="desk-card[^"]*" id="(desk-[a-z]+)"', page)


def test_admin_site_is_the_desk_and_keeps_its_branding(client, editor):
    assert isinstance(admin.site, DeskSite)
    assert admin.site.is_registered(Digest)
    page = as_user(client, editor).get(HOME).content.decode()
    assert "Newsroom desk" in page  # site_header, set in digests/admin.py
    assert reverse("admin:digests_digest_changelist") in page  # Django's app list stays


def test_today_and_tomorrow_show_state_author_time_items_and_failing_checks(client, editor):
    factories.full_digest(date=TODAY, status=S.SCHEDULED, created_by=editor, items=4)
    Digest.objects.filter(date=TODAY).update(
        publish_at=datetime.datetime(2026, 3, 10, 0, 30, tzinfo=datetime.UTC)  # 08:30 local
    )
    tomorrow = factories.digest(date=day(1), status=S.DRAFT, created_by=editor)
    factories.item(tomorrow, source=None)  # no source, no analysis, no trends
    response = as_user(client, editor).get(HOME)
    page = response.content.decode()
    today_card = page.split('id="desk-today"')[1].split("</article>")[0]
    assert "2026-03-10" in today_card
    assert "status-badge status-scheduled" in today_card
    assert '<dd class="day-items">4</dd>' in today_card
    assert "2026-03-10 08:30" in today_card  # in the newsroom's time zone
    assert ">editor<" in today_card
    assert "Passes the edition checks" in today_card
    tomorrow_card = page.split('id="desk-tomorrow"')[1].split("</article>")[0]
    assert "status-badge status-draft" in tomorrow_card
    assert '<dd class="day-items">1</dd>' in tomorrow_card
    failing = re.findall(r'data-check="([a-z_]+)"', tomorrow_card)
    assert failing == ["items_complete", "analysis_present", "trends_present"]
    assert 'class="check-required"' in tomorrow_card
    assert f"/admin/digests/digest/{tomorrow.pk}/change/" in tomorrow_card


def test_a_missing_day_offers_import_and_blank(client, editor):
    factories.full_digest(date=TODAY)
    page = as_user(client, editor).get(HOME).content.decode()
    tomorrow_card = page.split('id="desk-tomorrow"')[1].split("</article>")[0]
    assert "day-missing" in page.split('id="desk-tomorrow"')[0].rsplit("<article", 1)[1]
    assert "/admin/digests/digest/import/?date=2026-03-11" in tomorrow_card
    assert "/admin/digests/digest/add/?date=2026-03-11" in tomorrow_card
    missing = page.split('id="desk-missing"')[1].split("</section>")[0]
    dates = re.findall(r'data-date="([0-9-]+)"', missing)
    assert dates == [day(n).isoformat() for n in range(1, 7)]  # today has its digest
    assert 'class="desk-row missing-day weekend" data-date="2026-03-14"' in missing  # Saturday
    assert missing.count("/admin/digests/digest/import/?date=") == 6


def test_my_drafts_newest_first_and_only_mine(client, editor, other_editor):
    mine = [factories.digest(date=day(-n), created_by=editor) for n in range(1, 13)]
    factories.digest(date=day(-20), created_by=other_editor)
    factories.digest(date=day(-21), status=S.REVIEW, created_by=editor)
    page = as_user(client, editor).get(HOME).content.decode()
    drafts = page.split('id="desk-drafts"')[1].split("</section>")[0]
    shown = [int(pk) for pk in re.findall(r'data-digest="(\d+)"', drafts)]
    assert shown == [d.pk for d in mine[:10]]  # newest first, ten of twelve
    assert "?desk=mine" in drafts
    assert "All my drafts" in drafts


def test_review_queue_oldest_first_with_count(client, reviewer, editor):
    later = factories.digest(date=day(2), status=S.REVIEW, created_by=editor)
    earlier = factories.digest(date=day(-1), status=S.REVIEW)
    factories.digest(date=day(3), status=S.DRAFT)
    page = as_user(client, reviewer).get(HOME).content.decode()
    queue = page.split('id="desk-review"')[1].split("</section>")[0]
    assert [int(pk) for pk in re.findall(r'data-digest="(\d+)"', queue)] == [earlier.pk, later.pk]
    assert 'data-count="2">2</span>' in queue
    assert "?desk=review" in queue


def test_sections_follow_the_role(client, editor, reviewer):
    editor_page = as_user(client, editor).get(HOME).content.decode()
    assert section_ids(editor_page)[:2] == ["desk-drafts", "desk-review"]
    reviewer_page = as_user(client, reviewer).get(HOME).content.decode()
    assert section_ids(reviewer_page)[:2] == ["desk-review", "desk-drafts"]
    for page in (editor_page, reviewer_page):
        assert {"desk-missing", "desk-scheduled", "desk-published"} <= set(section_ids(page))


def test_scheduled_and_recently_published_with_corrections(client, reviewer):
    scheduled = factories.full_digest(date=day(1), status=S.SCHEDULED)
    published = [factories.full_digest(date=day(-n), status=S.PUBLISHED) for n in range(1, 10)]
    item = published[0].items.first()
    for n, note in enumerate(["第一处更正。", "第二处更正。", "第三处更正。"]):
        Correction.objects.create(
            item=item, note=note, created_at=timezone.now() - datetime.timedelta(hours=3 - n)
        )
    page = as_user(client, reviewer).get(HOME).content.decode()
    planned = page.split('id="desk-scheduled"')[1].split("</section>")[0]
    assert f'data-digest="{scheduled.pk}"' in planned
    recent = page.split('id="desk-published"')[1].split("</section>")[0]
    shown = [int(pk) for pk in re.findall(r'data-digest="(\d+)"', recent)]
    assert shown == [d.pk for d in published[:7]]
    assert 'data-count="3">3 corrections' in recent
    assert "第三处更正。" in recent and "第二处更正。" in recent
    assert "第一处更正。" not in recent  # only the latest two notes
    assert published[0].get_absolute_url() in recent


def test_without_view_permission_only_the_app_list(client, db):
    clerk = get_user_model().objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_user"))
    factories.digest(date=TODAY, status=S.REVIEW)
    response = as_user(client, clerk).get(HOME)
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["desk"] is None
    assert 'id="desk-today"' not in page
    assert 'id="review-badge"' not in page
    assert "/admin/auth/user/" in page


@pytest.mark.parametrize("archive", [3, 40])
def test_home_queries_stay_constant(client, reviewer, django_assert_max_num_queries, archive):
    for n in range(archive):
        status = [S.PUBLISHED, S.DRAFT, S.REVIEW, S.SCHEDULED][n % 4]
        digest = factories.full_digest(date=day(1 - n), status=status, created_by=reviewer)
        if status == S.PUBLISHED:
            Correction.objects.create(item=digest.items.first(), note="更正。")
    as_user(client, reviewer).get(HOME)  # the session's first touch
    # session, user, permissions (2), review badge count; today and tomorrow with their
    # contents (digests, items, tags, corrections, paragraphs, points, numeric claims,
    # review comments); the week's dates, my drafts, the review queue, scheduled, their
    # item counts, published days and their corrections; the inbox's count of new
    # candidates; Django's recent actions
    with django_assert_max_num_queries(22):
        response = client.get(HOME)
    assert response.status_code == 200
    assert response.context["desk"]["near"][0].digest is not None


def test_review_badge_on_every_admin_page(client, editor):
    digest = factories.full_digest(date=day(-1), status=S.REVIEW)
    factories.digest(date=day(-2), status=S.REVIEW)
    factories.digest(date=day(-3), status=S.DRAFT)
    as_user(client, editor)
    for url in (
        HOME,
        reverse("admin:digests_digest_changelist"),
        reverse("admin:digests_digest_change", args=[digest.pk]),
        reverse("admin:digests_digest_calendar"),
        reverse("admin:digests_digest_import"),
        reverse("admin:digests_source_changelist"),
    ):
        page = client.get(url).content.decode()
        badge = re.search(r'<a class="review-badge[^"]*" id="review-badge" ([^>]*)>', page)
        assert badge, url
        assert 'href="/admin/digests/digest/?desk=review"' in badge.group(1)
        assert 'aria-label="2 digests awaiting review"' in badge.group(1)


def test_review_badge_is_one_count_query(client, editor, django_assert_num_queries):
    factories.digest(date=day(-1), status=S.REVIEW)
    as_user(client, editor)
    url = reverse("admin:password_change")
    client.get(url)
    with django_assert_num_queries(5) as captured:  # session, user, permissions (2), badge
        client.get(url)
    badge = [q["sql"] for q in captured.captured_queries if "COUNT" in q["sql"].upper()]
    assert len(badge) == 1 and "status" in badge[0]


def test_no_badge_on_the_login_page(client, db):
    page = client.get(reverse("admin:login")).content.decode()
    assert 'id="review-badge"' not in page
