"""The newsletter in the admin: subscribers and their CSV export, mailings, the digest's
newsletter panel, the test send and the correction notice (issue 11, points 2, 6)."""

import csv
import datetime
import inspect
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from digests import workflow
from digests.models import Correction, Delivery, Digest, DigestEvent, Mailing, Subscriber
from digests.newsletter import sending
from tests import factories
from tests.conftest import as_user

pytestmark = pytest.mark.django_db
S = Subscriber.State
D = Delivery.State

CHANGELIST = "/admin/digests/subscriber/"
EXPORT = "/admin/digests/subscriber/export/"
MAILINGS = "/admin/digests/mailing/"


def subscriber(email, state=S.ACTIVE, sections=(), **fields):
    row = Subscriber.objects.create(
        email=email, state=state, consent_source=fields.pop("consent_source", "/"), **fields
    )
    row.sections.set(sections)
    return row


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # spreadsheets read the Chinese names as UTF-8
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def member_with(username, *perms):
    """A staff account holding exactly ``perms`` ("app.codename")."""
    user = get_user_model().objects.create_user(
        username=username, password="pw", email=f"{username}@newsroom.test", is_staff=True
    )
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


# --- subscribers --------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_subscriber_list_makes_the_same_queries_for_3_or_30(
    client, admin_user, django_assert_num_queries, count
):
    ai, chips = factories.category("AI技术动态"), factories.category("芯片")
    for n in range(count):
        subscriber(f"reader{n}@example.com", sections=[ai, chips] if n % 2 else [])
    as_user(client, admin_user).get(CHANGELIST)  # the session's first touch
    # session, user, the filtered count, the full count, the page of subscribers, their
    # sections (one prefetch); the filters: the sections and the languages in use; the
    # date hierarchy's first and last date, then its years; the review count in the
    # header. The same for 3 subscribers or 30.
    with django_assert_num_queries(11):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["cl"].result_count == count
    assert "AI技术动态, 芯片" in response.content.decode()


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_only_admins_see_subscribers(client, request, role):
    subscriber("reader@example.com")
    as_user(client, request.getfixturevalue(role))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert "reader@example.com" not in client.get("/admin/").content.decode()


def test_admin_searches_and_filters_subscribers(client, admin_user):
    ai = factories.category("AI技术动态")
    subscriber("wang@example.com", sections=[ai])
    subscriber("li@example.org", state=S.BOUNCED)
    subscriber("zhao@example.org", language="en")
    as_user(client, admin_user)

    def shown(query):
        return sorted(s.email for s in client.get(CHANGELIST, query).context["cl"].result_list)

    assert shown({"q": "EXAMPLE.ORG"}) == ["li@example.org", "zhao@example.org"]
    assert shown({"state": "bounced"}) == ["li@example.org"]
    assert shown({"sections__id__exact": ai.pk}) == ["wang@example.com"]
    assert shown({"language": "en"}) == ["zhao@example.org"]


def test_csv_export_of_selected_subscribers_defuses_formulas(client, admin_user):
    ai = factories.category("AI技术动态")
    plain = subscriber("wang@example.com", sections=[ai], consent_source="/2026-03-01/")
    tricky = subscriber(
        "=1+2@example.com", consent_source='=HYPERLINK("http://evil")', note="@SUM(A1)"
    )
    subscriber("not-selected@example.com")
    response = as_user(client, admin_user).post(
        CHANGELIST, {"action": "export_selected", "_selected_action": [plain.pk, tricky.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="subscribers-')
    header, *rows = csv_rows(response)
    assert header[:3] == ["email", "state", "sections"]
    by_email = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_email) == {"wang@example.com", "'=1+2@example.com"}
    assert by_email["wang@example.com"]["sections"] == "AI技术动态"
    assert by_email["wang@example.com"]["consent_source"] == "/2026-03-01/"
    assert by_email["wang@example.com"]["state"] == "active"
    defused = by_email["'=1+2@example.com"]
    assert defused["consent_source"] == '\'=HYPERLINK("http://evil")'
    assert defused["note"] == "'@SUM(A1)"
    assert "key" not in header and str(plain.key) not in str(rows)  # no link key


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_defused(first):
    from digests.newsletter.csv_export import safe

    assert safe(f"{first}cmd") == f"'{first}cmd"
    assert safe("a=b") == "a=b" and safe(None) == ""


def test_export_all_matching_follows_the_list_filters(client, admin_user):
    for n in range(3):
        subscriber(f"active{n}@example.com")
    subscriber("gone@example.com", state=S.UNSUBSCRIBED)
    as_user(client, admin_user)
    page = client.get(CHANGELIST, {"state": "active"}).content.decode()
    assert 'href="/admin/digests/subscriber/export/?state=active"' in page
    rows = csv_rows(client.get(EXPORT, {"state": "active"}))[1:]
    assert sorted(row[0] for row in rows) == [f"active{n}@example.com" for n in range(3)]
    assert len(csv_rows(client.get(EXPORT, {"q": "gone"}))) == 2  # header and one row


def test_export_needs_its_own_permission(client):
    subscriber("reader@example.com")
    viewer = member_with("viewer", "digests.view_subscriber")
    as_user(client, viewer)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert "export_selected" not in page.content.decode()
    assert 'id="subscriber-export"' not in page.content.decode()
    assert client.get(EXPORT).status_code == 403
    exporter = member_with("exporter", "digests.view_subscriber", "digests.export_subscriber")
    page = as_user(client, exporter).get(CHANGELIST).content.decode()
    assert "export_selected" in page and 'id="subscriber-export"' in page
    assert client.get(EXPORT).status_code == 200


def test_the_address_is_read_only_once_added(client, admin_user):
    reader = subscriber("reader@example.com", state=S.BOUNCED, note="550 no such user")
    url = reverse("admin:digests_subscriber_change", args=[reader.pk])
    as_user(client, admin_user)
    assert 'name="email"' not in client.get(url).content.decode()
    response = client.post(
        url, {"email": "other@example.com", "state": "active", "language": "zh-hans"}
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    # Reactivated by the admin: the state and when it changed; the address as it was.
    assert (reader.email, reader.state) == ("reader@example.com", S.ACTIVE)
    assert reader.state_changed_at is not None


def test_adding_an_address_by_hand_needs_a_consent_source(client, admin_user):
    ai = factories.category("AI技术动态")
    url = reverse("admin:digests_subscriber_add")
    as_user(client, admin_user)
    data = {"email": "friend@example.com", "state": "active", "language": "zh-hans"}
    response = client.post(url, {**data, "sections": [ai.pk]})
    assert response.status_code == 200
    assert "consent_source" in response.context["adminform"].form.errors
    assert not Subscriber.objects.exists()

    # What is typed and who added it fit the field's 300 characters, or it is refused.
    response = client.post(url, {**data, "consent_source": "x" * 290})
    assert response.context["adminform"].form.errors["consent_source"] == [
        "Keep it to 283 characters (it is 290)."
    ]
    assert not Subscriber.objects.exists()

    response = client.post(
        url, {**data, "sections": [ai.pk], "consent_source": "asked by e-mail, 2026-03-01"}
    )
    assert response.status_code == 302
    added = Subscriber.objects.get()
    assert added.consent_source == "asked by e-mail, 2026-03-01 · added by chief"
    assert added.consent_at is not None and added.confirmed_at is not None
    assert list(added.sections.all()) == [ai]
    # The same address again, in other case: refused by the one-per-address rule.
    response = client.post(url, {**data, "email": "FRIEND@example.com", "consent_source": "x"})
    assert response.status_code == 200 and Subscriber.objects.count() == 1


# --- mailings and the ledger ---------------------------------------------------------


def mailing(digest, kind=Mailing.Kind.ISSUE, states=(), user=None, **fields):
    row = Mailing.objects.create(digest=digest, kind=kind, created_by=user, **fields)
    for n, state in enumerate(states):
        reader = Subscriber.objects.filter(email=f"r{n}@example.com").first() or subscriber(
            f"r{n}@example.com"
        )
        Delivery.objects.create(
            mailing=row, digest=digest, kind=kind, subscriber=reader, state=state
        )
    return row


@pytest.mark.parametrize("count", [1, 6])
def test_mailing_list_counts_in_one_query(client, admin_user, django_assert_num_queries, count):
    for n in range(count):
        digest = factories.digest(status=Digest.Status.PUBLISHED)
        mailing(digest, states=[D.SENT, D.SENT, D.FAILED, D.QUEUED][: 1 + n % 4])
    as_user(client, admin_user).get(MAILINGS)
    # session, user, the filtered count, the full count (both of mailings alone), the
    # page of mailings with their digests and starters joined and their deliveries
    # counted by state (a subquery each), the date hierarchy's first and last date,
    # then its days; the review count in the header.
    with django_assert_num_queries(8):
        response = client.get(MAILINGS)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count


def test_reviewers_see_mailings_but_may_not_change_or_requeue(client, reviewer, published_day):
    row = mailing(published_day, states=[D.INTERRUPTED])
    as_user(client, reviewer)
    assert client.get(MAILINGS).status_code == 200
    assert "queue_again" not in client.get(MAILINGS).content.decode()
    client.post(MAILINGS, {"action": "queue_again", "_selected_action": [row.pk]})
    assert Delivery.objects.get().state == D.INTERRUPTED
    assert client.get("/admin/digests/delivery/").status_code == 403  # addresses: admins only


@pytest.fixture
def enqueued():
    """The mailings whose next batch is waiting in the task queue (read when called)."""

    def mailing_ids():
        rows = DBTaskResult.objects.filter(task_path__endswith="newsletter_send_batch")
        return sorted(row["args"][0] for row in rows.values_list("args_kwargs", flat=True))

    return mailing_ids


def test_queue_again_puts_cut_off_deliveries_back_and_warns_of_doubles(
    client, admin_user, published_day, enqueued, django_capture_on_commit_callbacks
):
    row = mailing(
        published_day,
        states=[D.SENT, D.INTERRUPTED, D.FAILED, D.BOUNCED],
        finished_at=timezone.now(),
    )
    Delivery.objects.filter(state=D.FAILED).update(attempts=3, error="421 try later")
    as_user(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MAILINGS, {"action": "queue_again", "_selected_action": [row.pk]})
    assert response.status_code == 302
    states = sorted(Delivery.objects.values_list("state", "attempts", "error"))
    assert states == [("bounced", 0, ""), ("queued", 0, ""), ("queued", 0, ""), ("sent", 0, "")]
    assert enqueued() == [row.pk]  # after the commit
    row.refresh_from_db()
    assert row.finished_at is None
    assert any("may now get it twice" in m for m in texts(response))


def test_queue_again_leaves_a_withdrawn_digest_alone(
    client, admin_user, reviewer, published_day, enqueued, django_capture_on_commit_callbacks
):
    row = mailing(published_day, states=[D.INTERRUPTED])
    workflow.withdraw(published_day, reviewer, "撤回。")
    as_user(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MAILINGS, {"action": "queue_again", "_selected_action": [row.pk]})
    assert Delivery.objects.get().state == D.INTERRUPTED
    assert enqueued() == []
    assert any("no longer published" in m for m in texts(response))


def test_queue_again_from_the_ledger_takes_only_the_selected_lines(
    client, admin_user, published_day, enqueued, django_capture_on_commit_callbacks
):
    row = mailing(published_day, states=[D.INTERRUPTED, D.INTERRUPTED])
    first = Delivery.objects.order_by("pk").first()
    as_user(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/digests/delivery/", {"action": "queue_again", "_selected_action": [first.pk]}
        )
    assert sorted(Delivery.objects.values_list("state", flat=True)) == ["interrupted", "queued"]
    assert enqueued() == [row.pk]


# --- the digest's newsletter panel ---------------------------------------------------


def change_url(digest):
    return reverse("admin:digests_digest_change", args=[digest.pk])


def panel_counts(html, mailing_row):
    chunk = html.split(f'id="mailing-{mailing_row.pk}"', 1)[1].split("</tr>", 1)[0]
    import re

    return dict(re.findall(r'data-state="(\w+)" data-count="(\d+)"', chunk))


@pytest.mark.parametrize("corrections", [0, 4])
def test_panel_counts_every_mailing_in_one_query(
    client, reviewer, published_day, django_assert_num_queries, corrections
):
    issue = mailing(published_day, states=[D.SENT, D.SENT, D.QUEUED, D.BOUNCED], user=reviewer)
    for _ in range(corrections):
        mailing(published_day, Mailing.Kind.CORRECTION, states=[D.SENT], user=reviewer)
    mailing(published_day, Mailing.Kind.TEST, user=reviewer, finished_at=timezone.now())
    as_user(client, reviewer)
    client.get(change_url(published_day))  # the session's first touch
    # session, user; the digest, its items, their tags and corrections, the paragraphs,
    # trend points, comments, events and their notifications, preview links; the
    # reviewer's own and group permissions; the edit lock, who else is here; the review
    # count in the header; the headlines to correct; and the panel's one query: every
    # mailing with its starter and its deliveries counted by state, however many; and the
    # digest's numeric claims (for the claims checks and the "Numbers (N)" link).
    with django_assert_num_queries(20) as captured:
        html = client.get(change_url(published_day)).content.decode()
    mailing_queries = [
        q for q in captured.captured_queries if q["sql"].startswith('SELECT "digests_mailing"')
    ]
    assert len(mailing_queries) == 1
    counts = panel_counts(html, issue)
    assert counts["sent"] == "2" and counts["queued"] == "1" and counts["bounced"] == "1"
    assert counts["failed"] == "0" and len(counts) == len(D)
    assert html.count('class="mailing mailing-correction"') == corrections
    assert "→ reviewer@newsroom.test" in html  # the test mailing, to whom


def test_editors_see_no_panel(client, editor):
    draft = factories.full_digest(status=Digest.Status.DRAFT)
    html = as_user(client, editor).get(change_url(draft)).content.decode()
    assert 'id="newsletter"' not in html
    assert "notify" not in html


# --- the test send ---------------------------------------------------------------------

STUB = "NotImplementedError" in inspect.getsource(sending.send_test)


def _stand_in_send_test(digest, user):
    """Until the sending code is in: the same contract (docs of ``sending.send_test``)."""
    if not user.email:
        raise ValueError("no address")
    message = EmailMultiAlternatives(f"[TEST] {digest.date}", "…", to=[user.email])
    message.send(using="newsletter")
    return Mailing.objects.create(
        digest=digest, kind=Mailing.Kind.TEST, created_by=user, finished_at=timezone.now()
    )


@pytest.fixture
def send_test(monkeypatch):
    if STUB:
        monkeypatch.setattr(sending, "send_test", _stand_in_send_test)


def send_url(digest):
    return reverse("admin:digests_digest_newsletter_test", args=[digest.pk])


def test_reviewer_sends_a_draft_to_themselves(client, reviewer, send_test, mailoutbox):
    draft = factories.full_digest(status=Digest.Status.DRAFT)
    as_user(client, reviewer)
    page = client.get(change_url(draft)).content.decode()
    assert 'id="newsletter-test-send"' in page and "reviewer@newsroom.test" in page
    assert client.get(send_url(draft)).status_code == 405
    response = client.post(send_url(draft))
    assert response.status_code == 302 and response["Location"].endswith("#newsletter")
    assert [m.to for m in mailoutbox] == [["reviewer@newsroom.test"]]
    assert Mailing.objects.get().kind == Mailing.Kind.TEST
    assert any("reviewer@newsroom.test" in m for m in texts(response))


def test_a_member_without_an_address_is_told_so(client, reviewer, send_test, mailoutbox):
    reviewer.email = ""
    reviewer.save()
    draft = factories.full_digest(status=Digest.Status.DRAFT)
    as_user(client, reviewer)
    assert 'class="help newsletter-no-address"' in client.get(change_url(draft)).content.decode()
    response = client.post(send_url(draft))
    assert response.status_code == 302
    assert any("no e-mail address" in m for m in texts(response))
    assert mailoutbox == [] and not Mailing.objects.exists()


class RefusingBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def close(self):
        pass


def test_a_mail_server_failure_is_a_message_not_a_500(client, reviewer, send_test, settings):
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {"BACKEND": f"{__name__}.RefusingBackend"},
    }
    draft = factories.full_digest(status=Digest.Status.DRAFT)
    response = as_user(client, reviewer).post(send_url(draft))
    assert response.status_code == 302
    assert any("mail server did not take the test" in m for m in texts(response))
    assert not Mailing.objects.exists()  # no test mailing recorded for a mail that never went
    assert client.get(change_url(draft)).status_code == 200


def test_editors_may_not_send_tests(client, editor, send_test, mailoutbox):
    draft = factories.full_digest(status=Digest.Status.DRAFT)
    assert as_user(client, editor).post(send_url(draft)).status_code == 403
    assert mailoutbox == []


# --- the correction notice -------------------------------------------------------------


@pytest.fixture
def notices(monkeypatch):
    """Correction notices started, as (correction, user); each mailing gets two deliveries."""
    started = []

    def start_correction(correction, user):
        started.append((correction, user))
        digest = correction.item.digest
        return mailing(digest, Mailing.Kind.CORRECTION, states=[D.QUEUED, D.QUEUED], user=user)

    monkeypatch.setattr(sending, "start_correction", start_correction)
    return started


def correct(client, digest, **extra):
    item = digest.items.order_by("position").first()
    return client.post(
        reverse("admin:digests_digest_correction", args=[digest.pk]),
        {"item": item.pk, "note": "更正:数据应为1.2万亿元。", **extra},
    )


def test_a_correction_sends_nothing_unless_ticked(client, reviewer, published_day, notices):
    as_user(client, reviewer)
    page = client.get(change_url(published_day)).content.decode()
    assert 'name="notify"' in page and 'name="notify" checked' not in page  # offered, unticked
    response = correct(client, published_day)
    assert response.status_code == 302 and Correction.objects.count() == 1
    assert notices == []
    assert not Mailing.objects.filter(kind=Mailing.Kind.CORRECTION).exists()


def test_a_ticked_correction_starts_the_notice_after_it_commits(
    client, reviewer, published_day, notices, django_capture_on_commit_callbacks
):
    as_user(client, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = correct(client, published_day, notify="on")
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert notices == [(correction, reviewer)]
    event = DigestEvent.objects.filter(action=DigestEvent.Action.CORRECT).get()
    assert event.note.endswith("(correction notice sent to 2 subscribers)")
    assert any("correction notice is being sent to 2" in m for m in texts(response))


def test_a_notice_that_fails_to_start_leaves_the_correction(
    client, reviewer, published_day, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(correction, user):
        raise RuntimeError("the queue is down")

    monkeypatch.setattr(sending, "start_correction", broken)
    as_user(client, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = correct(client, published_day, notify="on")
    assert response.status_code == 302 and Correction.objects.count() == 1
    assert any("could not be started (RuntimeError)" in m for m in texts(response))


def test_the_notice_box_is_only_for_those_who_may_send(client, published_day, notices):
    corrector = member_with(
        "corrector", "digests.view_digest", "digests.change_digest", "digests.add_correction"
    )
    as_user(client, corrector)
    assert 'name="notify"' not in client.get(change_url(published_day)).content.decode()
    correct(client, published_day, notify="on")
    assert Correction.objects.count() == 1 and notices == []


def test_a_correction_on_a_withdrawn_digest_sends_no_notice(
    client, reviewer, published_day, notices
):
    workflow.withdraw(published_day, reviewer, "撤回。")
    as_user(client, reviewer)
    correct(client, published_day, notify="on")
    assert not Correction.objects.exists() and notices == []


def test_a_digest_never_sent_costs_the_panel_no_query(
    client, reviewer, django_assert_max_num_queries
):
    draft = factories.full_digest(status=Digest.Status.DRAFT, date=datetime.date(2026, 4, 1))
    as_user(client, reviewer)
    with django_assert_max_num_queries(100) as captured:
        html = client.get(change_url(draft)).content.decode()
    assert 'class="help newsletter-none"' in html
    # Known from the digest's own query (an EXISTS): no query of the mailings.
    assert not [
        q for q in captured.captured_queries if q["sql"].startswith('SELECT "digests_mailing"')
    ]
    assert mail.outbox == []
