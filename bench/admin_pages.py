"""Time the desk's digest change page: open it and save it, for 13 and for MAX_ITEMS items.

    .venv/bin/python bench/admin_pages.py [--rounds 7]

Runs in one process with Django's test client against a throw-away test
database (SQLite in memory, or PostgreSQL with ``DATABASE_URL``), as a
reviewer opening a draft (as the desk works), and prints the page's size, the
median and the slowest round of each. The tests pin
the query counts (tests/test_admin.py); this reports the time, which on a
shared machine is only meaningful as measured here, in a quiet moment.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings_test")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    settings.NEWSROOM_FETCH_MODE = "FETCH_PEERS"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from django.contrib.auth import get_user_model
        from django.test import Client

        from digests.briefing.grammar import MAX_ITEMS
        from digests.roles import assign_role
        from tests import factories
        from tests.formdata import form_data

        user = get_user_model().objects.create_user("bench", "bench@newsroom.test", "x")
        user.is_staff = True
        user.save()
        assign_role(user, "reviewer")
        client = Client()
        client.force_login(user)
        for count in (13, MAX_ITEMS):
            digest = factories.full_digest(items=count)
            url = reverse("admin:digests_digest_change", args=[digest.pk])
            client.get(url)  # warm: templates, the tokenizer's dictionary
            opened, saved = [], []
            for n in range(args.rounds):
                started = time.perf_counter()
                page = client.get(url)
                opened.append(time.perf_counter() - started)
                data = form_data(page.content, form_id="digest_form")
                data[f"items-{count - 1}-title"] = f"第{n}次改过的标题"
                started = time.perf_counter()
                response = client.post(url, data)
                saved.append(time.perf_counter() - started)
                assert response.status_code == 302, response.status_code
            ms = {"open": [t * 1000 for t in opened], "save": [t * 1000 for t in saved]}
            print(
                f"{count:>3} items, page {len(page.content) / 1024:.0f} KB: "
                + ", ".join(
                    f"{name} p50 {statistics.median(t):.0f} ms (max {max(t):.0f})"
                    for name, t in ms.items()
                )
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
