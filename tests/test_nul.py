"""Control characters (NUL above all) in a request never reach the database (run on PostgreSQL)."""

import datetime

import pytest
from django.utils import translation

from digests.models import Digest, SearchTerm
from digests.search import index_items
from tests import factories
from tests.formdata import form_data

pytestmark = pytest.mark.django_db

S = Digest.Status


@pytest.fixture
def published():
    digest = factories.digest(date=datetime.date(2026, 3, 2), status=S.PUBLISHED)
    source = factories.source("新华网", slug="xin-hua-wang")
    factories.item(digest, source=source, title="量子计算新突破", body="量子计算机原型发布。")
    index_items(digest.items.all())
    return digest


@pytest.mark.parametrize("q", ["%00", "%00%00", "%01", "%7F", "%C2%85", "%1B"])
def test_a_readers_search_of_control_characters_is_an_empty_search(client, published, q):
    response = client.get(f"/search/?q={q}")
    assert response.status_code == 200
    assert list(response.context["items"]) == []
    assert response.context["query"] == ""


def test_control_characters_inside_a_readers_query_are_dropped(client, published):
    response = client.get("/search/?q=量子%00计算")
    assert response.status_code == 200
    assert response.context["query"] == "量子计算"
    assert [item.title for item in response.context["items"]] == ["量子计算新突破"]


@pytest.mark.parametrize(
    "url",
    [
        "/items/?source=%00",
        "/items/?category=%00&date_from=2026-03-01",
        "/items/?q=%00",
        "/items/?%00=1",
        "/en/search/?q=%00&page=%00",
        "/categories/nope/?page=%00",
    ],
)
def test_reader_pages_never_fail_on_control_characters(client, published, url):
    assert client.get(url).status_code in (200, 404)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/digests/digest/?status__exact=%00",
        "/admin/digests/digest/?q=%00",
        "/admin/digests/digest/?q=%E9%87%8F%00",
        "/admin/digests/item/?category__id__exact=%00",
        "/admin/digests/digest/?%00=1",
        "/admin/digests/source/?q=%0B",
        "/admin/digests/digest/%00/change/",
    ],
)
def test_the_desk_refuses_control_characters_with_a_clear_message(client, admin_user, url):
    client.force_login(admin_user)
    with translation.override("en"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    message = response.content.decode()
    assert "control character" in message
    name = url.partition("?")[2].partition("=")[0]
    if name and "%" not in name:
        assert f"“{name}”" in message


def test_a_posted_field_with_nul_is_refused_and_nothing_is_written(client, admin_user):
    client.force_login(admin_user)
    with translation.override("en"):
        response = client.post("/admin/digests/searchterm/add/", {"term": "星链\x00终端"})
    assert response.status_code == 400
    assert "“term”" in response.content.decode()
    assert not SearchTerm.objects.exists()


def test_line_breaks_and_tabs_in_a_form_are_text(client, admin_user):
    client.force_login(admin_user)
    data = form_data(client.get("/admin/digests/source/add/").content, "source_form")
    data.update(name="新华网", notes="第一行\r\n\t第二行")
    response = client.post("/admin/digests/source/add/", data)
    assert response.status_code == 302
    assert factories.Source.objects.get().notes == "第一行\r\n\t第二行"


def test_the_desk_still_filters_normally(client, admin_user, published):
    client.force_login(admin_user)
    assert client.get("/admin/digests/digest/?status__exact=published").status_code == 200
