"""The desk's inbox of candidates: the list, its filters and buttons, the section and topic
guesses, and "add to today's draft" (digests.ingest.inbox, digests.ingest.guess)."""

import datetime
import hashlib
import itertools
from urllib.parse import unquote

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation

from digests import history
from digests.briefing import grammar
from digests.ingest import guess, inbox
from digests.models import Candidate, Category, Digest, DigestEvent, EditLock, Item
from tests import factories
from tests.conftest import as_user

pytestmark = pytest.mark.django_db

S = Digest.Status
C = Candidate.State
# 07:00 on 2026-03-10 in Shanghai: the editorial day is the 10th.
MORNING = datetime.datetime(2026, 3, 9, 23, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 10)
INBOX = "/admin/digests/candidate/"
HANDLE = "/admin/digests/candidate/handle/"
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def morning():
    with time_machine.travel(MORNING, tick=False):
        yield


@pytest.fixture
def section():
    return factories.category("AI技术动态")


@pytest.fixture
def other_section():
    return factories.category("政策与资本动向")


@pytest.fixture
def feed():
    return factories.source("机器之心", feed_url="https://jiqizhixin.example/rss")


def candidate(source, title=None, *, hours_ago=0, **fields):
    """A candidate as the fetcher would store it, fetched ``hours_ago`` hours ago."""
    n = next(_numbers)
    moment = timezone.now() - datetime.timedelta(hours=hours_ago)
    link = fields.pop("link", f"https://news.example/{n}")
    row = Candidate.objects.create(
        source=source,
        title=title or f"第{n}条候选新闻",
        summary=fields.pop("summary", f"第{n}条候选新闻的摘要。"),
        link=link,
        link_key=hashlib.sha256(link.encode()).hexdigest(),
        published_at=fields.pop("published_at", moment),
        **fields,
    )
    if hours_ago:
        Candidate.objects.filter(pk=row.pk).update(fetched_at=moment)
        row.refresh_from_db()
    return row


def titles(response):
    return [row.title for row in response.context["cl"].result_list]


# --- who sees the inbox -------------------------------------------------------------------


def test_editors_see_the_inbox_anonymous_visitors_do_not(client, editor, feed):
    candidate(feed, "国产大模型开源发布")
    assert client.get(INBOX).status_code == 302  # to the login page
    assert "/admin/login/" in client.get(INBOX)["Location"]
    response = as_user(client, editor).get(INBOX)
    assert response.status_code == 200
    assert titles(response) == ["国产大模型开源发布"]


def test_staff_without_the_inbox_permission_is_refused(client, feed):
    clerk = get_user_model().objects.create_user("clerk", password="pw", is_staff=True)
    candidate(feed)
    assert as_user(client, clerk).get(INBOX).status_code == 403
    assert as_user(client, clerk).post(HANDLE, {"used": "1"}).status_code == 403


def test_a_candidate_page_is_read_only_and_nothing_is_added_or_deleted(client, editor, feed):
    row = candidate(feed)
    me = as_user(client, editor)
    page = me.get(reverse("admin:digests_candidate_change", args=[row.pk]))
    assert page.status_code == 200 and b'name="title"' not in page.content
    assert me.get(reverse("admin:digests_candidate_add")).status_code == 403
    assert me.get(reverse("admin:digests_candidate_delete", args=[row.pk])).status_code == 403


# --- the list: defaults, filters, search, columns -------------------------------------------


def test_it_opens_on_todays_new_candidates_newest_first(client, editor, feed):
    earlier = timezone.now() - datetime.timedelta(hours=3)
    candidate(feed, "三小时前发布", published_at=earlier)
    candidate(feed, "刚刚发布")
    candidate(feed, "前天抓取", hours_ago=30)
    candidate(feed, "已忽略", state=C.DISMISSED)
    candidate(feed, "已采用", state=C.USED)
    me = as_user(client, editor)
    assert titles(me.get(INBOX)) == ["刚刚发布", "三小时前发布"]
    assert titles(me.get(INBOX + "?fetched=week")) == ["刚刚发布", "三小时前发布", "前天抓取"]
    assert titles(me.get(INBOX + "?state=dismissed")) == ["已忽略"]
    assert len(titles(me.get(INBOX + "?state=all&fetched=all"))) == 5


def test_filter_by_source_and_by_being_in_a_draft(client, editor, feed, section):
    other = factories.source("IT之家")
    mine, theirs = candidate(feed, "机器之心的"), candidate(other, "IT之家的")
    draft = factories.digest(date=TODAY)
    published = factories.full_digest(date=TODAY - datetime.timedelta(days=1), status=S.PUBLISHED)
    used = candidate(feed, "已进草稿", item=factories.item(draft, category=section))
    done = candidate(feed, "已发布", item=published.items.first())
    me = as_user(client, editor)
    assert titles(me.get(f"{INBOX}?source__id__exact={other.pk}")) == [theirs.title]
    assert titles(me.get(f"{INBOX}?in_draft=draft")) == [used.title]
    assert titles(me.get(f"{INBOX}?in_draft=published")) == [done.title]
    assert set(titles(me.get(f"{INBOX}?in_draft=no"))) == {mine.title, theirs.title}


def test_search_finds_title_and_summary_words_over_every_kept_day(client, editor, feed):
    candidate(feed, "人形机器人量产", hours_ago=24 * 20)
    candidate(feed, "芯片出口", summary="涉及机器人关节的芯片")
    candidate(feed, "卫星发射")
    found = titles(as_user(client, editor).get(INBOX + "?q=机器人"))
    assert sorted(found) == sorted(["人形机器人量产", "芯片出口"])


def test_columns_link_out_safely_show_the_draft_and_the_same_story(client, editor, feed, section):
    draft = factories.digest(date=TODAY)
    published = factories.full_digest(date=TODAY - datetime.timedelta(days=1), status=S.PUBLISHED)
    first = candidate(feed, "原始报道", link="https://a.example/story?id=1")
    candidate(factories.source("IT之家"), "转载报道", duplicate_of=first)
    candidate(feed, "在草稿里", item=factories.item(draft, category=section), state=C.USED)
    candidate(feed, "已见报", item=published.items.first(), state=C.USED)
    candidate(feed, "坏链接", link="javascript:alert(1)")
    page = as_user(client, editor).get(INBOX + "?state=all").content.decode()
    assert (
        '<a class="inbox-link" href="https://a.example/story?id=1" target="_blank" '
        'rel="noopener noreferrer">原始报道</a>' in page
    )
    assert 'href="javascript:' not in page
    assert 'class="inbox-same">Same story as 原始报道 (机器之心)' in page
    draft_url = reverse("admin:digests_digest_change", args=[draft.pk])
    assert f'<a class="inbox-draft" href="{draft_url}">2026-03-10</a>' in page
    assert '<a class="inbox-published" href="/' in page and "published 2026-03-09" in page


@pytest.mark.parametrize("rows", [3, 30])
def test_the_inbox_makes_the_same_queries_for_3_or_30_candidates(
    client, editor, feed, section, rows, django_assert_num_queries
):
    sources = [feed, factories.source("IT之家")]
    draft = factories.digest(date=TODAY)
    for origin in sources:  # each source's habit: the section
        factories.item(draft, category=section, source=origin)
    for n in range(rows):
        candidate(
            sources[n % 2],
            item=factories.item(draft, category=section, source=sources[n % 2])
            if n % 3 == 0
            else None,
            duplicate_of=Candidate.objects.first() if n % 5 == 4 else None,
        )
    me = as_user(client, editor)
    me.get(INBOX)  # the session's first touch; the section guesses are written
    # session, user, permissions (user's own, groups'); the source filter's sources
    # (those with candidates, a subquery); the page's count, the page of candidates
    # with their sources, items' digests and the same-story candidates and their
    # sources (joins); the active sections (the selects); the review badge's count.
    # (A page with candidates still unguessed adds guess.fill's four or five.)
    with django_assert_num_queries(9):
        response = me.get(INBOX + "?state=all")
    assert len(response.context["cl"].result_list) == rows
    assert all(row.section_guess_id == section.pk for row in response.context["cl"].result_list)


# --- marking used and dismissed ------------------------------------------------------------


def test_bulk_actions_mark_used_dismissed_and_new_again_recording_who(client, editor, feed):
    rows = [candidate(feed) for _ in range(3)]
    me = as_user(client, editor)
    data = {"action": "mark_dismissed", "_selected_action": [rows[0].pk, rows[1].pk]}
    assert me.post(INBOX, data).status_code == 302
    assert {row.state for row in Candidate.objects.filter(pk__in=data["_selected_action"])} == {
        C.DISMISSED
    }
    dismissed = Candidate.objects.get(pk=rows[0].pk)
    assert dismissed.handled_by == editor and dismissed.handled_at == timezone.now()
    me.post(INBOX, {"action": "mark_used", "_selected_action": [rows[2].pk]})
    assert Candidate.objects.get(pk=rows[2].pk).state == C.USED
    # Bulk actions apply to the rows the list shows: the dismissed ones, to put one back.
    me.post(INBOX + "?state=dismissed", {"action": "mark_new", "_selected_action": [rows[0].pk]})
    assert Candidate.objects.get(pk=rows[0].pk).state == C.NEW


@pytest.mark.parametrize(("button", "state"), [("used", C.USED), ("dismiss", C.DISMISSED)])
def test_a_rows_button_marks_it_and_returns_to_the_inbox_as_it_was(
    client, editor, feed, button, state
):
    row = candidate(feed, "按钮测试")
    back = INBOX + "?fetched=week&q=按钮"
    response = as_user(client, editor).post(HANDLE, {button: str(row.pk), "next": back})
    assert response.status_code == 302 and unquote(response["Location"]) == back
    row.refresh_from_db()
    assert (row.state, row.handled_by) == (state, editor)


def test_the_buttons_take_posts_only_and_ignore_forged_addresses(client, editor, feed):
    row = candidate(feed)
    me = as_user(client, editor)
    page = me.get(INBOX).content.decode()
    assert f'form="inbox-rows" class="inbox-add default" name="add" value="{row.pk}"' in page
    assert '<form id="inbox-rows" method="post" action="/admin/digests/candidate/handle/">' in page
    assert me.get(HANDLE).status_code == 405
    response = me.post(HANDLE, {"used": str(row.pk), "next": "https://evil.example/"})
    assert response["Location"] == INBOX
    assert me.post(HANDLE, {"used": "1 OR 1=1"}).status_code == 302  # no such row, no 500
    assert me.post(HANDLE, {"add": "x", "section-x": "y"}).status_code == 302


# --- the section guess --------------------------------------------------------------------


def test_the_guess_is_the_sources_usual_section_in_the_last_90_days(feed, section, other_section):
    recent = factories.digest(date=TODAY - datetime.timedelta(days=5))
    old = factories.digest(date=TODAY - datetime.timedelta(days=100))
    for _ in range(2):
        factories.item(recent, category=other_section, source=feed)
    factories.item(recent, category=section, source=feed)
    for _ in range(5):
        factories.item(old, category=section, source=feed)  # too old to count
    row = candidate(feed, "与栏目名无关的标题")
    assert guess.section_for(row) == other_section
    assert Candidate.objects.get(pk=row.pk).section_guess == other_section


def test_without_history_the_guess_is_the_section_sharing_most_words(feed, section, other_section):
    factories.digest(date=TODAY)
    alias_owner = factories.category("前沿科技突破")
    alias_owner.aliases.create(name="机器人与具身智能")
    topical = factories.digest(date=TODAY - datetime.timedelta(days=3))
    factories.item(topical, category=other_section, topic="资本")  # no source: no habit
    assert guess.section_for(candidate(feed, "北京发布产业扶持政策")) == other_section
    assert guess.section_for(candidate(feed, "具身智能机器人进工厂")) == alias_owner
    assert guess.section_for(candidate(feed, "多模态AI技术新进展")) == section
    assert guess.section_for(candidate(feed, "天气晴朗")) is None


def test_an_inactive_section_is_never_guessed(feed, section):
    recent = factories.digest(date=TODAY - datetime.timedelta(days=1))
    factories.item(recent, category=section, source=feed)
    Category.objects.filter(pk=section.pk).update(is_active=False)
    assert guess.section_for(candidate(feed, "AI技术动态")) is None


@pytest.mark.parametrize("count", [3, 30])
def test_fill_guesses_many_candidates_in_fixed_queries(
    feed, section, other_section, count, django_assert_num_queries
):
    recent = factories.digest(date=TODAY - datetime.timedelta(days=1))
    factories.item(recent, category=section, source=feed)
    no_history = factories.source("无名博客")
    rows = [candidate(feed if n % 2 else no_history, "政策资本新闻") for n in range(count)]
    guess.current_terms()  # the search terms, cached
    # the sources' habits; the sections, their aliases, their recent topics; one UPDATE
    with django_assert_num_queries(5):
        guess.fill(rows)
    assert {row.section_guess_id for row in rows} == {section.pk, other_section.pk}


# --- add to today's draft -----------------------------------------------------------------


def test_add_to_an_existing_draft_puts_the_item_at_the_end_of_its_section(
    editor, feed, section, other_section
):
    draft = factories.digest(date=TODAY, created_by=editor)
    a1 = factories.item(draft, category=section, position=1)
    a2 = factories.item(draft, category=section, position=2, topic="大模型", source=feed)
    b1 = factories.item(draft, category=other_section, position=3)
    row = candidate(
        feed,
        "  国产大模型\n开源发布。",
        summary="第一段。\n\n  第二段。  ",
        link="https://jiqizhixin.example/a/1",
    )
    version = draft.version
    item = inbox.add_to_draft(row, section, editor)
    assert item.digest == draft
    ordered = list(draft.items.order_by("position").values_list("pk", flat=True))
    assert ordered == [a1.pk, a2.pk, item.pk, b1.pk]  # after the section's last item
    item.refresh_from_db()
    assert (item.topic, item.title, item.body) == (
        "大模型",
        "国产大模型 开源发布",
        "第一段。\n第二段。",
    )
    assert (item.source, item.url, item.category) == (
        feed,
        "https://jiqizhixin.example/a/1",
        section,
    )
    assert item.search_title and item.search_version  # the search tokens were written
    assert item.story_bands.exists()  # and the story index, through them
    draft.refresh_from_db()
    assert draft.version == version + 1
    saved = history.versions_of(draft).first()
    assert "国产大模型" in saved.revision.comment and saved.revision.user == editor
    assert DigestEvent.objects.filter(digest=draft, action=DigestEvent.Action.SAVE).exists()
    row.refresh_from_db()
    assert (row.state, row.item, row.handled_by) == (C.USED, item, editor)


def test_add_to_a_day_without_a_digest_creates_the_draft(editor, feed, section):
    item = inbox.add_to_draft(candidate(feed), section, editor)
    digest = Digest.objects.get(date=TODAY)
    assert item.digest == digest and digest.status == S.DRAFT and digest.created_by == editor
    assert item.position == 1 and item.topic == ""  # nothing to guess from: the editor fills it
    assert history.versions_of(digest).count() == 1


def test_add_to_another_day(editor, feed, section):
    later = TODAY + datetime.timedelta(days=1)
    item = inbox.add_to_draft(candidate(feed), section, editor, date=later)
    assert item.digest.date == later


def test_the_topic_comes_from_the_source_then_from_the_section(editor, feed, section):
    recent = factories.digest(date=TODAY - datetime.timedelta(days=2))
    for topic in ["芯片", "芯片", "芯片", "大模型"]:
        factories.item(recent, category=section, topic=topic)
    factories.item(recent, category=section, topic="大模型", source=feed)
    assert guess.topic_for(feed.pk, section, TODAY) == "大模型"
    assert guess.topic_for(factories.source("IT之家").pk, section, TODAY) == "芯片"
    assert inbox.add_to_draft(candidate(feed), section, editor).topic == "大模型"


@pytest.mark.parametrize(
    ("status", "role", "allowed"),
    [
        (S.DRAFT, "editor", True),
        (S.REVIEW, "editor", False),
        (S.REVIEW, "reviewer", True),
        (S.SCHEDULED, "reviewer", False),
        (S.PUBLISHED, "reviewer", False),
        (S.UNPUBLISHED, "reviewer", False),
    ],
)
def test_only_an_editable_day_takes_the_item(request, feed, section, status, role, allowed):
    user = request.getfixturevalue(role)
    factories.digest(date=TODAY, status=status)
    row = candidate(feed)
    if allowed:
        assert inbox.add_to_draft(row, section, user).digest.date == TODAY
        return
    with translation.override("en"), pytest.raises(inbox.AddRefused) as refused:
        inbox.add_to_draft(row, section, user)
    assert "The digest of 2026-03-10 is" in str(refused.value)
    assert "you can't add items to it now" in str(refused.value)
    assert Candidate.objects.get(pk=row.pk).state == C.NEW
    assert not Item.objects.exists()


def test_someone_elses_edit_lock_refuses_the_add(editor, other_editor, feed, section):
    draft = factories.digest(date=TODAY)
    EditLock.objects.create(digest=draft, holder=other_editor)
    with translation.override("en"), pytest.raises(inbox.AddRefused, match="editor2 holds"):
        inbox.add_to_draft(candidate(feed), section, editor)
    EditLock.objects.filter(digest=draft).update(holder=editor)  # my own lock: fine
    assert inbox.add_to_draft(candidate(feed), section, editor).digest == draft


def test_a_candidate_is_added_once_a_full_digest_refuses_and_so_does_an_inactive_section(
    editor, feed, section
):
    row = candidate(feed, "重复点击")
    inbox.add_to_draft(row, section, editor)
    with translation.override("en"), pytest.raises(inbox.AddRefused, match="already an item"):
        inbox.add_to_draft(row, section, editor)
    full = factories.digest(date=TODAY + datetime.timedelta(days=1))
    Item.objects.bulk_create(
        Item(digest=full, category=section, position=n, topic="t", title="t", body="b")
        for n in range(grammar.MAX_ITEMS)
    )
    with translation.override("en"), pytest.raises(inbox.AddRefused, match="the most it may"):
        inbox.add_to_draft(candidate(feed), section, editor, date=full.date)
    Category.objects.filter(pk=section.pk).update(is_active=False)
    section.refresh_from_db()
    with translation.override("en"), pytest.raises(inbox.AddRefused, match="no longer offered"):
        inbox.add_to_draft(candidate(feed), section, editor)


def test_long_titles_and_bodies_are_cut_to_the_items_limits(editor, feed, section):
    row = candidate(feed, "长" * 400, summary="字" * 6000, link="https://x.example/" + "a" * 600)
    item = inbox.add_to_draft(row, section, editor)
    assert len(item.title) == grammar.MAX_HEADLINE
    assert len(item.body) == grammar.MAX_BODY
    assert item.url == ""  # longer than an item's link may be


def test_the_button_adds_it_and_the_inbox_shows_it_in_the_draft(client, editor, feed, section):
    other = factories.category("前沿科技突破")
    row = candidate(feed, "从收件箱加入")
    me = as_user(client, editor)
    response = me.post(
        HANDLE,
        {"add": str(row.pk), f"section-{row.pk}": str(other.pk), "next": INBOX},
        follow=True,
    )
    item = Item.objects.get()
    assert item.category == other and item.digest.date == TODAY
    page = response.content.decode()
    draft_url = reverse("admin:digests_digest_change", args=[item.digest_id])
    assert f'class="inbox-open-draft" href="{draft_url}#item-{item.pk}"' in page
    assert "is now an item of the draft of 2026-03-10" in page
    assert "fix in the item: the topic is empty" in page  # nothing to guess it from
    listed = me.get(INBOX + "?state=used").content.decode()
    assert f'<a class="inbox-draft" href="{draft_url}">2026-03-10</a>' in listed


def test_the_button_shows_a_refusal(client, editor, feed, section):
    factories.digest(date=TODAY, status=S.PUBLISHED)
    row = candidate(feed)
    response = as_user(client, editor).post(
        HANDLE, {"add": str(row.pk), f"section-{row.pk}": str(section.pk)}, follow=True
    )
    assert "is published: you can&#x27;t add items to it now" in response.content.decode()
    assert not Item.objects.exists()


# --- the desk home ------------------------------------------------------------------------


def test_the_desk_home_counts_todays_new_candidates_and_links_to_the_inbox(client, editor, feed):
    candidate(feed)
    candidate(feed)
    candidate(feed, hours_ago=30)
    candidate(feed, state=C.DISMISSED)
    page = as_user(client, editor).get("/admin/").content.decode()
    assert 'id="desk-inbox"' in page
    assert '<span class="desk-count" data-count="2">2</span>' in page.split('id="desk-inbox"')[1]
    assert f'id="desk-inbox-link" href="{INBOX}"' in page
