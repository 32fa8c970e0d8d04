"""Feed entries to candidates: clean text, normalised links, near-duplicates, pruning."""

import datetime
import time

import feedparser
import pytest
import time_machine

from digests.ingest import candidates
from digests.ingest.candidates import (
    NEAR_DUPLICATE_JACCARD,
    clean_link,
    html_to_text,
    jaccard,
    link_key,
    normalise_link,
)
from digests.models.memory import Candidate
from tests import factories

NOW = datetime.datetime(2026, 2, 2, 4, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- links --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "normalised"),
    [
        ("HTTPS://Tech.Example.CN/news/a.html", "https://tech.example.cn/news/a.html"),
        ("https://tech.example.cn:443/news/a.html", "https://tech.example.cn/news/a.html"),
        ("http://tech.example.cn:80/a", "http://tech.example.cn/a"),
        ("http://tech.example.cn:8080/a", "http://tech.example.cn:8080/a"),
        ("https://tech.example.cn", "https://tech.example.cn/"),
        ("https://tech.example.cn/a.html#comments", "https://tech.example.cn/a.html"),
        (
            "https://tech.example.cn/a?utm_source=rss&UTM_Medium=feed&utm_campaign=x",
            "https://tech.example.cn/a",
        ),
        (
            "https://m.example.com/s?spm=a2c4e&id=7&from=timeline&fbclid=1&gclid=2",
            "https://m.example.com/s?id=7",
        ),
        ("https://tech.example.cn/a?b=2&a=1&c=", "https://tech.example.cn/a?a=1&b=2&c="),
        (
            "https://tech.example.cn/搜索?q=芯片",
            "https://tech.example.cn/搜索?q=%E8%8A%AF%E7%89%87",
        ),
        ("https://[::1]:8443/feed", "https://[::1]:8443/feed"),
    ],
)
def test_normalise_link(link, normalised):
    assert normalise_link(link) == normalised


@pytest.mark.parametrize(
    "link", ["", "/news/a.html", "ftp://example.cn/a", "javascript:alert(1)", "http://a:xx/"]
)
def test_only_absolute_http_links_are_links(link):
    assert normalise_link(link) is None and clean_link(link) is None


def test_one_story_address_is_one_key_whatever_its_tracking():
    key = link_key("https://tech.example.cn/news/6g.html?id=3&utm_source=rss")
    assert key == link_key("HTTPS://TECH.example.cn:443/news/6g.html?spm=x&id=3#top")
    assert key != link_key("https://tech.example.cn/news/6g.html?id=4")
    assert len(key) == 64


def test_the_link_kept_is_the_published_one_without_tracking():
    assert clean_link("https://a.cn/x?b=2&a=1#p") == "https://a.cn/x?b=2&a=1#p"  # untouched
    assert clean_link("https://a.cn/x?b=2&utm_source=rss&a=1#p") == "https://a.cn/x?b=2&a=1#p"


# --- text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>华为发布</p><p>新芯片</p>", "华为发布 新芯片"),
        ("这是<b>重要</b>消息", "这是重要消息"),
        ("A &amp; B &lt;tag&gt; 5G&nbsp;网络", "A & B <tag> 5G 网络"),
        ("速率 < 100Gbps, 而 > 10Gbps", "速率 < 100Gbps, 而 > 10Gbps"),
        ("第一行<br/>第二行\n\n\t第三行", "第一行 第二行 第三行"),
        ("<!-- 广告 -->正文<?php echo 1 ?>", "正文"),
        ("含\x00空字符\x07的标题", "含 空字符 的标题"),
    ],
)
def test_html_to_text(markup, text):
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    "text", ["<" * 200_000, "<a" * 100_000, "<a " + "x" * 200_000, "<" + "a" * 200_000]
)
def test_html_to_text_is_linear_on_hostile_input(text):
    started = time.monotonic()
    html_to_text(text)
    assert time.monotonic() - started < 0.5  # a quadratic pattern takes minutes here


def entry(**fields):
    fields.setdefault("link", "https://tech.example.cn/a.html")
    return feedparser.FeedParserDict(fields)


def test_an_entry_becomes_a_candidate(db, clock):
    source = factories.source()
    title = "<b>长标题</b>" + "很" * 600
    candidate = candidates.from_entry(
        source,
        entry(
            title=title,
            title_detail={"type": "text/html"},
            summary="<p>" + "摘要" * 600 + "</p>",
            summary_detail={"type": "text/html"},
            id="guid-1",
            published_parsed=time.struct_time((2030, 1, 1, 0, 0, 0, 0, 1, 0)),
        ),
        now=NOW,
    )
    assert len(candidate.title) == 500 and candidate.title.startswith("长标题很")
    assert candidate.title.endswith("…")
    assert len(candidate.summary) == candidates.SUMMARY_CHARS
    assert candidate.published_at == NOW  # a time in the future is taken as now
    assert candidate.guid == "guid-1"


def test_a_plain_text_title_keeps_its_angle_brackets(db):
    source = factories.source()
    candidate = candidates.from_entry(
        source, entry(title="A<B 与 C>D 的比较", title_detail={"type": "text/plain"}), now=NOW
    )
    assert candidate.title == "A<B 与 C>D 的比较"
    assert candidate.published_at == NOW  # no time in the entry


def test_an_entry_without_a_usable_link_is_skipped(db):
    source = factories.source()
    assert candidates.from_entry(source, entry(link="", title="无链接"), now=NOW) is None
    assert candidates.from_entry(source, entry(link="mailto:a@b.cn"), now=NOW) is None


def test_entries_older_than_the_inbox_keeps_are_not_stored(db, clock):
    source = factories.source()
    old = time.struct_time((2025, 12, 1, 0, 0, 0, 0, 335, 0))
    new, duplicates = candidates.store(
        source,
        [entry(link="https://a.cn/old", title="旧闻", published_parsed=old)],
        now=NOW,
    )
    assert (new, duplicates) == (0, 0)
    assert not Candidate.objects.exists()


# --- near-duplicates ----------------------------------------------------------------

# One story told by two sources, and two stories of one field: the threshold must
# part them. Texts from the briefing of 2026-02-02, rewritten as another outlet would.
SAME_STORY = [
    (
        "空天探索：NASA火星车实现全AI自主驾驶 NASA Perseverance火星车完成首次全AI规划驾驶，"
        "火星车可独立分析地形、规划路径并规避障碍，无需地面指令实时干预，探测效率提升300%。",
        "NASA火星车实现全AI自主驾驶 NASA Perseverance火星车完成首次全AI规划驾驶，"
        "标志着AI自主决策技术正式应用于深空探测。",
    ),
    (
        "商业航天：可回收火箭发射成本降至2万美元/公斤 蓝箭航天“朱雀三号”火箭实现10次回收全成功，"
        "发射成本从6万美元/公斤降至2万美元；2026年全球商业火箭发射120次，中国占30次。",
        "朱雀三号10次回收全成功 火箭发射成本降至每公斤2万美元 蓝箭航天朱雀三号火箭实现10次回收"
        "全部成功，发射成本由每公斤6万美元降到2万美元。",
    ),
    (
        "6G通信：太赫兹通信速率达100Gbps 华为、中兴联合清华大学研发的“太赫兹通信”技术实现"
        "100Gbps传输速率（5G的10倍），传输距离达1公里。",
        "太赫兹通信速率达100Gbps，是5G的10倍 华为、中兴联合清华大学研发的太赫兹通信技术实现"
        "100Gbps传输速率，传输距离达1公里，为6G奠定基础。",
    ),
]
OTHER_STORIES = [
    (
        "中国AI产业规模突破1.2万亿元 中国人工智能企业数量超过6000家，核心产业规模预计突破"
        "1.2万亿元，同比增长近30%。",
        "启明星辰聚焦“AI+安全”四大领域 启明星辰2026年将构建三条增长曲线，第二曲线聚焦“AI+”、"
        "数据安全、“零信任+”及安全评测四大技术领域。",
    ),
    (
        "商业航天：可回收火箭发射成本降至2万美元/公斤 蓝箭航天“朱雀三号”火箭实现10次回收全成功，"
        "发射成本从6万美元/公斤降至2万美元。",
        "星际荣耀年发射15次，营收增长2倍 星际荣耀2026年计划发射15次，商业火箭营收增长2倍，"
        "发射成本持续下降。",
    ),
    (
        "可灵AI推出3.0系列模型 可灵AI推出3.0系列模型，性能再升级，支持更长视频生成。",
        "雄安新区发布“极数”数据大模型 雄安新区发布“极数”数据大模型（LimiX），专攻结构化数据处理。",
    ),
]


def words(text):
    return candidates.words(Candidate(title=text, summary=""))


@pytest.mark.parametrize(("one", "other"), SAME_STORY)
def test_one_story_from_two_sources_reaches_the_threshold(one, other):
    assert jaccard(words(one), words(other)) >= NEAR_DUPLICATE_JACCARD


@pytest.mark.parametrize(("one", "other"), OTHER_STORIES)
def test_two_stories_of_one_field_stay_well_below_it(one, other):
    assert jaccard(words(one), words(other)) < NEAR_DUPLICATE_JACCARD / 2


def story_entry(link, text, hour=None):
    title, _, summary = text.partition(" ")
    if hour is None:  # undated: published when fetched
        return entry(link=link, title=title, summary=summary)
    return entry(
        link=link,
        title=title,
        summary=summary,
        published_parsed=time.struct_time((2026, 2, 1, hour, 0, 0, 6, 32, 0)),
    )


def test_a_near_duplicate_points_at_the_first_telling(db, clock):
    first, second, third = factories.source(), factories.source(), factories.source()
    one, other = SAME_STORY[0]
    assert candidates.store(first, [story_entry("https://a.cn/nasa", one, 1)]) == (1, 0)
    clock.shift(datetime.timedelta(hours=5))
    new = [
        story_entry("https://b.cn/nasa", other, 2),
        story_entry("https://b.cn/thz", SAME_STORY[2][0], 3),
    ]
    assert candidates.store(second, new) == (2, 1)
    assert candidates.store(third, [story_entry("https://c.cn/thz", SAME_STORY[2][1], 4)]) == (
        1,
        1,
    )
    by_link = {c.link: c for c in Candidate.objects.all()}
    assert by_link["https://b.cn/nasa"].duplicate_of == by_link["https://a.cn/nasa"]
    assert by_link["https://b.cn/thz"].duplicate_of is None
    assert by_link["https://c.cn/thz"].duplicate_of == by_link["https://b.cn/thz"]


def test_near_duplicates_are_sought_only_in_the_last_two_days(db, clock):
    one, other = SAME_STORY[1]
    candidates.store(factories.source(), [story_entry("https://a.cn/rocket", one, 1)])
    clock.shift(datetime.timedelta(days=2, minutes=1))
    assert candidates.store(
        factories.source(), [story_entry("https://b.cn/rocket", other, 2)]
    ) == (1, 0)


def test_a_short_text_is_never_a_near_duplicate(db, clock):
    candidates.store(factories.source(), [entry(link="https://a.cn/1", title="华为发布新芯片")])
    new = [entry(link="https://b.cn/1", title="华为发布新芯片")]
    assert candidates.store(factories.source(), new) == (1, 0)


# --- pruning ------------------------------------------------------------------------


def test_prune_deletes_candidates_older_than_the_inbox_keeps(db, clock, settings):
    settings.NEWSROOM_CANDIDATE_DAYS = 30
    source = factories.source()
    one, other = SAME_STORY[0]
    candidates.store(source, [story_entry("https://a.cn/old", one)])
    item = factories.item(factories.digest(), source=source)
    Candidate.objects.update(item=item, state=Candidate.State.USED)  # used: pruned all the same
    clock.shift(datetime.timedelta(days=29))
    candidates.store(source, [story_entry("https://b.cn/newer", other)])
    newer = Candidate.objects.get(link="https://b.cn/newer")
    assert newer.duplicate_of is None  # more than two days apart
    Candidate.objects.filter(pk=newer.pk).update(
        duplicate_of=Candidate.objects.get(link="https://a.cn/old")
    )
    clock.shift(datetime.timedelta(days=1, seconds=1))
    assert candidates.prune() == 1
    assert list(Candidate.objects.values_list("link", flat=True)) == ["https://b.cn/newer"]
    newer.refresh_from_db()
    assert newer.duplicate_of is None
    item.refresh_from_db()  # the item stays
    assert candidates.prune() == 0


def test_new_candidates_get_their_section_guess_when_stored(db, clock):
    source, section = factories.source("鼎鉴乾坤"), factories.category("前沿科技突破")
    factories.category("AI技术动态")
    digest = factories.digest(datetime.date(2026, 1, 20))
    for _ in range(2):
        factories.item(digest, category=section, source=source)
    candidates.store(source, [entry(link="https://a.cn/thz", title="太赫兹通信速率达100Gbps")])
    assert Candidate.objects.get().section_guess == section


def test_one_poll_takes_at_most_max_entries(db, clock):
    many = [entry(link=f"https://a.cn/{n}", title=f"第{n}条") for n in range(210)]
    assert candidates.store(factories.source(), many) == (candidates.MAX_ENTRIES, 0)
    assert not Candidate.objects.filter(link="https://a.cn/200").exists()  # the oldest left
