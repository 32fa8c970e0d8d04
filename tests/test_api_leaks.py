"""The API shows nothing of a digest readers may not see, in any state, at any endpoint."""

import datetime

import pytest
import time_machine

from digests import workflow
from digests.models import Digest
from tests import factories
from tests.test_withdrawn import REASON, SHANGHAI

pytestmark = pytest.mark.django_db
S = Digest.Status


@pytest.fixture
def withdrawn(reviewer):
    digest = factories.full_digest(date=datetime.date(2026, 3, 1), status=S.REVIEW)
    workflow.publish(digest, reviewer)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 30, tzinfo=SHANGHAI), tick=False):
        workflow.withdraw(digest, reviewer, REASON)
    return digest


def everything(client, url):
    """Every page of an endpoint's answer, following ``next``."""
    texts, seen = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
        url = response.json()["next"] if url.startswith(("/api/items", "/api/digests?")) else None
        if url:
            url = url.removeprefix("http://127.0.0.1:8000")
        seen += 1
        assert seen < 50
    return "\n".join(texts)


def test_no_endpoint_shows_an_unpublished_digest(client, week, secret):
    gone = 410 if secret.status == S.UNPUBLISHED else 404
    day = client.get("/api/digests/2026-12-05")
    assert day.status_code == gone
    assert not [word for word in factories.SECRET_WORDS if word in day.content.decode()]
    lists = [
        "/api/digests?limit=3",
        "/api/digests?date_from=2026-12-01&date_to=2026-12-31",
        "/api/items?limit=7",
        "/api/items?date_from=2026-12-05&date_to=2026-12-05",
        "/api/items?q=草稿独有标题",
        "/api/items?q=量子纠缠麒麟",
        "/api/items?q=草稿",
        "/api/sections",
        "/api/sources",
    ]
    published_items = sum(digest.items.count() for digest in week)
    for url in lists:
        text = everything(client, url)
        assert not [word for word in factories.SECRET_WORDS if word in text], url
        assert "2026-12-05" not in text, url
    # The secret's own section, topic, tag and source are unknown choices: a 400, as for
    # a slug that never existed, so the answer tells nothing of the draft either.
    for param in ("section=cao-gao-lan-mu", "topic=cao-gao-zhu-ti", "tag=cao-gao-biao-qian"):
        response = client.get(f"/api/items?{param}")
        assert response.status_code == 400, param
        assert not [word for word in factories.SECRET_WORDS if word in response.content.decode()]
    # The lists are not empty: the week is there, whole.
    assert everything(client, "/api/items?limit=100").count('"id":') == published_items


def test_a_withdrawn_day_answers_410_with_the_reason_and_none_of_its_contents(client, withdrawn):
    response = client.get("/api/digests/2026-03-01")
    assert response.status_code == 410
    body = response.json()
    assert body["reason"] == REASON and body["date"] == "2026-03-01"
    assert body["withdrawn_at"].startswith("2026-03-02T02:30:00")  # 10:30 in Shanghai
    text = response.content.decode()
    assert not [item.title for item in withdrawn.items.all() if item.title in text]


def test_withdrawal_takes_the_day_off_the_api_at_once(client, published_day, reviewer):
    assert client.get("/api/digests/2026-03-01").status_code == 200
    etag = client.get("/api/digests/2026-03-01")["ETag"]
    assert client.get("/api/items").json()["results"]
    workflow.withdraw(published_day, reviewer, "有误")
    # Even a client holding the old ETag gets the 410, not a 304.
    assert client.get("/api/digests/2026-03-01", HTTP_IF_NONE_MATCH=etag).status_code == 410
    assert client.get("/api/items").json()["results"] == []
    assert client.get("/api/digests").json()["results"] == []
    assert client.get("/api/sections").json() == []


def test_a_scheduled_day_is_not_public_before_it_is_published(client, reviewer):
    digest = factories.full_digest(date=datetime.date(2026, 4, 1), status=S.REVIEW)
    workflow.schedule(digest, reviewer, digest.created_at + datetime.timedelta(days=1))
    assert client.get("/api/digests/2026-04-01").status_code == 404
    assert client.get("/api/digests").json()["results"] == []
