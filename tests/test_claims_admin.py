"""The desk's view of the numeric claims: who may see and change them, what a change does."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from digests import public_cache, search
from digests.models import Claim, Digest, DigestEvent
from tests import factories
from tests.conftest import as_user

pytestmark = pytest.mark.django_db

URL = "/admin/digests/claim/"
TEXT = "中国人工智能企业数量超过6000家,核心产业规模预计突破1.2万亿元。"


def day(status=Digest.Status.DRAFT):
    digest = factories.full_digest(status=status, items=1)
    item = digest.items.get()
    item.body = TEXT
    item.save()
    search.reindex_digest(digest)
    return digest


def rows(digest):
    return list(Claim.objects.filter(digest=digest).order_by("part", "start"))


def post(client, digest, changes):
    """Submit the digest's claims list with ``changes`` ({text: {field: value}})."""
    data = {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0", "_save": "Save"}
    claims = rows(digest)
    for n, claim in enumerate(claims):
        values = {
            "id": claim.pk,
            "value": claim.value,
            "unit": claim.unit,
            "bound": claim.bound,
            "measure": claim.measure,
            "status": claim.status,
            **changes.get(claim.text, {}),
        }
        data.update({f"form-{n}-{name}": value for name, value in values.items()})
    data["form-TOTAL_FORMS"] = data["form-INITIAL_FORMS"] = str(len(claims))
    return client.post(f"{URL}?digest__id__exact={digest.pk}", data)


@pytest.mark.parametrize("role", ["editor", "reviewer", "admin"])
def test_each_desk_role_sees_and_corrects_a_digests_numbers(client, role, request):
    user = request.getfixturevalue({"admin": "admin_user"}.get(role, role))
    digest = day()
    as_user(client, user)
    page = client.get(f"{URL}?digest__id__exact={digest.pk}").content.decode()
    assert "超过6000家" in page and "1.2万亿元" in page
    response = post(client, digest, {"超过6000家": {"value": "6100"}})
    assert response.status_code == 302, response.content.decode()[:2000]
    firms = Claim.objects.get(digest=digest, text="超过6000家")
    assert (firms.value, firms.status) == (Decimal(6100), Claim.Status.CORRECTED)


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_readers_get_the_login_page(client, who):
    digest = day()
    if who == "reader":
        client.force_login(get_user_model().objects.create_user("reader", password="x"))
    response = client.get(f"{URL}?digest__id__exact={digest.pk}")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_changelist_is_a_fixed_number_of_queries(
    client, admin_user, django_assert_num_queries
):
    digest = day()
    as_user(client, admin_user)
    url = f"{URL}?digest__id__exact={digest.pk}"
    client.get(url)
    # 1 session, 2 user, 3 the count of the filtered claims, 4 the count of all,
    # 5 the claims with their digests and items (joined), 6 their supporting items,
    # 7 the units for the unit filter, 8 the review count in the desk's header.
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_saving_the_list_as_shown_changes_only_what_the_desk_changed(client, editor):
    """The list shows 6000 for 6000.000000: rows sent back as shown stay "as found"."""
    digest = day()
    as_user(client, editor)
    page = client.get(f"{URL}?digest__id__exact={digest.pk}").content.decode()
    shown = {f"{claim.value.normalize():f}" for claim in rows(digest)}
    assert all(f'value="{value}"' in page for value in shown)
    changes = {claim.text: {"value": f"{claim.value.normalize():f}"} for claim in rows(digest)}
    changes["超过6000家"] = {"status": "dismissed", "value": "6000"}
    assert post(client, digest, changes).status_code == 302
    statuses = {claim.text: claim.status for claim in rows(digest)}
    assert statuses.pop("超过6000家") == Claim.Status.DISMISSED
    assert set(statuses.values()) == {Claim.Status.FOUND}


def test_dismissing_and_restoring_a_number(client, editor):
    digest = day()
    as_user(client, editor)
    post(client, digest, {"8.88亿美元": {}, "超过6000家": {"status": "dismissed"}})
    assert Claim.objects.get(digest=digest, text="超过6000家").status == Claim.Status.DISMISSED
    post(client, digest, {"超过6000家": {"status": "found"}})
    firms = Claim.objects.get(digest=digest, text="超过6000家")
    assert (firms.status, firms.value) == (Claim.Status.FOUND, Decimal(6000))
    # A corrected number set back to "as found" gets the text's values again.
    post(client, digest, {"超过6000家": {"value": "7000"}})
    post(client, digest, {"超过6000家": {"status": "found", "value": "7000"}})
    firms = Claim.objects.get(digest=digest, text="超过6000家")
    assert (firms.status, firms.value) == (Claim.Status.FOUND, Decimal(6000))


def test_a_change_is_in_the_history_and_reaches_readers(client, reviewer):
    digest = day(Digest.Status.PUBLISHED)
    before, version = public_cache.generation(), digest.version
    as_user(client, reviewer)
    with translation.override("en"):
        post(client, digest, {"超过6000家": {"value": "6100", "measure": "AI企业数量"}})
    public_cache.forget()
    assert public_cache.generation() > before
    assert Digest.objects.get(pk=digest.pk).version == version + 1
    event = DigestEvent.objects.filter(digest=digest).latest("pk")
    assert (event.action, event.actor) == (DigestEvent.Action.SAVE, reviewer)
    day_json = client.get(digest.get_absolute_url().rstrip("/") + ".json").json()
    claims = day_json["sections"][0]["items"][0]["claims"]
    assert {"text": "超过6000家", "value": 6100, "measure": "AI企业数量"}.items() <= next(
        c for c in claims if c["text"] == "超过6000家"
    ).items()


def test_a_withdrawn_digests_numbers_are_read_only(client, reviewer):
    digest = day(Digest.Status.UNPUBLISHED)
    as_user(client, reviewer)
    post(client, digest, {"超过6000家": {"value": "1"}})
    assert Claim.objects.get(digest=digest, text="超过6000家").value == 6000
    claim = Claim.objects.get(digest=digest, text="超过6000家")
    page = client.get(f"{URL}{claim.pk}/change/").content.decode()
    assert 'name="value"' not in page


def test_claims_are_neither_added_nor_deleted_by_hand(client, admin_user):
    digest = day()
    claim = rows(digest)[0]
    as_user(client, admin_user)
    assert client.get(f"{URL}add/").status_code == 403
    assert client.get(f"{URL}{claim.pk}/delete/").status_code == 403


def test_the_digest_page_links_to_its_numbers(client, editor):
    digest = day()
    as_user(client, editor)
    page = client.get(f"/admin/digests/digest/{digest.pk}/change/").content.decode()
    assert f'href="{URL}?digest__id__exact={digest.pk}" id="digest-claims-link"' in page
    assert f"Numbers ({len(rows(digest))})" in page


def test_one_claims_page_is_a_fixed_number_of_queries(client, reviewer, django_assert_num_queries):
    digest = day()
    claim = rows(digest)[0]
    as_user(client, reviewer)
    url = f"{URL}{claim.pk}/change/"
    client.get(url)
    # 1 session, 2 user, 3-4 the user's and group permissions, 5 the claim with its
    # digest and item, 6 its supporting items, 7 the review count in the header.
    with django_assert_num_queries(7):
        page = client.get(url).content.decode()
    assert 'name="value"' in page and "超过6000家" in page


def test_done_when_the_sample_shows_its_numbers_and_flags_two(client, reviewer):
    """Issue 13's "done when": the sample's day, imported, shows its claims in the admin
    (and in its .json: test_claims_public) and flags the two unsupported analysis numbers."""
    from digests.briefing import parse_text
    from digests.importing import import_briefing
    from tests.test_claims_ledger import SAMPLE_TEXT

    digest = import_briefing(parse_text(SAMPLE_TEXT))
    as_user(client, reviewer)
    listing = client.get(f"{URL}?digest__id__exact={digest.pk}").content.decode()
    for text in ("超过6000家", "突破1.2万亿元", "8.88亿美元", "达100Gbps", "28%"):
        assert f">{text}<" in listing, text
    assert 'value="6000"' in listing  # the value as the desk reads it, not 6000.000000
    page = client.get(f"/admin/digests/digest/{digest.pk}/change/").content.decode()
    checks = page[page.index("Every number of the analysis") :][:2000]
    assert "“50%” (政务数据处理效率) is reported by no item of the day." in checks
    assert "“28%” (生产效率) is reported by no item of the day." in checks
    assert checks.count("is reported by no item of the day.") == 2
