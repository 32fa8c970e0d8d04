"""The desk calendar as a planning tool, and the import page opened for one day."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from digests.models import Digest, DigestEvent
from tests import factories
from tests.conftest import as_user

S = Digest.Status
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
# 07:00 on Tuesday 2026-03-10 in Shanghai.
MORNING = datetime.datetime(2026, 3, 10, 7, 0, tzinfo=SHANGHAI)
CALENDAR = "/admin/digests/digest/calendar/"
IMPORT = "/admin/digests/digest/import/"


@pytest.fixture(autouse=True)
def morning():
    with time_machine.travel(MORNING, tick=False):
        yield


def cell(page, day):
    """The HTML of one day's cell in the month table."""
    start = page.index(f'data-date="{day}">')
    return page[start : page.index("</td>", start)]


def local(year, month, day, hour, minute):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def month(editor):
    """March 2026: a scheduled day with 4 items, a draft, a published day."""
    scheduled = factories.full_digest(
        date=datetime.date(2026, 3, 12),
        status=S.SCHEDULED,
        items=4,
        created_by=editor,
        publish_at=local(2026, 3, 12, 7, 30),
    )
    factories.full_digest(date=datetime.date(2026, 3, 11), status=S.DRAFT, items=2)
    factories.full_digest(date=datetime.date(2026, 3, 9), status=S.PUBLISHED, items=13)
    return scheduled


@pytest.mark.parametrize("other_days", [0, 400])
def test_each_day_shows_state_items_author_and_time_in_constant_queries(
    client, reviewer, month, django_assert_num_queries, other_days
):
    Digest.objects.bulk_create(  # the rest of the archive: not read
        Digest(date=datetime.date(2024, 1, 1) + datetime.timedelta(days=n))
        for n in range(other_days)
    )
    as_user(client, reviewer).get(CALENDAR)
    # session, user, permissions (2), the review badge, the weeks' digests with their
    # authors and item counts (one query)
    with django_assert_num_queries(6):
        response = client.get(CALENDAR, {"month": "2026-03"})
    page = response.content.decode()
    twelfth = cell(page, "2026-03-12")
    assert "status-badge status-scheduled" in twelfth
    assert 'data-count="4">4 items' in twelfth
    assert '<span class="calendar-author">editor</span>' in twelfth
    assert ">07:30</time>" in twelfth
    assert 'data-count="13">13 items' in cell(page, "2026-03-09")
    assert 'data-count="2">2 items' in cell(page, "2026-03-11")


def test_a_time_on_another_day_shows_its_date(client, reviewer, month):
    Digest.objects.filter(pk=month.pk).update(publish_at=local(2026, 3, 13, 6, 45))
    page = as_user(client, reviewer).get(CALENDAR, {"month": "2026-03"}).content.decode()
    assert ">03-13 06:45</time>" in cell(page, "2026-03-12")


def test_only_publishers_get_draggable_days(client, editor, reviewer, month):
    url = reverse("admin:digests_digest_transition", args=[month.pk, "reschedule"])
    editor_page = as_user(client, editor).get(CALENDAR, {"month": "2026-03"}).content.decode()
    assert 'draggable="true"' not in editor_page
    assert "reschedule-dialog" not in editor_page
    assert "calendar.js" not in editor_page
    page = as_user(client, reviewer).get(CALENDAR, {"month": "2026-03"}).content.decode()
    twelfth = cell(page, "2026-03-12")
    assert 'draggable="true"' in twelfth
    assert f'data-reschedule-url="{url}"' in twelfth
    assert 'data-publish-at="2026-03-12T07:30"' in twelfth
    assert 'class="calendar-reschedule"' in twelfth  # the keyboard way
    assert page.count('draggable="true"') == 1  # scheduled days only
    assert '<dialog id="reschedule-dialog"' in page
    assert 'name="next" value="/admin/digests/digest/calendar/?month=2026-03"' in page


def test_reschedule_through_the_workflow_and_back_to_the_calendar(
    client, reviewer, month, django_capture_on_commit_callbacks
):
    back = f"{CALENDAR}?month=2026-03"
    url = reverse("admin:digests_digest_transition", args=[month.pk, "reschedule"])
    as_user(client, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"publish_at": "2026-03-13T07:30", "next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    month.refresh_from_db()
    assert month.status == S.SCHEDULED
    assert month.publish_at == local(2026, 3, 13, 7, 30)
    assert month.events.filter(action=DigestEvent.Action.RESCHEDULE, actor=reviewer).exists()
    page = client.get(back).content.decode()
    assert 'class="success"' in page  # the admin's message, after the redirect
    assert ">03-13 07:30</time>" in cell(page, "2026-03-12")


def test_reschedule_into_the_past_is_refused_with_a_message(client, reviewer, month):
    back = f"{CALENDAR}?month=2026-03"
    url = reverse("admin:digests_digest_transition", args=[month.pk, "reschedule"])
    response = as_user(client, reviewer).post(
        url, {"publish_at": "2026-03-09T07:30", "next": back}, follow=True
    )
    assert response.redirect_chain[-1][0] == back
    assert "Choose a time in the future to publish at." in response.content.decode()
    month.refresh_from_db()
    assert month.publish_at == local(2026, 3, 12, 7, 30)


def test_reschedule_needs_the_publish_permission(client, editor, month):
    url = reverse("admin:digests_digest_transition", args=[month.pk, "reschedule"])
    response = as_user(client, editor).post(url, {"publish_at": "2026-03-13T07:30"})
    assert response.status_code == 403
    month.refresh_from_db()
    assert month.publish_at == local(2026, 3, 12, 7, 30)


def test_next_elsewhere_is_ignored(client, reviewer, month):
    url = reverse("admin:digests_digest_transition", args=[month.pk, "reschedule"])
    response = as_user(client, reviewer).post(
        url, {"publish_at": "2026-03-13T07:30", "next": "https://elsewhere.example/"}
    )
    assert response["Location"] == reverse("admin:digests_digest_change", args=[month.pk]) + (
        "#desk"
    )


def test_create_offers_import_for_the_day_and_a_blank_form(client, editor, month):
    page = as_user(client, editor).get(CALENDAR, {"month": "2026-03"}).content.decode()
    empty = cell(page, "2026-03-16")
    assert '<details class="calendar-create">' in empty
    assert f'href="{IMPORT}?date=2026-03-16"' in empty
    assert 'href="/admin/digests/digest/add/?date=2026-03-16"' in empty
    assert "calendar-create" not in cell(page, "2026-03-12")  # a day with its digest


def test_missing_weekdays_stand_out_weekends_do_not(client, editor, month):
    page = as_user(client, editor).get(CALENDAR, {"month": "2026-03"}).content.decode()
    monday = re.search(r'<td class="([^"]*)" data-date="2026-03-16">', page).group(1)
    saturday = re.search(r'<td class="([^"]*)" data-date="2026-03-14">', page).group(1)
    past = re.search(r'<td class="([^"]*)" data-date="2026-03-02">', page).group(1)
    assert "missing-weekday" in monday.split()
    assert "missing-weekday" in past.split()  # past days count too
    assert "missing-weekday" not in saturday.split() and "weekend" in saturday.split()
    assert "missing weekday" in cell(page, "2026-03-16")
    assert "missing weekday" not in cell(page, "2026-03-14")
    # Beyond the planning week (today, 03-10, and six days on) a missing weekday is
    # only marked "missing": a month ahead is not all alarm.
    later = re.search(r'<td class="([^"]*)" data-date="2026-03-23">', page).group(1)
    assert "missing-weekday" not in later.split()
    assert "status-missing" in cell(page, "2026-03-23")
    # 11 weekdays from 03-02 to 03-16, three of them with a digest
    assert 'data-count="8">8 weekdays without a briefing up to 2026-03-16' in page


# --- the import page, opened for one day -----------------------------------------------------


def test_import_for_a_day_starts_with_its_header_line(client, editor):
    response = as_user(client, editor).get(IMPORT, {"date": "2026-03-16"})
    page = response.content.decode()
    assert response.context["title"] == "Import the briefing of 2026-03-16"
    assert 'class="import-day" data-date="2026-03-16"' in page
    assert response.context["form"]["text"].value() == "每日科技新闻速览(2026-03-16)\n"
    assert 'name="date" value="2026-03-16"' in page


def test_import_for_a_day_refuses_another_days_text(client, editor):
    text = "每日科技新闻速览(2026-03-17)\nAI技术动态\nAI-标题\n正文。\n来源:新华网\n"
    response = as_user(client, editor).post(
        f"{IMPORT}?date=2026-03-16", {"text": text, "date": "2026-03-16", "preview": "1"}
    )
    page = response.content.decode()
    assert response.context["preview"] is None
    assert "This import is for 2026-03-16, but the text is the briefing of 2026-03-17." in page
    assert not Digest.objects.exists()


def test_import_for_a_day_previews_and_imports_that_day(client, editor):
    text = "每日科技新闻速览(2026-03-16)\nAI技术动态\nAI-标题\n正文。\n来源:新华网\n"
    as_user(client, editor)
    preview = client.post(
        f"{IMPORT}?date=2026-03-16", {"text": text, "date": "2026-03-16", "preview": "1"}
    )
    assert preview.context["preview"].date == datetime.date(2026, 3, 16)
    assert 'name="date" value="2026-03-16"' in preview.content.decode()  # carried to confirm
    response = client.post(
        f"{IMPORT}?date=2026-03-16", {"text": text, "date": "2026-03-16", "confirm": "1"}
    )
    assert response.status_code == 302
    assert Digest.objects.get().date == datetime.date(2026, 3, 16)


def test_import_without_a_date_is_as_before(client, editor):
    response = as_user(client, editor).get(IMPORT, {"date": "not-a-date"})
    assert response.context["title"] == "Import a briefing from text"
    assert not response.context["form"]["text"].value()
    assert timezone.localdate() == datetime.date(2026, 3, 10)  # the clock the tests assume
