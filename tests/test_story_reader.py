"""Readers follow the story: 此前报道 / 后续报道 links, the thread page, what they never show."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests import workflow
from digests.models import Digest, Item, ItemLink
from digests.story import public
from tests import factories

pytestmark = pytest.mark.django_db
S = Digest.Status
K = ItemLink.Kind
DAY1, DAY2, DAY3, DAY4 = (datetime.date(2026, 3, d) for d in (10, 11, 12, 13))
UNPUBLISHED = [S.DRAFT, S.REVIEW, S.SCHEDULED, S.UNPUBLISHED]


@pytest.fixture
def no_page_cache(settings):
    """The views on their own; the caches have tests of their own below."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS = 0


def day_with_item(date, status=S.PUBLISHED, title=None):
    digest = factories.full_digest(date=date, status=status, items=2)
    origin = digest.items.first().source  # sourced, so that it passes the edition checks
    item = factories.item(digest, source=origin, title=title or f"{date:%m月%d日}的独有标题")
    return digest, item


def link(later, earlier, kind=K.FOLLOW_UP):
    return ItemLink.objects.create(item=later, earlier=earlier, kind=kind, score=0.8)


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def story_links(html):
    """The (class, href) of each 此前报道 / 后续报道 link on a page, in order."""
    return re.findall(r'<li class="(story-earlier|story-later)">.*?<a href="([^"]+)"', html)


def day_url(date):
    return f"/{date:%Y/%m/%d}/"


# --- links both ways ---------------------------------------------------------------------


def test_a_follow_up_links_back_and_the_earlier_item_links_forward(client, no_page_cache):
    _, earlier = day_with_item(DAY1)
    _, later = day_with_item(DAY4)
    link(later, earlier)
    later_day, later_page = page(client, day_url(DAY4)), page(client, f"/items/{later.pk}/")
    earlier_day, earlier_page = page(client, day_url(DAY1)), page(client, f"/items/{earlier.pk}/")
    assert story_links(later_day) == [("story-earlier", f"/items/{earlier.pk}/")]
    assert story_links(later_page) == [("story-earlier", f"/items/{earlier.pk}/")]
    assert story_links(earlier_day) == [("story-later", f"/items/{later.pk}/")]
    assert story_links(earlier_page) == [("story-later", f"/items/{later.pk}/")]
    # The link shows the other item's day and headline, and leads to the whole story.
    assert '<time datetime="2026-03-10">2026-03-10</time> 03月10日的独有标题' in later_page
    assert '<time datetime="2026-03-13">2026-03-13</time> 03月13日的独有标题' in earlier_page
    assert f'href="/items/{later.pk}/story/"' in later_page
    assert f'href="/items/{earlier.pk}/story/"' in earlier_page
    # Only the linked item of the day carries the links.
    assert later_day.count('class="story-links"') == 1


def test_links_are_labelled_in_chinese_and_in_english(client, no_page_cache):
    _, earlier = day_with_item(DAY1)
    _, later = day_with_item(DAY4)
    link(later, earlier)
    english = page(client, f"/en/items/{later.pk}/")
    assert "Earlier report" in english and "Read the whole story" in english
    assert 'lang="zh-CN"' in page(client, f"/items/{later.pk}/")


def test_several_follow_ups_are_listed_in_date_order(client, no_page_cache):
    _, first = day_with_item(DAY1)
    _, second = day_with_item(DAY2)
    _, third = day_with_item(DAY3)
    _, fourth = day_with_item(DAY4)
    link(fourth, second)
    link(fourth, first)
    link(third, first)
    link(second, first)
    assert story_links(page(client, f"/items/{first.pk}/")) == [
        ("story-later", f"/items/{later.pk}/") for later in (second, third, fourth)
    ]
    assert story_links(page(client, f"/items/{fourth.pk}/")) == [
        ("story-earlier", f"/items/{earlier.pk}/") for earlier in (first, second)
    ]
    assert story_links(page(client, f"/items/{second.pk}/")) == [
        ("story-earlier", f"/items/{first.pk}/"),
        ("story-later", f"/items/{fourth.pk}/"),
    ]


def test_an_item_without_a_story_shows_no_links_and_has_no_thread(client, no_page_cache):
    _, item = day_with_item(DAY1)
    assert 'class="story-links"' not in page(client, f"/items/{item.pk}/")
    assert 'class="story-links"' not in page(client, day_url(DAY1))
    page(client, f"/items/{item.pk}/story/", status=404)


# --- only what readers may see -------------------------------------------------------------


@pytest.mark.parametrize("kind", [K.REPEAT, K.UNRELATED])
def test_repeats_and_unrelated_marks_are_never_shown(client, no_page_cache, kind):
    _, earlier = day_with_item(DAY1)
    _, later = day_with_item(DAY4)
    link(later, earlier, kind)
    for url in (day_url(DAY1), day_url(DAY4), f"/items/{earlier.pk}/", f"/items/{later.pk}/"):
        html = page(client, url)
        assert 'class="story-links"' not in html and "/story/" not in html, url
    page(client, f"/items/{later.pk}/story/", status=404)
    page(client, f"/items/{earlier.pk}/story/", status=404)


@pytest.mark.parametrize("hidden_end", ["earlier", "later"])
@pytest.mark.parametrize("status", UNPUBLISHED)
def test_a_link_to_an_unpublished_item_is_never_shown(client, no_page_cache, status, hidden_end):
    earlier_status, later_status = (
        (status, S.PUBLISHED) if hidden_end == "earlier" else (S.PUBLISHED, status)
    )
    _, earlier = day_with_item(DAY1, earlier_status, title="此前的秘密标题")
    _, later = day_with_item(DAY4, later_status, title="后来的秘密标题")
    link(later, earlier)
    hidden, shown = (earlier, later) if hidden_end == "earlier" else (later, earlier)
    assert Digest.objects.get(pk=hidden.digest_id).status == status
    for url in (shown.digest.get_absolute_url(), f"/items/{shown.pk}/"):
        html = page(client, url)
        assert 'class="story-links"' not in html, url
        assert f"/items/{hidden.pk}/" not in html and hidden.title not in html, url
    page(client, f"/items/{shown.pk}/story/", status=404)
    assert public.thread(shown).items == []
    assert public.attach_links([shown])[0].story_earlier == []
    assert public.attach_links([shown])[0].story_later == []


def test_the_thread_never_walks_through_an_unpublished_item(client, no_page_cache):
    _, first = day_with_item(DAY1)
    _, hidden = day_with_item(DAY2, S.DRAFT, title="草稿里的中间报道")
    _, third = day_with_item(DAY3)
    _, fourth = day_with_item(DAY4)
    link(hidden, first)
    link(third, hidden)
    link(fourth, third)
    html = page(client, f"/items/{fourth.pk}/story/")
    assert [i.pk for i in public.thread(fourth).items] == [third.pk, fourth.pk]
    assert f"/items/{first.pk}/" not in html and "草稿里的中间报道" not in html
    page(client, f"/items/{first.pk}/story/", status=404)


# --- the thread -----------------------------------------------------------------------------


def test_the_thread_reads_the_story_through_the_days(client, no_page_cache):
    _, first = day_with_item(DAY1)
    _, second = day_with_item(DAY2)
    _, third = day_with_item(DAY4)
    _, other = day_with_item(DAY3)  # not part of the story
    link(second, first)
    link(third, second)
    for start in (first, second, third):
        html = page(client, f"/items/{start.pk}/story/")
        steps = re.findall(r'<h2 class="item-row-title"><a href="/items/(\d+)/"', html)
        assert steps == [str(first.pk), str(second.pk), str(third.pk)]
        assert f"/items/{other.pk}/" not in html
        # One address for the story, whichever item it was reached from.
        canonical = f"http://127.0.0.1:8000/items/{first.pk}/story/"
        assert f'<link rel="canonical" href="{canonical}">' in html
        current = re.search(
            r'<li class="story-step story-current" aria-current="page">(.*?)</li>', html, re.S
        )
        assert f'href="/items/{start.pk}/"' in current.group(1)
    assert "2026-03-10" in html and "2026-03-13" in html
    assert first.body[:20] in html


def test_a_cycle_of_links_is_walked_once(client, no_page_cache):
    _, first = day_with_item(DAY1)
    _, second = day_with_item(DAY2)
    link(second, first)
    link(first, second)  # the desk's mistake: each the other's follow-up
    assert [i.pk for i in public.thread(first).items] == [first.pk, second.pk]
    assert not public.thread(first).truncated


def test_branches_of_a_story_are_all_in_its_thread():
    _, first = day_with_item(DAY1)
    _, branch_a = day_with_item(DAY2)
    _, branch_b = day_with_item(DAY3)
    _, end = day_with_item(DAY4)
    link(branch_a, first)
    link(branch_b, first)
    link(end, branch_b)
    assert [i.pk for i in public.thread(branch_a).items] == [
        first.pk,
        branch_a.pk,
        branch_b.pk,
        end.pk,
    ]


def chain(n, start=datetime.date(2025, 1, 1)):
    """``n`` published days, each with one item following the day before's."""
    items = []
    for k in range(n):
        digest = factories.digest(date=start + datetime.timedelta(days=k), status=S.PUBLISHED)
        items.append(factories.item(digest))
        if k:
            link(items[k], items[k - 1])
    return items


def test_the_walk_stops_at_fifty_items_nearest_first(client, no_page_cache):
    items = chain(public.THREAD_LIMIT + 10)
    middle = items[30]
    story = public.thread(middle)
    assert story.truncated and len(story.items) == public.THREAD_LIMIT == 50
    # The 50 nearest to item 30: 25 either side (breadth first), in date order.
    assert [i.pk for i in story.items] == [i.pk for i in items[5:55]]
    html = page(client, f"/items/{middle.pk}/story/")
    assert 'class="notice story-truncated"' in html
    assert html.count('class="story-step') == 50
    shorter = public.thread(items[0], limit=public.THREAD_LIMIT + 10)
    assert not shorter.truncated and len(shorter.items) == 60


def test_a_story_of_exactly_the_limit_is_not_cut():
    items = chain(5)
    story = public.thread(items[0], limit=5)
    assert len(story.items) == 5 and not story.truncated
    assert public.thread(items[0], limit=4).truncated


def test_an_unknown_or_withdrawn_item_has_no_thread_page(client, no_page_cache, reviewer):
    digest, first = day_with_item(DAY1, S.REVIEW)
    _, second = day_with_item(DAY2)
    link(second, first)
    workflow.publish(digest, reviewer)
    page(client, f"/items/{first.pk}/story/")
    workflow.withdraw(digest, reviewer, "来源有误")
    page(client, f"/items/{first.pk}/story/", status=410)
    page(client, "/items/999999/story/", status=404)


# --- query counts ---------------------------------------------------------------------------


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def busy_day():
    """DAY2 with 30 items: 3 follow earlier items, 2 are followed by later ones."""
    _, first = day_with_item(DAY1)
    digest = factories.full_digest(date=DAY2, status=S.PUBLISHED, items=30)
    _, third = day_with_item(DAY3)
    items = list(digest.items.all())
    for k in range(3):
        link(items[k], first)
    link(third, items[10])
    link(third, items[11])
    return digest


@pytest.mark.parametrize("with_links", [False, True])
def test_day_page_queries(client, no_page_cache, django_assert_num_queries, with_links):
    if with_links:
        busy_day()
    else:
        factories.full_digest(date=DAY2, status=S.PUBLISHED, items=30)
    # 1 the digest with the days around it, 2 its items with sections and sources,
    # 3 tags, 4 corrections, 5 analysis, 6 its paragraphs, 7 trend summary, 8 its points,
    # 9 the numeric claims (the analysis' marked numbers), 10 the story links of all the
    # day's items, both ways, with the other ends' day and headline
    # (digests.story.public.attach_links).
    with django_assert_num_queries(10):
        html = client.get(day_url(DAY2)).content.decode()
    assert html.count('class="story-links"') == (5 if with_links else 0)


@pytest.mark.parametrize("with_links", [False, True])
def test_item_page_queries(client, no_page_cache, django_assert_num_queries, with_links):
    digest = busy_day() if with_links else factories.full_digest(date=DAY2, status=S.PUBLISHED)
    item = digest.items.first()
    # 1 the item with its day, section and source (and its day's neighbours, as
    # subqueries), 2 tags, 3 corrections, 4 the topic's other items, 5 its story links.
    with django_assert_num_queries(5):
        html = client.get(f"/items/{item.pk}/").content.decode()
    assert ('class="story-links"' in html) is with_links


def test_thread_page_queries(client, no_page_cache, django_assert_num_queries):
    items = chain(4)
    # 1 the item, 2-4 the walk: a step per link away from it (items 1 and 3, then 0,
    # then none left), 5 the story's items with their days, sections and sources.
    with django_assert_num_queries(5):
        client.get(f"/items/{items[2].pk}/story/")
    # From the first item: the item, a step for each of items 1, 2 and 3 and one that
    # finds no more, the items. The walk costs a query per step, at most THREAD_LIMIT.
    with django_assert_num_queries(6):
        client.get(f"/items/{items[0].pk}/story/")


# --- cached pages ---------------------------------------------------------------------------


@pytest.fixture
def four_days(reviewer, django_capture_on_commit_callbacks):
    """DAY1 to DAY4 published through the workflow; DAY4's item follows DAY1's."""
    days = {}
    for date in (DAY1, DAY2, DAY3, DAY4):
        digest, item = day_with_item(date, S.REVIEW)
        with django_capture_on_commit_callbacks(execute=True):
            workflow.publish(digest, reviewer)
        days[date] = (digest, item)
    link(days[DAY4][1], days[DAY1][1])
    return days


@pytest.mark.parametrize("page_cache", [True, False])
def test_a_withdrawn_earlier_item_vanishes_from_a_cached_later_page(
    client, settings, reviewer, four_days, django_capture_on_commit_callbacks, page_cache
):
    """DAY2 and DAY3 lie between: DAY4's neighbours do not change, only its link does."""
    if not page_cache:
        settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # the kept day page alone (fragments)
    earlier_digest, earlier = four_days[DAY1]
    _, later = four_days[DAY4]
    for url in (day_url(DAY4), f"/items/{later.pk}/"):
        assert f'href="/items/{earlier.pk}/"' in page(client, url)
        assert f'href="/items/{earlier.pk}/"' in page(client, url)  # now from the cache
    if page_cache:
        assert client.get(day_url(DAY4))["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(earlier_digest, reviewer, "来源有误")
    for url in (day_url(DAY4), f"/items/{later.pk}/"):
        html = page(client, url)
        assert f"/items/{earlier.pk}/" not in html and earlier.title not in html, url
        assert 'class="story-links"' not in html


def test_publishing_a_follow_up_adds_the_forward_link_to_a_kept_earlier_page(
    client, settings, reviewer, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    for date in (DAY1, DAY2):
        factories.full_digest(date=date, status=S.PUBLISHED)
    _, earlier = day_with_item(DAY1 - datetime.timedelta(days=1))
    later_digest, later = day_with_item(DAY4, S.REVIEW)
    link(later, earlier)
    url = day_url(DAY1 - datetime.timedelta(days=1))
    assert 'class="story-links"' not in page(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(later_digest, reviewer)
    assert story_links(page(client, url)) == [("story-later", f"/items/{later.pk}/")]


def test_a_kept_day_page_is_rendered_again_only_when_its_links_change(
    client, settings, reviewer, four_days
):
    """The kept page's state: one query still; a link made, re-kinded or removed shows."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    _, earlier = four_days[DAY1]
    _, later = four_days[DAY4]
    url = day_url(DAY4)
    page(client, url)
    assert queries(client, url) == 2  # the day's state (with its links), the counters
    made = link(later, four_days[DAY3][1])
    assert len(story_links(page(client, url))) == 2
    made.kind = K.REPEAT
    made.save()
    assert len(story_links(page(client, url))) == 1
    ItemLink.objects.filter(item=later).delete()
    assert story_links(page(client, url)) == []
    link(later, four_days[DAY2][1])
    assert story_links(page(client, url)) == [
        ("story-earlier", f"/items/{four_days[DAY2][1].pk}/")
    ]
    assert Item.objects.published().filter(pk=earlier.pk).exists()


# --- the worker refreshes the pages a change's story links lead to ---------------------------


def test_a_change_refreshes_the_linked_items_and_their_days(reviewer):
    from digests import refresh

    _, first = day_with_item(DAY1)
    _, hidden = day_with_item(DAY2, S.DRAFT)
    _, repeated = day_with_item(DAY3)
    fourth_digest, fourth = day_with_item(DAY4, S.REVIEW)
    link(fourth, first)
    link(fourth, hidden)
    link(fourth, repeated, K.REPEAT)
    # Whatever the digest's own state: published, it adds the links; withdrawn, it takes
    # them away. Only a follow-up's other end that readers can see.
    assert public.linked_pages(fourth_digest) == [(first.pk, DAY1)]
    pages = refresh.digest_pages(fourth_digest)
    wanted = [f"/items/{first.pk}/", f"/en/items/{first.pk}/", "/2026/03/10/", "/en/2026/03/10/"]
    assert set(wanted) <= set(pages)
    for path in (f"/items/{hidden.pk}/", f"/items/{repeated.pk}/", "/2026/03/11/"):
        assert path not in pages
    # And the other way: day 1's change refreshes day 4's item once day 4 is published.
    assert public.linked_pages(first.digest) == []
    workflow.publish(fourth_digest, reviewer)
    assert public.linked_pages(first.digest) == [(fourth.pk, DAY4)]
