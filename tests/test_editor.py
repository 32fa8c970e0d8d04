"""The digest's change page shaped like the briefing: cards by section, small and constant."""

import re

import pytest
from django.urls import reverse

from digests.briefing.grammar import MAX_ITEMS
from digests.models import Digest, DigestEvent, Item
from tests import factories
from tests.formdata import form_data
from tests.test_admin import CHANGE_PAGE_QUERIES

pytestmark = pytest.mark.django_db

PAGE_LIMIT = 60 * 1024  # the whole change page of a 13-item digest, desk panel included


@pytest.fixture
def chief(client, reviewer):
    client.force_login(reviewer)
    return client


def change_url(digest):
    return reverse("admin:digests_digest_change", args=[digest.pk])


def two_sections():
    """A draft with 前沿科技突破 after AI技术动态: two items, then one."""
    ai, frontier = factories.category("AI技术动态"), factories.category("前沿科技突破")
    origin = factories.source("新华网")
    digest = factories.full_digest(items=0)
    a1 = factories.item(digest, category=ai, source=origin, position=1, title="甲")
    a2 = factories.item(digest, category=ai, source=origin, position=2, title="乙")
    f1 = factories.item(digest, category=frontier, source=origin, position=3, title="丙")
    return digest, ai, frontier, (a1, a2, f1)


def post(client, digest, data, **extra):
    response = client.post(change_url(digest), data, **extra)
    if response.status_code != 302 and response.context:
        errors = [f.errors for f in response.context["inline_admin_formsets"][0].formset]
        pytest.fail(f"not saved: {errors} {response.context['adminform'].form.errors}")
    return response


def order(digest):
    return list(
        Item.objects.filter(digest=digest)
        .order_by("position", "id")
        .values_list("title", "category__name", "position")
    )


def cards(html):
    """(section name, [item card ids]) in page order."""
    sections = []
    for chunk in html.split('<section class="desk-section"')[1:]:
        name = re.search(r'<span class="section-name"[^>]*>([^<]*)</span>', chunk)[1]
        sections.append(
            (name, re.findall(r'<li class="item-card[^"]*"[^>]* id="(item-\d+)"', chunk))
        )
    return sections


def test_the_13_item_page_is_under_60_kb_for_a_reviewer(chief):
    digest = factories.full_digest(items=13)
    response = chief.get(change_url(digest))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="desk"' in html and 'id="block-analysis"' in html and 'id="block-trends"' in html
    assert html.count('class="item-card is-lazy"') == 13  # every item, closed
    assert len(response.content) < PAGE_LIMIT, f"{len(response.content) / 1024:.1f} KB"


@pytest.mark.parametrize("items", [2, MAX_ITEMS])
def test_the_page_makes_the_same_queries_for_2_or_100_items(
    client, admin_user, django_assert_num_queries, items
):
    digest = factories.full_digest(items=items)
    client.force_login(admin_user)
    client.get(change_url(digest))  # the session's first touch
    with django_assert_num_queries(CHANGE_PAGE_QUERIES):
        response = client.get(change_url(digest))
    html = response.content.decode()
    assert html.count("data-item-id=") == items
    # A hundred items stay a page a browser opens at once (the old page: 1,043 KB). Each
    # trend point offers every item as its support (about 115 bytes an item).
    points = digest.trend_summary.points.count()
    # The base: the page and its desk panel (41 KB since the panel lists the claims' and
    # the sources' checks and links the digest's numbers).
    assert len(response.content) < 41 * 1024 + items * (1700 + 120 * points)


def test_the_help_is_given_once_for_all_cards(chief):
    digest = factories.full_digest(items=5)
    html = chief.get(change_url(digest), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count("The short label before the hyphen in the heading") == 1
    assert html.count('id="items-help-topic"') == 1


def test_items_are_grouped_by_section_in_briefing_order(chief):
    digest, _ai, frontier, (a1, a2, f1) = two_sections()
    html = chief.get(change_url(digest)).content.decode()
    assert cards(html) == [
        ("AI技术动态", [f"item-{a1.pk}", f"item-{a2.pk}"]),
        ("前沿科技突破", [f"item-{f1.pk}"]),
    ]
    assert f'data-category-id="{frontier.pk}"' in html
    assert f'data-item-id="{a1.pk}"' in html


def test_a_reorder_across_sections_saves_positions_and_sections(chief):
    digest, _ai, frontier, (a1, a2, f1) = two_sections()
    data = form_data(chief.get(change_url(digest)).content, form_id="digest_form")
    index = {data[f"items-{i}-id"]: i for i in range(3)}
    # 甲 dragged to the end of 前沿科技突破, after 丙; the page renumbers 1..n.
    data[f"items-{index[str(a2.pk)]}-position"] = "1"
    data[f"items-{index[str(f1.pk)]}-position"] = "2"
    data[f"items-{index[str(a1.pk)]}-position"] = "3"
    data[f"items-{index[str(a1.pk)]}-category"] = str(frontier.pk)
    post(chief, digest, data)
    assert order(digest) == [
        ("乙", "AI技术动态", 1),
        ("丙", "前沿科技突破", 2),
        ("甲", "前沿科技突破", 3),
    ]
    digest = Digest.objects.with_contents().get(pk=digest.pk)
    assert [(c.name, len(items)) for c, items in digest.sections()] == [
        ("AI技术动态", 1),
        ("前沿科技突破", 2),
    ]


def test_an_item_added_in_a_section_is_saved_there(chief):
    digest, ai, _frontier, (a1, _a2, f1) = two_sections()
    page = chief.get(change_url(digest)).content.decode()
    # The page's empty card: what "add item" copies, under the next index.
    template = page[page.index('id="items-empty-card"') :]
    template = template[: template.index("</template>")]
    for name in ("topic", "title", "body", "source", "position", "category", "digest"):
        assert f'name="items-__prefix__-{name}"' in template
    data = form_data(page, form_id="digest_form")
    data.update(
        {
            "items-TOTAL_FORMS": "4",
            "items-3-digest": str(digest.pk),
            "items-3-category": str(ai.pk),  # added at the end of AI技术动态
            "items-3-position": "3",
            "items-3-topic": "芯片",
            "items-3-title": "新加的一条",
            "items-3-body": "新加的正文。",
            "items-3-source": str(a1.source_id),
        }
    )
    data[f"items-{[data[f'items-{i}-id'] for i in range(3)].index(str(f1.pk))}-position"] = "4"
    post(chief, digest, data)
    assert order(digest) == [
        ("甲", "AI技术动态", 1),
        ("乙", "AI技术动态", 2),
        ("新加的一条", "AI技术动态", 3),
        ("丙", "前沿科技突破", 4),
    ]


def test_an_item_in_a_new_section_is_saved_with_that_section(chief):
    digest, _ai, _frontier, items = two_sections()
    robots = factories.category("机器人")
    page = chief.get(change_url(digest)).content.decode()
    # The sections an editor may add: the active ones (the page hides those it has).
    assert f'<option value="{robots.pk}">机器人</option>' in page
    data = form_data(page, form_id="digest_form")
    data.update(
        {
            "items-TOTAL_FORMS": "4",
            "items-3-digest": str(digest.pk),
            "items-3-category": str(robots.pk),
            "items-3-position": "4",
            "items-3-topic": "机器人",
            "items-3-title": "人形机器人进厂",
            "items-3-body": "量产节奏加快。",
            "items-3-source": str(items[0].source_id),
        }
    )
    post(chief, digest, data)
    assert order(digest)[-1] == ("人形机器人进厂", "机器人", 4)


def test_inactive_sections_are_not_offered(chief):
    digest = factories.full_digest(items=1)
    retired = factories.category("旧栏目", is_active=False)
    page = chief.get(change_url(digest)).content.decode()
    assert f'<option value="{retired.pk}">' not in page


def test_a_read_only_page_shows_every_item_grouped_without_controls(chief):
    digest, _ai, _frontier, (a1, a2, f1) = two_sections()
    Digest.objects.filter(pk=digest.pk).update(
        status=Digest.Status.PUBLISHED, published_at=digest.updated_at
    )
    html = chief.get(change_url(digest)).content.decode()
    assert cards(html) == [
        ("AI技术动态", [f"item-{a1.pk}", f"item-{a2.pk}"]),
        ("前沿科技突破", [f"item-{f1.pk}"]),
    ]
    editor = html[html.index('id="briefing-editor"') : html.index('class="submit-row"')]
    assert "<input" not in editor and "<textarea" not in editor and "<select" not in editor
    assert "add-item" not in editor and "item-handle" not in editor
    assert "第" in editor and "丙" in editor and "新华网" in editor  # headlines, sources
    assert "背景说明。" in editor and "趋势说明。" in editor and "今日核心趋势。" in editor


def test_a_validation_error_opens_its_card_and_shows_beside_the_field(chief):
    digest, _ai, _frontier, (a1, a2, f1) = two_sections()
    data = form_data(chief.get(change_url(digest)).content, form_id="digest_form")
    index = {data[f"items-{i}-id"]: i for i in range(3)}
    bad = index[str(a2.pk)]
    data[f"items-{bad}-topic"] = "Wi-Fi"
    # The editor had also moved 丙 first: the page comes back in the editor's order.
    data[f"items-{index[str(f1.pk)]}-position"] = "1"
    data[f"items-{index[str(a1.pk)]}-position"] = "2"
    data[f"items-{bad}-position"] = "3"
    response = chief.post(change_url(digest), data)
    assert response.status_code == 200
    html = response.content.decode()
    card = html[html.index(f'id="item-{a2.pk}"') :]
    card = card[: card.index("</ol>")]  # the last card of its section
    assert "TOPIC-HEADLINE" in card  # the message, in that card
    assert 'aria-expanded="true"' in card and "is-lazy" not in card
    field = card[card.index('class="item-field f-topic"') :]
    assert field.index('value="Wi-Fi"') < field.index("errorlist") < field.index("</div>")
    assert 'aria-invalid="true"' in field[: field.index("errorlist")]
    start = html.index(f'id="item-{a1.pk}"') - 60
    assert "is-lazy" in html[start : html.index(f'id="item-{a1.pk}"')]  # the others stay closed
    assert [ids for _, ids in cards(html)] == [
        [f"item-{f1.pk}"],
        [f"item-{a1.pk}", f"item-{a2.pk}"],
    ]
    assert Item.objects.get(pk=a2.pk).topic == "AI技术"


def test_a_closed_card_posts_its_values_unchanged(chief):
    digest = factories.full_digest(items=2)
    first = digest.items.order_by("position").first()
    first.body = "第一段。\n第二段。"
    first.url = "https://example.com/a"
    first.save()
    first.tags.set(["芯片", "大模型"])
    data = form_data(chief.get(change_url(digest)).content, form_id="digest_form")
    assert data["items-0-body"] == "第一段。\n第二段。"
    assert data["items-0-tags"] == "大模型, 芯片"
    assert "items-0-image" not in data  # a file left out is unchanged
    chief.post(change_url(digest), data)
    assert Digest.objects.get(pk=digest.pk).version == 1  # nothing changed, nothing written


def test_the_activity_log_shows_the_latest_ten_lines_and_folds_the_rest(chief, reviewer):
    digest = factories.full_digest(items=1)
    DigestEvent.objects.bulk_create(
        DigestEvent(digest=digest, action=DigestEvent.Action.SAVE, actor=reviewer, note=f"第{n}次")
        for n in range(1, 16)
    )
    html = chief.get(change_url(digest)).content.decode()
    activity = html[html.index('id="activity"') :]
    older = activity[activity.index('class="events-older"') : activity.index("</details>")]
    assert "第1次" in older and "第5次" in older and "第6次" not in older
    recent = activity[activity.index("</details>") :]
    assert "第6次" in recent and "第15次" in recent
