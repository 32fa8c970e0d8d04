"""Review anchored to items: comments on a card, resolve and reopen, the edition check
on open comments, and what changed since changes were requested."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.template.loader import render_to_string
from django.urls import reverse

from digests import edition, history, workflow
from digests.briefing import parse_text
from digests.desk import review
from digests.models import (
    AnalysisParagraph,
    Digest,
    DigestEvent,
    Item,
    ReviewComment,
    TrendSummary,
)
from tests import factories
from tests.conftest import as_user

pytestmark = pytest.mark.django_db
S = Digest.Status
A = ReviewComment.Anchor


def change_url(digest):
    return reverse("admin:digests_digest_change", args=[digest.pk])


def comment_url(digest):
    return reverse("admin:digests_digest_comment", args=[digest.pk])


def resolve_url(comment, name="resolve"):
    return reverse(f"admin:digests_digest_comment_{name}", args=[comment.digest_id, comment.pk])


def card(desk, item=None, anchor="item"):
    """A card's review part, as the change page includes it in each card."""
    return render_to_string(
        "admin/digests/digest/includes/item_review.html",
        {"desk": desk, "item": item, "anchor": anchor},
    )


@pytest.fixture
def clerk(db):
    """Staff who may read digests but not comment."""
    user = get_user_model().objects.create_user("clerk", password="pw-for-tests", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_digest"),
        Permission.objects.get(codename="change_digest"),
    )
    return user


# --- comments anchored to a card ---------------------------------------------------------


def test_a_comment_on_an_item_keeps_its_item_and_heading(client, reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    item = digest.items.all()[1]
    response = as_user(client, reviewer).post(
        comment_url(digest), {"note": "请补充数据来源。", "anchor": "item", "item": item.pk}
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#item-{item.pk}")  # back to the card
    comment = ReviewComment.objects.get()
    assert (comment.anchor, comment.item, comment.anchor_label) == (A.ITEM, item, item.heading)
    assert comment.resolved_at is None


@pytest.mark.parametrize("anchor", ["analysis", "trends"])
def test_a_comment_on_a_closing_block(client, reviewer, anchor):
    digest = factories.full_digest(status=S.REVIEW)
    response = as_user(client, reviewer).post(
        comment_url(digest), {"note": "再写具体些。", "anchor": anchor}
    )
    assert response.url.endswith(f"#block-{anchor}")
    comment = ReviewComment.objects.get()
    assert (comment.anchor, comment.item) == (anchor, None)


def test_a_comment_without_an_anchor_is_on_the_digest(client, editor):
    digest = factories.full_digest()
    response = as_user(client, editor).post(comment_url(digest), {"note": "整体不错。"})
    assert response.url.endswith("#review-thread")
    assert ReviewComment.objects.get().anchor == A.DIGEST


def test_an_item_of_another_digest_is_refused(client, reviewer):
    digest, other = factories.full_digest(), factories.full_digest()
    foreign = other.items.first()
    response = as_user(client, reviewer).post(
        comment_url(digest),
        {"note": "看这里。", "anchor": "item", "item": foreign.pk},
        follow=True,
    )
    assert not ReviewComment.objects.exists()
    assert "That item is not in this digest." in response.content.decode()


@pytest.mark.parametrize("item", ["", "999999", "x"])
def test_an_item_comment_needs_an_item_of_the_digest(client, reviewer, item):
    digest = factories.full_digest()
    as_user(client, reviewer).post(
        comment_url(digest), {"note": "?", "anchor": "item", "item": item}
    )
    assert not ReviewComment.objects.exists()


def test_an_unknown_anchor_is_refused(client, reviewer):
    digest = factories.full_digest()
    as_user(client, reviewer).post(comment_url(digest), {"note": "?", "anchor": "cover"})
    assert not ReviewComment.objects.exists()


def test_commenting_needs_the_permission(client, clerk):
    digest = factories.full_digest()
    item = digest.items.first()
    response = as_user(client, clerk).post(
        comment_url(digest), {"note": "x", "anchor": "item", "item": item.pk}
    )
    assert response.status_code == 403
    assert not ReviewComment.objects.exists()


# --- resolve and reopen -------------------------------------------------------------------


def comment_on(digest, author, item=None, **fields):
    return ReviewComment.objects.create(
        digest=digest,
        author=author,
        body=fields.pop("body", "请修改。"),
        anchor=fields.pop("anchor", A.ITEM if item else A.DIGEST),
        item=item,
        anchor_label=item.heading if item else "",
        **fields,
    )


def test_the_editor_resolves_and_reopens_a_reviewers_comment(client, editor, reviewer):
    digest = factories.full_digest()
    item = digest.items.first()
    comment = comment_on(digest, reviewer, item)
    as_user(client, editor)
    response = client.post(resolve_url(comment))
    assert response.url.endswith(f"#item-{item.pk}")
    comment.refresh_from_db()
    assert comment.resolved_by == editor and comment.resolved_at is not None
    client.post(resolve_url(comment, "reopen"))
    comment.refresh_from_db()
    assert (comment.resolved_by, comment.resolved_at) == (None, None)


def test_resolving_twice_keeps_the_first_resolution(client, editor, reviewer):
    digest = factories.full_digest()
    comment = comment_on(digest, reviewer)
    as_user(client, reviewer).post(resolve_url(comment))
    first = ReviewComment.objects.get().resolved_at
    as_user(client, editor).post(resolve_url(comment))
    comment.refresh_from_db()
    assert (comment.resolved_by, comment.resolved_at) == (reviewer, first)


def test_resolving_needs_the_permission(client, clerk, reviewer):
    comment = comment_on(factories.full_digest(), reviewer)
    as_user(client, clerk)
    assert client.post(resolve_url(comment)).status_code == 403
    comment.refresh_from_db()
    assert comment.resolved_at is None
    comment.resolved_at = comment.created_at
    comment.save()
    assert client.post(resolve_url(comment, "reopen")).status_code == 403
    comment.refresh_from_db()
    assert comment.resolved_at is not None


def test_resolve_is_post_only_and_checks_the_digest(client, editor, reviewer):
    digest, other = factories.full_digest(), factories.full_digest()
    comment = comment_on(digest, reviewer)
    as_user(client, editor)
    assert client.get(resolve_url(comment)).status_code == 405
    wrong = reverse("admin:digests_digest_comment_resolve", args=[other.pk, comment.pk])
    assert client.post(wrong).status_code == 404
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_the_request_for_changes_is_resolvable_like_any_comment(client, editor, reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    workflow.request_changes(digest, reviewer, "第二条写得太长。")
    changes = ReviewComment.objects.get(kind=ReviewComment.Kind.CHANGES)
    as_user(client, editor).post(resolve_url(changes))
    changes.refresh_from_db()
    assert changes.resolved_by == editor


# --- on the page --------------------------------------------------------------------------


def test_cards_show_open_comments_and_fold_resolved_ones(client, editor, reviewer):
    digest = factories.full_digest()
    first, second, _third = digest.items.all()
    comment_on(digest, reviewer, first, body="标题太长。")
    for text in ("来源呢?", "已改。"):
        done = comment_on(digest, reviewer, first, body=text)
        done.resolved_by, done.resolved_at = editor, done.created_at
        done.save()
    comment_on(digest, reviewer, anchor=A.ANALYSIS, body="分析要有数据。")
    desk = as_user(client, editor).get(change_url(digest)).context["desk"]

    html = card(desk, first)
    assert html.count('class="comment comment-comment"') == 1
    assert "标题太长。" in html and "review-resolve" in html
    assert re.search(r"<summary>2 resolved</summary>", html)
    assert html.count("review-reopen") == 2
    assert f'href="?review_on={first.pk}#review-compose"' in html
    assert "comment" not in card(desk, second).replace("review-compose", "")
    assert "分析要有数据。" in card(desk, anchor="analysis")
    assert card(desk, anchor="trends").count("<li") == 0
    assert card(desk, None) == ""  # a new item's card (not saved yet) has nothing


def test_an_empty_card_costs_little(client, editor):
    digest = factories.full_digest()
    response = as_user(client, editor).get(change_url(digest))
    html = card(response.context["desk"], digest.items.first())
    assert len(html.encode()) <= 300, html


def test_nothing_to_comment_with_for_someone_without_the_permission(client, clerk):
    digest = factories.full_digest()
    response = as_user(client, clerk).get(change_url(digest))
    assert "review-add" not in card(response.context["desk"], digest.items.first())
    assert 'id="review-compose"' not in response.content.decode()


def test_the_thread_lists_open_comments_first_with_links_to_their_cards(client, reviewer):
    digest = factories.full_digest()
    first, second, _third = digest.items.all()
    early = comment_on(digest, reviewer, first, body="早的,已解决。")
    early.resolved_by, early.resolved_at = reviewer, early.created_at
    early.save()
    comment_on(digest, reviewer, second, body="第二条的意见。")
    comment_on(digest, reviewer, anchor=A.TRENDS, body="趋势的意见。")
    gone = comment_on(digest, reviewer, first, body="被删那条的意见。")
    gone_heading = first.heading
    Item.objects.filter(pk=first.pk).delete()

    response = as_user(client, reviewer).get(change_url(digest))
    page = response.content.decode()
    thread = page[page.index('id="review-thread"') :]
    order = [thread.index(t) for t in ("第二条的意见。", "趋势的意见。", "被删那条的意见。")]
    assert order == sorted(order) and thread.index("早的,已解决。") > order[-1]
    assert f'<a href="#item-{second.pk}">{second.heading}</a>' in thread
    assert '<a href="#block-trends">' in thread
    assert f"on a removed item: {gone_heading}" in thread
    assert 'data-open="3"' in thread and "3 open" in thread
    assert gone.pk  # still there, its item gone
    assert ReviewComment.objects.get(pk=gone.pk).item is None


def test_without_scripts_the_card_link_points_the_comment_box(client, reviewer):
    digest = factories.full_digest()
    item = digest.items.first()
    as_user(client, reviewer)
    page = client.get(change_url(digest) + f"?review_on={item.pk}").content.decode()
    assert f'name="item" value="{item.pk}"' in page
    assert 'name="anchor" value="item"' in page
    assert item.heading in page[page.index('class="review-on"') :]
    page = client.get(change_url(digest) + "?review_on=analysis").content.decode()
    assert 'name="anchor" value="analysis"' in page
    page = client.get(change_url(digest)).content.decode()
    assert 'name="anchor" value="digest"' in page


# --- the edition check --------------------------------------------------------------------


def test_open_comments_are_a_recommended_check_by_default(settings, editor, reviewer):
    settings.NEWSROOM_EDITION_CHECKS = {}
    assert edition.levels()["comments_resolved"] == edition.RECOMMENDED
    assert edition.levels()["items_complete"] == edition.REQUIRED
    digest = factories.full_digest()
    comment_on(digest, reviewer, digest.items.first(), body="这条不对。")
    results = {
        r.name: r for r in edition.run_checks(Digest.objects.with_contents().get(pk=digest.pk))
    }
    check = results["comments_resolved"]
    assert not check.passed and not check.blocks
    assert digest.items.first().heading in check.problems[0]
    workflow.submit(digest, editor)  # a warning, no more
    assert Digest.objects.get(pk=digest.pk).status == S.REVIEW


def test_the_setting_can_make_open_comments_block(settings, editor, reviewer):
    settings.NEWSROOM_EDITION_CHECKS = {"comments_resolved": "required"}
    digest = factories.full_digest()
    comment = comment_on(digest, reviewer, body="先改这里。")
    with pytest.raises(workflow.ChecksFailed, match="先改这里"):
        workflow.submit(digest, editor)
    assert Digest.objects.get(pk=digest.pk).status == S.DRAFT
    comment.resolved_at, comment.resolved_by = comment.created_at, editor
    comment.save()
    workflow.submit(digest, editor)
    assert Digest.objects.get(pk=digest.pk).status == S.REVIEW


def test_the_setting_can_switch_the_check_off(settings):
    settings.NEWSROOM_EDITION_CHECKS = {"comments_resolved": "off"}
    names = [r.name for r in edition.run_checks(factories.full_digest())]
    assert "comments_resolved" not in names and "items_complete" in names


def test_the_import_preview_runs_the_check_on_a_briefing(sample_path):
    briefing = parse_text(sample_path.read_bytes())
    results = {r.name: r for r in edition.run_checks(edition.briefing_edition(briefing))}
    assert results["comments_resolved"].passed


# --- changed since changes were requested -------------------------------------------------


def save_as(digest, user, change):
    """What a save in the admin leaves behind: the change, then a new version."""
    with history.revision():
        change()
        Digest.objects.filter(pk=digest.pk).update(version=digest.version + 1)
        digest.refresh_from_db()
        history.record(digest, user, action=DigestEvent.Action.SAVE)


@pytest.fixture
def resubmitted(editor, reviewer):
    """A digest whose reviewer asked for changes; the editor changed some, then resubmitted."""
    digest = factories.full_digest(status=S.DRAFT, items=4)
    workflow.submit(digest, editor)
    workflow.request_changes(digest, reviewer, "第一条补来源,删掉第三条。")
    first, second, third, _fourth = digest.items.all()

    def edit():
        Item.objects.filter(pk=first.pk).update(
            body="补充了来源的正文。", url="https://example.com/a"
        )
        Item.objects.filter(pk=second.pk).update(position=99)  # moved only
        Item.objects.filter(pk=third.pk).delete()
        factories.item(digest, title="新加的一条", source=first.source)
        AnalysisParagraph.objects.filter(analysis__digest=digest).update(text="新的背景。")

    save_as(digest, editor, edit)
    workflow.submit(digest, editor)
    return digest, first, second, third


def test_the_reviewer_sees_what_changed_item_by_item(client, reviewer, resubmitted):
    digest, first, second, third = resubmitted
    response = as_user(client, reviewer).get(change_url(digest))
    changes = response.context["desk"]["review_changes"]
    assert changes.event.action == DigestEvent.Action.REQUEST_CHANGES
    added = Item.objects.get(title="新加的一条")
    summary = [(c.kind, c.title, c.card_id, c.fields) for c in changes.changes]
    assert summary == [
        ("changed", first.heading, f"item-{first.pk}", ["body", "link to the original"]),
        ("added", added.heading, f"item-{added.pk}", []),
        ("removed", third.heading, "", []),
        ("changed", "Deep analysis", "block-analysis", ["paragraphs"]),
    ]
    page = response.content.decode()
    since = page[page.index('id="review-since"') :]
    assert f'<a href="#item-{first.pk}">{first.heading}</a>: body、link to the original' in since
    assert third.heading in since and f"#item-{third.pk}" not in since

    desk = response.context["desk"]
    assert "changed since changes were requested: body、link to the original" in card(desk, first)
    assert "review-changed" not in card(desk, second)  # only moved
    assert "added since changes were requested" in card(desk, added)
    assert "changed since changes were requested: paragraphs" in card(desk, anchor="analysis")
    assert "review-changed" not in card(desk, anchor="trends")


def test_nothing_changed_says_so(client, editor, reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    workflow.request_changes(digest, reviewer, "再看看。")
    workflow.submit(digest, editor)
    response = as_user(client, reviewer).get(change_url(digest))
    assert response.context["desk"]["review_changes"].changes == []
    assert "Nothing has changed since then." in response.content.decode()


def test_the_trends_changed(client, editor, reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    workflow.request_changes(digest, reviewer, "趋势总结要改。")
    save_as(
        digest,
        editor,
        lambda: TrendSummary.objects.filter(digest=digest).update(summary="新的核心趋势。"),
    )
    workflow.submit(digest, editor)
    desk = as_user(client, reviewer).get(change_url(digest)).context["desk"]
    assert [(c.title, c.fields) for c in desk["review_changes"].changes] == [
        ("Trend summary", ["core summary"])
    ]


def test_no_list_without_a_request_or_outside_review(client, editor, reviewer):
    never = factories.full_digest(status=S.REVIEW)
    asked = factories.full_digest(status=S.REVIEW)
    workflow.request_changes(asked, reviewer, "改。")  # back to draft, not resubmitted
    as_user(client, reviewer)
    for digest in (never, asked):
        response = client.get(change_url(digest))
        assert response.context["desk"]["review_changes"] is None
        assert 'id="review-since"' not in response.content.decode()


def test_the_latest_request_is_the_one_compared(client, editor, reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    first = digest.items.first()
    workflow.request_changes(digest, reviewer, "第一轮。")
    save_as(digest, editor, lambda: Item.objects.filter(pk=first.pk).update(title="改过一次"))
    workflow.submit(digest, editor)
    workflow.request_changes(digest, reviewer, "第二轮。")
    workflow.submit(digest, editor)
    desk = as_user(client, reviewer).get(change_url(digest)).context["desk"]
    assert desk["review_changes"].event.note == "第二轮。"
    assert desk["review_changes"].changes == []  # the first round's change is not news


# --- queries ----------------------------------------------------------------------------


@pytest.fixture
def steady_counters(settings):
    """The public counters read once, not again when a slow page passes the check
    interval (a loaded machine's change page can take more than a second)."""
    settings.NEWSROOM_GENERATION_CHECK_SECONDS = 3600


def page_queries(client, digest, django_assert_max_num_queries, limit):
    # The process's first page reads what it then keeps (the search terms that tokenize
    # the trend points' suggestions, the content types, the public counters): counted
    # from the second.
    client.get(change_url(digest))
    with django_assert_max_num_queries(limit) as context:
        response = client.get(change_url(digest))
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_page_costs_the_same_with_many_comments(
    client, editor, reviewer, django_assert_max_num_queries, steady_counters
):
    few, many = factories.full_digest(items=3), factories.full_digest(items=13)
    comment_on(few, reviewer, few.items.first())
    for n, item in enumerate(many.items.all()):
        for anchor in (A.ITEM, A.DIGEST):
            c = comment_on(many, reviewer, item if anchor == A.ITEM else None, anchor=anchor)
            if n % 2:
                c.resolved_by, c.resolved_at = editor, c.created_at
                c.save()
    comment_on(many, reviewer, anchor=A.ANALYSIS)
    removed = comment_on(many, reviewer, many.items.last())
    Item.objects.filter(pk=removed.item_id).delete()
    as_user(client, editor)
    assert page_queries(client, few, django_assert_max_num_queries, 40) == page_queries(
        client, many, django_assert_max_num_queries, 40
    )


def test_the_changed_since_list_costs_the_same_for_any_number_of_items(
    client, editor, reviewer, django_assert_max_num_queries, steady_counters
):
    counts = []
    for size in (3, 13):
        digest = factories.full_digest(status=S.REVIEW, items=size)
        workflow.request_changes(digest, reviewer, "改。")
        items = list(digest.items.all())
        save_as(
            digest,
            editor,
            lambda items=items: Item.objects.filter(pk__in=[i.pk for i in items]).update(
                body="都改了。"
            ),
        )
        workflow.submit(digest, editor)
        as_user(client, reviewer)
        counts.append(page_queries(client, digest, django_assert_max_num_queries, 45))
        changes = client.get(change_url(digest)).context["desk"]["review_changes"].changes
        assert len(changes) == size
    assert counts[0] == counts[1]


def test_the_comparison_reads_one_version(editor, reviewer, django_assert_num_queries):
    digest = factories.full_digest(status=S.REVIEW, items=5)
    workflow.request_changes(digest, reviewer, "改。")
    workflow.submit(digest, editor)
    fetched = Digest.objects.with_contents().prefetch_related("events").get(pk=digest.pk)
    # The request's version (found by its time), the rows of its revision, then the
    # names of sections and sources in it (its items have no tags: no query for theirs).
    with django_assert_num_queries(4):
        assert review.changed_since(fetched).changes == []
    # A saved version never changes: the next page keeps its snapshot from the cache.
    with django_assert_num_queries(1):
        assert review.changed_since(fetched).changes == []


def test_the_requests_version_is_found_even_when_the_times_disagree(editor, reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    workflow.request_changes(digest, reviewer, "改。")
    event = DigestEvent.objects.get(digest=digest, action="request_changes")
    by_time = review.request_version(digest, event)
    assert by_time.field_dict["version"] == event.version
    # An event dated before every revision: the versions are walked by number instead.
    event.created_at = by_time.revision.date_created.replace(year=2000)
    assert review.request_version(digest, event).pk == by_time.pk


def test_a_renamed_source_is_no_change_to_its_items(client, editor, reviewer):
    digest = factories.full_digest(status=S.REVIEW)
    workflow.request_changes(digest, reviewer, "改。")
    workflow.submit(digest, editor)
    as_user(client, reviewer).get(change_url(digest))  # the version's snapshot is cached
    source = digest.items.first().source
    source.name = "新名字"
    source.save()
    desk = client.get(change_url(digest)).context["desk"]
    assert desk["review_changes"].changes == []
