"""The plain-text briefing parser: the sample, the variations it tolerates, bad input, fuzz."""

import datetime

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digests.briefing import (
    Analysis,
    Briefing,
    BriefingError,
    BriefingItem,
    Labelled,
    Section,
    Trends,
    parse_text,
    render_text,
)
from digests.briefing.parser import RESERVED_HEADINGS

FW_COLON, FW_LPAREN, FW_RPAREN, FW_HYPHEN = "\uff1a", "\uff08", "\uff09", "\uff0d"

MINIMAL = """每日科技新闻速览(2026-03-01)
AI技术动态
AI技术-第一条标题
第一条正文。
来源:新华网
"""


@pytest.fixture(autouse=True)
def english():
    """Error messages are checked in English; the Chinese catalog has the same placeholders."""
    with translation.override("en"):
        yield


def error_of(text):
    with pytest.raises(BriefingError) as caught:
        parse_text(text)
    return caught.value


# --- the reference sample ------------------------------------------------------------


def test_sample_structure(sample_path):
    briefing = parse_text(sample_path.read_bytes())
    assert briefing.date == datetime.date(2026, 2, 2)
    assert briefing.title == "每日科技新闻速览"
    assert [(s.name, len(s.items)) for s in briefing.sections] == [
        ("AI技术动态", 5),
        ("前沿科技突破", 4),
        ("政策与资本动向", 2),
        ("其他领域", 2),
    ]
    assert all(item.source for item in briefing.items)
    # The sample names 7 distinct sources (权宁霞 three times, with and without a final 。).
    assert sorted({item.source for item in briefing.items}) == sorted(
        [
            "权宁霞",
            "辉和辉的AI学习",
            "网易手机网",
            "全球技术地图",
            "鼎鉴乾坤",
            "北京市人民政府",
            "屋顶仰望流星雨",
        ]
    )
    assert briefing.warnings == []


def test_sample_fields_match_the_text(sample_path):
    briefing = parse_text(sample_path.read_bytes())
    first = briefing.sections[0].items[0]
    assert (first.topic, first.title, first.source) == (
        "AI技术",
        "多模态生成式AI进入自然交互阶段",
        "权宁霞",
    )
    assert first.body.startswith("生成式AI将突破单一模态限制")
    assert first.body.endswith("实时渲染技术的结合。")
    sixg = briefing.sections[1].items[3]
    assert (sixg.topic, sixg.title) == ("6G通信", "太赫兹通信速率达100Gbps")
    # The hyphen inside a body (卫星-地面) is text, not a heading.
    assert "卫星-地面基站协同通信" in sixg.body
    assert briefing.analysis.title == "中国AI领跑全球的核心驱动力"
    assert [p.label for p in briefing.analysis.paragraphs] == ["背景", "数据支撑", "影响范围"]
    assert [p.label for p in briefing.trends.points] == [
        "AI多模态交互与边缘部署普及",
        "生物医药智能化加速",
        "空天与6G技术突破",
    ]
    assert briefing.trends.summary.startswith("AI技术从“工具”向“自主智能体”进化")
    # Every line of the file is accounted for: each body line appears in some item.
    text = sample_path.read_text(encoding="utf-8")
    for item in briefing.items:
        for paragraph in item.body.split("\n"):
            assert paragraph in text


# --- variations editors write ------------------------------------------------------------


@pytest.mark.parametrize(
    "title_line",
    [
        "每日科技新闻速览(2026-03-01)",
        f"每日科技新闻速览{FW_LPAREN}2026-03-01{FW_RPAREN}",
        "每日科技新闻速览 ( 2026-03-01 )",
        "每日科技新闻速览(2026/3/1)",
        f"每日科技新闻速览{FW_LPAREN}2026年3月1日{FW_RPAREN}",
    ],
)
def test_title_line_parentheses_and_date_forms(title_line):
    briefing = parse_text(MINIMAL.replace("每日科技新闻速览(2026-03-01)", title_line))
    assert briefing.date == datetime.date(2026, 3, 1)
    assert briefing.title == "每日科技新闻速览"


def test_bom_crlf_blank_lines_and_trailing_spaces_are_accepted():
    messy = "\ufeff" + MINIMAL.replace("\n", "  \u3000\r\n\r\n")
    assert parse_text(messy.encode("utf-8")) == parse_text(MINIMAL)


def test_old_mac_line_ends_are_accepted():
    assert parse_text(MINIMAL.replace("\n", "\r")) == parse_text(MINIMAL)


@pytest.mark.parametrize(
    "source_line",
    [
        "来源:新华网",
        f"来源{FW_COLON}新华网",
        "来源: 新华网",
        f"来源{FW_COLON} 新华网。",
        "来源:新华网。",
        "来源 : 新华网 ",
    ],
)
def test_source_line_variants(source_line):
    briefing = parse_text(MINIMAL.replace("来源:新华网", source_line))
    assert briefing.items[0].source == "新华网"


def test_missing_source_line_gives_an_item_without_source_and_a_warning():
    text = MINIMAL.replace("来源:新华网\n", "") + "AI技术-第二条标题\n第二条正文。\n来源:IT之家\n"
    briefing = parse_text(text)
    assert [item.source for item in briefing.items] == [None, "IT之家"]
    assert len(briefing.warnings) == 1
    assert "Line 3" in briefing.warnings[0] and "来源" in briefing.warnings[0]


@pytest.mark.parametrize(
    ("heading", "topic", "title"),
    [
        ("AI技术-DeepSeek-V4开源发布", "AI技术", "DeepSeek-V4开源发布"),
        ("Robotics-人形机器人进入工厂", "Robotics", "人形机器人进入工厂"),
        (f"芯片{FW_HYPHEN}国产GPU量产", "芯片", "国产GPU量产"),
        ("芯片 - 国产GPU量产", "芯片", "国产GPU量产"),
        ("Open Source-新的许可证发布", "Open Source", "新的许可证发布"),
    ],
)
def test_item_heading_splits_at_the_first_hyphen(heading, topic, title):
    briefing = parse_text(MINIMAL.replace("AI技术-第一条标题", heading))
    item = briefing.items[0]
    assert (item.topic, item.title) == (topic, title)


def test_several_body_paragraphs_keep_their_breaks():
    briefing = parse_text(
        MINIMAL.replace("第一条正文。", "第一段,说明。\n第二段 - 补充说明。\n短句")
    )
    assert briefing.items[0].body == "第一段,说明。\n第二段 - 补充说明。\n短句"


def test_a_short_paragraph_that_looks_like_a_heading_stays_body():
    # A short line without punctuation after a body line is a heading only when an
    # item heading follows it; here the source line follows, so it is a paragraph.
    briefing = parse_text(MINIMAL.replace("第一条正文。", "第一条正文。\n以上数据来自公司财报"))
    assert briefing.items[0].body == "第一条正文。\n以上数据来自公司财报"
    assert [s.name for s in briefing.sections] == ["AI技术动态"]


def test_editors_punctuation_inside_text_is_kept_as_written():
    body = f'半角,全角{chr(0xFF0C)}引号“AI”与"AI";比例1.2万亿:100Gbps(约)。'
    briefing = parse_text(MINIMAL.replace("第一条正文。", body))
    assert briefing.items[0].body == body


def test_sections_name_categories_and_keep_their_order():
    text = MINIMAL + "其他领域\n绿色能源-绿氢成本下降\n绿氢成本下降。\n来源:鼎鉴乾坤\n"
    briefing = parse_text(text)
    assert [s.name for s in briefing.sections] == ["AI技术动态", "其他领域"]


def test_repeated_section_joins_the_first_with_a_warning():
    text = MINIMAL + "其他领域\n能源-甲\n正文甲。\nAI技术动态\nAI技术-乙\n正文乙。\n来源:IT之家\n"
    briefing = parse_text(text)
    assert [(s.name, len(s.items)) for s in briefing.sections] == [
        ("AI技术动态", 2),
        ("其他领域", 1),
    ]
    assert any("appears twice" in w for w in briefing.warnings)


def test_lede_link_and_tags_lines():
    text = MINIMAL.replace("(2026-03-01)\n", "(2026-03-01)\n导语:今天的要点。\n") + (
        "链接:https://example.com/a\n标签:大模型, 开源、芯片\n"
    )
    briefing = parse_text(text)
    assert briefing.lede == "今天的要点。"
    assert briefing.items[0].url == "https://example.com/a"
    assert briefing.items[0].tags == ["大模型", "开源", "芯片"]  # sorted, like every export


ANALYSIS = """深度解析:国产大模型的突破
背景:开源生态成熟。
关键数据:下载量破百亿。
风险提示:算力供给仍紧张。
"""
TRENDS = """趋势总结
- 端侧AI普及:轻量化模型进入手机。
- 生物医药:AI制药进入临床。
今日核心趋势总结:AI从工具走向智能体。
"""


@pytest.mark.parametrize("heading", ["# 深度解析", "深度解析", "## 深度解析"])
def test_analysis_heading_with_or_without_hash(heading):
    briefing = parse_text(MINIMAL + heading + "\n" + ANALYSIS + TRENDS)
    assert briefing.analysis.title == "国产大模型的突破"
    assert [p.label for p in briefing.analysis.paragraphs] == ["背景", "关键数据", "风险提示"]
    assert briefing.trends.summary == "AI从工具走向智能体。"
    assert [(p.label, p.text) for p in briefing.trends.points] == [
        ("端侧AI普及", "轻量化模型进入手机。"),
        ("生物医药", "AI制药进入临床。"),
    ]


def test_analysis_title_without_a_heading_line_starts_the_block():
    briefing = parse_text(MINIMAL + ANALYSIS)
    assert briefing.analysis.title == "国产大模型的突破"
    assert briefing.trends is None


def test_full_width_colons_in_closing_blocks():
    text = MINIMAL + "# 深度解析\n" + (ANALYSIS + TRENDS).replace(":", FW_COLON)
    briefing = parse_text(text)
    assert briefing.analysis.paragraphs[0] == Labelled("背景", "开源生态成熟。")
    assert briefing.trends.points[0].label == "端侧AI普及"


def test_either_closing_block_may_be_absent():
    assert parse_text(MINIMAL).analysis is None
    assert parse_text(MINIMAL).trends is None
    only_trends = parse_text(MINIMAL + TRENDS)
    assert only_trends.analysis is None and len(only_trends.trends.points) == 2


def test_time_in_a_paragraph_is_not_a_label():
    briefing = parse_text(MINIMAL + "# 深度解析\n深度解析:标题\n会议于14:30召开,宣布新政\n")
    assert briefing.analysis.paragraphs == [Labelled("", "会议于14:30召开,宣布新政")]


def test_duplicate_headlines_are_warned():
    text = MINIMAL + "AI技术-第一条标题\n重复标题的正文。\n来源:IT之家\n"
    assert any("also used at line 3" in w for w in parse_text(text).warnings)


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("", 1, "empty"),
        ("   \n\n\t\n", 1, "empty"),
        ("每日科技新闻速览\nAI技术动态\n", 1, "title line with the date"),
        ("每日科技新闻速览(2026-02-30)\n", 1, "2026-02-30 is not a date that exists"),
        ("每日科技新闻速览(明天)\n", 1, "YYYY-MM-DD"),
        ("(2026-03-01)\nAI\n", 1, "title before the date is empty"),
        ("每日科技新闻速览(2026-03-01)\n", 1, "no items found"),
        (
            "每日科技新闻速览(2026-03-01)\n这是一段正文,出现在任何标题之前。\n",
            2,
            "before any heading",
        ),
        (
            "每日科技新闻速览(2026-03-01)\nAI技术-没有栏目的条目\n正文。\n",
            2,
            "before any section heading",
        ),
        ("每日科技新闻速览(2026-03-01)\nAI技术动态\nAI技术-标题\n来源:新华网\n", 4, "body"),
        ("每日科技新闻速览(2026-03-01)\nAI技术动态\nAI技术-标题\n", 3, "has no body"),
        ("每日科技新闻速览(2026-03-01)\nAI技术动态\n来源:新华网\n", 3, "belongs to no item"),
        (MINIMAL + "来源:IT之家\n", 6, "second 来源"),
        (MINIMAL + "这一行在来源之后,不属于任何条目。\n", 6, "expected an item heading"),
        (MINIMAL + "来源\n", 6, "has no items"),
        ("每日科技新闻速览(2026-03-01)\nAI技术动态\n其他领域\n能源-甲\n正文。\n", 2, "no items"),
        (MINIMAL + "# 深度解析\n背景:没有标题行。\n", 7, "深度解析:TITLE"),
        (MINIMAL + "# 深度解析\n", 6, "no title line"),
        (MINIMAL + "趋势总结\n不是要点的一行\n", 7, "expected a trend point"),
        (MINIMAL + "趋势总结\n今日核心趋势总结:总结。\n- 甲:乙\n", 8, "summary line comes last"),
        (MINIMAL + "趋势总结\n- 甲:乙\n今日核心趋势总结:\n", 8, "is empty"),
        (MINIMAL + ANALYSIS + "# 深度解析\n深度解析:又一个\n", 10, "second 深度解析"),
        (MINIMAL + TRENDS + "趋势总结\n", 10, "second 趋势总结"),
        (MINIMAL.replace("第一条标题", "长" * 201), 3, "at most 200"),
        (MINIMAL.replace("新华网", "名" * 101), 5, "at most 100"),
    ],
)
def test_bad_input_names_the_line_and_what_was_expected(text, line, expected):
    error = error_of(text)
    assert error.line == line, str(error)
    assert expected in str(error)
    assert str(error).startswith(f"Line {line}: ")


def test_not_utf8_names_the_line():
    data = MINIMAL.encode("utf-8").replace("第一条正文".encode(), "第一条正文".encode("gbk"))
    error = error_of(data)
    assert error.line == 4
    assert "UTF-8" in str(error)


def test_gbk_file_is_refused_not_misread():
    error = error_of(MINIMAL.encode("gbk"))
    assert error.line == 1 and "UTF-8" in str(error)


def test_messages_are_translated_to_chinese():
    with translation.override("zh-hans"):
        error = error_of("每日科技新闻速览(2026-02-30)\n")
        assert str(error).startswith("第 1 行")


# --- property-based --------------------------------------------------------------------

LINE_PIECES = st.sampled_from(
    [
        "每日科技新闻速览(2026-02-02)",
        "每日科技新闻速览(2026-13-45)",
        "AI技术动态",
        "其他领域",
        "AI技术-标题",
        "A-",
        "-B",
        "正文,有标点。",
        "短句",
        "来源:新华网",
        "来源:",
        "链接:https://example.com",
        "标签:甲,乙",
        "# 深度解析",
        "深度解析:标题",
        "深度解析:",
        "背景:内容",
        "趋势总结",
        "- 要点:内容",
        "- ",
        "今日核心趋势总结:总结",
        "今日核心趋势总结:",
        "",
        "   ",
        "\ufeff",
        "\u3000",
        "#",
    ]
)


def parses_or_names_a_line(text):
    try:
        briefing = parse_text(text)
    except BriefingError as error:
        assert error.line is not None and error.line >= 1
        assert str(error).startswith(f"Line {error.line}: ")
    else:
        assert isinstance(briefing, Briefing)
        assert briefing.sections and all(section.items for section in briefing.sections)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_random_text_never_crashes(text):
    parses_or_names_a_line(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary())
def test_random_bytes_never_crash(data):
    parses_or_names_a_line(data)


@settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(LINE_PIECES, max_size=40), st.sampled_from(["\n", "\r\n", "\r"]))
def test_shuffled_briefing_lines_never_crash(lines, newline):
    parses_or_names_a_line(newline.join(lines))


# Text an editor could type into a field: Chinese, letters, digits and punctuation that
# the format allows inside text, without line breaks.
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
WORD = st.text(
    alphabet=st.one_of(CJK, st.sampled_from("ABCxyz0123456789")), min_size=1, max_size=12
)
SENTENCE = st.builds(
    lambda words, end: ",".join(words) + end,
    st.lists(WORD, min_size=1, max_size=4),
    st.sampled_from(["。", "!", "?"]),
)


def _item(topic, title, body, source, tags):
    return BriefingItem(topic=topic, title=title, body="\n".join(body), source=source, tags=tags)


ITEMS = st.builds(
    _item,
    topic=WORD,
    title=WORD,
    body=st.lists(SENTENCE, min_size=1, max_size=3),
    source=st.one_of(st.none(), WORD),
    tags=st.lists(WORD, max_size=3, unique=True).map(sorted),
)
BRIEFINGS = st.builds(
    Briefing,
    date=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2099, 12, 31)),
    title=st.just("每日科技新闻速览"),
    sections=st.lists(
        st.builds(
            Section,
            name=WORD.filter(lambda name: name not in RESERVED_HEADINGS),
            items=st.lists(ITEMS, min_size=1, max_size=4),
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda section: section.name,
    ),
    analysis=st.one_of(
        st.none(),
        st.builds(
            Analysis,
            title=WORD,
            paragraphs=st.lists(st.builds(Labelled, label=WORD, text=SENTENCE), max_size=4),
        ),
    ),
    trends=st.one_of(
        st.none(),
        st.builds(
            Trends,
            points=st.lists(
                st.builds(Labelled, label=WORD, text=SENTENCE), min_size=1, max_size=4
            ),
            summary=SENTENCE,
        ),
    ),
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(BRIEFINGS)
def test_rendered_text_parses_back_to_the_same_briefing(briefing):
    again = parse_text(render_text(briefing))
    assert again.to_dict() == briefing.to_dict()


def test_an_empty_trend_block_is_read_with_a_warning():
    """The admin can hold a trend summary without points or summary; its export reads back."""
    briefing = parse_text(MINIMAL + "趋势总结\n")
    assert briefing.trends is not None
    assert briefing.trends.to_dict() == {"points": [], "summary": ""}
    assert any("Line 6" in w and "is empty" in w for w in briefing.warnings)
