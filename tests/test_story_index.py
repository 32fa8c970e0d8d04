"""The story index: bands written by every writer of items, and the lookup of earlier items."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from digests import search
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import Digest, Item
from digests.models.memory import StoryBand
from digests.story import similarity
from digests.story.index import MAX_TEXT, similar_items
from tests import factories
from tests.formdata import form_data
from tests.story_pairs import GROUPS

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


def add(digest, text, position=1):
    """An item from a labelled-set text ("topic-headline", then the body), indexed."""
    heading, body = text.split("\n", 1)
    topic, title = heading.split("-", 1)
    item = Item.objects.create(
        digest=digest,
        category=factories.category(),
        position=position,
        topic=topic,
        title=title,
        body=body,
    )
    search.index_items([item])
    return item


def published(date):
    return factories.digest(date=date, status=Digest.Status.PUBLISHED)


def bands_of(item):
    return set(StoryBand.objects.filter(item=item).values_list("band", "value"))


def test_import_writes_the_bands_of_every_item():
    text = f"每日科技新闻速览({DAY.isoformat()})\n芯片与硬件\n{GROUPS[0][0]}\n来源:新华网\n"
    text += f"{GROUPS[1][0]}\n来源:新华网\n"
    digest = import_briefing(parse_text(text))
    items = list(digest.items.all())
    assert len(items) == 2
    for item in items:
        expected = similarity.bands(
            similarity.stored_features(item.search_title, item.search_body)
        )
        assert len(expected) == similarity.BANDS
        assert bands_of(item) == set(expected)


def test_an_admin_save_rewrites_the_bands_and_a_deleted_item_takes_them_along(client, admin_user):
    client.force_login(admin_user)
    digest = factories.full_digest(items=2)
    first, second = digest.items.all()
    url = reverse("admin:digests_digest_change", args=[digest.pk])
    data = form_data(client.get(url).content, form_id="digest_form")
    heading, body = GROUPS[2][0].split("\n", 1)
    data["items-0-title"] = heading.split("-", 1)[1]
    data["items-0-body"] = body
    data["items-1-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302
    edited = Item.objects.get(pk=first.pk)
    assert "朱雀" in edited.title
    wanted = similarity.stored_features(edited.search_title, edited.search_body)
    assert bands_of(edited) == set(similarity.bands(wanted))
    assert not Item.objects.filter(pk=second.pk).exists()
    assert StoryBand.objects.filter(item_id=second.pk).count() == 0
    assert StoryBand.objects.count() == similarity.BANDS


def test_an_item_without_words_has_no_bands():
    item = add(factories.digest(date=DAY), "的-了了\n的。")
    assert bands_of(item) == set()
    assert similar_items(item) == []


def test_a_re_report_days_later_is_found_and_an_unrelated_item_is_not():
    first_day = published(DAY)
    earlier = [add(first_day, group[0], n) for n, group in enumerate(GROUPS[:6], 1)]
    later = factories.digest(date=DAY + datetime.timedelta(days=4))
    again = add(later, GROUPS[0][1])
    other = add(later, GROUPS[0][2], 2)
    found = similar_items(again)
    assert [item for item, _ in found] == [earlier[0]]
    score = found[0][1]
    assert similarity.THRESHOLD <= score <= 1
    assert found[0][0].digest.date == DAY  # the digest comes along: no query for it
    assert similar_items(other) == []


def test_a_text_is_compared_as_an_item_is():
    first = add(published(DAY), GROUPS[3][0])
    with time_machine.travel(datetime.datetime(2026, 3, 12, 9, tzinfo=datetime.UTC)):
        found = similar_items(GROUPS[3][1])
        assert [item for item, _ in found] == [first]
        assert similar_items(GROUPS[3][1], exclude_digest=first.digest) == []
        assert similar_items(GROUPS[3][2]) == []


def test_days_bounds_how_far_back_it_looks():
    first = add(published(DAY), GROUPS[4][0])
    later = factories.digest(date=DAY + datetime.timedelta(days=40))
    again = add(later, GROUPS[4][1])
    assert similar_items(again) == []  # 30 days by default
    assert [item for item, _ in similar_items(again, days=40)] == [first]
    assert [item for item, _ in similar_items(again, days=None)] == [first]
    assert similar_items(again, days=39) == []


def test_only_earlier_days_count_not_later_ones():
    later = add(published(DAY + datetime.timedelta(days=2)), GROUPS[5][1])
    first = add(published(DAY), GROUPS[5][0])
    assert similar_items(first) == []
    assert [item for item, _ in similar_items(later)] == [first]


@pytest.mark.parametrize(
    "status", [Digest.Status.DRAFT, Digest.Status.SCHEDULED, Digest.Status.UNPUBLISHED]
)
def test_unpublished_items_are_never_returned(status):
    hidden = add(factories.digest(date=DAY, status=status), GROUPS[6][0])
    again = add(factories.digest(date=DAY + datetime.timedelta(days=3)), GROUPS[6][1])
    assert similar_items(again) == []
    assert [item for item, _ in similar_items(again, published_only=False)] == [hidden]


def test_the_item_itself_and_its_own_digest_are_never_returned():
    digest = published(DAY)
    first = add(digest, GROUPS[7][0])
    again = add(digest, GROUPS[7][1], 2)
    assert similar_items(first, days=None) == []
    assert similar_items(again, days=None) == []


def test_best_first_and_limited():
    day = published(DAY)
    texts = [GROUPS[8][0], GROUPS[8][1], GROUPS[8][0] + "双方表示合作顺利。"]
    items = [add(day, text, n) for n, text in enumerate(texts, 1)]
    again = add(factories.digest(date=DAY + datetime.timedelta(days=1)), GROUPS[8][0])
    found = similar_items(again)
    assert [item for item, _ in found][:1] == [items[0]]
    assert [score for _, score in found] == sorted((score for _, score in found), reverse=True)
    assert len(similar_items(again, limit=1)) == 1
    assert similar_items(again, limit=0) == []


def test_a_long_text_is_compared_by_its_beginning():
    first = add(published(DAY), GROUPS[11][0])
    text = GROUPS[11][1] + "。" * MAX_TEXT + GROUPS[12][0]
    with time_machine.travel(datetime.datetime(2026, 3, 12, 9, tzinfo=datetime.UTC)):
        assert [item for item, _ in similar_items(text)] == [first]
        assert similar_items("。" * MAX_TEXT + GROUPS[11][1]) == []


def archive(days, per_day=3):
    """``days`` published days of unrelated items, and the first report of GROUPS[9]."""
    first = add(published(DAY - datetime.timedelta(days=1)), GROUPS[9][0])
    n = 0
    for day in range(2, days + 2):
        digest = published(DAY - datetime.timedelta(days=day))
        for _ in range(per_day):
            text = GROUPS[10 + n % (len(GROUPS) - 10)][n % 3]
            add(digest, text + f"第{n}条。", n)
            n += 1
    return first


@pytest.mark.parametrize("days", [3, 100])
def test_the_lookup_takes_the_same_queries_whatever_the_archive(days, django_assert_num_queries):
    first = archive(days)
    again = add(factories.digest(date=DAY + datetime.timedelta(days=1)), GROUPS[9][1])
    again = Item.objects.get(pk=again.pk)  # as the desk has it: its digest not loaded
    # 1. the item's tokens and day; 2. the items sharing bands, with their digests.
    with django_assert_num_queries(2):
        found = similar_items(again, days=None)
    assert [item for item, _ in found] == [first]
    loaded = Item.objects.select_related("digest").get(pk=again.pk)
    # The item and its digest at hand, the desk's window: one query, the items of the
    # window sharing bands, with their digests.
    with django_assert_num_queries(1):
        assert [item for item, _ in similar_items(loaded)] == [first]


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="PostgreSQL reads tables of a few rows whole: bench/story.py checks its plan at scale",
)
@pytest.mark.parametrize("days", [None, 30])
def test_the_lookup_asks_the_band_index(days):
    """SQLite's plan: the bands through ``storyband_window`` (for the desk's window, a
    range of its days), then each row's item and digest by key."""
    archive(5)
    again = add(factories.digest(date=DAY + datetime.timedelta(days=1)), GROUPS[9][1])
    with CaptureQueriesContext(connection) as queries:
        similar_items(again, days=days)
    lookup = queries.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {lookup}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "storyband_window" in plan
    if days is not None:
        assert "day>? AND day<?" in plan.replace("=", "")


def test_the_bands_follow_their_digests_day():
    """The bands carry their item's day, and move with it when the digest's date changes
    (the admin's save reindexes the digest): the window finds the item at its new day."""
    first = archive(1)
    digest = first.digest
    first_day = DAY - datetime.timedelta(days=1)
    assert set(StoryBand.objects.filter(item=first).values_list("day", flat=True)) == {first_day}
    digest.date = DAY - datetime.timedelta(days=200)
    digest.save(update_fields=["date"])
    search.reindex_digest(digest)
    moved = set(StoryBand.objects.filter(item=first).values_list("day", flat=True))
    assert moved == {digest.date}
    again = add(factories.digest(date=DAY + datetime.timedelta(days=1)), GROUPS[9][1])
    assert similar_items(again) == []  # 201 days back: outside the desk's window
    assert [item for item, _ in similar_items(again, days=None)] == [first]


def test_rebuild_story_index_rewrites_every_item_and_resumes(capsys):
    day = published(DAY)
    items = [add(day, group[0], n) for n, group in enumerate(GROUPS[:3], 1)]
    StoryBand.objects.all().delete()
    call_command("rebuild_story_index", "--after", str(items[0].pk), "--batch", "1")
    assert StoryBand.objects.filter(item=items[0]).count() == 0
    assert StoryBand.objects.count() == 2 * similarity.BANDS
    call_command("rebuild_story_index")
    assert StoryBand.objects.count() == 3 * similarity.BANDS
    assert f"up to id {items[-1].pk}" in capsys.readouterr().out
