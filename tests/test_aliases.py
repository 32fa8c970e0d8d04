"""Former and other names of sections and sources: kept on rename, matched on import."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import Category, SectionAlias, Source, SourceAlias
from digests.models.taxonomy import name_key
from tests import factories
from tests.formdata import form_data

pytestmark = pytest.mark.django_db

TEXT = """每日科技新闻速览(2026-03-01)
{section}
AI技术-第一条标题
第一条正文。
来源:{source}
# 深度解析
深度解析:标题
背景:说明。
趋势总结
- 甲:乙。
今日核心趋势总结:总结。
"""

KINDS = {
    "category": (Category, SectionAlias, "section"),
    "source": (Source, SourceAlias, "source"),
}


def briefing(section="AI技术动态", source="新华网"):
    return parse_text(TEXT.format(section=section, source=source))


def imported(section="AI技术动态", source="新华网"):
    """Import a one-item briefing; returns its item."""
    return (
        import_briefing(briefing(section, source)).items.select_related("category", "source").get()
    )


def make(kind, name):
    return factories.category(name) if kind == "category" else factories.source(name)


def alias(owner, name):
    model = SectionAlias if isinstance(owner, Category) else SourceAlias
    field = "category" if isinstance(owner, Category) else "source"
    return model.objects.create(name=name, **{field: owner})


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def chief(client, admin_user):
    client.force_login(admin_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def change(client, obj, kind, **changes):
    """Submit the object's admin page as a browser would, with ``changes`` typed in."""
    url = reverse(f"admin:digests_{kind}_change", args=[obj.pk])
    data = form_data(client.get(url).content, form_id=f"{kind}_form")
    data.update(changes)
    return client.post(url, data)


def aliases_of(obj):
    return sorted(obj.aliases.values_list("name", flat=True))


# --- the matching rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("AI技术动态", "AI技术动态"),
        ("ＡＩ技术动态", "AI技术动态"),  # full-width letters
        ("AI 技术动态", "AI技术动态"),  # a space between scripts
        ("AI\u3000技术动态", "AI技术动态"),  # an ideographic space
        ("Hacker News", "hacker news"),  # case
        ("３６氪", "36氪"),  # full-width digits
    ],
)
def test_name_key_treats_typing_variants_as_one_name(one, other):
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize(("one", "other"), [("AI动态", "AI技术动态"), ("新华网", "新华社")])
def test_name_key_keeps_different_names_apart(one, other):
    assert name_key(one) != name_key(other)


# --- renaming keeps the former name ----------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_rename_in_the_admin_keeps_the_former_name_and_the_next_import_finds_it(chief, kind):
    model, _, _ = KINDS[kind]
    obj = make(kind, "旧名称")
    response = change(chief, obj, kind, name="新名称")
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.name == "新名称"
    assert aliases_of(obj) == ["旧名称"]

    item = imported(section="旧名称", source="旧名称")
    assert model.objects.count() == 1
    assert getattr(item, kind) == obj


@pytest.mark.parametrize("kind", KINDS)
def test_renaming_back_and_forth_keeps_one_alias_per_former_name(chief, kind):
    obj = make(kind, "甲名")
    assert change(chief, obj, kind, name="乙名").status_code == 302
    obj.refresh_from_db()
    assert change(chief, obj, kind, name="丙名").status_code == 302
    obj.refresh_from_db()
    assert aliases_of(obj) == ["乙名", "甲名"]
    assert change(chief, obj, kind, name="甲名").status_code == 302
    obj.refresh_from_db()
    # Its own name is no alias; the name it just had is one.
    assert obj.name == "甲名"
    assert aliases_of(obj) == ["丙名", "乙名"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_alias_added_in_the_admin_is_matched_on_import(chief, kind):
    obj = make(kind, "正式名")
    response = change(chief, obj, kind, **{"aliases-0-name": "别名"})
    assert response.status_code == 302
    assert aliases_of(obj) == ["别名"]
    assert getattr(imported(section="别名", source="别名"), kind) == obj


def test_editors_see_aliases_but_cannot_change_them(client, editor):
    section = factories.category("AI技术动态")
    alias(section, "AI动态")
    client.force_login(editor)
    page = client.get(reverse("admin:digests_category_change", args=[section.pk]))
    assert page.status_code == 200
    assert "AI动态" in page.content.decode()
    assert 'name="aliases-0-name"' not in page.content.decode()


# --- the importer matches names, then aliases ------------------------------------------------


@pytest.mark.parametrize("written", ["AI技术动态", "ＡＩ技术动态", "AI 技术动态", "ai技术动态"])
def test_import_matches_a_section_written_differently(written):
    section = factories.category("AI技术动态")
    assert imported(section=written).category == section
    assert Category.objects.count() == 1


@pytest.mark.parametrize("written", ["AI动态", "ＡＩ动态", "AI 动态"])
def test_import_matches_a_section_by_alias_written_differently(written):
    section = factories.category("AI技术动态")
    alias(section, "AI动态")
    assert imported(section=written).category == section
    assert Category.objects.count() == 1


@pytest.mark.parametrize("written", ["Reuters", "ＲＥＵＴＥＲＳ", "路透"])
def test_import_matches_a_source_by_name_or_alias(written):
    source = factories.source("Reuters")
    alias(source, "路透社")
    alias(source, "路透")
    assert imported(source=written).source == source
    assert Source.objects.count() == 1


def test_a_name_wins_over_another_rows_alias():
    """Rows saved before the validation existed may clash; the name is matched first."""
    named = factories.category("AI动态")
    other = factories.category("AI技术动态")
    alias(other, "AI动态")
    assert imported(section="AI动态").category == named


def test_headings_written_two_ways_make_one_new_section():
    text = TEXT.format(section="AI前沿", source="新华网") + ""
    text = text.replace(
        "# 深度解析",
        "ＡＩ前沿\nAI技术-第二条标题\n第二条正文。\n来源:新华网\n# 深度解析",
    )
    digest = import_briefing(parse_text(text))
    assert Category.objects.count() == 1
    assert set(digest.items.values_list("category__name", flat=True)) == {"AI前沿"}


# --- no name is two things -------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("written", ["别名", "别 名"])
def test_a_name_cannot_be_another_rows_alias(kind, written):
    _, _, noun = KINDS[kind]
    alias(make(kind, "甲"), "别名")
    obj = make(kind, "乙")
    obj.name = written
    with pytest.raises(ValidationError) as refused:
        obj.full_clean()
    message = " ".join(refused.value.message_dict["name"])
    assert "别名" in message and noun in message and "甲" in message


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("written", ["甲", "甲 ", "Ｘ甲", "x甲"])
def test_an_alias_cannot_be_another_rows_name_or_alias(kind, written):
    _, alias_model, noun = KINDS[kind]
    first = make(kind, "甲" if written.startswith("甲") else "X甲")
    alias(first, "旧甲")
    second = make(kind, "乙")
    row = alias_model(name=written, **{kind: second})
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    message = " ".join(refused.value.message_dict["name"])
    assert noun in message and first.name in message
    row = alias_model(name="旧 甲", **{kind: second})
    with pytest.raises(ValidationError):
        row.full_clean()


@pytest.mark.parametrize("kind", KINDS)
def test_the_admin_refuses_a_rename_to_another_rows_alias_with_a_message(chief, kind):
    _, _, noun = KINDS[kind]
    alias(make(kind, "甲"), "别名")
    obj = make(kind, "乙")
    response = change(chief, obj, kind, name="别名")
    assert response.status_code == 200
    assert f"is a former or other name of the {noun} “甲”" in response.content.decode()
    obj.refresh_from_db()
    assert obj.name == "乙" and aliases_of(obj) == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_admin_refuses_an_alias_that_is_another_rows_name(chief, kind):
    noun = KINDS[kind][2]
    make(kind, "甲")
    obj = make(kind, "乙")
    response = change(chief, obj, kind, **{"aliases-0-name": "甲"})
    assert response.status_code == 200
    assert f"it is the name of the {noun} “甲”" in response.content.decode()
    assert aliases_of(obj) == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_admin_refuses_two_aliases_that_are_one_name(chief, kind):
    obj = make(kind, "乙")
    data = {"aliases-0-name": "别名", "aliases-1-name": "别 名", "aliases-TOTAL_FORMS": "2"}
    response = change(chief, obj, kind, **data)
    assert response.status_code == 200
    assert "are the same name to the importer" in response.content.decode()
    assert aliases_of(obj) == []


@pytest.mark.parametrize("written", ["AI-动态", "深度解析", "动态。"])
def test_a_section_alias_must_read_as_a_heading(written):
    row = SectionAlias(name=written, category=factories.category("AI技术动态"))
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "name" in refused.value.message_dict


@pytest.mark.parametrize("kind", KINDS)
def test_change_page_with_aliases_query_count(chief, kind, django_assert_num_queries):
    obj = make(kind, "正式名")
    url = reverse(f"admin:digests_{kind}_change", args=[obj.pk])
    chief.get(url)  # the session's first touch
    for count in (2, 30):
        for n in range(obj.aliases.count(), count):
            alias(obj, f"别名{n}")
        # 1 session, 1 user (a superuser: no permission queries), 1 the row, 1 its
        # aliases, whatever their number, and 1 the review count in the header; a
        # source's page also 1 its sections with their counts (the registry's figures
        # are subqueries on its row).
        with django_assert_num_queries(5 + (kind == "source")):
            page = chief.get(url)
        assert f"别名{count - 1}" in page.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_the_admin_list_finds_a_row_by_its_former_name(chief, kind):
    obj = make(kind, "新名称")
    make(kind, "别的")
    alias(obj, "旧名称")
    alias(obj, "旧名称二")
    response = chief.get(reverse(f"admin:digests_{kind}_changelist"), {"q": "旧名称"})
    assert list(response.context["cl"].result_list) == [obj]
