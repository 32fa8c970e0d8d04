"""Tricky sentences for the numeric-claims extractor (digests/briefing/claims.py), as data.

Each case is a sentence and every claim expected in it, in order; a case with no
claims lists the numbers that must not be read as claims (years, dates, model
and version names, ordinals, codes). ``measure`` is checked only where given.
"""

from dataclasses import dataclass
from decimal import Decimal

from digests.briefing.claims import ABOUT, DOWN_TO, EXACT, NEAR, OVER, REACH, UNDER, UP_TO


@dataclass(frozen=True)
class Expect:
    text: str
    value: str
    unit: str = ""
    bound: str = EXACT
    high: str | None = None
    measure: str | None = None

    @property
    def decimal(self):
        return Decimal(self.value)


@dataclass(frozen=True)
class Case:
    id: str
    sentence: str
    claims: tuple = ()


CORPUS = (
    # Multipliers
    Case(
        "trillion",
        "核心产业规模1.2万亿元",
        (Expect("1.2万亿元", "1200000000000", "元", measure="核心产业规模"),),
    ),
    Case("ten-thousand", "年产10万吨绿氢", (Expect("10万吨", "100000", "吨"),)),
    Case(
        "bare-hundred-million",
        "下载量破百亿",
        (Expect("破百亿", "10000000000", "", REACH, measure="下载量"),),
    ),
    Case(
        "over-bare-trillion",
        "打造超万亿元母基金集群",
        (Expect("超万亿元", "1000000000000", "元", OVER),),
    ),
    Case("numeral-thousands", "两千家企业", (Expect("两千家", "2000", "家"),)),
    Case("numeral-mixed", "三千二百万人", (Expect("三千二百万人", "32000000", "人"),)),
    Case("thousand-multiplier", "3千万元", (Expect("3千万元", "30000000", "元"),)),
    Case(
        "usd-hundred-million", "达成8.88亿美元合作", (Expect("8.88亿美元", "888000000", "美元"),)
    ),
    # Written forms
    Case(
        "thousands-separator",
        "投资1,200万元",
        (Expect("1,200万元", "12000000", "元", measure="投资"),),
    ),
    Case("separator-millions", "投资1,000,000元", (Expect("1,000,000元", "1000000", "元"),)),
    Case(
        "full-width",
        "营收１２００万元，增长３０％",
        (Expect("１２００万元", "12000000", "元"), Expect("３０％", "30", "%")),
    ),
    Case("full-width-point", "融资额１．５亿美元", (Expect("１．５亿美元", "150000000", "美元"),)),
    Case("percent-words", "百分之三十的企业", (Expect("百分之三十", "30", "%"),)),
    Case("tenths", "三成企业", (Expect("三成", "30", "%"),)),
    Case("cheng-word", "中国成为AI专利最大拥有国，成本下降", ()),
    Case("percentage-points", "提升1.5个百分点", (Expect("1.5个百分点", "1.5", "百分点"),)),
    # Multiples and ranges
    Case("multiple", "速率是5G的10倍", (Expect("10倍", "10", "倍"),)),
    Case("range-years", "3-5年内", (Expect("3-5年", "3", "年", high="5"),)),
    Case("range-zhi", "3至5个项目", (Expect("3至5个", "3", "个", high="5"),)),
    Case(
        "range-percent", "份额50%-60%", (Expect("50%-60%", "50", "%", high="60", measure="份额"),)
    ),
    Case("range-tilde", "3~5年", (Expect("3~5年", "3", "年", high="5"),)),
    Case(
        "range-multiplier",
        "20亿-30亿元",
        (Expect("20亿-30亿元", "2000000000", "元", high="3000000000"),),
    ),
    # Bounds
    Case("about-prefix", "约3亿人", (Expect("约3亿人", "300000000", "人", ABOUT),)),
    Case("about-suffix", "3亿人左右", (Expect("3亿人左右", "300000000", "人", ABOUT),)),
    Case("near", "同比增长近30%", (Expect("近30%", "30", "%", NEAR, measure="同比增长"),)),
    Case(
        "over-chao-guo",
        "企业数量超过6000家",
        (Expect("超过6000家", "6000", "家", OVER, measure="企业数量"),),
    ),
    Case(
        "over-duo",
        "6000多家企业，100余家机构",
        (Expect("6000多家", "6000", "家", OVER), Expect("100余家", "100", "家", OVER)),
    ),
    Case(
        "over-yishang",
        "缩短研发周期50%以上",
        (Expect("50%以上", "50", "%", OVER, measure="研发周期"),),
    ),
    Case(
        "reach",
        "核心产业规模预计突破1.2万亿元",
        (Expect("突破1.2万亿元", "1200000000000", "元", REACH, measure="核心产业规模"),),
    ),
    Case(
        "under",
        "不到5%，低于10%",
        (Expect("不到5%", "5", "%", UNDER), Expect("低于10%", "10", "%", UNDER)),
    ),
    Case(
        "up-to",
        "市场规模从500亿元增长到800亿元",
        (
            Expect("500亿元", "50000000000", "元", measure="市场规模"),
            Expect("增长到800亿元", "80000000000", "元", UP_TO, measure="市场规模"),
        ),
    ),
    Case(
        "down-to-carries-per",
        "发射成本从6万美元/公斤降至2万美元",
        (
            Expect("6万美元/公斤", "60000", "美元/公斤", measure="发射成本"),
            Expect("降至2万美元", "20000", "美元/公斤", DOWN_TO, measure="发射成本"),
        ),
    ),
    # Units
    Case("per-unit", "度电成本0.5元/度", (Expect("0.5元/度", "0.5", "元/度"),)),
    Case(
        "latin-units",
        "建设5GW光伏项目，速率100Gbps，采用5nm工艺",
        (
            Expect("5GW", "5", "GW"),
            Expect("100Gbps", "100", "Gbps"),
            Expect("5nm", "5", "nm"),
        ),
    ),
    Case(
        "duration",
        "持续3天，存电时长超8小时",
        (Expect("3天", "3", "天"), Expect("超8小时", "8", "小时", OVER, measure="存电时长")),
    ),
    Case("unit-kg-not-thousand", "重量5千克", (Expect("5千克", "5", "千克"),)),
    Case("area", "近500万平方米", (Expect("近500万平方米", "5000000", "平方米", NEAR),)),
    # Measures
    Case(
        "measure-after-verb",
        "提升政务数据处理效率50%",
        (Expect("50%", "50", "%", measure="政务数据处理效率"),),
    ),
    Case(
        "measure-before-verb", "生产效率提升28%", (Expect("28%", "28", "%", measure="生产效率"),)
    ),
    Case(
        "measure-object",
        "提供83个高能级创新空间",
        (Expect("83个", "83", "个", measure="高能级创新空间"),),
    ),
    Case(
        "measure-drops-year",
        "2026年全球商业火箭发射120次",
        (Expect("120次", "120", "次", measure="全球商业火箭发射"),),
    ),
    # Not claims
    Case("years", "2026年，模型压缩技术将进一步成熟；2026年2月2日发布", ()),
    Case("iso-date", "2026-02-02上线，2026/2/2发布，2026.02起", ()),
    Case("series", "可灵AI推出3.0系列模型", ()),
    Case("version-after-word", "优化框架(如TensorFlow Lite 4.0)", ()),
    Case("glued-latin", "GPT-4o发布，5G和6G，A100和H20芯片，3D模型", ()),
    Case("phone", "iPhone 17发布，支持WiFi 7", ()),
    Case("dotted-version", "1.2.3版本", ()),
    Case("ordinals", "第二曲线，第3名，第一", ()),
    Case("roman-phase", "推进至III期临床", ()),
    Case("names-with-numerals", "朱雀三号火箭，一体化发展，万物互联", ()),
    Case("scale-classes", "轻量化模型(亿级或千万级参数)", ()),
    Case("big-categories", "聚焦四大技术领域", ()),
    Case("last-years", "近3年持续投入", ()),
    Case(
        "year-not-bare-count",
        "企业2000家，超过2000",
        (Expect("2000家", "2000", "家"), Expect("超过2000", "2000", "", OVER)),
    ),
    Case("too-long-digits", "编号12345678901234567890元", ()),
    Case("month-range", "1-2月销量，3-4代产品", ()),
    Case(
        "range-shared-multiplier",
        "投资20-30亿元",
        (Expect("20-30亿元", "2000000000", "元", high="3000000000"),),
    ),
    Case("falling-not-a-range", "从6万至2万", (Expect("6万", "60000"), Expect("2万", "20000"))),
    Case("last-months", "近6个月以来", ()),
    # A documented limit (docs/claims.md): after a Latin word and a space, a version.
    Case("limit-latin-word-space", "NASA 3次", ()),
    Case("too-large", "亿亿亿亿亿元，超亿亿亿元", ()),
    Case("too-many-decimals", "1.1234567元", ()),
    Case(
        "six-decimals", "单价1.123456元", (Expect("1.123456元", "1.123456", "元", measure="单价"),)
    ),
    Case("currency-yuan-word", "投资3亿人民币", (Expect("3亿人民币", "300000000", "元"),)),
    Case(
        "counted-categories",
        "六大领域25个创新应用场景，三条增长曲线",
        (Expect("25个", "25", "个"), Expect("三条", "3", "条")),
    ),
)
