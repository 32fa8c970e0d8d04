"""make run's demo data: a week of briefings, published, and the demo accounts."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from digests.briefing import parse_text
from digests.demo import demo_files
from digests.models import Digest

pytestmark = pytest.mark.django_db


def test_demo_briefings_are_a_week_of_consecutive_days():
    dates = [parse_text(path.read_bytes()).date for path in demo_files()]
    assert len(dates) == 7
    assert [(b - a).days for a, b in itertools.pairwise(dates)] == [1] * 6


def test_load_demo_publishes_every_briefing_and_keeps_data_on_rerun(settings, capsys, tmp_path):
    settings.DEBUG = True
    settings.NEWSROOM_DEMO_ACCOUNTS_FILE = tmp_path / "accounts.txt"
    call_command("load_demo")
    first = capsys.readouterr().out
    assert Digest.objects.published().count() == 7
    assert "Demo accounts" in first
    users = get_user_model().objects.filter(username__in=["editor", "reviewer", "admin"])
    assert users.count() == 3
    items = sum(d.items.count() for d in Digest.objects.all())

    call_command("load_demo")
    again = capsys.readouterr().out
    assert Digest.objects.count() == 7
    assert sum(d.items.count() for d in Digest.objects.all()) == items
    assert "already exist" in again
    passwords = (tmp_path / "accounts.txt").read_text().split()
    assert passwords[:2] == ["editor", "editor"] and len(passwords) == 9


def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development"):
        call_command("load_demo")
    assert not Digest.objects.exists()
