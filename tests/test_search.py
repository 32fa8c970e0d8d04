"""Search: the tokenizer, the index it feeds, queries on the real database, highlighting."""

import datetime
import io
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from reversion.models import Version

from digests import public_cache, workflow
from digests.briefing import parse_text
from digests.demo import demo_files
from digests.importing import import_briefing
from digests.models import Digest, Item, SearchTerm
from digests.roles import ROLES
from digests.search import (
    current_terms,
    highlight,
    index_items,
    index_tokens,
    matching,
    query_tokens,
    rebuild,
    search,
    terms_changed,
    tokenizer_version,
)
from digests.search.index import TERMS_TIMEOUT
from digests.search.query import Word, fts5_query
from digests.search.tokenize import _tokenizer, normalize, query_words, shipped_terms, stored
from tests import factories

S = Digest.Status
# Not in terms.txt; jieba alone cuts it 星链|终端, and 星链 is not in its dictionary.
NEW_TERM = "星链终端"


def briefing(date, *items, publish=True):
    """Import a briefing of ``items`` (heading, body[, tags]) for ``date``, published."""
    lines = [f"每日科技新闻速览({date})", "科技动态"]
    for heading, body, *tags in items:
        lines += [heading, body, "来源:新华网"]
        if tags:
            lines.append("标签:" + ",".join(tags[0]))
    lines += ["# 深度解析", "深度解析:标题", "背景:说明。", "趋势总结", "- 甲:乙。"]
    lines.append("今日核心趋势总结:总结。")
    return import_briefing(parse_text("\n".join(lines) + "\n"), publish=publish)


def found(q, **kwargs):
    return list(search(q, **kwargs))


def visible_text(item):
    """What a reader sees of an item: topic, headline, body, source and tags."""
    source = item.source.name if item.source else ""
    return " ".join(
        [item.topic, item.title, item.body, source, *(t.name for t in item.tags.all())]
    )


def containing(text):
    """Published items whose visible text contains ``text``: what a search must find."""
    items = Item.objects.published().select_related("source").prefetch_related("tags")
    return {item for item in items if normalize(text) in normalize(visible_text(item))}


# --- the tokenizer (no database) ------------------------------------------------------------


def test_chinese_is_cut_into_words_and_search_mode_has_every_granularity():
    text = "国产人形机器人量产提速"
    assert query_tokens(text) == ["国产", "人形", "机器人", "量产", "提速"]
    indexed = index_tokens(text)
    assert {"机器", "机器人", "人形"} <= set(indexed)
    assert set(query_tokens(text)) <= set(indexed)


def test_english_words_are_lowercased_and_kept_whole():
    tokens = query_tokens("DeepSeek发布新版TensorFlow Lite插件")
    assert {"deepseek", "tensorflow", "lite"} <= set(tokens)
    assert all(token == token.lower() for token in tokens)


def test_numbers_with_units_and_decimals_stay_whole():
    assert {"1.2", "万亿"} <= set(index_tokens("核心产业规模突破1.2万亿元"))
    assert query_tokens("1.2万亿") == ["1.2", "万亿"]
    assert query_words("1.2万亿") == [("1.2",), ("万亿",)]


@pytest.mark.parametrize(
    ("text", "atoms"),
    [
        ("单通道100Gbps光模块", ["100", "gbps"]),
        ("Qwen2.5-Max开源", ["qwen", "2.5", "max"]),
        ("Web3.0时代", ["web", "3.0"]),
        ("GPT-4o发布", ["gpt", "4", "o"]),
        ("iOS 18.2.1更新", ["ios", "18.2.1"]),
        ("出货1,000,000台", ["1000000"]),
    ],
)
def test_letters_and_numbers_are_indexed_as_their_parts_in_order(text, atoms):
    tokens = index_tokens(text)
    start = tokens.index(atoms[0])
    assert tokens[start : start + len(atoms)] == atoms  # side by side: a phrase finds them


def test_touching_letters_and_numbers_are_one_query_word_of_several_atoms():
    assert query_words("100Gbps") == [("100", "gbps")]
    assert query_words("Gbps 100") == [("gbps",), ("100",)]
    assert query_words("qwen2.5-max") == [("qwen", "2.5"), ("max",)]
    assert query_tokens("100Gbps") == ["100", "gbps"]


def test_numbers_are_whole_and_stored_so_that_no_engine_cuts_them():
    assert query_words("3.0") == [("3.0",)]
    assert query_words("3.0.1") == [("3.0.1",)]
    assert query_words("1,000") == query_words("1000") == [("1000",)]
    assert [stored(t) for t in ("3.0", "13.0", "3.0.1", "30", "gbps")] == [
        "3p0",
        "13p0",
        "3p0p1",
        "30",
        "gbps",
    ]


@pytest.mark.parametrize("q", ["\x00", "\x00\x00", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_no_text(q):
    assert query_words(q) == []
    assert query_words(f"量子{q}计算") == query_words("量子 计算")
    assert normalize(f"a{q}b").split() == ["a", "b"]


def test_punctuation_and_spaces_are_dropped_and_query_words_come_once():
    tokens = query_tokens("“人工智能”,人工智能!  ——《AI》…")
    assert tokens == ["人工智能", "ai"]
    assert all(re.search(r"\w", token) for token in index_tokens("“具身智能”——《AI》…"))


def test_a_made_up_word_is_searched_as_its_characters():
    """jieba's statistics cut 非小细胞肺癌 one way in a sentence and another alone."""
    sentence = "靶向药物用于晚期非小细胞肺癌的一线治疗"
    assert query_tokens("非小细胞") == ["非", "小", "细胞"]
    assert {"非", "小", "细胞"} <= set(index_tokens(sentence))
    assert query_tokens("细胞治疗") == ["细胞", "治疗"]  # dictionary words stay words


def test_full_width_letters_are_the_same_as_ascii():
    assert query_tokens("ＡＩ芯片１００Ｇ") == query_tokens("AI芯片100G")
    assert query_words("ＡＩ") == query_words("AI") == [("ai",)]
    assert index_tokens("ＡＩ１００Ｇｂｐｓ") == index_tokens("AI100Gbps")


def test_a_term_is_kept_whole_once_added():
    assert query_tokens(NEW_TERM) == ["星", "链", "终端"]
    assert query_tokens(NEW_TERM, [NEW_TERM]) == [NEW_TERM]
    indexed = index_tokens(f"新一代{NEW_TERM}上市", [NEW_TERM])
    # The term whole, and its parts, so a search for either finds the item.
    assert {NEW_TERM, "星链", "终端"} <= set(indexed)


def test_a_term_is_indexed_even_where_a_neighbouring_term_took_its_characters():
    terms = ["生成式AI", "AI芯片", "智算中心"]
    # The Chinese part of a term that mixes scripts stays whole (生成式, not 生成|式).
    assert query_words("生成式AI芯片", terms) == [("生成式",), ("ai",), ("芯片",)]
    assert {"生成式", "ai", "芯片"} <= set(index_tokens("生成式AI芯片", terms))
    assert {"智算中心", "智算", "中心"} <= set(index_tokens("新建智算中心群", terms))


def test_the_shipped_terms_are_kept_whole():
    terms = shipped_terms()
    assert {"具身智能", "人形机器人", "智算中心", "低空经济", "脑机接口"} <= set(terms)
    assert query_tokens("具身智能", terms) == ["具身智能"]
    assert query_tokens("具身智能") == ["具", "身", "智能"]  # without the term


def test_the_tokenizer_version_follows_the_terms_and_nothing_else():
    base = tokenizer_version(["大模型"])
    assert re.fullmatch(r"[0-9a-f]{12}", base)
    assert tokenizer_version(["大模型", NEW_TERM]) != base
    assert tokenizer_version([NEW_TERM, "大模型"]) == tokenizer_version(["大模型", NEW_TERM])
    assert tokenizer_version([" 大模型 ", "大模型"]) == base


def test_a_tokenizer_is_built_once_per_set_of_terms():
    assert _tokenizer([NEW_TERM]) is _tokenizer([NEW_TERM.lower(), NEW_TERM])
    assert _tokenizer([NEW_TERM]) is not _tokenizer([])


@pytest.mark.parametrize("path", demo_files(), ids=lambda path: path.stem)
def test_any_run_of_whole_words_of_a_text_finds_that_text(path):
    """Precise words of a phrase are among the indexed words of any text holding it."""
    terms = shipped_terms()
    for line in path.read_text(encoding="utf-8").splitlines():
        indexed = index_tokens(line, terms)
        runs = {tuple(indexed[i : i + n]) for n in (1, 2, 3) for i in range(len(indexed))}
        words = _tokenizer(terms).lcut(normalize(line))
        for size in (1, 2, 3):
            for start in range(len(words) - size + 1):
                phrase = "".join(words[start : start + size]).strip()
                # Every query word's atoms stand side by side in the index (short
                # queries too: they are token searches since version 3).
                assert set(query_words(phrase, terms)) <= runs, phrase


def test_fts5_query_quotes_every_token():
    words = [Word(("量子",)), Word(('a"b',)), Word(("or",)), Word(("ai",), prefix=True)]
    assert fts5_query(words) == '"量子" AND "a""b" AND "or" AND "ai"*'
    assert fts5_query(words[:1], months=[(2026, 11), (2026, 10)], column="search_title") == (
        'search_title : ("量子") AND (m202611 OR m202610)'
    )


# --- searching the database -----------------------------------------------------------------


@pytest.fixture
def demo_day(db):
    """The demo briefing of 2026-11-23 (quantum computing, humanoid robots, chips), published."""
    path = next(p for p in demo_files() if p.stem.endswith("2026-11-23"))
    return import_briefing(parse_text(path.read_text(encoding="utf-8")), publish=True)


@pytest.fixture
def sample_day(db, sample_path):
    return import_briefing(parse_text(sample_path.read_text(encoding="utf-8")), publish=True)


@pytest.mark.django_db
def test_an_import_indexes_every_item_with_the_current_version(demo_day):
    items = list(demo_day.items.all())
    assert items
    assert {item.search_version for item in items} == {tokenizer_version()}
    assert all(item.search_title and item.search_body for item in items)


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["人形机器人", "量子纠错", "量子计算", "端侧大模型"])
def test_a_chinese_word_finds_exactly_the_items_holding_it(demo_day, word):
    expected = containing(word)
    assert expected, f"the demo day should mention {word}"
    assert set(found(word)) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["100Gbps", "TensorFlow", "tensorflow"])
def test_numbers_and_english_words_find_their_items_in_the_sample(sample_day, word):
    expected = containing(word)
    assert expected
    assert set(found(word)) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("full_width", "ascii"), [("ＡＩ", "AI"), ("ＴｅｎｓｏｒＦｌｏｗ", "TensorFlow")]
)
def test_full_width_queries_find_what_ascii_ones_find(sample_day, full_width, ascii):
    expected = found(ascii)
    assert expected and found(full_width) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["AI", "ai", "ＡＩ", "ａｉ"])
def test_full_width_text_is_found_by_either_form(q):
    briefing(
        "2026-03-01",
        ("AI技术-ＡＩ芯片出货创新高", "全角字母的标题。"),
        ("AI技术-大模型更新", "正文提到AI。"),
        ("其他-无关新闻", "正文。"),
    )
    assert {item.title for item in found(q)} == {"ＡＩ芯片出货创新高", "大模型更新"}
    assert [item.title for item in found(q * 2 + "芯片")] == []  # aiai芯片: no such word
    assert [item.title for item in found(f"{q}芯片")] == ["ＡＩ芯片出货创新高"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "titles"),
    [
        ("Gbps", {"单通道100Gbps光模块量产", "骨干网升级到400 Gbps", "出货100台"}),
        ("gbps", {"单通道100Gbps光模块量产", "骨干网升级到400 Gbps", "出货100台"}),
        ("100", {"单通道100Gbps光模块量产", "出货100台"}),
        ("100Gbps", {"单通道100Gbps光模块量产"}),  # its parts side by side, not apart
        ("100 Gbps", {"单通道100Gbps光模块量产", "出货100台"}),  # two words, anywhere
        ("Qwen", {"Qwen2.5-Max开源"}),
        ("Qwen2.5", {"Qwen2.5-Max开源"}),
        ("2.5", {"Qwen2.5-Max开源"}),
        ("Max", {"Qwen2.5-Max开源"}),
    ],
)
def test_letters_and_numbers_are_found_by_their_parts(q, titles):
    briefing(
        "2026-03-01",
        ("通信-单通道100Gbps光模块量产", "新品发布。"),
        ("通信-骨干网升级到400 Gbps", "网络扩容。"),
        ("通信-出货100台", "设备交付,速率单位为Gbps的产品另计。"),
        ("AI技术-Qwen2.5-Max开源", "模型发布。"),
    )
    assert {item.title for item in found(q)} == titles


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "titles"),
    [
        ("3.0", {"可灵AI 3.0发布"}),
        ("13.0", {"iOS 13.0回顾"}),
        ("3.0.1", {"补丁3.0.1上线"}),
        ("30", {"增长30%"}),
        ("130", {"出货130台"}),
        ("2030", {"2030年目标"}),
        ("1000", {"出货1,000台"}),
        ("1,000", {"出货1,000台"}),
        ("5", set()),
        ("0", set()),
    ],
)
def test_numbers_match_whole(q, titles):
    briefing(
        "2026-03-01",
        ("AI技术-可灵AI 3.0发布", "新版本。"),
        ("AI技术-iOS 13.0回顾", "旧版本。"),
        ("AI技术-补丁3.0.1上线", "修复问题。"),
        ("产业-增长30%", "同比。"),
        ("产业-出货130台", "交付。"),
        ("产业-2030年目标", "规划。"),
        ("产业-出货1,000台", "交付。"),
    )
    assert {item.title for item in found(q)} == titles


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["\x00", "\x00\x00", "\x00AI", "量子\x00", "\x1b", "\u200b\x00"])
def test_a_control_character_finds_nothing_by_itself(demo_day, q):
    rest = q.replace("\x00", "").replace("\x1b", "").replace("\u200b", "")
    assert found(q) == (found(rest) if rest else [])


@pytest.mark.django_db
def test_a_decimal_amount_finds_the_items_holding_it(sample_day):
    expected = containing("1.2万亿")
    results = found("1.2万亿")
    assert expected and expected <= set(results)
    assert results[0].title == "中国AI产业规模突破1.2万亿元"  # the headline match first


@pytest.mark.django_db
def test_every_word_of_the_query_must_be_in_the_item():
    briefing(
        "2026-03-01",
        ("AI技术-量子计算机迎来新突破", "研究团队发布新一代量子计算机原型。"),
        ("芯片产业-光刻机出口数据公布", "光刻机出口数量同比增长。"),
        ("AI技术-量子计算助力光刻机设计", "DeepSeek团队用量子计算优化光刻机光源。"),
    )
    assert [item.title for item in found("量子计算 光刻机")] == ["量子计算助力光刻机设计"]
    assert len(found("量子计算")) == 2
    assert [item.title for item in found("DeepSeek 光刻机")] == ["量子计算助力光刻机设计"]
    assert found("量子计算 不存在的词") == []


@pytest.mark.django_db
def test_headline_matches_come_before_newer_body_matches():
    briefing("2026-03-01", ("新能源-固态电池量产线投产", "首条产线正式投产。"))
    briefing("2026-03-05", ("新能源-车企发布新款车型", "新车搭载固态电池,能量密度更高。"))
    results = found("固态电池")
    assert [item.title for item in results] == ["固态电池量产线投产", "车企发布新款车型"]
    assert [item.in_title for item in results] == [True, False]


# A long headline holding both words far apart ranks low on either engine.
ENERGY = "光伏组件 风电装机 氢能储运 电网调度 充电桩建设 虚拟电厂 特高压输电 储能电站 海上风电"
ENERGY += " 抽水蓄能 光热发电 核电机组 煤电改造 碳市场交易 地热供暖 生物质能 潮汐发电 智能电表"
ENERGY += " 配电网 微电网 绿证交易"
LONG_HEADLINE = "固态电池、" + "、".join(ENERGY.split()) + "与钠离子电池"


@pytest.mark.django_db
def test_a_headline_holding_every_word_comes_first_even_when_ranked_lower():
    briefing(
        "2026-03-01",
        (f"新能源-{LONG_HEADLINE}", "行业新闻。"),
        ("新能源-固态电池产业链", "钠离子电池与固态电池。" * 6),
        *[(f"其他-无关新闻{n}", "无关正文。") for n in range(8)],  # so the words are rare
    )
    headline, body = found("固态电池 钠离子电池")
    assert (headline.title, headline.in_title) == (LONG_HEADLINE, True)
    assert (body.title, body.in_title) == ("固态电池产业链", False)  # one word in its headline
    assert body.rank > headline.rank  # only the headline rule puts the other first


@pytest.mark.django_db
def test_better_ranked_items_come_first_among_body_matches():
    briefing(
        "2026-03-01",
        ("新能源-新闻甲", "文中提到一次钙钛矿。"),
        ("新能源-新闻乙", "钙钛矿组件效率提升,钙钛矿叠层电池创纪录,钙钛矿产线扩张。"),
    )
    results = found("钙钛矿")
    assert [item.title for item in results] == ["新闻乙", "新闻甲"]
    assert results[0].rank > results[1].rank


@pytest.mark.django_db
def test_the_newest_day_comes_first_when_ranks_are_equal():
    for date in ("2026-03-01", "2026-03-03", "2026-03-02"):
        briefing(date, ("航天-商业航天发射成功", "火箭入轨。"))
    dates = [item.digest.date.isoformat() for item in search("商业航天")]
    assert dates == ["2026-03-03", "2026-03-02", "2026-03-01"]


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["脑机接口", "脑机", "脑"])
def test_only_published_items_are_ever_found(q):
    public = factories.digest(status=S.PUBLISHED)
    hidden = {
        status: factories.digest(status=status)
        for status in (S.DRAFT, S.REVIEW, S.SCHEDULED, S.UNPUBLISHED)
    }
    for digest in [public, *hidden.values()]:
        factories.item(digest, title="脑机接口临床试验启动", body="脑机接口设备进入临床。")
    index_items(Item.objects.all())
    results = found(q)
    assert [item.digest for item in results] == [public]
    narrowed = found(q, queryset=Item.objects.filter(digest__in=hidden.values()))
    assert narrowed == []


@pytest.mark.django_db
def test_one_and_two_character_queries_are_token_searches_headlines_first():
    briefing(
        "2026-03-01",
        ("科技-OpenAI发布新模型", "模型更新。"),
        ("芯片产业-存储价格上涨", "国产AI芯片需求旺盛。"),
        ("芯片产业-晶圆厂扩产", "产能提升。", ["半导体"]),
        ("科技-AIGC平台上线", "生成内容。"),
        ("科技-邮件服务升级", "email与mail服务。"),
    )
    titles = [item.title for item in found("AI")]
    # Two Latin letters match tokens starting with them: OpenAI's camel-case part
    # ai, AIGC, a whole AI; never "ai" inside email. Headline matches first.
    assert titles[2:] == ["存储价格上涨"]
    assert set(titles[:2]) == {"OpenAI发布新模型", "AIGC平台上线"}
    assert [item.title for item in found("ai")] == titles
    assert [item.title for item in found("ma")] == ["邮件服务升级"]  # mail starts with ma
    assert found("il") == []  # inside email and mail, at the start of no token
    chips = found("芯片")
    assert [item.title for item in chips] == ["存储价格上涨", "晶圆厂扩产"]
    assert all(item.in_title and item.rank > 0 for item in chips)  # the topic matched
    assert [item.title for item in found("晶")] == ["晶圆厂扩产"]
    assert len(found("新华")) == 5  # the source's name, 新华网, holds the word 新华


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["", "   ", "!!!", "“”、。", "——…"])
def test_empty_or_punctuation_only_queries_find_nothing(q):
    briefing("2026-03-01", ("AI技术-大模型发布", "正文。"))
    assert found(q) == []


HOSTILE = [
    '"',
    '""',
    '"量子计算',
    "*",
    "量子*",
    "OR",
    "量子 OR 芯片",
    "NOT 量子",
    "量子 AND",
    "'; DROP TABLE digests_item; --",
    "NEAR(量子 芯片)",
    "search_title : 量子",
    "{search_body}: 芯片",
    "^量子",
    "100%",
    "a_b",
    "\\",
    "量子'计算",
    ")(",
    "-量子",
]


@pytest.mark.django_db
@pytest.mark.parametrize("q", HOSTILE)
def test_quotes_operators_and_sql_in_a_query_are_only_text(demo_day, q):
    items = Item.objects.count()
    found(q)  # runs the query: an FTS5 or tsquery syntax error would raise here
    assert Item.objects.count() == items  # and the table is still there


@pytest.mark.django_db
def test_fts_operators_are_not_obeyed(demo_day):
    assert found('"量子计算"') == found("量子计算")
    # "NOT 量子" would exclude quantum items if obeyed; as text it needs both words.
    assert set(found("NOT 量子计算")) <= set(found("量子计算"))
    assert found("量子计算 OR 人形机器人") == []  # "or" is a word no item holds


# --- highlighting -----------------------------------------------------------------------


def test_highlight_escapes_html_and_marks_every_word_in_any_case(db):
    html = highlight(
        "<script>x</script> DeepSeek 与 deepseek 发布量子计算机", "DEEPSEEK 量子计算机"
    )
    assert html == (
        "&lt;script&gt;x&lt;/script&gt; <mark>DeepSeek</mark> 与 <mark>deepseek</mark> "
        "发布<mark>量子计算机</mark>"
    )


def test_highlight_marks_the_longest_word_where_words_overlap():
    assert highlight("量子计算与量子", ["量子", "量子计算"]) == (
        "<mark>量子计算</mark>与<mark>量子</mark>"
    )


def test_highlight_escapes_the_words_too():
    assert (
        highlight("a<b>c & <b>", ["<b>"])
        == "a<mark>&lt;b&gt;</mark>c &amp; <mark>&lt;b&gt;</mark>"
    )


def test_a_snippet_is_cut_around_the_first_match():
    text = "开头" * 50 + "关键的固态电池消息" + "结尾" * 50
    html = highlight(text, ["固态电池"], length=40)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>固态电池</mark>" in html
    assert len(re.sub(r"</?mark>", "", html)) <= 42


def test_a_snippet_without_a_match_is_the_start_of_the_text():
    text = "<开头>" + "正文" * 100
    html = highlight(text, ["不存在"], length=20)
    assert html == "&lt;开头&gt;" + "正文" * 8 + "…"
    assert highlight("短文", ["不存在"], length=20) == "短文"


def test_numbers_are_marked_only_where_they_stand_whole(db):
    assert highlight("iOS 13.0、3.0.1与3.0版", "3.0") == "iOS 13.0、3.0.1与<mark>3.0</mark>版"
    assert highlight("增长30%,出货130台", ["30"]) == "增长<mark>30</mark>%,出货130台"


def test_a_full_width_query_marks_the_ascii_text(db):
    assert highlight("OpenAI发布", "ＡＩ") == "Open<mark>AI</mark>发布"


@pytest.mark.django_db  # the desk's terms, for the query's words
def test_a_short_latin_query_is_marked_where_a_token_starts():
    assert highlight("OpenAI and ai", "AI") == "Open<mark>AI</mark> and <mark>ai</mark>"
    assert highlight("AIGC, email, 芯片AI", "ai") == (
        "<mark>AI</mark>GC, email, 芯片<mark>AI</mark>"
    )


# --- keeping the index in step ----------------------------------------------------------------


@pytest.mark.django_db
def test_indexing_costs_the_same_few_queries_for_any_number_of_items(
    django_assert_num_queries,
):
    digest = factories.digest(status=S.PUBLISHED)
    origin = factories.source("新华网")
    for n in range(40):
        # A body without a number: the factory's "第N条" would hold a 7 for some N.
        item = factories.item(digest, source=origin, title=f"固态电池新闻{n}", body="正文。")
        item.tags.set(["新能源", f"标签{n}"])
    current_terms()  # cached, as in every request after the first
    index_items(Item.objects.filter(digest=digest))  # the headlines' numbers, as claims
    for count in (3, 40):
        # 1. the items with their digests and sources (joins), 2. their tags,
        # 3. one UPDATE for the batch (CHUNK = 500 items at most), 4. one UPDATE of
        # their digests' tokens (admin2, issue 9: the desk's search per digest),
        # 5.-6. the items' story bands: one DELETE, one INSERT (digests.story.index),
        # 7.-15. their digest's numeric claims (digests.claims.ledger.record): its items,
        # analysis title and core summary, paragraphs, trend points and claims read,
        # the claims deleted (read, their links, the rows) and inserted.
        with django_assert_num_queries(15):
            index_items(Item.objects.filter(digest=digest)[:count])
    items = list(Item.objects.filter(digest=digest))
    # A list: 1. the digests (their years), 2. the sources, 3. the tags, 4. the UPDATE,
    # 5. the digests' tokens, 6.-7. the story bands (DELETE, INSERT), 8.-16. the claims.
    with django_assert_num_queries(16):
        assert index_items(items) == 40
    assert found("标签7") == [Item.objects.get(title="固态电池新闻7")]


@pytest.mark.django_db
def test_the_tags_and_the_source_are_searchable():
    briefing("2026-03-01", ("航天-发射任务圆满成功", "火箭入轨。", ["可回收火箭"]))
    assert [item.title for item in found("可回收火箭")] == ["发射任务圆满成功"]
    assert [item.title for item in found("新华网")] == ["发射任务圆满成功"]


@pytest.mark.django_db
def test_rebuild_command_reindexes_only_stale_items_and_records_the_version(demo_day):
    stale = list(demo_day.items.order_by("pk")[:3])
    Item.objects.filter(pk__in=[item.pk for item in stale]).update(
        search_title="", search_body="", search_version="old"
    )
    assert stale[0] not in found(stale[0].title)
    out, err = io.StringIO(), io.StringIO()
    call_command("rebuild_search_index", "--stale-only", stdout=out, stderr=err)
    version = tokenizer_version()
    assert out.getvalue().strip() == f"3 items reindexed; tokenizer version {version}."
    assert "3/3" in err.getvalue()  # the progress bar
    assert set(Item.objects.values_list("search_version", flat=True)) == {version}
    assert stale[0] in found(stale[0].title)
    call_command("rebuild_search_index", "--stale-only", stdout=out, stderr=err)
    assert out.getvalue().splitlines()[-1].startswith("0 items reindexed")
    assert rebuild() == demo_day.items.count()


@pytest.mark.django_db
def test_a_new_term_changes_the_index_once_the_rebuild_task_has_run(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    briefing("2026-03-01", ("航天-新一代星链终端上市", "终端体积更小。"))
    item = Item.objects.get()
    old_version = tokenizer_version()
    assert NEW_TERM not in item.search_title.split()
    generation = public_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        SearchTerm.objects.create(term=NEW_TERM)
        terms_changed()
        # Until the transaction commits, searches keep the terms they had.
        assert NEW_TERM not in current_terms()
    item.refresh_from_db()
    assert NEW_TERM in current_terms()
    assert item.search_version == tokenizer_version() != old_version
    assert NEW_TERM in item.search_title.split()
    assert found(NEW_TERM) == [item]
    assert public_cache.generation() == generation + 1


@pytest.mark.django_db
def test_a_restored_version_gets_tokens_of_the_current_tokenizer():
    digest = briefing("2026-03-01", ("航天-星链终端上市", "终端体积更小。"), publish=False)
    first = Version.objects.get_for_object(digest).last()
    briefing_text = "\n".join(
        ["每日科技新闻速览(2026-03-01)", "科技动态", "航天-别的新闻", "正文。", "来源:新华网"]
    )
    import_briefing(parse_text(briefing_text + "\n"), replace=True)
    SearchTerm.objects.create(term=NEW_TERM)
    current_terms(refresh=True)  # the terms have changed since the version was saved
    restored = workflow.restore(digest, first, None)
    item = restored.items.get()
    assert item.title == "星链终端上市"
    assert item.search_version == tokenizer_version()
    assert NEW_TERM in item.search_title.split()


# --- the desk -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_desk_groups_may_keep_search_terms():
    for name, perms in ROLES.items():
        granted = {
            f"{app}.{codename}"
            for app, codename in Group.objects.get(name=name).permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert granted == set(perms), name  # every permission of the role exists and is given
        assert "digests.add_searchterm" in granted
    assert Permission.objects.filter(codename="delete_searchterm").exists()


@pytest.mark.django_db
def test_adding_a_term_in_the_admin_stamps_the_editor_and_queues_a_rebuild(
    client, editor, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    generation = public_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:digests_searchterm_add"), {"term": NEW_TERM})
    assert response.status_code == 302
    term = SearchTerm.objects.get()
    assert term.added_by == editor
    assert public_cache.generation() == generation + 1
    assert NEW_TERM in current_terms()
    queued = DBTaskResult.objects.filter(task_path__endswith="rebuild_search_index_task")
    # Now, and again once every process's cache of the terms has expired.
    assert sorted(queued.values_list("run_after", flat=True))[-1] - timezone.now() > (
        datetime.timedelta(seconds=TERMS_TIMEOUT - 60)
    )
    assert queued.count() == 2


@pytest.mark.django_db
def test_the_query_reaches_the_database_only_as_parameters():
    # matching() builds the same match as search()'s candidate queries (query._match).
    sql, params = matching("DeepSeek'; 开源", Item.objects.all()).query.sql_with_params()
    engine = "phraseto_tsquery" if connection.vendor == "postgresql" else "digests_item_fts MATCH"
    assert engine in sql
    assert "deepseek" not in sql.lower() and "开源" not in sql
    assert any("deepseek" in str(param) for param in params)
