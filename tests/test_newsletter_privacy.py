"""Privacy (issue 11, point 8): one subscriber's data exported as JSON, or erased."""

import datetime
import io
import json

import pytest
import time_machine
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from digests.models import Delivery, Digest, Mailing, Subscriber
from tests import factories

pytestmark = pytest.mark.django_db
D = Delivery.State
SIGNED_UP = datetime.datetime(2026, 2, 20, 8, 30, tzinfo=datetime.UTC)


@pytest.fixture
def reader(admin_user):
    ai = factories.category("AI技术动态")
    chips = factories.category("芯片")
    with time_machine.travel(SIGNED_UP, tick=False):
        reader = Subscriber.objects.create(
            email="Wang.Fang@Example.com",
            state=Subscriber.State.ACTIVE,
            language="zh-hans",
            consent_at=SIGNED_UP,
            confirmed_at=SIGNED_UP,
            consent_source="/2026-02-19/",
            confirmations_sent=1,
        )
    reader.sections.set([chips, ai])
    first = factories.digest(date=datetime.date(2026, 3, 1), status=Digest.Status.PUBLISHED)
    second = factories.digest(date=datetime.date(2026, 3, 2), status=Digest.Status.PUBLISHED)
    for digest, state in [(second, D.QUEUED), (first, D.SENT)]:
        mailing = Mailing.objects.create(digest=digest)
        Delivery.objects.create(
            mailing=mailing,
            digest=digest,
            kind="issue",
            subscriber=reader,
            state=state,
            message_id=f"<{digest.date}@newsroom.test>",
            sent_at=SIGNED_UP if state == D.SENT else None,
        )
    LogEntry.objects.log_actions(
        admin_user.pk, [reader], CHANGE, change_message="state", single_object=True
    )
    return reader


def run(*args):
    out = io.StringIO()
    call_command("newsletter_subscriber", *args, stdout=out)
    return out.getvalue()


def test_export_prints_the_subscribers_data_as_json(reader):
    data = json.loads(run("export", "wang.fang@example.com"))  # any case
    assert data["email"] == "Wang.Fang@Example.com"
    assert data["state"] == "active" and data["language"] == "zh-hans"
    assert data["sections"] == ["AI技术动态", "芯片"]
    assert data["consent"] == {"given": "2026-02-20T08:30:00+00:00", "source": "/2026-02-19/"}
    assert data["signed_up"] == "2026-02-20T08:30:00+00:00"
    assert [(d["digest"], d["kind"], d["state"]) for d in data["deliveries"]] == [
        ("2026-03-01", "issue", "sent"),
        ("2026-03-02", "issue", "queued"),
    ]
    assert data["deliveries"][0]["sent"] == "2026-02-20T08:30:00+00:00"
    text = json.dumps(data)
    # No internal keys: not the link key, row ids or the provider's message ids.
    assert reader.key.hex not in text and str(reader.key) not in text
    assert "newsroom.test" not in text and '"id"' not in text and '"key"' not in text


def test_an_unknown_address_is_a_clear_error(reader):
    with pytest.raises(CommandError, match=r"No subscriber has the address 'nobody@example\.com'"):
        run("export", "nobody@example.com")
    with pytest.raises(CommandError, match="No subscriber"):
        run("erase", "nobody@example.com", "--no-input")
    assert Subscriber.objects.count() == 1


def test_erase_without_asking_deletes_the_subscriber_and_their_deliveries(reader):
    other = Subscriber.objects.create(email="li@example.com", state="active")
    Delivery.objects.create(
        mailing=Mailing.objects.first(),
        digest=Mailing.objects.first().digest,
        kind="issue",
        subscriber=other,
    )
    output = run("erase", "WANG.FANG@EXAMPLE.COM", "--no-input")
    assert "Erased Wang.Fang@Example.com: 1 subscriber, 2 deliveries, 2 section choices" in output
    assert "1 admin history lines" in output
    assert list(Subscriber.objects.all()) == [other]
    assert list(Delivery.objects.values_list("subscriber", flat=True)) == [other.pk]
    assert Mailing.objects.count() == 2  # the sending record stays, without this reader
    subscriber_type = ContentType.objects.get_for_model(Subscriber)
    assert not LogEntry.objects.filter(content_type=subscriber_type).exists()


def test_erase_asks_first(reader, monkeypatch):
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "no")
    with pytest.raises(CommandError, match="Nothing erased"):
        run("erase", "wang.fang@example.com")
    assert Subscriber.objects.count() == 1 and Delivery.objects.count() == 2
    assert "Wang.Fang@Example.com and 2 deliveries" in asked[0]

    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert "Erased" in run("erase", "wang.fang@example.com")
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()


def test_erase_with_no_one_to_answer_erases_nothing(reader, monkeypatch):
    def closed_stdin(prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", closed_stdin)
    with pytest.raises(CommandError, match="use --no-input"):
        run("erase", "wang.fang@example.com")
    assert Subscriber.objects.count() == 1
