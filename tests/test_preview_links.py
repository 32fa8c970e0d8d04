"""Share links serve unpublished work in progress only, and a withdrawal revokes them."""

import datetime

import pytest
import time_machine
from django.contrib.messages import ERROR, get_messages
from django.urls import reverse
from django.utils import timezone

from digests import workflow
from digests.models import Digest, PreviewLink
from digests.preview import share_url
from tests import factories
from tests.conftest import as_user

S = Digest.Status
IN_PROGRESS = [S.DRAFT, S.REVIEW, S.SCHEDULED]
NOW = datetime.datetime(2026, 2, 2, 9, 0, tzinfo=datetime.UTC)


def create_link(client, user, digest):
    return as_user(client, user).post(
        reverse("admin:digests_digest_share", args=[digest.pk]), {"hours": "24"}
    )


def link_for(digest, user, hours=24):
    return PreviewLink.objects.create(
        digest=digest, created_by=user, expires_at=timezone.now() + datetime.timedelta(hours=hours)
    )


@pytest.mark.parametrize("status", IN_PROGRESS)
def test_a_link_to_work_in_progress_can_be_made_and_serves_the_preview(client, reviewer, status):
    digest = factories.full_digest(status=status)
    response = create_link(client, reviewer, digest)
    assert response.status_code == 302
    link = PreviewLink.objects.get(digest=digest)
    client.logout()
    response = client.get(share_url(link))
    assert response.status_code == 200
    assert digest.items.first().title in response.content.decode()


@pytest.mark.parametrize("status", [S.PUBLISHED, S.UNPUBLISHED])
def test_no_link_is_made_for_a_published_or_withdrawn_digest(client, reviewer, status):
    digest = factories.full_digest(status=status)
    response = create_link(client, reviewer, digest)
    assert response.status_code == 302
    assert not PreviewLink.objects.filter(digest=digest).exists()
    errors = [m for m in get_messages(response.wsgi_request) if m.level == ERROR]
    assert len(errors) == 1
    assert digest.get_status_display() in errors[0].message


def test_withdrawing_revokes_every_link_in_the_same_transaction(client, reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    links = [link_for(digest, reviewer), link_for(digest, reviewer, hours=2)]
    other = link_for(factories.full_digest(status=S.DRAFT), reviewer)
    workflow.publish(digest, reviewer)
    with time_machine.travel(NOW, tick=False):
        workflow.withdraw(digest, reviewer, "事实有误")
    for link in links:
        link.refresh_from_db()
        assert link.revoked_at == NOW
        assert client.get(share_url(link)).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None  # another digest's link is left alone
    assert client.get(share_url(other)).status_code == 200


def test_a_refused_withdrawal_revokes_nothing(reviewer):
    digest = factories.full_digest(status=S.PUBLISHED)
    link = link_for(digest, reviewer)
    with pytest.raises(workflow.NoteRequired):
        workflow.withdraw(digest, reviewer, "  ")
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_withdrawn_digest_reopened_as_a_draft_needs_a_new_link(client, reviewer):
    digest = factories.full_digest(status=S.PUBLISHED)
    old = link_for(digest, reviewer)
    workflow.withdraw(digest, reviewer, "撤回")
    workflow.perform(digest, "reopen", reviewer)
    assert client.get(share_url(old)).status_code == 404
    create_link(client, reviewer, digest)
    new = PreviewLink.objects.get(digest=digest, revoked_at=None)
    client.logout()
    assert client.get(share_url(new)).status_code == 200


def test_a_link_never_shows_a_withdrawn_digest_even_if_not_revoked(client, reviewer):
    digest = factories.full_digest(status=S.UNPUBLISHED)
    link = link_for(digest, reviewer)  # e.g. made before this rule, or by a script
    assert client.get(share_url(link)).status_code == 404


def test_once_published_a_link_leads_to_the_public_page(
    client, django_assert_num_queries, reviewer
):
    digest = factories.full_digest(status=S.REVIEW)
    link = link_for(digest, reviewer)
    workflow.publish(digest, reviewer)
    # 1: the link with its digest's date and status.
    with django_assert_num_queries(1):
        response = client.get(share_url(link))
    assert response.status_code == 302
    assert response["Location"] == digest.get_absolute_url()
    assert response["Cache-Control"] == "no-store, private"


def test_a_link_to_a_digest_published_on_schedule_leads_to_the_public_page(client, reviewer):
    digest = factories.full_digest(status=S.SCHEDULED)
    link = link_for(digest, reviewer, hours=48)
    with time_machine.travel(digest.publish_at + datetime.timedelta(minutes=1)):
        workflow.publish_due()
        response = client.get(share_url(link))
    assert response.status_code == 302
    assert response["Location"] == digest.get_absolute_url()
