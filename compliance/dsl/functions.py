"""Built-in functions, as data: each has a signature the checker enforces and a plain
implementation the compiled rules call.

Two forms exist: ordinary calls, `per_hundred(a, b)`, and aggregates over a collection,
`sum(s.students for s in sections where s.level == "primary")`. Aggregate implementations
receive the rows (one tuple of argument values per member) after the `where` filter.
A few forms need more than values — `split`, `series`, `at_least`, `known` — and are
compiled specially (see `SPECIAL`); they are listed here so the checker knows them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Sequence

from ..logic import Unknown, k_and, k_or, undefined
from . import types as T
from .units import DIMENSIONLESS, UNITS, YEARS

# How many decimal places an irrational square root keeps (truncated). See README, "Rounding".
SQRT_DIGITS = 40


def exact_sqrt(q: Fraction) -> Fraction:
    """√q exactly when q is a rational square, else truncated to SQRT_DIGITS decimals."""
    if q < 0:
        raise ValueError("negative radicand")
    p, d = q.numerator, q.denominator
    rp, rd = math.isqrt(p), math.isqrt(d)
    if rp * rp == p and rd * rd == d:
        return Fraction(rp, rd)
    scale = 10 ** SQRT_DIGITS
    return Fraction(math.isqrt(p * scale * scale // d), scale)


def weighted_mean_and_cv(rows: Sequence[tuple[Fraction, Fraction]]):
    """Student-weighted mean and coefficient of variation (national-standard.md §3).

    X̄ = Σ P·X / Σ P;  S = √(Σ P·(X − X̄)² / Σ P);  CV = S / X̄.
    Returns (mean, cv), or an Unknown when the total weight or the mean is zero.
    """
    total = sum((p for _, p in rows), Fraction(0))
    if total == 0:
        return undefined("empty", "weighted_cv")
    mean = sum((p * x for x, p in rows), Fraction(0)) / total
    if mean == 0:
        return undefined("division_by_zero", "weighted_cv")
    variance = sum((p * (x - mean) ** 2 for x, p in rows), Fraction(0)) / total
    return mean, exact_sqrt(variance) / abs(mean)


def _weighted_cv(rows):
    result = weighted_mean_and_cv(rows)
    return result if isinstance(result, Unknown) else result[1]


def _frac(x) -> Fraction:
    return x if isinstance(x, Fraction) else Fraction(x)


def _sum(rows):
    return sum((_frac(r[0]) for r in rows), Fraction(0))


def _extreme(pick):
    def impl(rows):
        if not rows:
            return undefined("empty", pick.__name__)
        return pick(r[0] for r in rows)
    return impl


def _mean(rows):
    if not rows:
        return undefined("empty", "mean")
    return _sum(rows) / len(rows)


def _count(rows):
    return Fraction(sum(1 for r in rows if r[0] is True))


def _share(rows):
    if not rows:
        return undefined("empty", "share")
    return Fraction(sum(1 for r in rows if r[0] is True), len(rows))


def _all(rows):
    result = True
    for (v,) in rows:
        result = k_and(result, v)
        if result is False:
            return False
    return result


def _any(rows):
    result = False
    for (v,) in rows:
        result = k_or(result, v)
        if result is True:
            return True
    return result


def _per_hundred(a, b):
    if b == 0:
        return undefined("division_by_zero", "per_hundred")
    if a.__class__ is int and b.__class__ is int:
        return Fraction(100 * a, b)
    return 100 * _frac(a) / b


def _round_to(fn):
    return lambda x: Fraction(fn(_frac(x)))


# ---- signatures -----------------------------------------------------------------------

TypeRule = Callable[[list[T.Type]], "T.Type | str"]  # a result type, or an error key


def _numbers(types, same_dim=False):
    for t in types:
        if not isinstance(t, (T.NumberT, T.AnyT)):
            return "number"
    if same_dim:
        dims = {t.dim for t in types if isinstance(t, T.NumberT)}
        if len(dims) > 1:
            return "same_unit"
    return None


def _first_number(types):
    return next((t for t in types if isinstance(t, T.NumberT)), T.NUMBER)


def _same_number(types):
    return _numbers(types, same_dim=True) or _first_number(types)


def _dimensionless(unit: str | None = None):
    return T.NumberT(DIMENSIONLESS, UNITS[unit] if unit else None)


def _bool_args(types):
    for t in types:
        if not isinstance(t, (T.BoolT, T.AnyT)):
            return "bool"
    return T.BOOL


def _cv_type(types):
    return _numbers(types) or _dimensionless()


def _per_hundred_type(types):
    err = _numbers(types)
    if err:
        return err
    a, b = (t if isinstance(t, T.NumberT) else T.NUMBER for t in types)
    return T.NumberT(a.dim / b.dim, a.unit if b.dim.is_dimensionless else None)


def _len_type(types):
    return _dimensionless() if isinstance(types[0], (T.ListT, T.AnyT)) else "list"


def _year_type(types):
    return T.NumberT(YEARS, UNITS["年"]) if isinstance(types[0], (T.DateT, T.AnyT)) else "date"


def _series_bool(types):
    return T.BOOL if isinstance(types[0], (T.SeriesT, T.AnyT)) else "series"


def _series_number(types):
    t = types[0]
    if isinstance(t, T.SeriesT):
        return t.item
    return T.NUMBER if isinstance(t, T.AnyT) else "series"


@dataclass(frozen=True)
class Function:
    name: str
    title: str                 # what it computes, in Chinese, for messages and docs
    aggregate: bool            # written as name(args for x in coll where cond)
    arity: tuple[int, int]     # min, max number of arguments (per member for aggregates)
    type_rule: TypeRule
    impl: Callable | None      # None for special forms compiled by compile.py
    strict: bool = True        # any Unknown argument makes the result Unknown


FUNCTIONS: dict[str, Function] = {f.name: f for f in [
    Function("sum", "求和", True, (1, 1), lambda ts: _numbers(ts) or _first_number(ts), _sum),
    Function("min", "最小值", True, (1, 1), lambda ts: _numbers(ts) or _first_number(ts), _extreme(min)),
    Function("max", "最大值", True, (1, 1), lambda ts: _numbers(ts) or _first_number(ts), _extreme(max)),
    Function("mean", "平均值", True, (1, 1), lambda ts: _numbers(ts) or _first_number(ts), _mean),
    Function("count", "满足条件的个数", True, (1, 1), lambda ts: _bool_args(ts) if _bool_args(ts) != T.BOOL else _dimensionless(), _count),
    Function("share", "满足条件的比例", True, (1, 1), lambda ts: _bool_args(ts) if _bool_args(ts) != T.BOOL else _dimensionless("%"), _share),
    Function("all", "全部满足", True, (1, 1), _bool_args, _all, strict=False),
    Function("any", "至少一个满足", True, (1, 1), _bool_args, _any, strict=False),
    Function("weighted_cv", "按学生数加权的差异系数", True, (2, 2), _cv_type, _weighted_cv),
    Function("per_hundred", "每百人拥有数", False, (2, 2), _per_hundred_type, _per_hundred),
    Function("least", "最小值", False, (2, 8), _same_number, lambda *xs: min(xs)),
    Function("greatest", "最大值", False, (2, 8), _same_number, lambda *xs: max(xs)),
    Function("abs", "绝对值", False, (1, 1), lambda ts: _numbers(ts) or _first_number(ts), lambda x: abs(x)),
    Function("ceil", "向上取整", False, (1, 1), lambda ts: _numbers(ts) or _first_number(ts), _round_to(math.ceil)),
    Function("floor", "向下取整", False, (1, 1), lambda ts: _numbers(ts) or _first_number(ts), _round_to(math.floor)),
    Function("len", "个数", False, (1, 1), _len_type, lambda xs: Fraction(len(xs))),
    Function("year", "年份", False, (1, 1), _year_type, lambda d: Fraction(d.year)),
    Function("non_decreasing", "逐年只增不减", False, (1, 1), _series_bool, None),
    Function("increasing", "逐年增长", False, (1, 1), _series_bool, None),
    Function("latest", "当年值", False, (1, 1), _series_number, None),
    Function("previous", "上一年值", False, (1, 1), _series_number, None),
    # Special forms: checked and compiled by name.
    Function("series", "逐年序列", False, (1, 1), lambda ts: T.ANY, None),
    Function("split", "一贯制学校共用量按学段拆分", False, (2, 2), lambda ts: T.ANY, None),
    Function("at_least", "至少 k 项达标且余项不低于要求的比例", False, (3, 3), lambda ts: T.BOOL, None),
    Function("known", "数据是否齐全", False, (1, 1), lambda ts: T.BOOL, None, strict=False),
    Function("attested", "佐证材料认定达标（facts.attestations）", False, (1, 1), lambda ts: T.BOOL, None),
]}

SPECIAL = {"series", "split", "at_least", "known", "attested", "non_decreasing", "increasing", "latest", "previous"}

# What the checker says when a type rule returns an error key.
ARG_EXPECTATIONS = {
    "number": T.NUMBER, "bool": T.BOOL, "list": T.ListT(T.NUMBER), "date": T.DATE,
    "series": T.SeriesT(T.NUMBER),
}

