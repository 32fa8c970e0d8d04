"""Public pages: the latest briefing and each day's, never anything unpublished."""

import datetime

import pytest

from digests.models import Digest
from tests import factories

pytestmark = pytest.mark.django_db


def test_home_shows_the_latest_published_briefing(client):
    factories.full_digest(date=datetime.date(2026, 2, 1), status=Digest.Status.PUBLISHED)
    latest = factories.full_digest(date=datetime.date(2026, 2, 2), status=Digest.Status.PUBLISHED)
    factories.full_digest(date=datetime.date(2026, 2, 3), status=Digest.Status.DRAFT)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["digest"] == latest
    assert "2026-02-02" in response.content.decode()


def test_home_without_any_published_briefing_is_not_found(client):
    factories.full_digest(status=Digest.Status.DRAFT)
    assert client.get("/").status_code == 404


def test_day_page_shows_items_analysis_and_trends(client):
    digest = factories.full_digest(date=datetime.date(2026, 2, 2), status=Digest.Status.PUBLISHED)
    response = client.get("/2026/02/02/")
    text = response.content.decode()
    assert response.status_code == 200
    for item in digest.items.all():
        assert item.title in text
    assert "深度解析" in text and "分析标题" in text
    assert "今日核心趋势" in text
    assert digest.get_absolute_url() == "/2026/02/02/"


@pytest.mark.parametrize("status", [Digest.Status.DRAFT, Digest.Status.REVIEW])
def test_unpublished_day_is_not_found(client, status):
    factories.full_digest(date=datetime.date(2026, 2, 2), status=status)
    assert client.get("/2026/02/02/").status_code == 404


def test_impossible_date_is_not_found(client):
    assert client.get("/2026/02/30/").status_code == 404
