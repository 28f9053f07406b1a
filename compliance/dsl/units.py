"""Units and dimensions.

Values are carried in base units at run time (元, ㎡, 学时, plain fractions), so unit
handling costs nothing per record: the checker works out each expression's dimension and the
compiler folds conversion factors (万元 → 元, % → fraction) into constants.

Counting words (人, 班, 间, 台, 所 …) are dimensionless: policy text freely writes
"生均 2000 元" or "每百名学生 4.2 人", and treating counts as plain numbers lets those
comparisons type-check while 万元 against 元, or ㎡ against 元, still cannot be mixed up.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Dim:
    """A dimension as sorted (base, exponent) pairs; () is dimensionless."""
    exponents: tuple[tuple[str, int], ...] = ()

    def __mul__(self, other: "Dim") -> "Dim":
        return _combine(self, other, 1)

    def __truediv__(self, other: "Dim") -> "Dim":
        return _combine(self, other, -1)

    @property
    def is_dimensionless(self) -> bool:
        return not self.exponents

    def describe(self) -> str:
        if not self.exponents:
            return "无量纲"
        return "·".join(f"{_BASE_LABEL[b]}{'' if e == 1 else '^' + str(e)}" for b, e in self.exponents)


def _combine(a: Dim, b: Dim, sign: int) -> Dim:
    exps = dict(a.exponents)
    for base, e in b.exponents:
        exps[base] = exps.get(base, 0) + sign * e
    return Dim(tuple(sorted((k, v) for k, v in exps.items() if v)))


DIMENSIONLESS = Dim()
AREA = Dim((("area", 1),))
MONEY = Dim((("money", 1),))
HOURS = Dim((("hours", 1),))
YEARS = Dim((("years", 1),))
BANDWIDTH = Dim((("bandwidth", 1),))
_BASE_LABEL = {"area": "㎡", "money": "元", "hours": "学时", "years": "年", "bandwidth": "Mbps"}


@dataclass(frozen=True)
class Unit:
    label: str
    dim: Dim
    scale: Fraction  # value in base units = written value × scale

    def describe(self) -> str:
        return self.label


_COUNT_WORDS = ("人", "名", "生", "班", "个", "间", "台", "所", "部", "次", "校", "项", "张",
                "套", "册", "位", "户", "园", "级", "门", "节", "天", "周", "1")

UNITS: dict[str, Unit] = {w: Unit(w, DIMENSIONLESS, Fraction(1)) for w in _COUNT_WORDS}
UNITS.update({
    "%": Unit("%", DIMENSIONLESS, Fraction(1, 100)),
    "‰": Unit("‰", DIMENSIONLESS, Fraction(1, 1000)),
    "㎡": Unit("㎡", AREA, Fraction(1)),
    "m2": Unit("㎡", AREA, Fraction(1)),
    "平方米": Unit("㎡", AREA, Fraction(1)),
    "元": Unit("元", MONEY, Fraction(1)),
    "千元": Unit("千元", MONEY, Fraction(1000)),
    "万元": Unit("万元", MONEY, Fraction(10_000)),
    "亿元": Unit("亿元", MONEY, Fraction(100_000_000)),
    "学时": Unit("学时", HOURS, Fraction(1)),
    "小时": Unit("小时", HOURS, Fraction(1)),
    "年": Unit("年", YEARS, Fraction(1)),
    "Mbps": Unit("Mbps", BANDWIDTH, Fraction(1)),
    "M": Unit("Mbps", BANDWIDTH, Fraction(1)),
    "Gbps": Unit("Gbps", BANDWIDTH, Fraction(1000)),
    "G": Unit("Gbps", BANDWIDTH, Fraction(1000)),
})

# "百生" in "人/百生" only names what the number counts per; per_hundred() already scaled it.
_PER_WORDS = {"百生", "百人", "百名学生", "生", "人", "班", "校", "所", "12班"}


def parse_unit(text: str) -> Unit | None:
    """A unit as written in a parameter or the schema: 元, 万元, ㎡/生, 人/百生, %.

    Returns None when the text names no known unit.
    """
    text = text.strip()
    if text in UNITS:
        return UNITS[text]
    if "/" in text:
        top, _, bottom = text.partition("/")
        numerator = UNITS.get(top.strip())
        if numerator is None:
            return None
        bottom = bottom.strip()
        if bottom in _PER_WORDS or (bottom in UNITS and UNITS[bottom].dim.is_dimensionless):
            return Unit(text, numerator.dim, numerator.scale)
        denominator = UNITS.get(bottom)
        if denominator is None:
            return None
        return Unit(text, numerator.dim / denominator.dim, numerator.scale / denominator.scale)
    return None


def known_unit_names() -> list[str]:
    return sorted(UNITS)
