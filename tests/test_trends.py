"""/trends/: counts kept per published day, the pages drawn from them, and what they never show."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from digests import public_cache, workflow
from digests.models import Category, Digest, Source, TopicDay
from digests.trends import counts
from tests import factories

pytestmark = pytest.mark.django_db
S = Digest.Status
K = TopicDay.Kind
END = datetime.date(2026, 3, 1)  # the latest published day of these tests


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """The pages as built from the database (the cache test below turns it on again)."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0


def day(date, topics, status=S.PUBLISHED, section=None):
    """A digest of ``date`` with one item per topic label in ``topics`` (repeats allowed),
    ready for publication (sourced items, analysis and trends)."""
    digest = factories.full_digest(date=date, status=status, items=0)
    section = section or Category.objects.first()
    origin = Source.objects.first()
    for topic in topics:
        factories.item(digest, category=section, source=origin, topic=topic)
    return digest


def rows(kind=K.TOPIC):
    return {(r.key, r.day): r.items for r in TopicDay.objects.filter(kind=kind)}


# --- counting --------------------------------------------------------------------------


def test_publishing_counts_the_day_and_withdrawing_removes_it_at_once(
    client, reviewer, django_capture_on_commit_callbacks
):
    digest = day(END, ["量子计算", "量子计算", "芯片"], status=S.REVIEW)
    section = Category.objects.get()
    assert not TopicDay.objects.exists()  # in review: nothing counted
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(digest, reviewer)
    assert rows() == {("liang-zi-ji-suan", END): 2, ("xin-pian", END): 1}
    assert rows(K.SECTION) == {(str(section.pk), END): 3}
    assert "量子计算" in client.get("/trends/").content.decode()
    assert client.get("/trends/topics/liang-zi-ji-suan/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(digest, reviewer, "来源有误")
    assert not TopicDay.objects.exists()
    assert "量子计算" not in client.get("/trends/").content.decode()
    assert client.get("/trends/topics/liang-zi-ji-suan/").status_code == 404
    assert client.get(f"/trends/sections/{section.slug}/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(digest, "republish", reviewer)
    assert rows() == {("liang-zi-ji-suan", END): 2, ("xin-pian", END): 1}


def test_a_withdrawal_is_gone_from_the_cached_trends_page_at_once(
    client, reviewer, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 3600
    settings.NEWSROOM_GENERATION_CHECK_SECONDS = 0  # each request reads the counters
    digest = day(END, ["量子计算"], status=S.REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(digest, reviewer)
    public_cache.forget()
    first, second = client.get("/trends/"), client.get("/trends/")
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(digest, reviewer, "来源有误")
    after = client.get("/trends/")
    assert after["X-Cache"] == "miss" and "量子计算" not in after.content.decode()


@pytest.mark.parametrize("status", [S.DRAFT, S.REVIEW, S.SCHEDULED, S.UNPUBLISHED])
def test_unpublished_items_are_never_counted_or_shown(client, status):
    day(END, ["芯片"])
    hidden = day(END - datetime.timedelta(days=1), ["秘密话题"], status=status)
    hidden_section = factories.category("未公开栏目")
    factories.item(hidden, category=hidden_section, topic="秘密话题")
    call_command("rebuild_trends", stdout=io.StringIO())
    assert set(rows()) == {("xin-pian", END)}
    # A row left behind for that day (written by hand) is not read either.
    TopicDay.objects.create(
        kind=K.TOPIC, key="mi-mi-hua-ti", name="秘密话题", day=hidden.date, items=9
    )
    TopicDay.objects.create(
        kind=K.SECTION, key=str(hidden_section.pk), name="未公开栏目", day=hidden.date, items=9
    )
    for url in ("/trends/", "/en/trends/", "/trends/topics/xin-pian/", "/sitemap-trends.xml"):
        page = client.get(url).content.decode()
        assert "秘密话题" not in page and "mi-mi-hua-ti" not in page, url
        assert "未公开栏目" not in page and hidden_section.slug not in page, url
    assert client.get("/trends/topics/mi-mi-hua-ti/").status_code == 404
    assert client.get(f"/trends/sections/{hidden_section.slug}/").status_code == 404
    # The topic page's latest items are published ones only.
    assert "秘密话题" not in client.get("/trends/topics/xin-pian/").content.decode()


def test_rebuild_is_batched_resumable_and_clears_days_no_longer_published():
    for n in range(5):
        day(END - datetime.timedelta(days=n), ["芯片"] * (n + 1))
    TopicDay.objects.create(
        kind=K.TOPIC, key="gone", name="旧", day=datetime.date(2020, 1, 1), items=3
    )
    out = io.StringIO()
    call_command("rebuild_trends", "--batch", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:3] == [
        line for line in lines[:3] if re.match(r"\d/5 days, up to 2026-0[23]-\d\d \(", line)
    ]
    assert [line.split(",")[0] for line in lines[:3]] == ["2/5 days", "4/5 days", "5/5 days"]
    assert lines[-1].startswith("5 days counted, 10 rows")
    assert rows() == {("xin-pian", END - datetime.timedelta(days=n)): n + 1 for n in range(5)}

    TopicDay.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_trends", "--after", "2026-02-27", stdout=out)
    assert "2 days counted" in out.getvalue()
    assert sorted(d for _k, d in rows()) == [END - datetime.timedelta(days=1), END]


def test_rebuild_refuses_a_bad_batch_or_day():
    with pytest.raises(CommandError, match="--batch must be between 1 and 5000"):
        call_command("rebuild_trends", "--batch", "0")
    with pytest.raises(CommandError, match="after"):
        call_command("rebuild_trends", "--after", "yesterday")


def test_a_topic_keeps_its_latest_label_and_a_section_its_current_name(client):
    day(END - datetime.timedelta(days=8), ["AI 技术"])
    day(END, ["AI技术"])
    counts.rebuild()
    page = client.get("/trends/topics/ai-ji-shu/").content.decode()
    assert "<h1>AI技术</h1>" in page  # the latest label, though 2026-02-21 said “AI 技术”
    section = Category.objects.get()
    section.name, section.slug = "人工智能", "ren-gong-zhi-neng"
    section.save()
    page = client.get("/trends/sections/ren-gong-zhi-neng/").content.decode()
    assert "<h1>人工智能</h1>" in page  # its history kept across the rename
    assert "人工智能" in client.get("/trends/").content.decode()


# --- the pages ----------------------------------------------------------------------------


@pytest.fixture
def archive():
    """Twenty weeks ending on END: 量子计算 rising, 芯片 falling, 机器人 once, 政策 steady."""
    for n in range(140):
        date = END - datetime.timedelta(days=n)
        topics = ["政策"] if n % 7 == 0 else []
        if n < 28 and n % 3 == 0:
            topics.append("量子计算")
        if 28 <= n < 112 and n % 4 == 0:
            topics.append("芯片")
        if n == 2:
            topics.append("机器人")
        if topics:
            day(date, topics)
    counts.rebuild()


def table(page, caption_id):
    """The rows of the table captioned ``caption_id`` as lists of cell texts."""
    start = page.index(f'id="{caption_id}"')
    body = page[start : page.index("</table>", start)]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_the_overview_charts_every_section_and_topic_with_a_table(client, archive):
    page = client.get("/trends/").content.decode()
    weeks = table(page, "topics-weeks-caption")
    assert weeks[0][0] == "Period" or weeks[0][0] == "时段"
    header = weeks[0][1:]
    assert len(weeks) == 1 + counts.WEEKS
    # The last week (02-23 – 03-01) holds n = 0, 3, 6 of 量子计算 and n = 0 of 政策.
    assert weeks[-1][0] == "2026-02-23 – 03-01"
    latest = dict(zip(header, weeks[-1][1:], strict=True))
    assert latest["量子计算"] == "3" and latest["政策"] == "1" and latest["机器人"] == "1"
    # SVG for every series, one role=img each with a title, and no inline style anywhere.
    assert (
        page.count('<svg class="trend-svg trend-svg-small"') == 1 + 4 + 1 + 4
    )  # sections and topics, weekly and monthly
    assert "style=" not in page and "<style" not in page
    assert 'role="region"' in page and "<caption" in page


def test_rising_and_falling_follow_the_stated_rule(client, archive):
    rising, falling = counts.movers(
        counts.daily_rows(END - datetime.timedelta(days=111), END), END
    )
    assert [m.name for m in rising] == ["量子计算"]
    assert [m.name for m in falling] == ["芯片"]  # 政策 is steady; 机器人 is below the minimum
    assert (rising[0].recent, rising[0].before) == (10, 0)
    assert (falling[0].recent, falling[0].before) == (0, 21)
    with translation.override("en"):
        page = client.get("/en/trends/").content.decode()
    assert "at least 4 items" in page
    assert table(page, "rising-caption")[1] == ["量子计算", "2.50", "0.00", "+2.50"]
    assert table(page, "falling-caption")[1] == ["芯片", "0.00", "1.75", "-1.75"]


def test_a_topic_page_shows_its_months_weeks_and_latest_items(client, archive):
    with translation.override("en"):
        page = client.get("/en/trends/topics/xin-pian/").content.decode()
    years = table(page, "months-caption")
    assert years[0][:3] == ["Year", "01", "02"]
    # 芯片: n = 28 … 108 days before END, every fourth: 13 days of 2025 (from 2025-11-13)
    # and 8 of 2026 (to 2026-02-01); its first month is November 2025.
    assert years[1][0] == "2025" and years[1][-1] == "13"
    # A month before the topic's first is "–" on screen, "no data" to a screen reader.
    assert years[1][1:11] == ["–no data"] * 10 and years[1][11] != "–no data"
    assert years[2][0] == "2026" and years[2][-1] == "8"
    assert "21 published items" in page
    weeks = table(page, "weeks-caption")
    assert len(weeks) == 1 + counts.PAGE_WEEKS and weeks[-1][1] == "0"
    assert page.count('class="item-row"') == counts.LATEST_ITEMS
    assert 'href="/en/topics/xin-pian/"' in page
    assert "style=" not in page


def test_a_section_page_and_unknown_slugs(client, archive):
    section = Category.objects.get()
    response = client.get(f"/trends/sections/{section.slug}/")
    assert response.status_code == 200
    assert f'href="/categories/{section.slug}/"' in response.content.decode()
    assert client.get("/trends/topics/no-such-topic/").status_code == 404
    assert client.get("/trends/sections/no-such-section/").status_code == 404
    factories.category("空栏目")
    assert client.get("/trends/sections/kong-lan-mu/").status_code == 404


def test_labels_are_escaped(client):
    day(END, ['<script>alert("x")</script>'])
    counts.rebuild()
    page = client.get("/trends/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    slug = TopicDay.objects.get(kind=K.TOPIC).key
    page = client.get(f"/trends/topics/{slug}/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_an_empty_archive_says_so(client):
    with translation.override("en"):
        page = client.get("/en/trends/").content.decode()
    assert "Nothing has been published yet." in page


def test_the_nav_links_trends_and_marks_it_current(client, archive):
    page = client.get("/trends/").content.decode()
    assert '<a href="/trends/" aria-current="page">' in page
    assert '<a href="/trends/">' in client.get("/archive/").content.decode()


def test_the_sitemap_lists_the_trend_pages(client, archive):
    page = client.get("/sitemap-trends.xml").content.decode()
    section = Category.objects.get()
    for path in ("/trends/", f"/trends/sections/{section.slug}/", "/trends/topics/xin-pian/"):
        assert f"{path}</loc>" in page, path


# --- query budgets -----------------------------------------------------------------------

# /trends/: 1 the latest published day, 2 every count of the last 16 weeks, 3 the counts
# of the last 24 months summed per month, 4 the sections (their names and slugs).
OVERVIEW = 4
# A topic's page: 1 the latest published day, 2 its counts summed per month, 3 its counts
# of the last 26 weeks, 4 its latest items with their days, sections and sources, 5 their
# tags, 6 their corrections. A section's page first looks up 7 the section by its slug.
TOPIC = 6
SECTION = 1 + TOPIC


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/trends/", OVERVIEW),
        ("/en/trends/", OVERVIEW),
        ("/trends/topics/zheng-ce/", TOPIC),
        ("/trends/sections/{section}/", SECTION),
    ],
)
def test_trend_pages_make_a_fixed_number_of_queries(
    client, django_assert_num_queries, url, queries
):
    """The same with 3 weeks of days as with a year (more rows, not more queries)."""
    for days in (21, 365):
        for n in range(days):
            date = END - datetime.timedelta(days=n)
            if not Digest.objects.filter(date=date).exists():
                day(date, ["政策", "芯片", f"话题{n % 30}"])
        counts.rebuild()
        address = url.format(section=Category.objects.get().slug)
        with django_assert_num_queries(queries):
            response = client.get(address)
        assert response.status_code == 200


def test_the_demo_week_is_on_trends_after_load_demo(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    """``make run`` loads the demo briefings through the workflow: /trends/ draws them."""
    settings.DEBUG = True
    settings.NEWSROOM_DEMO_ACCOUNTS_FILE = tmp_path / "accounts.txt"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    published = Digest.objects.published()
    assert published.count() == 7
    counted = TopicDay.objects.filter(kind=K.SECTION).values_list("day", flat=True).distinct()
    assert set(counted) == set(published.values_list("date", flat=True))
    page = client.get("/trends/").content.decode()
    assert "AI技术" in page and "/trends/topics/ai-ji-shu/" in page


def test_the_migration_counts_the_archive_published_before_it():
    """0020 fills the counts of days published before /trends/ existed, as rebuild does."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("digests.migrations.0020_trends")
    day(END, ["芯片", "芯片", "量子计算"])
    day(END - datetime.timedelta(days=1), ["芯片"], status=S.DRAFT)
    migration.count_published_days(apps, None)
    written = {(r.kind, r.key, r.day, r.items) for r in TopicDay.objects.all()}
    TopicDay.objects.all().delete()
    counts.rebuild()
    assert written == {(r.kind, r.key, r.day, r.items) for r in TopicDay.objects.all()}
    assert ("topic", "xin-pian", END, 2) in written and len(written) == 3


def test_a_scheduled_digest_is_counted_when_it_goes_public(
    reviewer, django_capture_on_commit_callbacks
):
    digest = day(END, ["芯片"], status=S.REVIEW)
    publish_at = datetime.datetime(2026, 3, 1, 7, 0, tzinfo=datetime.UTC)
    now = publish_at - datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(digest, "schedule", reviewer, publish_at=publish_at, now=now)
    assert not TopicDay.objects.exists()  # scheduled: not public yet
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_due(now=publish_at)
    assert rows() == {("xin-pian", END): 1}
