"""The source registry: figures on the public and admin pages, what stays desk-only, and
the source_share check on a digest and in the import preview."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from digests import edition
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import Correction, Digest, Source, SourceAlias
from digests.sources import checks, stats
from tests import factories

pytestmark = pytest.mark.django_db
S = Digest.Status
NOTE = "内部评估:该账号曾两次误报融资金额"  # a reliability note: the desk's only
HIDDEN = [S.DRAFT, S.REVIEW, S.SCHEDULED, S.UNPUBLISHED]


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS = 0


def day(n):
    return datetime.date(2026, 3, 1) + datetime.timedelta(days=n)


@pytest.fixture
def registry():
    """新华网 cited on three published days in two sections (one item corrected), and on
    one day of every unpublished kind; 北京市人民政府 only on unpublished days."""
    ai, policy = factories.category("AI技术动态"), factories.category("政策与资本动向")
    xinhua = factories.source(
        "新华网", kind=Source.Kind.MEDIA, is_primary=False, reliability_note=NOTE
    )
    beijing = factories.source("北京市人民政府", kind=Source.Kind.GOVERNMENT, is_primary=True)
    for n, section in [(1, ai), (2, ai), (3, policy)]:
        digest = factories.digest(date=day(n), status=S.PUBLISHED)
        item = factories.item(digest, category=section, source=xinhua)
        factories.item(digest, category=ai, source=xinhua) if n == 2 else None
        if n == 3:
            Correction.objects.create(item=item, note="金额应为8.88亿美元。")
    for n, status in enumerate(HIDDEN, start=10):
        digest = factories.digest(date=day(n), status=status)
        factories.item(digest, category=policy, source=xinhua)
        factories.item(digest, category=policy, source=beijing)
    return xinhua, beijing


# --- the figures ------------------------------------------------------------------------------


def test_published_figures_count_only_published_items(registry):
    xinhua, beijing = registry
    row = stats.with_stats(Source.objects.all()).get(pk=xinhua.pk)
    assert (row.cited, row.corrected, row.first_cited, row.last_cited) == (4, 1, day(1), day(3))
    assert [(s.name, s.items) for s in stats.sections(xinhua)] == [
        ("AI技术动态", 3),
        ("政策与资本动向", 1),
    ]
    quiet = stats.with_stats(Source.objects.all()).get(pk=beijing.pk)
    assert (quiet.cited, quiet.corrected, quiet.first_cited, quiet.last_cited) == (
        0,
        0,
        None,
        None,
    )
    assert stats.sections(beijing) == []


def test_the_desk_figures_count_every_item(registry):
    xinhua, _ = registry
    row = stats.with_stats(Source.objects.all(), published=False).get(pk=xinhua.pk)
    assert (row.cited, row.last_cited) == (8, day(13))
    assert [(s.name, s.items) for s in stats.sections(xinhua, published=False)] == [
        ("政策与资本动向", 5),
        ("AI技术动态", 3),
    ]


def test_the_source_page_shows_its_registry_entry(client, registry):
    xinhua, _ = registry
    with translation.override("en"):
        page = client.get(f"/en/sources/{xinhua.slug}/").content.decode()
    entry = re.search(r'<dl class="source-registry".*?</dl>', page, re.S).group(0)
    assert 'class="source-kind">media</dd>' in entry  # not a primary source
    assert "source-primary" not in entry
    assert '4 items, <time datetime="2026-03-02">' in entry
    assert '<time datetime="2026-03-04">' in entry
    assert ">AI技术动态</a> (3), " in entry and ">政策与资本动向</a> (1)</dd>" in entry
    assert 'class="source-corrected">1 item</dd>' in entry
    assert page.count('class="item-row"') == 4


def test_a_primary_source_says_so(client):
    source = factories.source("北京市人民政府", kind=Source.Kind.GOVERNMENT, is_primary=True)
    factories.item(factories.digest(status=S.PUBLISHED), source=source)
    with translation.override("en"):
        page = client.get(f"/en/sources/{source.slug}/").content.decode()
    assert 'official body · <span class="source-primary">primary source</span>' in page


@pytest.mark.parametrize("status", HIDDEN)
def test_a_source_cited_only_on_unpublished_days_has_no_public_page(client, status):
    source = factories.source("草稿来源")
    factories.item(factories.digest(status=status), source=source, title="草稿独有标题")
    assert client.get(f"/sources/{source.slug}/").status_code == 404
    page = client.get("/sources/").content.decode()
    assert "草稿来源" not in page and "草稿独有标题" not in page


@pytest.mark.parametrize("status", HIDDEN)
def test_unpublished_items_never_count_publicly(client, status):
    source = factories.source("新华网")
    factories.item(factories.digest(status=S.PUBLISHED), source=source)
    hidden = factories.item(factories.digest(status=status), source=source)
    Correction.objects.create(item=hidden, note="更正。")
    page = client.get(f"/en/sources/{source.slug}/").content.decode()
    assert 'class="source-cited">1 item,' in page
    assert 'class="source-corrected">0 items</dd>' in page
    index = client.get("/sources/").content.decode()
    assert '<td class="source-cited">1</td>' in index
    assert '<td class="source-corrected">0</td>' in index


def test_the_reliability_note_stays_with_the_desk(client, admin_user, registry):
    xinhua, _ = registry
    for url in [f"/sources/{xinhua.slug}/", "/sources/", "/items/", "/2026/03/04/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert NOTE not in response.content.decode(), url
    client.force_login(admin_user)
    change = client.get(reverse("admin:digests_source_change", args=[xinhua.pk]))
    assert NOTE in change.content.decode()


# --- /sources/ ----------------------------------------------------------------------------


def test_the_index_lists_sources_by_name(client, registry):
    factories.item(
        factories.digest(date=day(30), status=S.PUBLISHED), source=factories.source("网易手机网")
    )
    page = client.get("/sources/").content.decode()
    names = re.findall(r'<th scope="row"><a href="/sources/[^"]+/">([^<]+)</a>', page)
    assert names == sorted(["新华网", "网易手机网"])  # 北京市人民政府: nothing published
    assert '<span class="source-primary">' not in page


@pytest.mark.parametrize("count", [3, 60])
def test_the_index_queries_do_not_grow_with_sources_or_items(
    client, django_assert_num_queries, count
):
    digest = factories.digest(status=S.PUBLISHED)
    for n in range(count):
        source = factories.source(f"来源{n:03d}")
        for _ in range(1 + n % 3):
            factories.item(digest, source=source)
    # 1 count the sources with a published item, 2 the page of them, 3 their figures
    # (cited, corrected, first and last day: one grouped query for the page).
    with django_assert_num_queries(3):
        response = client.get("/sources/")
    assert len(response.context["sources"]) == min(count, 50)
    if count > 50:
        assert client.get("/sources/?page=2").context["sources"][0].name.startswith("来源")


@pytest.mark.parametrize("items", [2, 40])
def test_the_source_page_queries_do_not_grow_with_items(client, django_assert_num_queries, items):
    source = factories.source("新华网")
    for n in range(items):
        digest = Digest.objects.filter(date=day(n % 5)).first() or factories.digest(
            date=day(n % 5), status=S.PUBLISHED
        )
        factories.item(digest, source=source, category=factories.category())
    # 1 the source by its slug with its figures (subqueries), 2 its sections with
    # counts (one grouped query), 3 that it has a published item, 4 the capped count,
    # 5 the page of items with their days, sections and sources, 6 their tags,
    # 7 their corrections.
    with django_assert_num_queries(7):
        response = client.get(f"/sources/{source.slug}/")
    assert response.context["source"].cited == items
    assert len(response.context["source_sections"]) == items


# --- the admin ----------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 30])
def test_the_source_list_shows_published_beside_all(
    client, admin_user, django_assert_num_queries, registry, extra
):
    for n in range(extra):
        factories.item(factories.digest(status=S.DRAFT), source=factories.source(f"多{n}"))
    client.force_login(admin_user)
    client.get("/admin/digests/source/")  # the session's first touch
    # session, user, count, total count, the page of sources with their counts (all
    # items and the published figures: subqueries), the review count in the header
    with django_assert_num_queries(6):
        response = client.get("/admin/digests/source/")
    rows = {row.name: row for row in response.context["cl"].result_list}
    xinhua = rows["新华网"]
    assert (xinhua.item_count, xinhua.cited, xinhua.corrected) == (8, 4, 1)
    assert (rows["北京市人民政府"].item_count, rows["北京市人民政府"].cited) == (4, 0)


def test_the_source_form_records_kind_primary_and_note(client, admin_user, registry):
    xinhua, _ = registry
    client.force_login(admin_user)
    url = reverse("admin:digests_source_change", args=[xinhua.pk])
    with translation.override("en"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="reliability_note"' in page and 'name="is_primary"' in page
    # the sections with all items and the published ones beside
    assert "政策与资本动向 (5 items, 1 published)" in page
    assert "AI技术动态 (3 items, 3 published)" in page
    from tests.formdata import form_data

    data = form_data(client.get(url).content, form_id="source_form")
    data.update(kind="blog", is_primary="on", reliability_note="只转载,不核实。")
    assert client.post(url, data).status_code == 302
    xinhua.refresh_from_db()
    assert (xinhua.kind, xinhua.is_primary, xinhua.reliability_note) == (
        "blog",
        True,
        "只转载,不核实。",
    )


# --- the source_share check -----------------------------------------------------------------


def kinds(**named):
    for name, kind in named.items():
        Source.objects.filter(name=name).update(kind=kind)


def sample_kinds():
    kinds(
        权宁霞=Source.Kind.PERSON,
        辉和辉的AI学习=Source.Kind.BLOG,
        网易手机网=Source.Kind.MEDIA,
        全球技术地图=Source.Kind.BLOG,
        鼎鉴乾坤=Source.Kind.BLOG,
        北京市人民政府=Source.Kind.GOVERNMENT,
        屋顶仰望流星雨=Source.Kind.BLOG,
    )


SAMPLE_WARNINGS = [
    "权宁霞 (individual) supplies 3 of the day's 13 items (23%), more than the 20% one "
    "account may supply.",
    "鼎鉴乾坤 (self-media account) supplies 3 of the day's 13 items (23%), more than the 20% "
    "one account may supply.",
]


def test_the_sample_warns_about_its_two_busiest_accounts(sample_path):
    digest = import_briefing(parse_text(sample_path.read_bytes()))
    sample_kinds()
    digest = Digest.objects.with_contents().get(pk=digest.pk)
    with translation.override("en"):
        assert checks.source_share(digest) == SAMPLE_WARNINGS
        result = next(r for r in edition.run_checks(digest) if r.name == "source_share")
    assert result.level == edition.RECOMMENDED and not result.passed


def test_the_share_is_configurable_and_media_never_warned(sample_path, settings):
    digest = import_briefing(parse_text(sample_path.read_bytes()))
    sample_kinds()
    digest = Digest.objects.with_contents().get(pk=digest.pk)
    settings.NEWSROOM_SOURCE_SHARE = 0.25  # 3 of 13 is 23%: within a quarter
    assert checks.source_share(digest) == []
    settings.NEWSROOM_SOURCE_SHARE = 0.1  # two items (15%) is too many now
    with translation.override("en"):
        names = [p.split(" (")[0] for p in checks.source_share(digest)]
    assert names == ["权宁霞", "鼎鉴乾坤", "全球技术地图", "辉和辉的AI学习"]
    kinds(权宁霞=Source.Kind.MEDIA, 鼎鉴乾坤=Source.Kind.COMPANY)
    settings.NEWSROOM_SOURCE_SHARE = 0.2
    digest = Digest.objects.with_contents().get(pk=digest.pk)
    assert checks.source_share(digest) == []


def test_the_preview_finds_sources_by_name_and_alias(sample_path, django_assert_num_queries):
    sample_kinds()  # no rows yet: every name is new
    briefing = parse_text(sample_path.read_bytes())
    assert checks.source_share(edition.briefing_edition(briefing)) == []  # new: no kind yet
    factories.source("权宁霞", kind=Source.Kind.PERSON)
    renamed = factories.source("鼎鉴乾坤科技评论", kind=Source.Kind.BLOG)
    SourceAlias.objects.create(source=renamed, name="鼎鉴乾坤")
    # 1 the individual accounts with their aliases (one join)
    with django_assert_num_queries(1), translation.override("en"):
        problems = checks.source_share(edition.briefing_edition(briefing))
    assert problems == [
        SAMPLE_WARNINGS[0],
        SAMPLE_WARNINGS[1].replace("鼎鉴乾坤", "鼎鉴乾坤科技评论"),
    ]


def test_the_check_reads_the_prefetched_sources(sample_path, django_assert_num_queries):
    digest = import_briefing(parse_text(sample_path.read_bytes()))
    sample_kinds()
    digest = Digest.objects.with_contents().get(pk=digest.pk)
    with django_assert_num_queries(0):
        assert len(checks.source_share(digest)) == 2


def test_an_empty_day_has_nothing_to_warn_about():
    digest = Digest.objects.with_contents().get(pk=factories.digest().pk)
    assert checks.source_share(digest) == []


# --- the demo -----------------------------------------------------------------------------


def test_every_demo_source_is_registered_with_a_kind():
    from digests.demo import demo_files
    from digests.demo.sources import SOURCES, register_sources

    named = {item.source for path in demo_files() for item in parse_text(path.read_bytes()).items}
    assert named == set(SOURCES)
    factories.source("新华网", kind=Source.Kind.OTHER)  # the desk's own choice is kept
    assert register_sources() == len(SOURCES) - 1
    assert Source.objects.get(name="新华网").kind == Source.Kind.OTHER
    primary = set(Source.objects.filter(is_primary=True).values_list("name", flat=True))
    assert primary == {"中国科学院", "工业和信息化部", "国家航天局"}
    assert Source.objects.get(name="林知远").kind in Source.INDIVIDUAL_KINDS


def test_a_new_source_form_has_no_figures_yet(client, admin_user):
    client.force_login(admin_user)
    with translation.override("en"):
        page = client.get(reverse("admin:digests_source_add"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="reliability_note"' in html and "Registry" in html
