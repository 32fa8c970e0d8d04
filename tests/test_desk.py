"""The desk in the admin: buttons by role, forged requests, lost edits, versions, previews."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from digests import workflow
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import Correction, Digest, DigestEvent, Item, PreviewLink, ReviewComment
from digests.preview import share_url
from tests import factories
from tests.conftest import as_user
from tests.formdata import form_data

pytestmark = pytest.mark.django_db
S = Digest.Status


BRIEFING = """每日科技新闻速览(2026-03-05)
AI技术动态
AI技术-原来的标题
正文。
来源:新华网
AI技术-第二条
正文二。
来源:新华网
"""


def change_url(digest):
    return reverse("admin:digests_digest_change", args=[digest.pk])


def transition_url(digest, name):
    return reverse("admin:digests_digest_transition", args=[digest.pk, name])


def buttons(response):
    return re.findall(r'name="transition" value="(\w+)"', response.content.decode())


# --- buttons and the server's guard ------------------------------------------------------


def test_editor_sees_submit_on_a_draft_and_nothing_on_review(client, editor):
    as_user(client, editor)
    draft = factories.full_digest(status=S.DRAFT)
    review = factories.full_digest(status=S.REVIEW)
    assert buttons(client.get(change_url(draft))) == ["submit"]
    response = client.get(change_url(review))
    assert buttons(response) == []
    # In review the editor's page is read-only: no item inputs at all.
    assert 'name="items-0-title"' not in response.content.decode()


def test_reviewer_sees_review_buttons(client, reviewer):
    as_user(client, reviewer)
    review = factories.full_digest(status=S.REVIEW)
    response = client.get(change_url(review))
    assert buttons(response) == ["request_changes", "publish", "schedule"]
    assert 'name="items-0-title"' in response.content.decode()  # reviewers may fix a digest
    published = factories.full_digest(status=S.PUBLISHED)
    assert buttons(client.get(change_url(published))) == ["withdraw"]


def test_editor_forging_a_publish_gets_403_and_nothing_changes(client, editor):
    as_user(client, editor)
    review = factories.full_digest(status=S.REVIEW)
    response = client.post(transition_url(review, "publish"))
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.status == S.REVIEW and review.published_at is None
    assert not DigestEvent.objects.exists()


def test_a_button_pressed_in_the_wrong_state_is_an_error_message(client, reviewer):
    as_user(client, reviewer)
    draft = factories.full_digest(status=S.DRAFT)
    response = client.post(transition_url(draft, "publish"), follow=True)
    assert "is not possible" in response.content.decode()
    assert Digest.objects.get(pk=draft.pk).status == S.DRAFT


def test_transitions_need_post(client, reviewer):
    as_user(client, reviewer)
    review = factories.full_digest(status=S.REVIEW)
    assert client.get(transition_url(review, "publish")).status_code == 405
    assert Digest.objects.get(pk=review.pk).status == S.REVIEW


def test_request_changes_from_the_page(client, reviewer, editor):
    as_user(client, reviewer)
    review = factories.full_digest(status=S.REVIEW, created_by=editor)
    client.post(transition_url(review, "request_changes"), {"note": "标题太长,请精简。"})
    assert Digest.objects.get(pk=review.pk).status == S.DRAFT
    page = as_user(client, editor).get(change_url(review)).content.decode()
    assert "标题太长,请精简。" in page and "changes requested" in page


def test_schedule_from_the_page(client, reviewer):
    as_user(client, reviewer)
    review = factories.full_digest(status=S.REVIEW)
    when = timezone.localtime() + datetime.timedelta(days=1)
    client.post(transition_url(review, "schedule"), {"publish_at": f"{when:%Y-%m-%dT%H:%M}"})
    review.refresh_from_db()
    assert review.status == S.SCHEDULED
    assert (
        timezone.localtime(review.publish_at).strftime("%Y-%m-%d %H:%M")
        == f"{when:%Y-%m-%d %H:%M}"
    )


def test_checks_are_shown_before_anyone_presses_a_button(client, editor):
    as_user(client, editor)
    draft = factories.full_digest(status=S.DRAFT)
    Item.objects.filter(digest=draft).update(source=None)
    page = client.get(change_url(draft)).content.decode()
    assert "check-fail" in page and "has no source" in page
    response = client.post(transition_url(draft, "submit"), follow=True)
    assert "Not ready" in response.content.decode()
    assert Digest.objects.get(pk=draft.pk).status == S.DRAFT


def test_comments_from_the_page(client, editor):
    as_user(client, editor)
    draft = factories.full_digest(status=S.DRAFT)
    client.post(reverse("admin:digests_digest_comment", args=[draft.pk]), {"note": "已补充来源。"})
    comment = ReviewComment.objects.get()
    assert (comment.author, comment.body, comment.kind) == (editor, "已补充来源。", "comment")


def test_published_digest_is_read_only_even_for_a_forged_save(client, editor, reviewer):
    draft = factories.full_digest(status=S.DRAFT)
    data = form_data(
        as_user(client, reviewer).get(change_url(draft)).content, form_id="digest_form"
    )
    Digest.objects.filter(pk=draft.pk).update(status=S.PUBLISHED, published_at=timezone.now())
    title = draft.items.first().title
    page = client.get(change_url(draft)).content.decode()
    assert 'name="items-0-title"' not in page  # read-only for the reviewer too
    data["items-0-title"] = "改标题"
    for user in (editor, reviewer):
        response = as_user(client, user).post(change_url(draft), data)
        assert response.status_code == 200
        assert "Not saved: the digest is published" in response.content.decode()
        assert draft.items.first().title == title


def test_correction_from_the_page_reaches_readers(client, reviewer):
    as_user(client, reviewer)
    published = factories.full_digest(status=S.PUBLISHED)
    item = published.items.first()
    client.post(
        reverse("admin:digests_digest_correction", args=[published.pk]),
        {"item": item.pk, "note": "更正:数据应为1.2万亿元。"},
    )
    assert Correction.objects.get().item == item
    page = client.get(published.get_absolute_url()).content.decode()
    assert "更正:数据应为1.2万亿元。" in page


# --- no lost edits ------------------------------------------------------------------------


def test_stale_save_is_refused_with_what_changed_and_keeps_the_text(client, editor, other_editor):
    draft = import_briefing(parse_text(BRIEFING), user=editor)  # saved as version 1
    first_item = draft.items.first()
    url = change_url(draft)
    mine = form_data(as_user(client, editor).get(url).content, form_id="digest_form")
    theirs = form_data(as_user(client, other_editor).get(url).content, form_id="digest_form")

    theirs["items-0-title"] = "同事先改的标题"
    assert as_user(client, other_editor).post(url, theirs).status_code == 302

    mine["items-0-title"] = "我改的标题"
    mine["lede"] = "我写的导语"
    response = as_user(client, editor).post(url, mine)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not saved yet: this digest changed while you were editing it" in page
    assert "editor2 saved it" in page
    assert "同事先改的标题" in page  # what they changed, beside mine
    assert "我写的导语" in page and "我改的标题" in page  # my text is still in the form
    assert Item.objects.get(pk=first_item.pk).title == "同事先改的标题"
    assert Digest.objects.get(pk=draft.pk).lede == ""

    # Having compared, the editor keeps their own headline deliberately.
    again = form_data(page, form_id="digest_form")
    again["choose-items-0-title"] = "mine"
    assert as_user(client, editor).post(url, again).status_code == 302
    assert Item.objects.get(pk=first_item.pk).title == "我改的标题"
    assert Digest.objects.get(pk=draft.pk).lede == "我写的导语"


def test_a_status_change_also_makes_an_open_form_stale(client, editor, reviewer):
    draft = factories.full_digest(status=S.DRAFT)
    url = change_url(draft)
    mine = form_data(as_user(client, reviewer).get(url).content, form_id="digest_form")
    workflow.submit(draft, editor)
    mine["lede"] = "审核中途的修改"
    response = as_user(client, reviewer).post(url, mine)
    assert "editor submitted for review" in response.content.decode()
    assert Digest.objects.get(pk=draft.pk).lede == ""


# --- versions ------------------------------------------------------------------------------


def save_with(client, digest, **changes):
    url = change_url(digest)
    data = form_data(client.get(url).content, form_id="digest_form")
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]


def test_every_save_is_a_version_with_a_readable_diff(client, editor):
    as_user(client, editor)
    draft = factories.full_digest(status=S.DRAFT, items=2)
    save_with(client, draft, **{"items-0-title": "第一次的标题"})
    save_with(client, draft, **{"items-0-title": "第二次的标题", "items-1-body": "新的正文。"})
    versions_url = reverse("admin:digests_digest_versions", args=[draft.pk])
    page = client.get(versions_url)
    listed = page.context["versions"]
    assert len(listed) == 2
    newer, older = listed
    diff = client.get(versions_url, {"a": older.pk, "b": newer.pk})
    groups = {g.title: g for g in diff.context["groups"]}
    changed = {c.label: (c.old, c.new) for g in groups.values() for c in g.changes}
    assert changed["headline"] == ("第一次的标题", "第二次的标题")
    assert changed["body"][1] == "新的正文。"
    assert len(groups) == 2  # two items changed, nothing else
    html = diff.content.decode()
    assert "第<del>一</del><ins>二</ins>次的标题" in html


def test_restore_brings_back_an_old_version_as_a_new_draft_version(client, reviewer, editor):
    as_user(client, reviewer)
    digest = factories.full_digest(status=S.DRAFT, items=2)
    save_with(client, digest, **{"items-0-title": "原来的标题"})
    save_with(client, digest, **{"items-0-title": "后来的标题", "items-1-DELETE": "on"})
    assert digest.items.count() == 1
    workflow.submit(digest, editor)
    # Newest first: the submission, the second save, the first save.
    old = client.get(reverse("admin:digests_digest_versions", args=[digest.pk])).context[
        "versions"
    ][2]
    response = client.post(reverse("admin:digests_digest_restore", args=[digest.pk, old.pk]))
    assert response.status_code == 302
    digest.refresh_from_db()
    assert digest.status == S.DRAFT
    assert digest.items.values_list("title", flat=True).first() == "原来的标题"
    assert digest.items.count() == 2
    assert DigestEvent.objects.filter(digest=digest, action="restore").exists()
    versions = client.get(reverse("admin:digests_digest_versions", args=[digest.pk])).context[
        "versions"
    ]
    assert len(versions) == 4 and "Restored" in versions[0].revision.get_comment()


def test_restore_asks_for_confirmation_and_says_what_happens_in_review(client, reviewer, editor):
    as_user(client, reviewer)
    digest = factories.full_digest(status=S.DRAFT)
    save_with(client, digest, lede="第一版导语")
    save_with(client, digest, lede="第二版导语")
    workflow.submit(digest, editor)
    versions_url = reverse("admin:digests_digest_versions", args=[digest.pk])
    first_save = client.get(versions_url).context["versions"][2]
    url = reverse("admin:digests_digest_restore", args=[digest.pk, first_save.pk])
    assert f'href="{url}"' in client.get(versions_url).content.decode()

    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "leaves review and goes back to draft" in text
    assert f'<form method="post" action="{url}"' in text
    assert "第一版导语" in text  # what the version says
    digest.refresh_from_db()
    assert (digest.status, digest.lede) == (S.REVIEW, "第二版导语")  # nothing yet

    assert client.post(url).status_code == 302
    digest.refresh_from_db()
    assert (digest.status, digest.lede) == (S.DRAFT, "第一版导语")


def test_a_published_digest_cannot_be_restored(client, reviewer):
    as_user(client, reviewer)
    digest = factories.full_digest(status=S.DRAFT)
    save_with(client, digest, lede="导语")
    save_with(client, digest, lede="新导语")
    Digest.objects.filter(pk=digest.pk).update(status=S.PUBLISHED, published_at=timezone.now())
    versions = client.get(reverse("admin:digests_digest_versions", args=[digest.pk])).context[
        "versions"
    ]
    response = client.post(
        reverse("admin:digests_digest_restore", args=[digest.pk, versions[1].pk])
    )
    assert response.status_code == 403
    assert Digest.objects.get(pk=digest.pk).lede == "新导语"


# --- list, filters and calendar ------------------------------------------------------------


def test_desk_filters(client, editor, other_editor):
    as_user(client, editor)
    mine = factories.full_digest(status=S.DRAFT, created_by=editor)
    factories.full_digest(status=S.DRAFT, created_by=other_editor)
    review = factories.full_digest(status=S.REVIEW)
    scheduled = factories.full_digest(status=S.SCHEDULED)
    published = factories.full_digest(status=S.PUBLISHED)
    url = reverse("admin:digests_digest_changelist")
    for value, expected in [
        ("mine", mine),
        ("review", review),
        ("scheduled", scheduled),
        ("published", published),
    ]:
        listed = list(client.get(url, {"desk": value}).context["cl"].result_list)
        assert listed == [expected], value
    page = client.get(url).content.decode()
    assert 'class="status-badge status-scheduled"' in page


@pytest.mark.parametrize("other_days", [0, 300])
def test_calendar_shows_each_day_and_its_state(
    client, editor, django_assert_num_queries, other_days
):
    as_user(client, editor)
    factories.full_digest(date=datetime.date(2026, 3, 2), status=S.PUBLISHED)
    factories.full_digest(date=datetime.date(2026, 3, 3), status=S.REVIEW)
    factories.full_digest(date=datetime.date(2026, 3, 4), status=S.UNPUBLISHED)
    Digest.objects.bulk_create(  # the rest of the archive: not read
        Digest(date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n))
        for n in range(other_days)
    )
    url = reverse("admin:digests_digest_calendar")
    client.get(url)  # the session's first touch
    # session, user, permissions (2: the user's and their groups'), the digests of
    # the weeks shown (one range query on the date's unique index), the review badge
    with django_assert_num_queries(6):
        response = client.get(url, {"month": "2026-03"})
    cells = {
        cell["date"]: cell["digest"].status if cell["digest"] else "missing"
        for week in response.context["weeks"]
        for cell in week
        if cell["in_month"]
    }
    assert cells[datetime.date(2026, 3, 2)] == S.PUBLISHED
    assert cells[datetime.date(2026, 3, 3)] == S.REVIEW
    assert cells[datetime.date(2026, 3, 4)] == S.UNPUBLISHED
    assert cells[datetime.date(2026, 3, 5)] == "missing"
    page = response.content.decode()
    assert "/admin/digests/digest/add/?date=2026-03-05" in page
    assert "withdrawn" in page


# --- previews -------------------------------------------------------------------------------


def test_staff_preview_is_marked_and_never_cached_or_indexed(client, editor):
    draft = factories.full_digest(status=S.DRAFT)
    url = reverse("admin:digests_digest_preview", args=[draft.pk])
    assert client.get(url).status_code == 302  # to the login page
    response = as_user(client, editor).get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview: readers cannot see this digest yet." in page
    assert draft.items.first().title in page
    assert {"no-store", "private"} <= set(response["Cache-Control"].split(", "))
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert client.get(draft.get_absolute_url()).status_code == 404  # still not public


def test_share_link_works_without_an_account_until_revoked(client, editor):
    draft = factories.full_digest(status=S.DRAFT)
    as_user(client, editor).post(
        reverse("admin:digests_digest_share", args=[draft.pk]), {"hours": "24"}
    )
    link = PreviewLink.objects.get()
    client.logout()
    response = client.get(share_url(link))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "no-store, private"
    assert draft.items.first().title in response.content.decode()
    assert b'method="post"' not in response.content  # read-only

    as_user(client, editor).post(
        reverse("admin:digests_digest_share_revoke", args=[draft.pk, link.pk])
    )
    client.logout()
    assert client.get(share_url(link)).status_code == 404


def test_share_link_expires(client, editor):
    draft = factories.full_digest(status=S.DRAFT)
    link = PreviewLink.objects.create(
        digest=draft, created_by=editor, expires_at=timezone.now() + datetime.timedelta(hours=2)
    )
    assert client.get(share_url(link)).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=3)):
        assert client.get(share_url(link)).status_code == 404


def test_tampered_share_link_is_not_found(client, editor):
    draft = factories.full_digest(status=S.DRAFT)
    link = PreviewLink.objects.create(
        digest=draft, created_by=editor, expires_at=timezone.now() + datetime.timedelta(hours=2)
    )
    url = share_url(link)
    assert client.get(url[:-3] + "abc/").status_code == 404
    assert client.get(f"/preview/{link.token}/").status_code == 404  # the bare token is not enough


def test_a_picture_uploaded_on_the_desk_gets_its_renditions(client, editor, settings):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    as_user(client, editor)
    draft = factories.full_digest(status=S.DRAFT)
    url = change_url(draft)
    data = form_data(client.get(url).content, form_id="digest_form")
    buffer = BytesIO()
    Image.new("RGB", (1200, 800), (10, 120, 200)).save(buffer, "JPEG")
    data["items-0-image"] = SimpleUploadedFile("photo.jpg", buffer.getvalue(), "image/jpeg")
    data["items-0-image_alt"] = "示意图"
    assert client.post(url, data).status_code == 302
    item = draft.items.first()
    assert (item.image_width, item.image_height) == (1200, 800)
    renditions = settings.MEDIA_ROOT / "renditions" / "items"
    assert sorted(p.name.rsplit("-", 1)[1] for p in renditions.rglob("*.webp")) == [
        "w1080.webp",
        "w360.webp",
        "w720.webp",
    ]


def test_a_file_that_is_not_a_picture_is_refused_on_the_desk(client, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    as_user(client, editor)
    draft = factories.full_digest(status=S.DRAFT)
    url = change_url(draft)
    data = form_data(client.get(url).content, form_id="digest_form")
    data["items-0-image"] = SimpleUploadedFile("photo.jpg", b"<html>not a photo</html>")
    response = client.post(url, data)
    assert response.status_code == 200
    assert not draft.items.first().image


# --- forged system transitions and links to the site (issue 8, point 27) -----------------


@pytest.mark.parametrize("status", [S.DRAFT, S.REVIEW, S.SCHEDULED, S.PUBLISHED])
def test_a_forged_system_transition_is_403_in_any_state(client, admin_user, status):
    as_user(client, admin_user)  # even a superuser is not the scheduler
    digest = factories.full_digest(status=status)
    response = client.post(transition_url(digest, "publish_scheduled"))
    assert response.status_code == 403
    assert Digest.objects.get(pk=digest.pk).status == status
    assert not DigestEvent.objects.exists()


@pytest.mark.parametrize("status", [S.DRAFT, S.SCHEDULED, S.PUBLISHED])
def test_a_transition_without_permission_is_403_whatever_the_state(client, editor, status):
    as_user(client, editor)
    digest = factories.full_digest(status=status)
    for name in ("publish", "withdraw", "unschedule", "republish"):
        assert client.post(transition_url(digest, name)).status_code == 403, name
    assert Digest.objects.get(pk=digest.pk).status == status


@pytest.mark.parametrize("status", [S.DRAFT, S.REVIEW, S.SCHEDULED, S.UNPUBLISHED])
def test_view_on_site_of_an_unpublished_digest_opens_the_staff_preview(client, editor, status):
    as_user(client, editor)
    digest = factories.full_digest(status=status)
    page = client.get(change_url(digest)).content.decode()
    link = re.search(r'<a href="([^"]+)" class="viewsitelink"', page)
    assert link, "the change page links to the site"
    response = client.get(link[1], follow=True)
    assert response.status_code == 200
    assert "Preview: readers cannot see this digest yet." in response.content.decode()


def test_view_on_site_of_a_published_digest_opens_its_public_page(client, editor):
    as_user(client, editor)
    digest = factories.full_digest(status=S.PUBLISHED)
    page = client.get(change_url(digest)).content.decode()
    link = re.search(r'<a href="([^"]+)" class="viewsitelink"', page)
    assert link[1] == digest.get_absolute_url()
    assert client.get(link[1]).status_code == 200


# --- query counts of the change page and the preview (point 24) ---------------------------


@pytest.mark.parametrize("items", [1, 8])
def test_preview_queries_do_not_grow_with_other_digests_or_items(
    client, editor, django_assert_num_queries, items
):
    as_user(client, editor)
    for _ in range(3):
        factories.full_digest(items=4)
    draft = factories.full_digest(status=S.DRAFT, items=items)
    url = reverse("admin:digests_digest_preview", args=[draft.pk])
    client.get(url)  # warm the session's caches
    # session, user; this one digest (with its analysis and trend summary joined),
    # its items (with sections and sources joined), their tags, their corrections,
    # the analysis paragraphs, the trend points, the digest's numeric claims; the
    # user's own and group permissions. Nothing per item, nothing of the other digests.
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["digest"].pk == draft.pk
