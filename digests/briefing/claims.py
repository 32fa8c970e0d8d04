"""The numbers a briefing states, as claims: pure Python, no database (docs/claims.md).

``extract(text)`` finds each number of a paragraph with its text as written, its
value (Chinese multipliers 万, 亿, 万亿, 千 applied), a bound (约, 近, 超过, 突破,
降至 …), its unit (元, 美元/公斤, Gbps, 家, %, 倍 …) and, where the sentence says,
what it measures. Years (2026年), dates, model and version names (3.0系列,
TensorFlow Lite 4.0) are not claims. Which claims report the same number, or
contradict each other, is ``digests.briefing.claim_matching``'s question.

The scanner walks the paragraph once; every look-behind and look-ahead is bounded
(a bound word, a unit, a measure of at most ``MAX_MEASURE`` characters), and runs
of digits or numerals too long to be a quantity are skipped whole, so the work is
linear in the paragraph's length. No regular expression is used.
"""

import unicodedata
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation

# Bounds: how the number relates to the quantity.
EXACT = ""
ABOUT = "about"  # 约, 大约, 左右, 上下
NEAR = "near"  # 近, 接近, 将近 (a little under)
OVER = "over"  # 超过, 超, 逾, 以上, 多 (more than)
REACH = "reach"  # 突破, 破, 达到, 达 (reaches or passes)
UNDER = "under"  # 不到, 低于, 以下, 不足 (less than)
DOWN_TO = "down_to"  # 降至, 降到, 减至, 低至
UP_TO = "up_to"  # 升至, 增至, 提升至, 涨至
BOUNDS = (EXACT, ABOUT, NEAR, OVER, REACH, UNDER, DOWN_TO, UP_TO)

MAX_MEASURE = 20  # characters of a measure

# Claims read from one paragraph at most: prose states a few dozen (the sample's
# densest paragraph has seven); a run of thousands is a table or noise, not claims.
MAX_CLAIMS = 1000
MAX_DIGITS = 15  # integer digits of a quantity; longer runs are codes, not claims
MAX_DECIMALS = 6  # digits after the point; more is a code or a version, not a claim
# Values above this are not claims (亿亿亿…, a 15-digit number of 万亿): below it, a
# value fits a DecimalField(max_digits=MAX_VALUE_DIGITS, decimal_places=MAX_DECIMALS).
MAX_VALUE = Decimal(10) ** 24
MAX_VALUE_DIGITS = 24 + MAX_DECIMALS
MAX_NUMERAL = 12  # characters of a Chinese numeral (三千二百五十万 …)

# Bound words written before the number (the longest written one is taken: 突破, not 破).
_PREFIX_BOUNDS = {
    word: bound
    for bound, words in (
        (ABOUT, "大约 约"),
        (NEAR, "将近 接近 近"),
        (OVER, "超过 高于 逾 超"),
        (REACH, "突破 多达 高达 达到 破 达"),
        (UNDER, "不到 不足 低于"),
        (DOWN_TO, "降至 降到 减至 减少至 减少到 下降至 下降到 降低至 降低到 低至 跌至 回落至"),
        (UP_TO, "升至 升到 增至 涨至 涨到 提升至 提升到 提高至 提高到 增长至 增长到"),
        (UP_TO, "增加至 增加到 上升至 上升到"),
    )
    for word in words.split()
}
_PREFIX_LONGEST = max(len(word) for word in _PREFIX_BOUNDS)
# Bound words written after the unit.
_SUFFIX_BOUNDS = {"左右": ABOUT, "上下": ABOUT, "以上": OVER, "以下": UNDER, "以内": UNDER}

_CN_DIGITS = {char: digit for digit, char in enumerate("零一二三四五六七八九")} | {
    "〇": 0,
    "两": 2,
}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "亿": 10**8}
_NUMERAL_CHARS = frozenset(_CN_DIGITS) | frozenset(_CN_SMALL) | frozenset(_CN_BIG)


def _words(text):
    """A tuple of the space-separated words: the word lists below read as prose."""
    return tuple(text.split())


_CURRENCIES = ("美元", "欧元", "日元", "港元", "英镑", "人民币", "元")
_PER_UNITS = _words("平方米 千瓦时 公斤 千克 吨 度 克 瓦 kWh MWh W kg t")
# Units of measure and counters, longest first where one starts another.
_UNITS = _words(
    "个百分点 百分点 平方公里 平方米 千瓦时 千瓦 兆瓦 吉瓦 千米 千克 纳米 "
    "人次 公里 公斤 个月 小时 分钟 米 吨 克 瓦 秒 天 周 年 家 次 辆 "
    "个 项 台 人 款 条 场 倍 座 颗 架 枚 部 件 所 名 位 户 例 篇 "
    "亩 种 % ‰"
)
# Latin units, matched case-sensitively and only when no letter follows (5GW, not 5G).
_LATIN_UNITS = _words(
    "Tbps Gbps Mbps GWh MWh kWh TWh GHz MHz TOPS GW MW kW TW nm mm cm km kg TB GB PB MB"
)
# After a number these make it a name or an ordinal class, not a quantity.
_NAME_SUFFIXES = _words("系列 版本 版 代 号 级 大 期 型 月 日 届 季度 点0")
# 成 is a tenth (三成 = 30%) unless it starts a word.
_CHENG_WORDS = frozenset("本为功立果熟长员都交效就绩品型分")
_DATE_SEPARATORS = frozenset("-/.")
_PERIODS = ("年", "个月", "天", "周")
_RANGE_SEPARATORS = ("-", "~", "～", "—", "至", "到")
_CLAUSE_ENDS = frozenset('，,；;。！!？?：:（()）、\n“”"「」')
# Words the measure drops from its end (qualifiers and connectors, not the thing measured).
_MEASURE_TRAILERS = _words("预计将 预计 有望 实现 累计 已经 已 将 为 是 的 从 共 约 达 至 由")
# Verbs of change: "缩短研发周期50%" measures 研发周期, "生产效率提升28%" 生产效率.
_CHANGE_VERBS = _words("缩短 提升 提高 降低 减少 增加 扩大 缩小 下降 增长 上涨 下跌 节省 节约")
# Verbs whose object, after the number, is what is counted: "提供83个高能级创新空间".
_OBJECT_VERBS = _words(
    "实现 提供 开放 建设 达成 完成 拥有 推出 发布 获得 新增 构建 打造 满足 吸引 带动 签约 覆盖"
)


def _by_first(words):
    """Words grouped by their first character, longest first: one dict look-up per position."""
    index = {}
    for word in sorted(words, key=len, reverse=True):
        index.setdefault(word[0], []).append(word)
    return {char: tuple(group) for char, group in index.items()}


def _by_last(words):
    index = {}
    for word in sorted(words, key=len, reverse=True):
        index.setdefault(word[-1], []).append(word)
    return {char: tuple(group) for char, group in index.items()}


_CURRENCY_INDEX = _by_first(_CURRENCIES)
_PER_INDEX = _by_first(_PER_UNITS)
_LATIN_INDEX = _by_first(_LATIN_UNITS)
_UNIT_INDEX = _by_first(_UNITS)
_NAME_INDEX = _by_first(_NAME_SUFFIXES)
_TRAILER_INDEX = _by_last(_MEASURE_TRAILERS)
_OBJECT_VERB_INDEX = _by_last(_OBJECT_VERBS)


def _word_at(s, i, index):
    """The longest word of ``index`` written at ``i``, or ""."""
    if i < len(s):
        for word in index.get(s[i], ()):
            if s.startswith(word, i):
                return word
    return ""


@dataclass(frozen=True)
class Claim:
    text: str  # as written, e.g. "近30%", "1.2万亿元", "降至2万美元"
    start: int  # offsets of ``text`` in the paragraph
    end: int
    value: Decimal  # 1.2万亿 → 1200000000000; 30% → 30 (unit "%"); 10倍 → 10 (unit "倍")
    unit: str = ""  # normalised: "元", "美元/公斤", "%", "倍", "Gbps", "家" …
    bound: str = EXACT
    high: Decimal | None = None  # a range's upper end (3-5年 → value 3, high 5)
    measure: str = ""  # what it measures, as the sentence says: "核心产业规模", "下载量"


def _fold(char):
    """A character, full-width digits, letters and signs folded to ASCII (offsets hold)."""
    if char.isascii():
        return char
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) == 1 and folded.isascii() and (folded.isalnum() or folded in "%.-~/+"):
        return folded
    return char


def _is_latin(char):
    return char.isascii() and char.isalpha()


def _is_han(char):
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


_WIDE = Context(prec=64)  # any value read (15 digits, 6 decimals, × 10¹⁵ at most) is exact


def _tidy(value):
    """A Decimal without a trailing ``.0`` or an exponent: 1.2 × 10¹² → 1200000000000."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1), context=_WIDE)
    return value.normalize(context=_WIDE)


class _Number:
    """A number read at a position: its value, where it ends, and how it was written."""

    __slots__ = ("arabic", "end", "fraction", "has_multiplier", "integer_digits", "value")

    def __init__(self, value, end, arabic, integer_digits=0, has_multiplier=False, fraction=False):
        self.value = value
        self.end = end
        self.arabic = arabic
        self.integer_digits = integer_digits
        self.has_multiplier = has_multiplier
        self.fraction = fraction


def _numeral_end(s, i):
    end = i
    while end < len(s) and s[end] in _NUMERAL_CHARS:
        end += 1
    return end


def _numeral_value(run):
    """The value of a Chinese numeral (两千, 百亿, 三千二百万), or None for a digit string."""
    if len(run) > 1 and all(c in _CN_DIGITS for c in run):
        return None  # 二〇二六: a year written in numerals, never a quantity here
    total = section = digit = 0
    for char in run:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_SMALL:
            section += (digit or 1) * _CN_SMALL[char]
            digit = 0
        elif char == "万":
            section = ((section + digit) or 1) * _CN_BIG[char]
            digit = 0
        else:  # 亿
            total = ((total + section + digit) or 1) * _CN_BIG[char]
            section = digit = 0
    return total + section + digit


def _multiplier(s, i):
    """The multiplier after an Arabic number (千, 万, 亿, 万亿, 千万 …) and where it ends."""
    factor, end = 1, i
    if end < len(s) and s[end] in _CN_SMALL and not _starts_unit(s, end):
        factor *= _CN_SMALL[s[end]]
        end += 1
    if s.startswith("万亿", end):
        return factor * 10**12, end + 2
    if end < len(s) and s[end] in _CN_BIG:
        return factor * _CN_BIG[s[end]], end + 1
    return factor, end


def _starts_unit(s, i):
    return any(s.startswith(unit, i) for unit in ("千克", "千米", "千瓦", "百分点"))


def _read_arabic(s, i):
    end = i
    digits = []
    while end < len(s) and s[end].isascii() and s[end].isdigit():
        digits.append(s[end])
        end += 1
        # 1,200: a comma followed by exactly three digits groups thousands.
        if (
            end + 3 < len(s) + 1
            and s[end : end + 1] == ","
            and s[end + 1 : end + 4].isascii()
            and s[end + 1 : end + 4].isdigit()
            and len(s[end + 1 : end + 4]) == 3
            and not (end + 4 < len(s) and s[end + 4].isascii() and s[end + 4].isdigit())
        ):
            end += 1
    integer_digits = len(digits)
    fraction = False
    if end + 1 < len(s) and s[end] == "." and s[end + 1].isascii() and s[end + 1].isdigit():
        fraction = True
        digits.append(".")
        end += 1
        while end < len(s) and s[end].isascii() and s[end].isdigit():
            digits.append(s[end])
            end += 1
    return "".join(digits), end, integer_digits, fraction


def _read_number(s, i):
    """The number starting at ``i``, or (None, where scanning resumes)."""
    if s[i].isascii() and s[i].isdigit():
        literal, end, integer_digits, fraction = _read_arabic(s, i)
        if integer_digits > MAX_DIGITS or len(literal) - integer_digits > MAX_DECIMALS + 1:
            return None, end
        try:
            value = Decimal(literal)
        except InvalidOperation:  # pragma: no cover (the literal is digits and one dot)
            return None, end
        factor, end_multiplied = _multiplier(s, end)
        number = _Number(
            value * factor, end_multiplied, True, integer_digits, factor != 1, fraction
        )
        return number, end_multiplied
    end = _numeral_end(s, i)
    if end - i > MAX_NUMERAL:
        return None, end
    if end - i > 1 and _starts_unit(s, end - 1):
        end -= 1  # 两千克: the 千 belongs to the unit
    run = s[i:end]
    if run.startswith("百") and s.startswith("分之", end - 1 if run == "百" else end):
        return None, i + 1  # 百分之三十: read as a percentage by the caller
    value = _numeral_value(run)
    if value is None or run == "一" or (len(run) == 1 and run in "零〇"):
        return None, end
    return _Number(
        Decimal(value), end, False, has_multiplier=any(c in _CN_BIG or c in _CN_SMALL for c in run)
    ), end


def _unit_at(s, i):
    """The unit written at ``i`` (normalised) and where it ends, or ("", i)."""
    currency = _word_at(s, i, _CURRENCY_INDEX)
    if currency:
        end = i + len(currency)
        if end < len(s) and s[end] == "/":
            per = _word_at(s, end + 1, _PER_INDEX)
            if per and not _latin_follows(s, end + 1 + len(per), per):
                return f"{currency}/{per}", end + 1 + len(per)
        return ("元" if currency == "人民币" else currency), end
    unit = _word_at(s, i, _LATIN_INDEX)
    if unit and not _latin_follows(s, i + len(unit), unit):
        return unit, i + len(unit)
    unit = _word_at(s, i, _UNIT_INDEX)
    if unit:
        return ("百分点" if unit == "个百分点" else unit), i + len(unit)
    return "", i


def _latin_follows(s, end, unit):
    return _is_latin(unit[-1]) and end < len(s) and _is_latin(s[end])


def _prefix_bound(s, start, floor):
    """The bound word just before ``start`` (not before ``floor``) and where it begins."""
    for length in range(_PREFIX_LONGEST, 0, -1):
        begin = start - length
        if begin >= floor and s[begin:start] in _PREFIX_BOUNDS:
            return _PREFIX_BOUNDS[s[begin:start]], begin
    return EXACT, start


def _is_name_or_code(s, start, after):
    """Whether the number is part of a name, version, code, ordinal or date."""
    before = s[start - 1] if start else ""
    if before == "第" or _is_latin(before):
        return True
    # GPT-4o, Cat-1; TensorFlow Lite 4.0, iPhone 17: a number right after a Latin word.
    if start >= 2 and before in "-_. " and _is_latin(s[start - 2]):
        return True
    if (
        after + 1 < len(s)
        and s[after] == "."
        and s[after + 1].isascii()
        and s[after + 1].isdigit()
    ):
        return True  # 1.2.3: a version
    if _word_at(s, after, _NAME_INDEX):
        return not s.startswith("大约", after) and not s.startswith("号称", after)
    return False


def _is_date(s, start, number):
    """2026年, 2026-02-02, 2026/2, 2026.02 and a bare 1900–2199: years and dates."""
    if not number.arabic or number.has_multiplier or number.integer_digits != 4:
        return False
    if number.fraction and (number.end - start > 7 or _unit_at(s, number.end)[0]):
        return False  # 2026.02 is a month; 2026.5元 a price
    return Decimal(1900) <= number.value < Decimal(2200)


def _skip_date(s, end):
    """The end of a date that starts with a year ending at ``end`` (2026-02-02, 2026年2月2日)."""
    if end < len(s) and s[end] == "年":
        end += 1
    elif (
        end + 1 < len(s)
        and s[end] in _DATE_SEPARATORS
        and s[end + 1].isascii()
        and s[end + 1].isdigit()
    ):
        for _part in range(2):
            if (
                end + 1 < len(s)
                and s[end] in _DATE_SEPARATORS
                and s[end + 1].isascii()
                and s[end + 1].isdigit()
            ):
                end += 1
                count = 0
                while end < len(s) and s[end].isascii() and s[end].isdigit() and count < 2:
                    end += 1
                    count += 1
    return end


def _clause_starts(s):
    """For each position, where its clause begins (after the last ，；。：（ … before it)."""
    starts = []
    current = 0
    for index, char in enumerate(s):
        starts.append(current)
        if char in _CLAUSE_ENDS:
            current = index + 1
    starts.append(current)
    return starts


def _strip_trailers(text):
    """核心产业规模预计 → 核心产业规模: qualifiers and connectors off the end (同比 stays)."""
    while text:
        for word in _TRAILER_INDEX.get(text[-1], ()):
            if text.endswith(word):
                text = text[: -len(word)]
                break
        else:
            return text
    return text


def _following_noun(s, end, limit):
    """The words after a claim up to the clause's end (at most ``MAX_MEASURE`` characters)."""
    stop = end
    while stop < limit and stop - end < MAX_MEASURE and s[stop] not in _CLAUSE_ENDS:
        if s[stop].isascii() and s[stop].isdigit():
            break
        stop += 1
    noun = s[end:stop].strip().lstrip("的内后前间里中")
    return noun if len(noun) >= 2 else ""


def _measure(s, clause_start, text_start, after, previous):
    """What the claim measures, from its clause: "核心产业规模", "同比增长", "研发周期" …"""
    floor = clause_start
    if previous is not None and previous.end > floor:
        floor = previous.end
    before = s[max(floor, text_start - 2 * MAX_MEASURE) : text_start].strip(" -~—～/+")
    # AI技术-中国AI产业规模突破…: a headline's topic is not part of what is measured.
    hyphen = before.rfind("-")
    if hyphen > 0 and not before[hyphen - 1].isdigit():
        before = before[hyphen + 1 :]
    # 从6万美元/公斤降至2万美元: the second number measures what the first did.
    if (
        previous is not None
        and previous.end > clause_start
        and before in ("", "至", "到", "和", "或", "、")
    ):
        return previous.measure
    if not before or any(before.endswith(verb) for verb in _OBJECT_VERB_INDEX.get(before[-1], ())):
        noun = _following_noun(s, after, len(s))
        if noun:
            return noun[:MAX_MEASURE]
    before = _strip_trailers(_drop_leading_year(before))
    for verb in _CHANGE_VERBS:
        position = before.rfind(verb)
        if position == -1:
            continue
        head, tail = before[:position], before[position + len(verb) :]
        if tail:  # 缩短研发周期50%: the object follows the verb
            return tail[-MAX_MEASURE:]
        if head and not head.endswith(("同比", "环比")):
            return _strip_trailers(head)[-MAX_MEASURE:]  # 生产效率提升28%
        return before[-MAX_MEASURE:]  # 同比增长30%
    return before[-MAX_MEASURE:]


def _drop_leading_year(text):
    """2026年全球商业火箭发射 → 全球商业火箭发射: a date is not what is measured."""
    index = 0
    while index < len(text) and text[index].isascii() and text[index].isdigit():
        index += 1
    if index and text.startswith("年", index):
        return text[index + 1 :]
    return text


def _suffix_bound(s, end):
    for word, bound in _SUFFIX_BOUNDS.items():
        if s.startswith(word, end):
            return bound, end + len(word)
    # 1年多, 6000家多。: 多 closing the clause; 多 between number and unit is read earlier.
    if end < len(s) and s[end] in "多余" and (end + 1 == len(s) or s[end + 1] in _CLAUSE_ENDS):
        return OVER, end + 1
    return EXACT, end


def _percent_words(s, i):
    """百分之三十 / 百分之3.5: (value, end) or None."""
    if not s.startswith("百分之", i):
        return None
    start = i + 3
    if start < len(s) and s[start].isascii() and s[start].isdigit():
        literal, end, integer_digits, _fraction = _read_arabic(s, start)
        if integer_digits > MAX_DIGITS or len(literal) - integer_digits > MAX_DECIMALS + 1:
            return None
        return Decimal(literal), end
    end = _numeral_end(s, start)
    run = s[start:end]
    if not run or len(run) > MAX_NUMERAL:
        return None
    value = _numeral_value(run)
    return None if value is None else (Decimal(value), end)


def extract(text):
    """The claims of one paragraph, in the order they appear."""
    s = "".join(_fold(char) for char in text)
    clause_starts = _clause_starts(s)
    claims = []
    i = 0
    while i < len(s) and len(claims) < MAX_CLAIMS:
        char = s[i]
        if not (char.isascii() and char.isdigit()) and char not in _NUMERAL_CHARS:
            i += 1
            continue
        previous = claims[-1] if claims else None
        percent = _percent_words(s, i) if char == "百" else None
        if percent is not None:
            value, end = percent
            _keep(claims, _make_claim(text, s, clause_starts, i, end, value, "%", None, previous))
            i = end
            continue
        found, i = _read_quantity(s, i, clause_starts[i])
        if found is not None:
            start, end, value, unit, high, bound = found
            claim = _make_claim(
                text, s, clause_starts, start, end, value, unit, high, previous, bound
            )
            _keep(claims, claim)
    return claims


def _read_quantity(s, start, clause_start):
    """The quantity at ``start`` as (start, end, value, unit, high, bound), or None; and
    where scanning resumes."""
    number, resume = _read_number(s, start)
    if number is None:
        return None, max(resume, start + 1)
    after = number.end
    date_end = _date_end(s, start, number, clause_start)
    if date_end is not None:
        return None, date_end
    if _is_name_or_code(s, start, after):
        return None, after
    bound = EXACT
    # 6000多家, 100余家: 多/余 between the number and the counter.
    if after < len(s) and s[after] in "多余" and _unit_at(s, after + 1)[0]:
        bound, after = OVER, after + 1
    unit, unit_end = _unit_at(s, after)
    value = number.value
    if not unit and _is_cheng(s, after) and value <= 10:
        unit, unit_end, value = "%", after + 1, value * 10  # 三成 = 30%
    if not unit and after < len(s) and _is_latin(s[after]):
        return None, _skip_latin(s, after)  # 5G, 3D, 4o: a name
    prefix_bound = _prefix_bound(s, start, clause_start)[0]
    # A numeral alone (or a bare 千/万/亿) is a claim only with a multiplier and a
    # bound: 下载量破百亿, 超万亿元; not 万物, 千万级, 千克.
    bare = not unit or (after - start == 1 and s[start] in _CN_SMALL) or s[start] in _CN_BIG
    bounded = prefix_bound and any(char in _CN_BIG for char in s[start:after])
    if not number.arabic and bare and not bounded:
        return None, after
    if prefix_bound == NEAR and unit in _PERIODS and s[start - 1 : start] == "近":
        return None, unit_end  # 近3年: the last three years, a period rather than a quantity
    end = unit_end if unit else after
    high = None
    quantity_range = _read_range(s, end, number, value, unit)
    if quantity_range == "name":
        return None, end
    if quantity_range is not None:
        value, high, unit, end = quantity_range
    suffix_bound, suffix_end = _suffix_bound(s, end)
    if suffix_bound:
        end = suffix_end
    return (start, end, value, unit, high, bound or suffix_bound), end


def _is_cheng(s, at):
    """成 as a tenth (三成企业), not the start of a word (成本, 成为)."""
    return at < len(s) and s[at] == "成" and (at + 1 == len(s) or s[at + 1] not in _CHENG_WORDS)


def _date_end(s, start, number, clause_start):
    """Where a year or date starting at ``start`` ends (2026年, 2026-02-02), or None."""
    if not _is_date(s, start, number) or (
        start and s[start - 1].isascii() and s[start - 1].isdigit()
    ):
        return None
    after = number.end
    dated = (
        s.startswith("年", after)
        or number.fraction
        or (
            after + 1 < len(s)
            and s[after] in _DATE_SEPARATORS
            and s[after + 1].isascii()
            and s[after + 1].isdigit()
        )
    )
    # A bare 2026 is a year unless a unit or a bound says otherwise: 2000家, 超过2000.
    if dated or not (_unit_at(s, after)[0] or _prefix_bound(s, start, clause_start)[0]):
        return _skip_date(s, after)
    return None


def _read_range(s, end, number, value, unit):
    """A range's second half after ``end`` (3-5年, 3至5个, 50%-60%, 20-30亿元) as
    (low, high, unit, end); "name" for 1-2月; None when there is none."""
    for separator in _RANGE_SEPARATORS:
        if not s.startswith(separator, end):
            continue
        second_start = end + len(separator)
        if second_start >= len(s) or not (s[second_start].isascii() and s[second_start].isdigit()):
            return None
        second, _resume = _read_number(s, second_start)
        if second is None:
            return None
        if _word_at(s, second.end, _NAME_INDEX) and not unit:
            return "name"  # 1-2月, 3-4代
        second_unit, second_end = _unit_at(s, second.end)
        if (unit and second_unit and second_unit != unit) or not (unit or second_unit):
            return None
        factor = 1
        if not number.has_multiplier and second.has_multiplier:
            factor = second.value / (_read_arabic_value(s, second_start))  # 20-30亿元
        if second.value < value * factor:
            return None  # 从6万至2万: two numbers, not a range
        return (
            value * factor,
            second.value,
            unit or second_unit,
            (second_end if second_unit else second.end),
        )
    return None


def _read_arabic_value(s, i):
    literal, _end, _digits, _fraction = _read_arabic(s, i)
    return Decimal(literal) or Decimal(1)


def _has_prefix_bound(s, start, floor):
    return bool(_prefix_bound(s, start, floor)[0])


def _skip_latin(s, i):
    while i < len(s) and (s[i].isascii() and s[i].isalnum()):
        i += 1
    return i


def _keep(claims, claim):
    if claim.value < MAX_VALUE and (claim.high is None or claim.high < MAX_VALUE):
        claims.append(claim)


def _make_claim(text, s, clause_starts, start, end, value, unit, high, previous, bound=EXACT):
    clause_start = clause_starts[start]
    prefix_bound, text_start = _prefix_bound(
        s, start, max(clause_start, previous.end if previous else 0)
    )
    if prefix_bound:
        bound = prefix_bound
    # 从6万美元/公斤降至2万美元: the second price keeps the first's "per".
    if (
        previous is not None
        and previous.end > clause_start
        and "/" in previous.unit
        and unit
        and previous.unit.split("/")[0] == unit
    ):
        unit = previous.unit
    measure = _measure(s, clause_start, text_start, end, previous)
    return Claim(
        text=text[text_start:end],
        start=text_start,
        end=end,
        value=_tidy(value),
        unit=unit,
        bound=bound,
        high=None if high is None else _tidy(high),
        measure=measure,
    )
