"""Story memory on the desk: "reported before" hints, the desk's decisions, ``no_repeats``.

The hints come from the real story index (``digests.story.index``) on items written
as the briefing writes them (tests/story_pairs.py); a few tests replace the lookup
to pin what the page does with its answer.
"""

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from django.utils.html import strip_tags

from digests import edition, public_cache, search, workflow
from digests.models import Digest, DigestEvent, Item, ItemLink, Source
from digests.story import desk as story_desk
from digests.story import index
from tests import factories
from tests.formdata import form_data
from tests.story_pairs import GROUPS
from tests.test_admin import CHANGE_PAGE_QUERIES

# The labelled stories state numbers (30%, 2倍 …): the claims_consistent check reads the
# published claims of the last 90 days in their units, one query.
NUMBERS = 1

pytestmark = pytest.mark.django_db

S = Digest.Status
K = ItemLink.Kind
TODAY = datetime.date(2026, 3, 10)
EARLIER_DAY = datetime.date(2026, 3, 7)  # three days before
JSON = {"HTTP_ACCEPT": "application/json"}


def written(digest, text, **fields):
    """An item of ``digest`` from a "topic-headline\\nbody" text of the labelled set."""
    heading, body = text.split("\n", 1)
    topic, title = heading.split("-", 1)
    fields.setdefault("source", Source.objects.first() or factories.source("新华网"))
    return factories.item(digest, topic=topic, title=title, body=body, **fields)


def story(status=S.DRAFT, earlier_status=S.PUBLISHED):
    """A digest of ``TODAY`` whose first item re-reports the first item of ``EARLIER_DAY``.

    Returns (draft, item, earlier, other): ``other`` is an item of the draft about
    another story, with nothing like it published.
    """
    before = factories.full_digest(date=EARLIER_DAY, status=earlier_status, items=0)
    earlier = written(before, GROUPS[0][0])
    written(before, GROUPS[2][2])  # another story of that day
    draft = factories.full_digest(date=TODAY, status=status, items=0)
    item = written(draft, GROUPS[0][1])
    other = written(draft, GROUPS[3][2])
    search.reindex_digest(before)
    search.reindex_digest(draft)
    return draft, item, earlier, other


def hints_url(digest):
    return f"/admin/digests/digest/{digest.pk}/story/"


def decide_url(digest, item):
    return f"/admin/digests/digest/{digest.pk}/story/{item.pk}/decide/"


def change_url(digest):
    return f"/admin/digests/digest/{digest.pk}/change/"


def hints_json(client, digest):
    response = client.get(hints_url(digest), **JSON)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def text_of(html):
    return re.sub(r"\s+", " ", strip_tags(html)).strip()


@pytest.fixture
def english():
    with translation.override("en"):
        yield


# --- the hints -----------------------------------------------------------------------------


def test_the_hints_name_the_earlier_item_with_its_day_and_public_page(client, editor):
    draft, item, earlier, _other = story()
    client.force_login(editor)
    data = hints_json(client, draft)
    assert [entry["item"] for entry in data["items"]] == [item.pk]  # not the other story
    html = data["items"][0]["html"]
    assert "2026-03-07" in html and earlier.heading in html
    link = re.search(r'<a href="([^"]+)" target="_blank" rel="noopener">', html)
    assert link and link.group(1) == earlier.get_absolute_url()
    # Three answers, none pressed yet, and the score the page will keep with the answer.
    assert html.count('class="button story-answer ') == 3
    assert 'aria-pressed="true"' not in html
    assert re.search(r'data-score="0\.\d{3}"', html)
    assert data["message"]  # announced: how many items may have been reported before


@pytest.mark.parametrize(
    "earlier_status", [S.DRAFT, S.REVIEW, S.SCHEDULED, S.UNPUBLISHED], ids=str
)
def test_only_published_items_are_hints(client, editor, earlier_status):
    draft, *_ = story(earlier_status=earlier_status)
    client.force_login(editor)
    assert hints_json(client, draft)["items"] == []


def test_an_item_published_later_than_the_digest_is_no_hint(client, reviewer, monkeypatch):
    """Whatever the index returns, a hint is of an earlier day (the desk's own rule)."""
    draft, _item, earlier, _other = story()
    later = factories.full_digest(date=TODAY + datetime.timedelta(days=1), status=S.PUBLISHED)
    monkeypatch.setattr(
        index,
        "similar_items",
        lambda *args, **kwargs: [(later.items.first(), 0.9), (earlier, 0.8)],
    )
    client.force_login(reviewer)
    html = hints_json(client, draft)["items"][0]["html"]
    assert earlier.heading in html and later.items.first().heading not in html


def test_decisions_show_as_such_and_not_related_is_not_suggested_again(client, editor):
    draft, item, earlier, _other = story()
    client.force_login(editor)
    story_desk.decide(item, earlier, K.FOLLOW_UP, editor)
    html = hints_json(client, draft)["items"][0]["html"]
    assert html.count('aria-pressed="true"') == 1
    assert 'class="button story-answer story-answer-follow_up" data-kind="follow_up"' in html
    assert "story-hint story-follow_up" in html
    story_desk.decide(item, earlier, K.UNRELATED, editor)
    html = hints_json(client, draft)["items"][0]["html"]
    # Folded away, with a way to change it; not offered again as a fresh hint.
    assert re.search(r'<details class="story-unrelated">.*story-hint story-unrelated', html, re.S)
    assert html.count(f'data-earlier="{earlier.pk}"') == 4  # the row and its three answers


def test_the_hints_need_the_permission_to_see_story_links(client, editor):
    draft, *_ = story()
    editor.groups.clear()
    editor.user_permissions.add(*_perms("view_digest", "change_digest"))
    client.force_login(editor)
    assert client.get(hints_url(draft), **JSON).status_code == 403
    assert Client().get(hints_url(draft), **JSON).status_code == 302  # to the login


def test_a_read_only_desk_sees_hints_without_answers(client, editor):
    draft, *_ = story(status=S.REVIEW)  # an editor may not edit a digest in review
    client.force_login(editor)
    html = hints_json(client, draft)["items"][0]["html"]
    assert "Reported before" in html or "报道过" in html
    assert "story-answer" not in html and "data-decide-url" not in html


def _perms(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="digests", codename__in=codenames)


# Queries of the hints request, whatever the number of items: session, user, the
# digest, the user's permissions (2: own, groups), the digest's items (with their
# digest), the decisions about them (with the earlier items and days), the public
# generation (the lookups' cache key): 8; then the suggested earlier items with their
# days, if any was suggested (1). Each item's lookup in the story index is one query
# (the items sharing the most bands, ranked), and none once it is in the cache.
FIXED_HINT_QUERIES = 8


@pytest.mark.parametrize("extra", [0, 5])
@pytest.mark.parametrize("decided", [False, True])
def test_the_hints_cost_fixed_queries_and_one_an_item_not_in_the_cache(
    client, editor, django_assert_num_queries, extra, decided
):
    draft, item, earlier, _other = story()
    for n in range(extra):
        written(draft, GROUPS[4 + n % 3][2], position=100 + n)
    search.reindex_digest(draft)
    if decided:  # the only hint is decided: no suggested item to read
        story_desk.decide(item, earlier, K.REPEAT, editor)
    client.force_login(editor)
    client.get(hints_url(draft), **JSON)  # the session's first touch
    items = Item.objects.filter(digest=draft).count()
    cache.clear()
    with django_assert_num_queries(FIXED_HINT_QUERIES + (not decided) + items):
        cold = client.get(hints_url(draft), **JSON).json()
    with django_assert_num_queries(FIXED_HINT_QUERIES + (not decided)):
        warm = client.get(hints_url(draft), **JSON).json()
    assert cold == warm
    assert [entry["item"] for entry in warm["items"]] == [item.pk]


def test_a_publication_or_an_edit_looks_the_items_up_again(client, editor, reviewer):
    draft, item, earlier, _other = story()
    client.force_login(editor)
    assert len(hints_json(client, draft)["items"]) == 1
    # Another close item published: the public generation rises, the kept lookups go.
    day = factories.full_digest(date=datetime.date(2026, 3, 8), status=S.REVIEW, items=0)
    again = written(day, GROUPS[0][0])
    search.reindex_digest(day)
    workflow.publish(day, reviewer)
    html = hints_json(client, draft)["items"][0]["html"]
    assert f'data-earlier="{again.pk}"' in html and f'data-earlier="{earlier.pk}"' in html
    # The item rewritten as another story: its own key changes.
    item.title, item.body = "另一条新闻", GROUPS[5][2]
    item.save()
    search.reindex_digest(draft)
    assert hints_json(client, draft)["items"] == []


def test_the_change_page_makes_no_lookup_of_its_own(client, admin_user, django_assert_num_queries):
    draft, *_ = story()
    client.force_login(admin_user)
    client.get(change_url(draft))
    with django_assert_num_queries(CHANGE_PAGE_QUERIES + NUMBERS):
        html = client.get(change_url(draft)).content.decode()
    assert f'data-story-url="{hints_url(draft)}"' in html
    assert 'id="story-announce"' in html and "story.js" in html


def test_a_marked_repeat_costs_the_change_page_one_query(
    client, admin_user, django_assert_num_queries
):
    """``no_repeats`` reads a count annotated on the digest: the links only when there are."""
    draft, item, earlier, _other = story()
    story_desk.decide(item, earlier, K.FOLLOW_UP, admin_user)
    client.force_login(admin_user)
    client.get(change_url(draft))
    # The decision's line in the activity log brings the log's notifications query.
    with django_assert_num_queries(CHANGE_PAGE_QUERIES + NUMBERS + 1):
        client.get(change_url(draft))
    story_desk.decide(item, earlier, K.REPEAT, admin_user)
    with django_assert_num_queries(CHANGE_PAGE_QUERIES + NUMBERS + 2):  # and the repeat links
        client.get(change_url(draft))


FORM = r'<form method="post" action="[^"]+" class="story-answers">(.*?)</form>'


def test_without_scripts_the_hints_are_a_page_of_forms(client, editor, english):
    draft, item, earlier, _other = story()
    client.force_login(editor)
    response = client.get(hints_url(draft), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{decide_url(draft, item)}"' in html
    assert 'name="kind" value="follow_up"' in html
    form = re.search(FORM, html)
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))
    assert set(data) == {"csrfmiddlewaretoken", "earlier", "next", "score"}
    response = client.post(decide_url(draft, item), {**data, "kind": "follow_up"})
    assert response.status_code == 302 and response["Location"] == hints_url(draft)
    assert ItemLink.objects.get(item=item, earlier=earlier).kind == K.FOLLOW_UP


# --- decide --------------------------------------------------------------------------------


def test_decide_creates_then_changes_the_link_and_logs_each(editor, english):
    draft, item, earlier, _other = story()
    link = story_desk.decide(item, earlier, K.FOLLOW_UP, editor, score=0.61)
    assert (link.kind, link.created_by, link.score) == (K.FOLLOW_UP, editor, 0.61)
    changed = story_desk.decide(item, earlier, K.REPEAT, editor)
    assert changed.pk == link.pk and ItemLink.objects.get().kind == K.REPEAT
    story_desk.decide(item, earlier, K.REPEAT, editor)  # the same answer: nothing written
    notes = list(
        DigestEvent.objects.filter(digest=draft, action=DigestEvent.Action.SAVE).values_list(
            "note", flat=True
        )
    )
    assert notes == [
        f"“{item.heading}” marked a follow-up of 2026-03-07 “{earlier.heading}”",
        f"“{item.heading}” marked a repeat of 2026-03-07 “{earlier.heading}”",
    ]
    assert Digest.objects.get(pk=draft.pk).version == draft.version  # a draft's link: no version


# Who may decide in which state: as for editing (workflow.can_edit), and on a published
# digest those who may correct it. Scheduled and withdrawn digests: nobody.
ALLOWED = {
    "editor": {S.DRAFT},
    "reviewer": {S.DRAFT, S.REVIEW, S.PUBLISHED},
    "admin_user": {S.DRAFT, S.REVIEW, S.PUBLISHED},
}


@pytest.mark.parametrize("status", list(S), ids=str)
@pytest.mark.parametrize("role", list(ALLOWED))
def test_who_may_decide_in_which_state(request, role, status):
    user = request.getfixturevalue(role)
    _draft, item, earlier, _other = story(status=status)
    if status in ALLOWED[role]:
        assert story_desk.decide(item, earlier, K.REPEAT, user).kind == K.REPEAT
    else:
        with pytest.raises(story_desk.DecisionNotPermitted):
            story_desk.decide(item, earlier, K.REPEAT, user)
        assert not ItemLink.objects.exists()


def test_deciding_needs_the_permissions_on_story_links(editor):
    _draft, item, earlier, _other = story()
    editor.groups.clear()
    editor.user_permissions.add(*_perms("change_digest", "view_digest", "add_itemlink"))
    editor = type(editor).objects.get(pk=editor.pk)  # permissions read afresh
    story_desk.decide(item, earlier, K.FOLLOW_UP, editor)  # adding: allowed
    with pytest.raises(story_desk.DecisionNotPermitted):
        story_desk.decide(item, earlier, K.REPEAT, editor)  # changing: not
    assert ItemLink.objects.get().kind == K.FOLLOW_UP


@pytest.mark.parametrize("case", ["itself", "unpublished", "later", "kind"])
def test_decide_refuses_what_is_no_earlier_report(editor, case):
    _draft, item, earlier, _other = story()
    kind = K.FOLLOW_UP
    if case == "itself":
        earlier = item
    elif case == "unpublished":
        earlier = factories.item(factories.digest(date=datetime.date(2026, 3, 8)))
    elif case == "later":
        earlier = factories.item(
            factories.digest(date=datetime.date(2026, 3, 11), status=S.PUBLISHED)
        )
    else:
        kind = "maybe"
    with pytest.raises(story_desk.DecisionRefused):
        story_desk.decide(item, earlier, kind, editor)
    assert not ItemLink.objects.exists()


def test_a_follow_up_on_a_published_digest_reaches_readers(reviewer):
    """Both days' pages are kept by version, so both versions rise, with the generation."""
    draft, item, earlier, _other = story(status=S.PUBLISHED)
    versions = dict(Digest.objects.values_list("pk", "version"))
    before = public_cache.read().public
    story_desk.decide(item, earlier, K.FOLLOW_UP, reviewer)
    after = dict(Digest.objects.values_list("pk", "version"))
    assert after[draft.pk] == versions[draft.pk] + 1
    assert after[earlier.digest_id] == versions[earlier.digest_id] + 1
    assert public_cache.read().public == before + 1
    story_desk.decide(item, earlier, K.REPEAT, reviewer)  # the follow-up goes: again
    assert public_cache.read().public == before + 2
    story_desk.decide(item, earlier, K.UNRELATED, reviewer)  # readers saw neither
    assert public_cache.read().public == before + 2


# --- the decide view -----------------------------------------------------------------------


def test_the_script_gets_the_card_drawn_again(client, editor, english):
    draft, item, earlier, _other = story()
    client.force_login(editor)
    response = client.post(
        decide_url(draft, item),
        {"earlier": earlier.pk, "kind": "follow_up", "score": "0.7"},
        HTTP_ACCEPT_LANGUAGE="en",
        **JSON,
    )
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] and data["item"] == item.pk
    assert data["message"] == (f"“{item.heading}”: Follow-up of 2026-03-07 “{earlier.heading}”.")
    assert "story-hint story-follow_up" in data["html"]
    assert ItemLink.objects.get().score == 0.7


def test_without_scripts_the_answer_goes_back_to_the_card(client, editor):
    draft, item, earlier, _other = story()
    client.force_login(editor)
    response = client.post(decide_url(draft, item), {"earlier": earlier.pk, "kind": "repeat"})
    assert response.status_code == 302
    assert response["Location"] == f"{change_url(draft)}#item-{item.pk}"
    evil = client.post(
        decide_url(draft, item),
        {"earlier": earlier.pk, "kind": "follow_up", "next": "https://evil.example/"},
    )
    assert evil["Location"].startswith(change_url(draft))


def test_the_decide_view_refuses_get_forged_and_wrong_requests(client, editor, reviewer):
    draft, item, earlier, _other = story()
    client.force_login(editor)
    assert client.get(decide_url(draft, item)).status_code == 405
    # CSRF-protected, as every admin POST.
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(editor)
    forged = guarded.post(decide_url(draft, item), {"earlier": earlier.pk, "kind": "repeat"})
    assert forged.status_code == 403
    # An item of another digest, an answer that is none, a digest the editor cannot edit.
    other_digest = factories.full_digest(date=datetime.date(2026, 3, 12))
    wrong = client.post(decide_url(other_digest, item), {"earlier": earlier.pk, "kind": "repeat"})
    assert wrong.status_code == 404
    bad = client.post(decide_url(draft, item), {"earlier": earlier.pk, "kind": "x"}, **JSON)
    assert bad.status_code == 400 and not bad.json()["ok"]
    Digest.objects.filter(pk=draft.pk).update(status=S.REVIEW)
    refused = client.post(decide_url(draft, item), {"earlier": earlier.pk, "kind": "repeat"})
    assert refused.status_code == 403
    assert not ItemLink.objects.exists()


# --- the no_repeats check ------------------------------------------------------------------


def checks(digest):
    fetched = Digest.objects.with_contents().get(pk=digest.pk)
    return {r.name: r for r in edition.run_checks(fetched)}


def test_no_repeats_is_recommended_and_names_the_item_and_the_earlier_day(
    settings, editor, english
):
    settings.NEWSROOM_EDITION_CHECKS = {}
    assert edition.levels()["no_repeats"] == edition.RECOMMENDED
    draft, item, earlier, _other = story()
    assert checks(draft)["no_repeats"].passed
    story_desk.decide(item, earlier, K.REPEAT, editor)
    result = checks(draft)["no_repeats"]
    assert not result.passed and not result.blocks
    assert result.problems == [
        f"“{item.heading}” repeats “{earlier.heading}”, reported on 2026-03-07."
    ]
    workflow.submit(draft, editor)  # a warning, no more
    assert Digest.objects.get(pk=draft.pk).status == S.REVIEW


@pytest.mark.parametrize("kind", [K.FOLLOW_UP, K.UNRELATED])
def test_no_repeats_passes_for_a_follow_up_or_an_unrelated_item(editor, kind):
    draft, item, earlier, _other = story()
    story_desk.decide(item, earlier, kind, editor)
    assert checks(draft)["no_repeats"].passed


def test_the_setting_can_make_repeats_block(settings, editor):
    settings.NEWSROOM_EDITION_CHECKS = {"no_repeats": "required"}
    draft, item, earlier, _other = story()
    story_desk.decide(item, earlier, K.REPEAT, editor)
    with pytest.raises(workflow.ChecksFailed, match="2026-03-07"):
        workflow.submit(draft, editor)
    story_desk.decide(item, earlier, K.FOLLOW_UP, editor)
    workflow.submit(draft, editor)
    assert Digest.objects.get(pk=draft.pk).status == S.REVIEW


def test_the_change_page_warns_of_a_repeat(client, editor, english):
    draft, item, earlier, _other = story()
    story_desk.decide(item, earlier, K.REPEAT, editor)
    client.force_login(editor)
    page = text_of(client.get(change_url(draft), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert f"“{item.heading}” repeats “{earlier.heading}”, reported on 2026-03-07." in page


def test_the_import_preview_runs_the_check_on_a_briefing(sample_path):
    from digests.briefing import parse_text

    briefing = parse_text(sample_path.read_bytes())
    results = {r.name: r for r in edition.run_checks(edition.briefing_edition(briefing))}
    assert results["no_repeats"].passed


# --- the import ----------------------------------------------------------------------------

IMPORT_URL = "/admin/digests/digest/import/"


def briefing_text(day, *texts):
    lines = [f"每日科技新闻速览({day.isoformat()})", "AI技术动态"]
    for text in texts:
        lines += [*text.split("\n", 1), "来源:新华网"]
    lines += ["# 深度解析", "深度解析:标题", "背景:说明。"]
    lines += ["趋势总结", "- 甲:乙。", "今日核心趋势总结:总结。"]
    return "\n".join(lines) + "\n"


def test_the_import_says_how_many_items_may_have_been_reported_before(client, editor, english):
    before = factories.full_digest(date=EARLIER_DAY, status=S.PUBLISHED, items=0)
    for group in GROUPS[:3]:
        written(before, group[0])
    search.reindex_digest(before)
    client.force_login(editor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    text = briefing_text(TODAY, GROUPS[0][1], GROUPS[1][1], GROUPS[3][2])
    shown = client.post(IMPORT_URL, {"text": text, "preview": "1"})
    data = form_data(shown.content, form_id="import_form")
    data["confirm"] = "1"
    response = client.post(IMPORT_URL, data, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert "2 items may have been reported before: see the hints beside them." in said
    draft = Digest.objects.get(date=TODAY)
    assert [e["item"] for e in hints_json(client, draft)["items"]] == list(
        draft.items.order_by("position").values_list("pk", flat=True)[:2]
    )


def test_an_import_of_nothing_reported_before_says_nothing_of_it(client, editor, english):
    client.force_login(editor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    shown = client.post(IMPORT_URL, {"text": briefing_text(TODAY, GROUPS[3][2]), "preview": "1"})
    data = form_data(shown.content, form_id="import_form")
    data["confirm"] = "1"
    response = client.post(IMPORT_URL, data, follow=True)
    said = " ".join(str(m) for m in response.context["messages"])
    assert "Imported" in said and "reported before" not in said


def test_the_hints_json_is_plain_json(client, editor):
    """The script reads ``items`` and ``message``; nothing else is promised."""
    draft, *_ = story()
    client.force_login(editor)
    data = json.loads(client.get(hints_url(draft), **JSON).content)
    assert set(data) == {"items", "message"}
    assert set(data["items"][0]) == {"item", "html"}
