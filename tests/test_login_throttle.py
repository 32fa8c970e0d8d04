"""Logins are throttled (django-axes): per account and address, and per address.

Every test goes through the real admin login view with the test client.
"""

import datetime
from unittest import mock

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.backends import ModelBackend
from django.urls import reverse
from django.utils import timezone

LOGIN = reverse("admin:login")
PASSWORD = "pw-for-tests"  # the fixtures' password (tests/conftest.py)


@pytest.fixture
def attempt(client):
    """Log in through the admin's login page; return the response."""

    def attempt(username, password, address="203.0.113.7", **headers):
        client.logout()
        return client.post(
            LOGIN,
            {"username": username, "password": password, "next": "/admin/"},
            REMOTE_ADDR=address,
            HTTP_ACCEPT_LANGUAGE="en",
            **headers,
        )

    return attempt


def logged_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def fail(attempt, username, times, **kwargs):
    for _ in range(times):
        response = attempt(username, "wrong-password", **kwargs)
        # The login form again with its error; the failure that reaches a limit gets the lock.
        assert response.status_code in (200, 429)
        assert not logged_in(response)


def test_four_wrong_passwords_then_the_right_one_logs_in(attempt, editor, settings):
    fail(attempt, "editor", settings.AXES_FAILURE_LIMIT - 1)
    assert logged_in(attempt("editor", PASSWORD))


def test_after_the_limit_the_right_password_is_refused_with_a_clear_message(
    attempt, editor, settings
):
    fail(attempt, "editor", settings.AXES_FAILURE_LIMIT)
    response = attempt("editor", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(response)
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "15 minutes" in page
    assert "Newsroom desk" in page  # the desk's own header, not a bare error
    assert 'name="password"' not in page  # no form to keep trying with


def test_thirty_wrong_passwords_in_ten_seconds_then_the_right_one_is_refused(attempt, editor):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(30):
            attempt("editor", "wrong-password")
            clock.shift(datetime.timedelta(seconds=0.3))
        assert attempt("editor", PASSWORD).status_code == 429


def test_a_locked_out_attempt_hashes_no_password(attempt, editor, settings):
    fail(attempt, "editor", settings.AXES_FAILURE_LIMIT)
    with mock.patch.object(
        ModelBackend, "authenticate", autospec=True, side_effect=ModelBackend.authenticate
    ) as checked:
        for password in (PASSWORD, "another-guess"):
            assert attempt("editor", password).status_code == 429
        assert attempt("reviewer", "a-guess").status_code == 200  # another account: checked
    assert checked.call_count == 1


def test_the_lock_ends_after_the_cool_off(attempt, editor, settings):
    fail(attempt, "editor", settings.AXES_FAILURE_LIMIT)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=14)):
        assert attempt("editor", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert logged_in(attempt("editor", PASSWORD))


def test_an_attacker_cannot_lock_the_desk_out_from_elsewhere(attempt, editor, settings):
    fail(attempt, "editor", settings.AXES_FAILURE_LIMIT * 3, address="198.51.100.66")
    assert logged_in(attempt("editor", PASSWORD, address="203.0.113.7"))


def test_guessing_many_accounts_from_one_address_is_stopped(attempt, editor, reviewer, settings):
    per_address = settings.NEWSROOM_LOGIN_FAILURES_PER_ADDRESS
    names = [f"guess{n}" for n in range(per_address)]
    for name in names[:-1]:  # one try each: no account reaches its own limit
        fail(attempt, name, 1)
    assert logged_in(attempt("reviewer", PASSWORD))  # one below the address's limit
    fail(attempt, names[-1], 1)
    assert attempt("editor", PASSWORD).status_code == 429
    assert logged_in(attempt("editor", PASSWORD, address="192.0.2.1"))


def test_a_forged_forwarded_for_header_changes_nothing_without_a_proxy(attempt, editor, settings):
    assert not settings.NEWSROOM_CLIENT_IP_HEADER
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt("editor", "wrong-password", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert attempt("editor", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_behind_a_proxy_the_address_comes_from_its_header_only(attempt, editor, settings):
    settings.NEWSROOM_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = "127.0.0.1"
    # The proxy appends the address it saw; anything before it is the client's own claim.
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(
            "editor",
            "wrong-password",
            address=proxy,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.66",
        )
    assert AccessAttempt.objects.get().ip_address == "198.51.100.66"
    locked = attempt("editor", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert locked.status_code == 429
    other = attempt("editor", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert logged_in(other)


def test_an_admin_unlocks_an_account(attempt, client, editor, admin_user, settings):
    fail(attempt, "editor", settings.AXES_FAILURE_LIMIT)
    assert attempt("editor", PASSWORD).status_code == 429
    client.force_login(admin_user)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert client.get(changelist).status_code == 200
    locks = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": locks, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert logged_in(attempt("editor", PASSWORD))
