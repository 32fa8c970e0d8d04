"""Signing up for the briefing by e-mail: the forms, double opt-in, the limits, preferences,
unsubscribing, and the pages' query counts (digests/newsletter/signup.py and views.py)."""

import datetime
import logging
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from digests.models import Category, Subscriber
from digests.newsletter import signup, tokens
from newsroom.settings import redis_cache
from tests import factories

pytestmark = pytest.mark.django_db
State = Subscriber.State
SUBSCRIBE = "/newsletter/subscribe/"
SENT = "/newsletter/sent/"
ADDRESS = "reader@example.com"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
URL = re.compile(r"https?://\S+")


class RefusingBackend:
    """A mailer whose server refuses every connection."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.fixture
def run_tasks(settings, django_capture_on_commit_callbacks):
    """Tasks run when enqueued; ``run_tasks()`` runs on-commit callbacks too."""
    settings.TASKS = IMMEDIATE

    def capture():
        return django_capture_on_commit_callbacks(execute=True)

    return capture


def post(client, data=None, **headers):
    fields = {"email": ADDRESS, "source": "/2026/03/01/", **(data or {})}
    return client.post(SUBSCRIBE, fields, **headers)


def queued(task_name):
    return DBTaskResult.objects.filter(task_path__endswith=task_name).count()


def subscriber(state=State.ACTIVE, email=ADDRESS, **fields):
    return Subscriber.objects.create(email=email, state=state, **fields)


def links(message):
    return URL.findall(message.body)


def linked_reader(message, view, purpose):
    """Who the mail's ``view`` link stands for. The token is signed with the second it
    was made, so the test reads it back rather than making its own a second later."""
    prefix = f"http://127.0.0.1:8000/newsletter/{view}/"
    (link,) = [link for link in links(message) if link.startswith(prefix)]
    return tokens.load(link.removeprefix(prefix).rstrip("/"), purpose)


# --- the footer form on cached pages --------------------------------------------------------


@pytest.mark.parametrize("url", ["/2026/03/01/", "/archive/", "/privacy/"])
def test_every_public_page_has_the_footer_form_without_a_csrf_token(client, published_day, url):
    first = client.get(url)
    again = client.get(url)  # from the page cache, shared by every reader
    assert again["X-Cache"] == "hit"
    for response in (first, again):
        page = response.content.decode()
        assert 'id="footer-newsletter"' in page
        assert 'action="/newsletter/subscribe/"' in page
        assert f'name="source" value="{url}"' in page
        assert 'href="/privacy/"' in page and 'href="/newsletter/"' in page
        assert "csrfmiddlewaretoken" not in page
        assert not response.cookies


def test_the_footer_form_posts_without_csrf(published_day):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/2026/03/01/").content.decode()
    assert 'id="footer-newsletter-email"' in page
    response = post(browser, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 303
    assert Subscriber.objects.get().state == State.PENDING


def test_the_newsletter_pages_have_no_footer_form_and_are_not_cached(client):
    response = client.get("/newsletter/")
    page = response.content.decode()
    assert 'id="footer-newsletter"' not in page  # the page's own form, not a second one
    assert 'id="newsletter-form"' in page
    assert "X-Cache" not in response
    assert "no-cache" in response["Cache-Control"]


# --- subscribing ------------------------------------------------------------------------


def test_a_new_address_is_pending_and_gets_one_confirmation_mail(client, run_tasks):
    with run_tasks():
        response = post(
            client, {"email": "  Reader@Example.COM "}, HTTP_ORIGIN="http://testserver"
        )
    assert response.status_code == 303
    assert response["Location"] == SENT
    reader = Subscriber.objects.get()
    assert reader.email == "Reader@example.com"  # the domain lower-cased, the mailbox kept
    assert reader.state == State.PENDING
    assert reader.language == "zh-hans"
    assert reader.consent_source == "/2026/03/01/"
    assert reader.consent_at is None and reader.confirmed_at is None
    assert reader.confirmations_sent == 1
    (message,) = mail.outbox
    assert message.to == ["Reader@example.com"]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert linked_reader(message, "confirm", tokens.CONFIRM) == reader
    assert "/en/" not in message.body  # the reader site's default language, Chinese


def test_the_language_of_the_page_is_the_language_of_the_mail(client, run_tasks):
    with run_tasks():
        client.post("/en/newsletter/subscribe/", {"email": ADDRESS})
    assert Subscriber.objects.get().language == "en"
    (message,) = mail.outbox
    assert "/en/newsletter/confirm/" in message.body


def test_the_sent_page_says_to_check_the_inbox(client):
    response = client.get(SENT)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert '<h1 id="newsletter-page-title">' in response.content.decode()


@pytest.mark.parametrize("state", [State.PENDING, State.UNSUBSCRIBED])
def test_a_pending_or_unsubscribed_address_is_asked_to_confirm_again(client, run_tasks, state):
    old = factories.category("旧栏目")
    new = factories.category("新栏目")
    reader = subscriber(state, consent_source="/old/", language="en")
    reader.sections.set([old])
    with run_tasks():
        assert post(client, {"sections": [new.pk]}).status_code == 303
    reader.refresh_from_db()
    assert reader.state == State.PENDING
    assert reader.language == "zh-hans" and reader.consent_source == "/2026/03/01/"
    assert list(reader.sections.all()) == [new]
    (message,) = mail.outbox
    assert "/newsletter/confirm/" in message.body


@pytest.mark.parametrize("state", [State.ACTIVE, State.PAUSED])
def test_a_subscribed_address_gets_its_preferences_link_and_nothing_changes(
    client, run_tasks, state
):
    chosen = factories.category("已选栏目")
    other = factories.category("别的栏目")
    reader = subscriber(state, consent_source="/first/")
    reader.sections.set([chosen])
    with run_tasks():
        assert post(client, {"sections": [other.pk]})["Location"] == SENT
    reader.refresh_from_db()
    assert reader.state == state  # a stranger's sign-up changes nothing
    assert reader.consent_source == "/first/"
    assert list(reader.sections.all()) == [chosen]
    (message,) = mail.outbox
    assert "/newsletter/confirm/" not in message.body
    assert linked_reader(message, "preferences", tokens.PREFERENCES) == reader


@pytest.mark.parametrize("state", [State.BOUNCED, State.COMPLAINED])
def test_a_bounced_or_complained_address_is_sent_nothing(client, run_tasks, state):
    reader = subscriber(state)
    with run_tasks():
        response = post(client)
    assert response.status_code == 303 and response["Location"] == SENT
    reader.refresh_from_db()
    assert reader.state == state
    assert mail.outbox == []


def test_every_outcome_answers_alike(client, settings):
    settings.NEWSROOM_NEWSLETTER_CONFIRMATIONS_PER_DAY = 1
    subscriber(State.ACTIVE, email="active@example.com")
    subscriber(State.BOUNCED, email="bounced@example.com")
    limited = subscriber(State.PENDING, email="limited@example.com", confirmations_sent=1)
    limited.confirmation_sent_at = timezone.now()
    limited.save()
    answers = {
        (response.status_code, response["Location"], response.content)
        for response in (
            post(client, {"email": email})
            for email in (
                "new@example.com",
                "active@example.com",
                "bounced@example.com",
                "limited@example.com",
            )
        )
    }
    assert answers == {(303, SENT, b"")}


@pytest.mark.parametrize(
    "address, message_id",
    [
        ("not-an-address", "newsletter-email-error"),
        ("a@b", "newsletter-email-error"),
        ("x" * 243 + "@example.com", "newsletter-email-error"),  # 255 characters
        ("", "newsletter-email-error"),
    ],
)
def test_an_invalid_address_is_shown_on_the_full_page_with_its_value(client, address, message_id):
    response = post(client, {"email": address})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="newsletter-form"' in page
    assert f'aria-describedby="{message_id}"' in page
    assert f'<p class="field-error" id="{message_id}">' in page
    assert f'value="{address}"' in page
    assert 'role="alert"' in page
    assert not Subscriber.objects.exists()


def test_the_longest_address_is_accepted(client):
    address = "x" * 242 + "@example.com"  # 254 characters
    assert post(client, {"email": address}).status_code == 303
    assert Subscriber.objects.get().email == address


def test_the_full_page_offers_the_active_sections(client):
    factories.category("AI技术动态")
    factories.category("旧栏目", is_active=False)
    page = client.get("/newsletter/").content.decode()
    assert "AI技术动态" in page and "旧栏目" not in page
    assert 'autocomplete="email"' in page and 'inputmode="email"' in page
    assert "csrfmiddlewaretoken" not in page


def test_an_inactive_section_cannot_be_chosen(client):
    hidden = factories.category("旧栏目", is_active=False)
    response = post(client, {"sections": [hidden.pk]})
    assert response.status_code == 400
    assert 'id="newsletter-sections-error"' in response.content.decode()
    assert not Subscriber.objects.exists()


def test_the_honeypot_gets_the_same_answer_and_nothing_is_kept(client, run_tasks):
    with run_tasks():
        response = post(client, {"leave_empty": "http://spam.example"})
    assert response.status_code == 303 and response["Location"] == SENT
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://evil.example/page/"},
        {"HTTP_ORIGIN": "https://testserver.evil.example", "HTTP_REFERER": "http://testserver/"},
    ],
)
def test_a_sign_up_from_another_site_is_refused(client, headers):
    response = post(client, **headers)
    assert response.status_code == 403
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_REFERER": "http://testserver/2026/03/01/"},
        {},  # neither header: let through, limited like any other
    ],
)
def test_a_sign_up_from_this_site_is_accepted(client, headers):
    assert post(client, **headers).status_code == 303
    assert Subscriber.objects.exists()


def test_the_sign_up_answers_only_posts(client):
    assert client.get(SUBSCRIBE).status_code == 405


@pytest.mark.parametrize(
    "source, referer, kept",
    [
        ("/2026/03/01/", "", "/2026/03/01/"),
        ("/items/?q=secret", "", "/items/"),
        ("//evil.example/x", "http://testserver/archive/", "/archive/"),
        ("https://evil.example/", "", ""),
        ("/" + "a" * 400, "", ""),
        ("", "https://evil.example/x", ""),  # a foreign Referer is no source
    ],
)
def test_the_consent_source_is_a_path_on_this_site(client, source, referer, kept):
    headers = {"HTTP_REFERER": referer} if referer else {}
    if referer.startswith("https://evil"):
        headers["HTTP_ORIGIN"] = "http://testserver"
    assert post(client, {"source": source}, **headers).status_code == 303
    assert Subscriber.objects.get().consent_source == kept


# --- the limits -----------------------------------------------------------------------


def test_an_address_gets_at_most_three_sign_up_mails_a_day(client, run_tasks, settings):
    assert settings.NEWSROOM_NEWSLETTER_CONFIRMATIONS_PER_DAY == 3
    with time_machine.travel(NOON, tick=False) as traveller:
        for _ in range(4):
            with run_tasks():
                assert post(client).status_code == 303
            traveller.shift(datetime.timedelta(hours=1))
        assert len(mail.outbox) == 3  # the fourth within 24 hours was not sent
        traveller.shift(datetime.timedelta(hours=20))  # 23 hours after the 3rd: still quiet
        with run_tasks():
            post(client)
        assert len(mail.outbox) == 3
        traveller.shift(datetime.timedelta(hours=24))  # a day without one: counted afresh
        with run_tasks():
            post(client)
    assert len(mail.outbox) == 4
    assert Subscriber.objects.get().confirmations_sent == 1


def test_a_client_gets_at_most_its_sign_ups_an_hour(client, settings):
    settings.NEWSROOM_NEWSLETTER_SIGNUPS_PER_HOUR = 2
    with time_machine.travel(NOON, tick=False) as traveller:
        for n in range(2):
            assert post(client, {"email": f"r{n}@example.com"}).status_code == 303
        refused = post(client, {"email": "r3@example.com"})
        assert refused.status_code == 429
        assert refused["Retry-After"] == "3600"  # the count starts again on the hour
        assert 'id="newsletter-page-title"' in refused.content.decode()
        assert not Subscriber.objects.filter(email="r3@example.com").exists()
        other = post(client, {"email": "r3@example.com"}, REMOTE_ADDR="10.0.0.9")
        assert other.status_code == 303  # another client has its own count
        traveller.shift(datetime.timedelta(hours=1))
        assert post(client, {"email": "r4@example.com"}).status_code == 303


def test_behind_a_proxy_the_client_is_the_one_it_names(client, settings):
    settings.NEWSROOM_NEWSLETTER_SIGNUPS_PER_HOUR = 1
    settings.NEWSROOM_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    with time_machine.travel(NOON, tick=False):
        assert post(client, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 303
        assert post(client, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 303
        assert post(client, HTTP_X_FORWARDED_FOR="9.9.9.9, 1.1.1.1").status_code == 429


def test_with_the_cache_down_sign_ups_go_on_limited_per_address(
    client, settings, run_tasks, caplog
):
    settings.NEWSROOM_NEWSLETTER_SIGNUPS_PER_HOUR = 1
    settings.CACHES = redis_cache(CLOSED_PORT)
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            with run_tasks():
                assert post(client).status_code == 303
    assert len(mail.outbox) == 3  # the per-address limit still holds
    assert any("not counted" in record.getMessage() for record in caplog.records)


def test_with_the_mail_server_down_the_sign_up_is_kept_and_tried_again(
    client, settings, django_capture_on_commit_callbacks, caplog
):
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {"BACKEND": f"{__name__}.RefusingBackend"},
    }
    with time_machine.travel(NOON, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client).status_code == 303
        reader = Subscriber.objects.get()
        assert reader.state == State.PENDING
        assert queued("newsletter_confirmation") == 1
        with caplog.at_level(logging.WARNING, logger="digests.newsletter.signup"):
            assert signup.send_confirmation(reader.pk) == "not sent: will try again"
        retry = DBTaskResult.objects.filter(task_path__endswith="newsletter_confirmation")
        assert retry.count() == 2
        assert retry.filter(run_after=NOON + signup.RETRY_AFTER).count() == 1
        traveller.shift(signup.RETRY_FOR)
        assert signup.send_confirmation(reader.pk) == "not sent: gave up"
        assert retry.count() == 2
        settings.MAILERS = {**settings.MAILERS, "newsletter": settings.MAILERS["default"]}
        assert signup.send_confirmation(reader.pk) == "sent: confirm"
    assert "trying again" in caplog.text


def test_the_sign_up_mail_fits_the_state_at_sending_time(run_tasks):
    reader = subscriber(State.UNSUBSCRIBED)
    assert signup.send_confirmation(reader.pk) == "not sent: unsubscribed"
    assert signup.send_confirmation(reader.pk + 1) == "not sent: erased"
    assert mail.outbox == []


# --- confirming ------------------------------------------------------------------------


def confirm_url(reader, purpose=tokens.CONFIRM):
    return f"/newsletter/confirm/{tokens.make(reader, purpose)}/"


def test_a_get_of_the_confirmation_link_confirms_nothing(client):
    reader = subscriber(State.PENDING)
    response = client.get(confirm_url(reader))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="confirm-form"' in page and "csrfmiddlewaretoken" in page
    assert ADDRESS in page
    assert "no-cache" in response["Cache-Control"]
    reader.refresh_from_db()
    assert reader.state == State.PENDING


def test_the_button_confirms_and_the_latest_briefing_follows_on_commit(
    client, django_capture_on_commit_callbacks
):
    reader = subscriber(State.PENDING)
    url = confirm_url(reader)
    with time_machine.travel(NOON, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(url)
        assert queued("newsletter_welcome") == 0  # not before the commit
        for callback in callbacks:
            callback()
    assert response.status_code == 200
    assert 'class="confirmed"' in response.content.decode()
    assert queued("newsletter_welcome") == 1
    reader.refresh_from_db()
    assert reader.state == State.ACTIVE
    assert reader.confirmed_at == reader.consent_at == reader.state_changed_at == NOON
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 200  # again: harmless
    assert queued("newsletter_welcome") == 1


def test_the_confirmation_needs_its_csrf_token():
    reader = subscriber(State.PENDING)
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(confirm_url(reader)).status_code == 403
    page = browser.get(confirm_url(reader)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post(confirm_url(reader), {"csrfmiddlewaretoken": token}).status_code == 200
    reader.refresh_from_db()
    assert reader.state == State.ACTIVE


def test_an_expired_confirmation_link_says_so(client):
    with time_machine.travel(NOON, tick=False) as traveller:
        reader = subscriber(State.PENDING)
        url = confirm_url(reader)
        traveller.shift(datetime.timedelta(days=6, hours=23))
        assert client.get(url).status_code == 200
        traveller.shift(datetime.timedelta(hours=2))
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 400
            assert 'id="signup-again"' in response.content.decode()
    reader.refresh_from_db()
    assert reader.state == State.PENDING


@pytest.mark.parametrize(
    "view, purpose",
    [
        ("confirm", tokens.PREFERENCES),
        ("confirm", tokens.UNSUBSCRIBE),
        ("preferences", tokens.CONFIRM),
        ("unsubscribe", tokens.PREFERENCES),
    ],
)
def test_a_link_made_for_another_purpose_is_refused(client, view, purpose):
    reader = subscriber(State.PENDING)
    url = f"/newsletter/{view}/{tokens.make(reader, purpose)}/"
    assert client.get(url).status_code == 400
    assert client.post(url).status_code == 400
    reader.refresh_from_db()
    assert reader.state == State.PENDING


@pytest.mark.parametrize("token", ["nonsense", "abc:def:ghi", "x" * 300])
def test_a_mangled_link_is_refused(client, token):
    subscriber(State.PENDING)
    assert client.get(f"/newsletter/confirm/{token}/").status_code == 400


@pytest.mark.parametrize("state", [State.UNSUBSCRIBED, State.BOUNCED, State.COMPLAINED])
def test_an_old_confirmation_link_does_not_bring_back_a_stopped_address(client, state):
    reader = subscriber(state)
    assert client.get(confirm_url(reader)).status_code == 400
    assert client.post(confirm_url(reader)).status_code == 400
    reader.refresh_from_db()
    assert reader.state == state


def test_an_erased_subscriber_link_is_refused(client):
    reader = subscriber(State.PENDING)
    url = confirm_url(reader)
    reader.delete()
    assert client.get(url).status_code == 400


def test_a_pending_address_receives_nothing_but_the_confirmation():
    subscriber(State.PENDING, email="pending@example.com")
    subscriber(State.PAUSED, email="paused@example.com")
    active = subscriber(State.ACTIVE, email="active@example.com")
    assert list(Subscriber.objects.receiving()) == [active]


# --- preferences ----------------------------------------------------------------------


def preferences_url(reader):
    return f"/newsletter/preferences/{tokens.make(reader, tokens.PREFERENCES)}/"


def test_the_preferences_page_shows_the_address_and_sections(client):
    factories.category("AI技术动态")
    reader = subscriber()
    response = client.get(preferences_url(reader))
    assert response.status_code == 200
    page = response.content.decode()
    assert ADDRESS in page and "AI技术动态" in page
    assert 'id="pause-button"' in page and 'id="leave-button"' in page
    assert "csrfmiddlewaretoken" in page
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_sections_are_saved(client):
    first, second, third = (factories.category(f"栏目{n}") for n in "甲乙丙")
    reader = subscriber()
    url = preferences_url(reader)
    response = client.post(url, {"action": "save", "sections": [first.pk, third.pk]})
    assert response.status_code == 303
    assert response["Location"] == url + "?done=save"
    assert set(reader.sections.all()) == {first, third}
    page = client.get(response["Location"]).content.decode()
    assert 'id="preferences-done"' in page
    assert re.search(rf'value="{first.pk}"[^>]*checked', page)
    assert not re.search(rf'value="{second.pk}"[^>]*checked', page)
    client.post(url, {"action": "save"})  # none ticked: every section
    assert not reader.sections.exists()


def test_pause_resume_and_leave(client):
    reader = subscriber()
    url = preferences_url(reader)
    for action, state in [
        ("pause", State.PAUSED),
        ("pause", State.PAUSED),  # twice: no harm
        ("resume", State.ACTIVE),
        ("leave", State.UNSUBSCRIBED),
    ]:
        response = client.post(url, {"action": action})
        assert response.status_code == 303, action
        reader.refresh_from_db()
        assert reader.state == state, action
    assert 'id="signup-again"' in client.get(url).content.decode()
    # Once gone, resuming takes a new sign-up (double opt-in), not a button.
    assert client.post(url, {"action": "resume"}).status_code == 409
    reader.refresh_from_db()
    assert reader.state == State.UNSUBSCRIBED


def test_a_pending_address_cannot_be_paused(client):
    reader = subscriber(State.PENDING)
    assert client.post(preferences_url(reader), {"action": "pause"}).status_code == 409
    reader.refresh_from_db()
    assert reader.state == State.PENDING


def test_preferences_need_the_csrf_token():
    reader = subscriber()
    assert Client(enforce_csrf_checks=True).post(preferences_url(reader)).status_code == 403


# --- unsubscribing ----------------------------------------------------------------------


def unsubscribe_url(reader):
    return f"/newsletter/unsubscribe/{tokens.make(reader, tokens.UNSUBSCRIBE)}/"


def test_the_unsubscribe_page_asks_first(client):
    reader = subscriber()
    response = client.get(unsubscribe_url(reader))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="unsubscribe-button"' in page and 'id="preferences-link"' in page
    reader.refresh_from_db()
    assert reader.state == State.ACTIVE


def test_one_click_unsubscribe_without_cookies_any_number_of_times():
    reader = subscriber()
    mail_client = Client(enforce_csrf_checks=True)
    url = unsubscribe_url(reader)
    with time_machine.travel(NOON, tick=False) as traveller:
        for _ in range(2):
            response = mail_client.post(
                url,
                "List-Unsubscribe=One-Click",
                content_type="application/x-www-form-urlencoded",
            )
            assert response.status_code == 200
            assert 'id="unsubscribed"' in response.content.decode()
            reader.refresh_from_db()
            assert reader.state == State.UNSUBSCRIBED
            assert reader.state_changed_at == NOON  # the second changed nothing
            traveller.shift(datetime.timedelta(minutes=5))


@pytest.mark.parametrize(
    "state, after",
    [
        (State.PENDING, State.UNSUBSCRIBED),
        (State.PAUSED, State.UNSUBSCRIBED),
        # A bounced or complained address stays so: stricter, and the admin's to see.
        (State.BOUNCED, State.BOUNCED),
        (State.COMPLAINED, State.COMPLAINED),
    ],
)
def test_unsubscribing_from_any_state_stops_mail(client, state, after):
    reader = subscriber(state)
    assert client.post(unsubscribe_url(reader)).status_code == 200
    reader.refresh_from_db()
    assert reader.state == after


# --- no address in any link of any mail ----------------------------------------------------


def test_no_address_appears_in_any_link_of_a_sign_up_mail(client, run_tasks):
    address = "o'brien+news@example.com"
    with run_tasks():
        post(client, {"email": address})  # pending: the confirmation
        Subscriber.objects.update(state=State.ACTIVE)
        post(client, {"email": address})  # subscribed: the preferences link
        client.post("/en/newsletter/subscribe/", {"email": ADDRESS})
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        found = links(message)
        assert found
        for url in found:
            assert "@" not in url and "%40" not in url.lower()
            assert "brien" not in url and "reader" not in url


# --- query counts -----------------------------------------------------------------------


def test_query_counts_of_the_pages(client, django_assert_num_queries):
    for n in range(5):
        factories.category(f"栏目{n}")
    reader = subscriber()
    reader.sections.set(Category.objects.all()[:2])
    pending = subscriber(State.PENDING, email="pending@example.com")
    # 1 the active sections.
    with django_assert_num_queries(1):
        assert client.get("/newsletter/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get(SENT).status_code == 200
    # 1 the subscriber its link stands for.
    with django_assert_num_queries(1):
        assert client.get(confirm_url(pending)).status_code == 200
    # 1 the subscriber, 2 its sections, 3 the active sections.
    with django_assert_num_queries(3):
        assert client.get(preferences_url(reader)).status_code == 200
    # 1 the subscriber.
    with django_assert_num_queries(1):
        assert client.get(unsubscribe_url(reader)).status_code == 200


def test_query_counts_of_the_posts(client, django_assert_num_queries, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    pending = subscriber(State.PENDING, email="pending@example.com")
    active = subscriber(email="active@example.com")
    # (The test's transaction makes each atomic block a savepoint: SAVEPOINT and RELEASE.)
    # 1-2 savepoint; the subscriber by address, locked (none); 3-5 its creation in a
    # savepoint (another request may create it first); 6 its sections (none to clear);
    # 7 its state, consent source and the limit's count saved; 8 release. After the
    # commit, one more: the confirmation task queued.
    with django_assert_num_queries(8):
        assert post(client, {"email": "new@example.com"}).status_code == 303
    # 1 the subscriber its link stands for; 2-3 savepoint, the subscriber locked; 4 its
    # state, confirmation and consent saved; 5 release. After the commit: the welcome
    # task queued.
    with django_assert_num_queries(5):
        assert client.post(confirm_url(pending)).status_code == 200
    # 1 the subscriber; 2-3 savepoint, locked; 4 its state saved; 5 release.
    with django_assert_num_queries(5):
        assert client.post(unsubscribe_url(active)).status_code == 200


# --- the privacy note ---------------------------------------------------------------------


def test_the_privacy_note_says_what_why_how_long_and_how_to_leave(client, settings):
    settings.NEWSROOM_NEWSLETTER_FROM = "privacy@newsroom.test"
    response = client.get("/privacy/")
    assert response.status_code == 200
    page = response.content.decode()
    for part in ("what", "why", "how-long", "leave", "rights"):
        assert f'id="privacy-{part}"' in page, part
    assert "privacy@newsroom.test" in page  # where to ask for a copy or erasure
    assert 'href="/newsletter/"' in page


# --- addresses that never confirm -----------------------------------------------------------


def test_addresses_never_confirmed_are_forgotten_after_thirty_days(client, db, settings):
    settings.NEWSROOM_NEWSLETTER_UNCONFIRMED_DAYS = 30
    # The privacy note says so, in the reader's language.
    assert (
        "never confirmed is deleted after 30 days" in client.get("/en/privacy/").content.decode()
    )
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        unconfirmed = subscriber(State.PENDING, email="never@example.com")
        # Asked to confirm again after leaving: it consented once, and has a history.
        returning = subscriber(State.PENDING, email="back@example.com", confirmed_at=start)
        active = subscriber(State.ACTIVE, email="reader@example.com")
    day = datetime.timedelta(days=1)
    days = settings.NEWSROOM_NEWSLETTER_UNCONFIRMED_DAYS
    assert signup.forget_unconfirmed(now=start + (days - 1) * day) == 0
    assert signup.forget_unconfirmed(now=start + (days + 1) * day) == 1
    remaining = set(Subscriber.objects.values_list("pk", flat=True))
    assert remaining == {returning.pk, active.pk}
    assert unconfirmed.pk not in remaining
