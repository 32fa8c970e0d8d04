"""The numeric-claims extractor and its matching (digests/briefing/claims.py): pure."""

import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digests.briefing import claims
from digests.briefing.claim_matching import contradicts, measure_similarity, supports
from digests.briefing.claims import (
    ABOUT,
    DOWN_TO,
    EXACT,
    NEAR,
    OVER,
    REACH,
    UNDER,
    Claim,
    extract,
)

from .claims_corpus import CORPUS

# The sample day (../shared/samples/briefing-2026-02-02.txt, beside the checkout): the
# paragraphs with numbers or with look-alikes, copied so the project does not depend on it.
TITLE = "每日科技新闻速览(2026-02-02)"
HEADLINE_SIZE = "AI技术-中国AI产业规模突破1.2万亿元"
HEADLINE_TERAHERTZ = "6G通信-太赫兹通信速率达100Gbps"
HEADLINE_LAUNCH = "商业航天-可回收火箭发射成本降至2万美元/公斤"
MULTIMODAL = "生成式AI将突破单一模态限制,实现文本、图像、音频、视频、3D模型的无缝融合与实时交互。"
BIOSYNTH = (
    "生物合成被列为新质生产力关键抓手,2026年从实验室走向产业化。政策支持AI设计生物细胞生产药品、材料,"
    "国内企业在PLA材料、PEEK材料实现突破并量产,相关项目获红杉、高瓴等资本加注。"
)
EDGE = (
    "2026年,模型压缩技术(量化、剪枝、知识蒸馏)将进一步成熟,轻量化模型(亿级或千万级参数)可"
    "在边缘设备本地运行,"
    "实现低延迟、高隐私的数据处理(如本地语音翻译、智能家居实时决策)。针对边缘场景的专用AI"
    "芯片(TPU、NPU)与优化框架"
    "(如TensorFlow Lite 4.0)将降低部署门槛,推动AI在消费电子、工业传感器等领域的“端侧化”。"
)
INDUSTRY = (
    "中国人工智能企业数量超过6000家,核心产业规模预计突破1.2万亿元,同比增长近30%;国产开源大"
    "模型全球累计下载量突破100亿次,"
    "中国成为AI专利最大拥有国。雄安新区发布“极数”数据大模型(LimiX),专攻结构化数据处理;可灵"
    "AI推出3.0系列模型,性能再升级;"
    "中国在具身智能(机器人、无人机)领域已取得全球主导优势。"
)
SECURITY = (
    "启明星辰2026年将构建三条增长曲线,第二曲线聚焦“AI+”、数据安全、“零信任+”及安全评测四大"
    "技术领域,"
    "依托中国移动协同优势探索“大网”视角综合安全解决方案。"
)
DRUGS = (
    "生成式AI制药从“技术验证”转向“疗效验证”,英矽智能与施维雅达成8.88亿美元抗肿瘤AI药物合作"
    ",剂泰科技、德睿智药的AI辅助设计"
    "药物推进至III期临床。AI平台涵盖靶点发现、分子生成、临床试验设计全流程,端到端系统缩短"
    "研发周期50%以上。"
)
MARS = "火星车可独立分析地形、规划路径并规避障碍,无需地面指令实时干预,探测效率提升300%。"
TERAHERTZ = (
    "华为、中兴联合清华大学研发的“太赫兹通信”技术实现100Gbps传输速率(5G的10倍),传输距离达1"
    "公里;中国电信与中国卫通合作在"
    "青藏高原实现卫星-地面基站协同通信,覆盖半径500公里,为6G空天地一体化网络奠定基础。"
)
YIZHUANG = (
    "北京经开区发布2026年全球机遇清单,开放信息技术、生物健康等六大领域25个创新应用场景,提"
    "供83个高能级创新空间(近500万平方米),"
    "打造超万亿元母基金集群。"
)
ROCKETS = (
    "蓝箭航天“朱雀三号”火箭实现10次回收全成功,发射成本从6万美元/公斤降至2万美元;2026年全球"
    "商业火箭发射120次,中国占30次,"
    "星际荣耀年发射15次,营收增长2倍。"
)
HYDROGEN = (
    "中国绿氢成本降至1美元/公斤(灰氢1.2美元),隆基绿能在内蒙古建设5GW光伏制氢项目,年产10万"
    "吨绿氢,可满足200万辆氢能重卡需求;"
    "液流电池储能电站度电成本0.5元,存电时长超8小时。"
)
BACKGROUND = (
    "背景:中国AI产业通过“开源创新+场景落地”实现弯道超车,国产大模型下载量破百亿,专利数量全球第"
    "一,在具身智能、行业应用等领域形成差异化优势。"
)
FIGURES = (
    "数据支撑:核心产业规模1.2万亿元(同比增长30%),企业数量超6000家,AI相关产品贸易出口领先全球。"
)
IMPACT = (
    "影响范围:雄安“极数”大模型提升政务数据处理效率50%,可灵AI 3.0推动金融、医疗场景智能化,"
    "具身智能技术赋能工业机器人,"
    "生产效率提升28%。"
)
TREND_DRUGS = (
    "生物医药智能化加速:生成式AI与基因编辑结合,新药研发周期缩短50%,个性化疗法进入临床验证阶段。"
)
TREND_SPACE = "空天与6G技术突破:火星车全AI驾驶验证深空探测能力,太赫兹通信为6G商用奠定基础。"

ITEM_PARAGRAPHS = (EDGE, INDUSTRY, SECURITY, DRUGS, MARS, TERAHERTZ, YIZHUANG, ROCKETS, HYDROGEN)
ANALYSIS_PARAGRAPHS = (BACKGROUND, FIGURES, IMPACT)

# Every number of the sample's paragraphs: (text as written, value, unit, bound).
SAMPLE_CLAIMS = {
    TITLE: [],
    HEADLINE_SIZE: [("突破1.2万亿元", "1200000000000", "元", REACH)],
    HEADLINE_TERAHERTZ: [("达100Gbps", "100", "Gbps", REACH)],
    HEADLINE_LAUNCH: [("降至2万美元/公斤", "20000", "美元/公斤", DOWN_TO)],
    MULTIMODAL: [],
    BIOSYNTH: [],
    EDGE: [],
    INDUSTRY: [
        ("超过6000家", "6000", "家", OVER),
        ("突破1.2万亿元", "1200000000000", "元", REACH),
        ("近30%", "30", "%", NEAR),
        ("突破100亿次", "10000000000", "次", REACH),
    ],
    SECURITY: [("三条", "3", "条", EXACT)],
    DRUGS: [("8.88亿美元", "888000000", "美元", EXACT), ("50%以上", "50", "%", OVER)],
    MARS: [("300%", "300", "%", EXACT)],
    TERAHERTZ: [
        ("100Gbps", "100", "Gbps", EXACT),
        ("10倍", "10", "倍", EXACT),
        ("达1公里", "1", "公里", REACH),
        ("500公里", "500", "公里", EXACT),
    ],
    YIZHUANG: [
        ("25个", "25", "个", EXACT),
        ("83个", "83", "个", EXACT),
        ("近500万平方米", "5000000", "平方米", NEAR),
        ("超万亿元", "1000000000000", "元", OVER),
    ],
    ROCKETS: [
        ("10次", "10", "次", EXACT),
        ("6万美元/公斤", "60000", "美元/公斤", EXACT),
        ("降至2万美元", "20000", "美元/公斤", DOWN_TO),
        ("120次", "120", "次", EXACT),
        ("30次", "30", "次", EXACT),
        ("15次", "15", "次", EXACT),
        ("2倍", "2", "倍", EXACT),
    ],
    HYDROGEN: [
        ("降至1美元/公斤", "1", "美元/公斤", DOWN_TO),
        ("1.2美元", "1.2", "美元", EXACT),
        ("5GW", "5", "GW", EXACT),
        ("10万吨", "100000", "吨", EXACT),
        ("200万辆", "2000000", "辆", EXACT),
        ("0.5元", "0.5", "元", EXACT),
        ("超8小时", "8", "小时", OVER),
    ],
    BACKGROUND: [("破百亿", "10000000000", "", REACH)],
    FIGURES: [
        ("1.2万亿元", "1200000000000", "元", EXACT),
        ("30%", "30", "%", EXACT),
        ("超6000家", "6000", "家", OVER),
    ],
    IMPACT: [("50%", "50", "%", EXACT), ("28%", "28", "%", EXACT)],
    TREND_DRUGS: [("50%", "50", "%", EXACT)],
    TREND_SPACE: [],
}


def summary(found):
    return [(claim.text, claim.value, claim.unit, claim.bound) for claim in found]


@pytest.mark.parametrize("paragraph", list(SAMPLE_CLAIMS), ids=lambda paragraph: paragraph[:12])
def test_every_number_of_the_sample(paragraph):
    expected = [
        (text, Decimal(value), unit, bound)
        for text, value, unit, bound in SAMPLE_CLAIMS[paragraph]
    ]
    assert summary(extract(paragraph)) == expected


@pytest.mark.parametrize("paragraph", list(SAMPLE_CLAIMS), ids=lambda paragraph: paragraph[:12])
def test_offsets_slice_back_to_the_text(paragraph):
    for claim in extract(paragraph):
        assert paragraph[claim.start : claim.end] == claim.text
        assert claim.high is None  # the sample has no ranges


SAMPLE_FILE = (
    Path(__file__).resolve().parents[2] / "shared" / "samples" / "briefing-2026-02-02.txt"
)


@pytest.mark.skipif(not SAMPLE_FILE.exists(), reason="the shared sample is not checked out here")
def test_the_copied_paragraphs_are_all_of_the_samples_numbers():
    lines = SAMPLE_FILE.read_text(encoding="utf-8").splitlines()
    whole = [claim.text for line in lines for claim in extract(line.removeprefix("- "))]
    copied = [text for expected in SAMPLE_CLAIMS.values() for text, *_ in expected]
    assert sorted(whole) == sorted(copied)
    assert len(whole) == 40  # 33 in the items (headlines included), 7 in the analysis and trends


# Numbers of the sample that are not claims: years, versions, model names, ordinals,
# scale classes and category counts (六大, 四大: docs/claims.md).
SAMPLE_NON_CLAIMS = [
    (TITLE, "2026-02-02"),
    (MULTIMODAL, "3D模型"),
    (BIOSYNTH, "2026年"),
    (HEADLINE_TERAHERTZ, "6G通信"),
    (EDGE, "2026年"),
    (EDGE, "亿级"),
    (EDGE, "千万级"),
    (EDGE, "4.0"),
    (INDUSTRY, "3.0系列"),
    (SECURITY, "2026年"),
    (SECURITY, "第二曲线"),
    (SECURITY, "四大"),
    (DRUGS, "III期"),
    (TERAHERTZ, "5G的"),
    (TERAHERTZ, "6G空天"),
    (YIZHUANG, "2026年"),
    (YIZHUANG, "六大"),
    (ROCKETS, "朱雀三号"),
    (ROCKETS, "2026年"),
    (BACKGROUND, "全球第一"),
    (IMPACT, "AI 3.0"),
    (TREND_SPACE, "6G"),
]


@pytest.mark.parametrize(("paragraph", "needle"), SAMPLE_NON_CLAIMS, ids=lambda value: value[:8])
def test_the_samples_non_claims_are_absent(paragraph, needle):
    begin = paragraph.index(needle)
    span = range(begin, begin + len(needle))
    assert paragraph.count(needle) >= 1
    for claim in extract(paragraph):
        assert claim.start not in span and claim.end - 1 not in span, (needle, claim)


def test_a_multiple_of_a_generation():
    # 5G的10倍: the multiple is a claim, the generation is not.
    assert [claim.text for claim in extract("(5G的10倍)")] == ["10倍"]


@pytest.mark.parametrize(
    ("paragraph", "text", "measure"),
    [
        (HEADLINE_SIZE, "突破1.2万亿元", "中国AI产业规模"),  # the topic before - is not measured
        (HEADLINE_LAUNCH, "降至2万美元/公斤", "可回收火箭发射成本"),
        (INDUSTRY, "超过6000家", "中国人工智能企业数量"),
        (INDUSTRY, "突破1.2万亿元", "核心产业规模"),
        (INDUSTRY, "近30%", "同比增长"),
        (INDUSTRY, "突破100亿次", "国产开源大模型全球累计下载量"),
        (DRUGS, "50%以上", "研发周期"),
        (DRUGS, "8.88亿美元", "抗肿瘤AI药物合作"),
        (MARS, "300%", "探测效率"),
        (TERAHERTZ, "100Gbps", "传输速率"),
        (TERAHERTZ, "达1公里", "传输距离"),
        (ROCKETS, "6万美元/公斤", "发射成本"),
        (ROCKETS, "降至2万美元", "发射成本"),
        (ROCKETS, "2倍", "营收"),
        (HYDROGEN, "超8小时", "存电时长"),
        (BACKGROUND, "破百亿", "国产大模型下载量"),
        (FIGURES, "1.2万亿元", "核心产业规模"),
        (FIGURES, "30%", "同比增长"),
        (FIGURES, "超6000家", "企业数量"),
        (IMPACT, "50%", "政务数据处理效率"),
        (IMPACT, "28%", "生产效率"),
        (TREND_DRUGS, "50%", "新药研发周期"),
        (YIZHUANG, "近500万平方米", ""),  # in brackets, nothing said about it there
    ],
)
def test_measures_of_the_sample(paragraph, text, measure):
    (claim,) = [claim for claim in extract(paragraph) if claim.text == text]
    assert claim.measure == measure
    assert len(claim.measure) <= claims.MAX_MEASURE


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.id)
def test_corpus(case):
    found = extract(case.sentence)
    assert [claim.text for claim in found] == [expect.text for expect in case.claims]
    for claim, expect in zip(found, case.claims, strict=True):
        assert claim.value == expect.decimal, claim
        assert (claim.unit, claim.bound) == (expect.unit, expect.bound), claim
        assert claim.high == (None if expect.high is None else Decimal(expect.high)), claim
        if expect.measure is not None:
            assert claim.measure == expect.measure, claim
        assert case.sentence[claim.start : claim.end] == claim.text


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 40
    assert len({case.id for case in CORPUS}) == len(CORPUS)
    assert sum(1 for case in CORPUS if not case.claims) >= 10  # the non-claims


def test_values_are_plain_decimals():
    (claim,) = extract("核心产业规模1.2万亿元")
    assert (
        str(claim.value) == "1200000000000"
    )  # no exponent, no trailing .0: ready for a DecimalField
    (claim,) = extract("成本0.50元")
    assert str(claim.value) == "0.5"


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("99999999999999.999999千万元", "999999999999999999990"),
        ("三千二百亿亿元", "32000000000000000000"),
        ("999999999999999.999999万亿元", None),  # 10²⁷: above MAX_VALUE, not a claim
        ("提升至999,999,999,999,999.123456千万亿美元/平方米以上", None),
    ],
)
def test_values_at_the_limits(sentence, value):
    found = extract(sentence)
    assert [str(claim.value) for claim in found] == ([value] if value else [])
    for claim in found:
        assert claim.value < claims.MAX_VALUE
        assert len(claim.value.as_tuple().digits) <= claims.MAX_VALUE_DIGITS


def test_claims_stop_at_the_paragraph_limit():
    found = extract("1次，" * (claims.MAX_CLAIMS + 50))
    assert len(found) == claims.MAX_CLAIMS


# Each is about 100 000 characters, twenty times a paragraph's limit (grammar.MAX_PARAGRAPH):
# runs a backtracking pattern or a rescan per number would make quadratic.
ADVERSARIAL = {
    "digits": "9" * 100_000,
    "numerals": "万" * 100_000,
    "numeral-mix": "三千二百万亿" * 16_000,
    "dots": "1." * 50_000,
    "separators": "1," * 50_000,
    "ranges": "1-" * 50_000,
    "dates": "2026-" * 20_000,
    "percent-words": "百分之" * 33_000,
    "bounds": "超过" * 50_000 + "1",
    "claims-no-punctuation": "企业数量超过6000家" * 9_000,
    "latin-glue": "a1" * 50_000,
    "versions": "Lite 4.0 " * 11_000,
    "full-width": "１２３，" * 25_000,
    "duo": "1多" * 50_000,
}


def _fastest(text, runs=3):
    """The quickest of a few timed extractions (the least disturbed by other work)."""
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        extract(text)
        timings.append(time.perf_counter() - began)
    return min(timings)


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_linear_time_on_adversarial_input(name):
    """Guards complexity, not speed: a quarter of the input takes about a quarter of the
    time (a quadratic scan would take a sixteenth), measured as a ratio so that a loaded
    machine slows both alike; and the whole input stays far from a stall."""
    text = ADVERSARIAL[name]
    whole, quarter = _fastest(text), _fastest(text[: len(text) // 4])
    assert whole < 8 * quarter + 0.05, (name, whole, quarter)
    assert whole < 5, (name, whole)  # a quadratic scan of 100 KB takes minutes
    found = extract(text)
    for claim in found[:50]:
        assert text[claim.start : claim.end] == claim.text


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list(
                "0123456789.,-~/%１２３．％万亿千百十两三一零第年月日约近超过突破破达降至"
                "增到以上多余左右元美/公斤家次倍个GWbpsnmAa ，。；：（）"
            )
        ),
        max_size=80,
    )
)
def test_extract_never_raises_and_offsets_hold(text):
    for claim in extract(text):
        assert text[claim.start : claim.end] == claim.text
        assert claim.text
        assert claim.bound in claims.BOUNDS
        assert claim.high is None or claim.high >= claim.value
        assert len(claim.measure) <= claims.MAX_MEASURE


# Pieces that build long and large numbers: 15 digits, six decimals, 千万亿, separators.
NUMBER_PIECES = ["999999999999999", ".", "123456", ",999", "千", "万", "亿", "万亿", "百分之"]
NUMBER_PIECES += ["-", "至", "%", "元", "美元/公斤", "多", "以上", "约", "超过", "年", "，"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NUMBER_PIECES), max_size=12).map("".join))
def test_extract_holds_on_long_and_large_numbers(text):
    for claim in extract(text):
        assert text[claim.start : claim.end] == claim.text
        assert claim.value < claims.MAX_VALUE
        assert -claim.value.as_tuple().exponent <= claims.MAX_DECIMALS


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_extract_never_raises_on_any_text(text):
    for claim in extract(text):
        assert text[claim.start : claim.end] == claim.text


# --- Matching -----------------------------------------------------------------------


def only(paragraph, text):
    (claim,) = [claim for claim in extract(paragraph) if claim.text == text]
    return claim


def supported_by(claim):
    """The texts of the sample items' claims that support ``claim``."""
    return [
        other.text
        for paragraph in ITEM_PARAGRAPHS
        for other in extract(paragraph)
        if supports(claim, other)
    ]


@pytest.mark.parametrize(
    ("paragraph", "text", "expected"),
    [
        (BACKGROUND, "破百亿", ["突破100亿次"]),
        (FIGURES, "超6000家", ["超过6000家"]),
        (FIGURES, "1.2万亿元", ["突破1.2万亿元"]),
        (FIGURES, "30%", ["近30%"]),
        (IMPACT, "50%", []),  # the day's other 50% is about drug-discovery cycles
        (IMPACT, "28%", []),
        (TREND_DRUGS, "50%", ["50%以上"]),
    ],
)
def test_the_samples_support_matrix(paragraph, text, expected):
    assert supported_by(only(paragraph, text)) == expected


def claim(value, unit="", bound=EXACT, measure="", high=None):
    return Claim(
        text="x",
        start=0,
        end=1,
        value=Decimal(value),
        unit=unit,
        bound=bound,
        high=high,
        measure=measure,
    )


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (claim("30", "%", measure="同比增长"), claim("30", "%", NEAR, "同比增长"), True),
        (
            claim("30", "%", NEAR, "同比增长"),
            claim("25", "%", measure="同比增长"),
            False,
        ),  # 近30% is 28.5–30
        (claim("30", "%", NEAR, "同比增长"), claim("28.6", "%", measure="同比增长"), True),
        (claim("6000", "家", OVER, "企业数量"), claim("6000", "家", OVER, "企业数量"), True),
        (claim("6000", "家", OVER, "企业数量"), claim("5000", "家", measure="企业数量"), False),
        (claim("3", "亿", ABOUT), claim("3.1", "亿"), True),
        (claim("3", "亿", ABOUT), claim("3.5", "亿"), False),
        (claim("5", "%", UNDER), claim("4.9", "%"), True),
        (claim("5", "%", UNDER), claim("6", "%"), False),
        (claim("100", "Gbps"), claim("100", "GW"), False),  # units differ
        (
            claim("10000000000"),
            claim("10000000000", "次", REACH, "下载量"),
            True,
        ),  # one side without unit or measure
        (
            claim("50", "%", measure="政务数据处理效率"),
            claim("50", "%", OVER, "研发周期"),
            False,
        ),  # what is measured differs
        (claim("20000", "美元/公斤", DOWN_TO), claim("20000", "美元/公斤", DOWN_TO), True),
        (claim("3", "年", high=Decimal(5)), claim("4", "年"), True),  # inside the range
        (claim("3", "年", high=Decimal(5)), claim("6", "年"), False),
    ],
)
def test_supports(first, second, expected):
    assert supports(first, second) is expected


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (
            claim("1200000000000", "元", measure="核心产业规模"),
            claim("900000000000", "元", measure="核心产业规模"),
            True,
        ),
        (
            claim("1200000000000", "元", REACH, "核心产业规模"),
            claim("900000000000", "元", measure="核心产业规模"),
            True,
        ),
        (
            claim("1200000000000", "元", measure="核心产业规模"),
            claim("1000000000000", "元", OVER, "核心产业规模"),
            False,
        ),
        (
            claim("1200000000000", "元", measure="核心产业规模"),
            claim("1180000000000", "元", measure="核心产业规模"),
            False,
        ),
        (
            claim("1200000000000", "元", measure="核心产业规模"),
            claim("900000000000", "元", measure="母基金集群"),
            False,
        ),
        (
            claim("1200000000000", "元", measure="核心产业规模"),
            claim("900000000000", "美元", measure="核心产业规模"),
            False,
        ),
        (claim("6000", "家", OVER, "企业数量"), claim("5000", "家", UNDER, "企业数量"), True),
        (claim("6000", "家", NEAR, "企业数量"), claim("6500", "家", measure="企业数量"), True),
        (
            claim("6000", "家", measure=""),
            claim("9000", "家", measure="企业数量"),
            False,
        ),  # nothing to compare
    ],
)
def test_contradicts(first, second, expected):
    assert contradicts(first, second) is expected
    assert contradicts(second, first) is expected


def test_measure_similarity():
    assert measure_similarity("企业数量", "中国人工智能企业数量") == 1.0
    assert measure_similarity("政务数据处理效率", "研发周期") == 0.0
    assert 0.5 <= measure_similarity("国产大模型下载量", "国产开源大模型全球累计下载量") < 1.0
    assert measure_similarity("", "下载量") == 0.0
