"""Which claims report the same number, and which contradict each other (docs/claims.md).

Pure, like ``digests.briefing.claims`` whose ``Claim`` rows it compares:
``supports(claim, other)`` for an analysis' or trend's number and an item's,
``contradicts(claim, other)`` for the 90-day consistency check, and
``measure_similarity`` for how alike two measures are.
"""

from decimal import Decimal

from .claims import ABOUT, DOWN_TO, EXACT, NEAR, OVER, REACH, UNDER, UP_TO, _is_han

# How far 约/近/超过/突破 … let a value stray (relative): 近30% covers 28.5%–30%.
VALUE_TOLERANCE = Decimal("0.05")
# Character-bigram overlap two measures need to be about the same thing (supports),
# and the stricter one for a contradiction (the same industry, not a related one).
MEASURE_THRESHOLD = 0.5
CONTRADICTION_THRESHOLD = 0.75


def _bigrams(text):
    text = "".join(char for char in text if _is_han(char) or char.isalnum()).lower()
    if len(text) < 2:
        return {text} if text else set()
    return {text[index : index + 2] for index in range(len(text) - 1)}


def measure_similarity(a, b):
    """How much two measures overlap, 0–1: shared character bigrams over the shorter's."""
    first, second = _bigrams(a), _bigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def _interval(claim, tolerance):
    """The values a claim allows, as (low, high); None for no limit that side."""
    low = claim.value
    high = claim.high if claim.high is not None else claim.value
    if claim.bound == ABOUT:
        return low * (1 - tolerance), high * (1 + tolerance)
    if claim.bound == NEAR:
        return low * (1 - tolerance), high
    if claim.bound in (OVER, REACH):
        return low, (high * (1 + tolerance) if tolerance is not None else None)
    if claim.bound == UNDER:
        return (low * (1 - tolerance) if tolerance is not None else None), high
    return low, high


def _overlap(first, second):
    low = max((x for x in (first[0], second[0]) if x is not None), default=None)
    high = min((x for x in (first[1], second[1]) if x is not None), default=None)
    return low is None or high is None or low <= high


def _units_compatible(first, second):
    return not first or not second or first == second


def supports(claim, other):
    """Whether ``other`` (an item's claim) reports the same number as ``claim`` (an
    analysis' or trend's): the same value within its bound, compatible units, and the
    same thing measured where both say."""
    if not _units_compatible(claim.unit, other.unit):
        return False
    if (
        claim.measure
        and other.measure
        and measure_similarity(claim.measure, other.measure) < MEASURE_THRESHOLD
    ):
        return False
    return _overlap(_interval(claim, VALUE_TOLERANCE), _interval(other, VALUE_TOLERANCE))


def contradicts(claim, other):
    """Whether two claims about the same thing in the same unit cannot both hold:
    核心产业规模 1.2万亿元 against 0.9万亿元; not when a bound (超过, 近 …) allows both."""
    if not claim.unit or claim.unit != other.unit:
        return False
    if not claim.measure or not other.measure:
        return False
    if measure_similarity(claim.measure, other.measure) < CONTRADICTION_THRESHOLD:
        return False
    # Open-ended bounds: 超过X allows anything above X; 不到X anything below.
    return not _overlap(_loose_interval(claim), _loose_interval(other))


def _loose_interval(claim):
    low, high = _interval(claim, None if claim.bound in (OVER, REACH, UNDER) else VALUE_TOLERANCE)
    if claim.bound == EXACT or claim.bound in (DOWN_TO, UP_TO):
        # Rounding: 1.2万亿 may be written for 1.16万亿.
        low, high = low * (1 - VALUE_TOLERANCE), high * (1 + VALUE_TOLERANCE)
    return low, high
