"""Built-in functions, as data: one registry entry per function, holding everything about it —
its signature (arity, aggregate or not), its check hook (the type it gives, or the error it
reports), its value semantics for one subject (`scalar`, used by the tracing interpreter and
by the closures alike) and its semantics over columns (`batch`, used by the columnar backend).

Two call forms exist: ordinary calls, `per_hundred(a, b)`, and aggregates over a collection,
`sum(s.students for s in sections where s.level == "primary")`.

How an evaluator passes arguments to `scalar` is declared by `args`:
- "values": each argument evaluated; if `strict`, any Unknown argument makes the result that
  Unknown without calling the function;
- "field": the first argument's resolution (a `FieldRef`), for `series`, which reads a whole
  history, then the values of any further arguments, which must be literals (the start date);
- "literal": the literal's value, for `attested("G15")`;
- "comparisons": `at_least(k, p, [a >= b, …])` — k and p as values, then one `(a, b, op)` per
  item, unknowns included.
Aggregates receive their members after the `where` filter: strict ones the argument tuples of
members whose condition is true (any Unknown makes the aggregate Unknown); `all`/`any` get
`(condition, value)` pairs, the condition True or Unknown, and apply Kleene logic themselves.

`scalar(ctx, *args)` may read `ctx.view`, `ctx.section`, `ctx.level`; it records the inputs it
read into `ctx.reads` and facts for messages into `ctx.notes` (both None when nobody listens).
`batch(B, *args)` gets the batch
backend's column algebra `B` and the arguments as columns; None means the backend evaluates
the function per row with `scalar` (still in the backend, still exact).
"""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Sequence

from ..logic import Unknown, k_and, k_not, k_or, merge, missing, undefined
from ..record import attestation
from . import types as T
from .units import DIMENSIONLESS, UNITS, YEARS

# How many decimal places an irrational square root keeps (truncated). See README, "Rounding".
SQRT_DIGITS = 40
LEVELS = ("primary", "junior")


# ---- exact helpers shared by every backend --------------------------------------------

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


def weighted_mean_and_cv(rows: Sequence[tuple]):
    """Student-weighted mean and coefficient of variation (national-standard.md §3).

    X̄ = Σ P·X / Σ P;  S = √(Σ P·(X − X̄)² / Σ P);  CV = S / X̄.
    Returns (mean, cv), or an Unknown when the total weight or the mean is zero.

    Computed over one common denominator D of the X: with a_i = X_i·D (integers),
    Σ P·X = Σ p·a / D and the variance is (P·Σ p·a² − (Σ p·a)²) / (P²·D²) — the same exact
    fractions as summing Fractions one by one, with two reductions instead of hundreds.
    """
    xs = [Fraction(x) for x, _ in rows]
    ps = [Fraction(p) for _, p in rows]
    total = sum(ps, Fraction(0))
    if total == 0:
        return undefined("empty", "weighted_cv")
    # Weights are counts (students); scale them to integers too in case they are not.
    wd = math.lcm(*(p.denominator for p in ps)) if ps else 1
    w = [p.numerator * (wd // p.denominator) for p in ps]
    d = math.lcm(*(x.denominator for x in xs)) if xs else 1
    a = [x.numerator * (d // x.denominator) for x in xs]
    big_p = sum(w)
    s1 = sum(wi * ai for wi, ai in zip(w, a))
    if s1 == 0:
        return undefined("division_by_zero", "weighted_cv")
    s2 = sum(wi * ai * ai for wi, ai in zip(w, a))
    mean = Fraction(s1, big_p * d)
    variance = Fraction(big_p * s2 - s1 * s1, big_p * big_p * d * d)
    return mean, exact_sqrt(variance) / abs(mean)


def section_share(section, weights) -> object:
    """The share of a whole-school quantity that belongs to `section`.

    Students of each section (and the high school, if any) weighted e.g. 1 : 1.1 : 1.32:
    share = w_level · n_level / Σ w_j · n_j (national-standard.md §4).
    """
    if weights.__class__ is Unknown:
        return weights
    parts, unknown = _school_parts(section, weights)
    if unknown is not None:
        return unknown
    own = next((i for i, part in enumerate(parts) if part[0] == section.level), None)
    return _weighted_share([(w, n) for _, n, w in parts], own)


def split_parts(section, weights) -> tuple:
    """(level, students, weight) of every part a shared quantity is split between (for explain)."""
    return tuple(_school_parts(section, weights)[0])


def _school_parts(section, weights) -> tuple[list, object]:
    """(level, students, weight) of every part of the school whose students are known, and
    the Unknown naming those that are not (None when all are): a complete middle or twelve-year
    school must say its high-school students."""
    school = section.school
    sections = school.data.get("sections") or {}
    parts, unknown = [], None
    for level in LEVELS:
        data = sections.get(level)
        if not isinstance(data, dict):
            continue
        n = data.get("students")
        if n is None:
            unknown = merge(unknown, missing(f"{school.pointer}/sections/{level}/students"))
        else:
            parts.append((level, n, weights[level]))
    high = school.data.get("high_school_students")
    if high is None and school.data.get("type") in ("complete_middle", "twelve_year"):
        unknown = merge(unknown, missing(f"{school.pointer}/high_school_students"))
    elif high:
        parts.append(("high", high, weights["high"]))
    return parts, unknown


def _weighted_share(parts: list, own: int | None) -> object:
    """parts[own]'s weighted share w·n / Σ w·n, exact. With whole student counts and rational
    weights, computed on integers over the weights' common denominator: one Fraction built
    instead of several Fraction operations (remedy probes recompute the share many times)."""
    if all(w.__class__ in _RATIONAL and n.__class__ is int for w, n in parts):
        den = math.lcm(*(w.denominator for w, _ in parts))
        scaled = [w.numerator * (den // w.denominator) * n for w, n in parts]
        total = sum(scaled)
        if total == 0 or own is None:
            return undefined("division_by_zero", "split")
        return Fraction(scaled[own], total)
    total = sum((w * n for w, n in parts), Fraction(0))
    if total == 0 or own is None:
        return undefined("division_by_zero", "split")
    w, n = parts[own]
    return w * n / total


_RATIONAL = (int, Fraction)


def as_date(value):
    """A record's date (an ISO string, validated by the schema) as a date; Unknown stays."""
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def _frac(x) -> Fraction:
    return x if isinstance(x, Fraction) else Fraction(x)


# ---- scalar semantics -------------------------------------------------------------------

def _sum(rows):
    return sum((_frac(r[0]) for r in rows), Fraction(0))


def _extreme(pick, name):
    def impl(rows):
        if not rows:
            return undefined("empty", name)
        return _frac(pick(r[0] for r in rows))
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


def _all(members):
    result = True
    for w, v in members:
        # A member whose membership is unknown counts as "w implies v".
        result = k_and(result, v if w is True else k_or(k_not(w), v))
        if result is False:
            return False
    return result


def _any(members):
    result = False
    for w, v in members:
        result = k_or(result, v if w is True else k_and(w, v))
        if result is True:
            return True
    return result


def _weighted_cv(rows):
    result = weighted_mean_and_cv(rows)
    return result if isinstance(result, Unknown) else result[1]


def _per_hundred(ctx, a, b):
    if b == 0:
        return undefined("division_by_zero", "per_hundred")
    if a.__class__ is int and b.__class__ is int:
        return Fraction(100 * a, b)
    return 100 * _frac(a) / b


def _split(ctx, quantity, weights):
    # Not strict: a missing quantity and a missing student count are both named.
    if weights.__class__ is Unknown:
        return merge(quantity, weights)
    # The share depends only on the section and the weights: computed once per section.
    section = ctx.section
    key = ("split_share", id(weights))
    share = section.cache.get(key)
    if share is None:
        share = section.cache[key] = section_share(section, weights)
    if quantity.__class__ is Unknown or share.__class__ is Unknown:
        return merge(quantity, share)
    if ctx.notes is not None:
        ctx.notes["split_share"] = share
    return quantity * share


@dataclass(frozen=True)
class SeriesPoint:
    """One year of a year-on-year series: where it was read and what it held (or Unknown)."""
    year: int | None
    pointer: str
    value: object
    owner: str = ""      # the jurisdiction whose figure it is (the record's, or a county's)


def _points(ctx, ref, since, owner: str, prefix: str, data: dict) -> tuple:
    """The years of one jurisdiction's fact: its history entries, then its figure for the
    record's year. With `since` (the day the duty starts) only the year before it (the base)
    and later years are kept: a change before the document existed is not judged."""
    key, scale = ref.keys[1], ref.scale
    base = None if since is None else since.year - 1
    history = data.get("history") if isinstance(data.get("history"), list) else []
    entries = sorted(((h.get("year"), h, f"{prefix}/history/{i}/{key}") for i, h in enumerate(history)
                      if isinstance(h, dict)), key=lambda e: (e[0] is None, e[0] or 0))
    facts = data.get("facts") if isinstance(data.get("facts"), dict) else {}
    points, raw = [], []
    for year, values, pointer in [*entries, (ctx.view.year, facts, f"{prefix}/facts/{key}")]:
        if base is not None and year is not None and year < base:
            continue
        v = values.get(key)
        points.append(SeriesPoint(year, pointer, missing(pointer) if v is None else v * scale, owner))
        if v is not None:
            raw.append((pointer, v))
    if ctx.reads is not None:   # real pointers with the values as recorded, like any other read
        ctx.reads.extend(raw)
    return tuple(points)


def _name(data: dict) -> str:
    j = data.get("jurisdiction")
    return str(j.get("name") or "") if isinstance(j, dict) else str(data.get("name") or "")


def _series(ctx, ref, since=None):
    data = ctx.view.data
    return _points(ctx, ref, since, _name(data), "", data)


@dataclass(frozen=True)
class CountyPoints:
    """One county's series: where the county is, where its history is, and its points."""
    pointer: str
    history: str
    points: tuple


class CountySeries(tuple):
    """One series per county of a city record (`county_series`), as CountyPoints; a tuple of
    things with pointers, so that traces show it as its number of counties."""


def _county_series(ctx, ref, since=None):
    # Each county's own figures, so that a duty of 各级财政 is checked at every level; a city
    # record without its counties cannot show that, and says so rather than passing.
    counties = ctx.view.data.get("counties")
    if not isinstance(counties, list) or not counties:
        return missing("/counties")
    return CountySeries(CountyPoints(f"/counties/{i}", f"/counties/{i}/history",
                                     _points(ctx, ref, since, _name(c), f"/counties/{i}", c))
                        for i, c in enumerate(counties) if isinstance(c, dict))


def _rise(ctx, points, strict: bool, history: str = "/history"):
    unknown = None
    years = [p.year for p in points]
    for y0, y1 in zip(years, years[1:]):
        if y0 is None or y1 is None or y1 != y0 + 1:
            unknown = merge(unknown, Unknown(frozenset({history}),
                                             frozenset({("missing_year", str((y0 or 0) + 1))})))
    if len(points) < 2:  # one year alone says nothing about year-on-year change
        unknown = merge(unknown, missing(history))
    # Each known value against the highest known value before it: a fall across a
    # missing year is still a fall, whatever that year held.
    top = None
    for p in points:
        v = p.value
        if v.__class__ is Unknown:
            unknown = merge(unknown, v)
            continue
        if top is not None and (v < top or (strict and v == top)):
            if ctx.notes is not None:
                ctx.notes.update(fell_in=p.year, fell_from=top, fell_to=v, fell_where=p.owner, fell_field=p.pointer)
            return False
        top = v if top is None else max(top, v)
    return True if unknown is None else unknown


def _rising(strict: bool):
    def rising(ctx, points):
        if points.__class__ is not CountySeries:
            return _rise(ctx, points, strict)
        # Every county: one that fell decides; otherwise what is missing anywhere is named.
        results = [_rise(ctx, county.points, strict, county.history) for county in points]
        if False in results:
            return False
        unknowns = [r for r in results if r.__class__ is Unknown]
        return merge(*unknowns) if unknowns else True
    return rising


def _pick(index: int):
    def pick(ctx, points):
        if len(points) < -index:
            return undefined("empty", "series")
        return points[index].value
    return pick


def _at_least(ctx, k, p, items):
    """At least k comparisons hold and every other one reaches the share p of its threshold."""
    met, far, unknowns, near = 0, 0, [], []
    grades = []
    for i, (a, b, op) in enumerate(items):
        if a.__class__ is Unknown or b.__class__ is Unknown:
            unknowns.append(merge(a, b))
            grades.append("unknown")
        elif COMPARE[op](a, b):
            met += 1
            grades.append("met")
        elif a >= p * b:
            near.append(i + 1)
            grades.append("near")
        else:
            far += 1
            grades.append("far")
    if ctx.notes is not None:
        ctx.notes.update(met=met, near=near, far=far, _grades=tuple(grades))
    if unknowns:
        if far > 0 or met + len(unknowns) < k:
            return False
        return merge(*unknowns)
    return met >= k and far == 0


def _known(ctx, value):
    return value.__class__ is not Unknown


def _attested(ctx, rule_id):
    result = attestation(ctx.view.data, rule_id)
    if ctx.reads is not None and result.__class__ is bool:
        ctx.reads.append((f"/facts/attestations/{rule_id}/status", "met" if result else "not_met"))
    return result


# Published figures (facts.reported): each kept as the decimal string it was printed as, so
# that its printed precision is known ("0.50" has two decimals, 0.5 would have one).

def _printed(ctx, key):
    """(pointer, text) of the figure `key` published for the subject's level; text None if absent."""
    pointer = f"/facts/reported/{ctx.level}/{key}"
    facts = ctx.view.data.get("facts")
    reported = facts.get("reported") if isinstance(facts, dict) else None
    level = reported.get(ctx.level) if isinstance(reported, dict) else None
    text = level.get(key) if isinstance(level, dict) else None
    # The schema's pattern, read as jsonschema does (re.search), lets a final newline through.
    return pointer, text.strip() if isinstance(text, str) else None


def printed_tolerance(text: str) -> Fraction:
    """Half a unit of the last printed place: "0.50" → 0.005, "12" → 0.5."""
    return Fraction(1, 2 * 10 ** len(text.partition(".")[2]))


def _read_printed(ctx, key, **notes):
    """The published figure as a number, its read and notes recorded (or missing, naming it)."""
    pointer, text = _printed(ctx, key)
    if text is None:
        return missing(pointer)
    if ctx.reads is not None:
        ctx.reads.append((pointer, text))
    if ctx.notes is not None:
        ctx.notes.update(reported=text, reported_at=pointer, **notes)
    return Fraction(text)


def _reported(ctx, key):
    return _read_printed(ctx, key)


def _printed_gap(ctx, computed, key):
    """|computed − published figure|: how far the tool's own value is from the printed one."""
    published = _read_printed(ctx, key, computed=computed)
    return published if isinstance(published, Unknown) else abs(_frac(computed) - published)


def _printed_tolerance(ctx, key):
    pointer, text = _printed(ctx, key)
    return missing(pointer) if text is None else printed_tolerance(text)


def round_half_up(x: Fraction, unit: Fraction) -> Fraction:
    """x 四舍五入 to a multiple of `unit` (> 0): halves away from zero, as figures are printed."""
    q = x / unit
    n = math.floor(abs(q) + Fraction(1, 2))
    return (n if q >= 0 else -n) * unit


def _round_to(ctx, x, unit):
    """x 精确到 unit: unchanged when unit is 0 (an exact comparison, as the standard reads);
    rounded half up to a multiple of unit otherwise, noting the exact value it came from."""
    x, unit = _frac(x), _frac(unit)
    if unit < 0:
        return undefined("negative_precision", "round_to")
    if unit == 0:
        return x
    rounded = round_half_up(x, unit)
    if ctx.notes is not None:
        ctx.notes.update(exact=x, precision=unit)
    return rounded


def _plain(fn):
    """A function of values alone: ctx is not needed."""
    return lambda ctx, *args: fn(*args)


COMPARE = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
           "<": lambda a, b: a < b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


# ---- check hooks (types) --------------------------------------------------------------

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


def _number_result(types):
    return _numbers(types) or _first_number(types)


def _dimensionless(unit: str | None = None):
    return T.NumberT(DIMENSIONLESS, UNITS[unit] if unit else None)


def _bool_args(types):
    for t in types:
        if not isinstance(t, (T.BoolT, T.AnyT)):
            return "bool"
    return T.BOOL


def _counting(unit=None):
    return lambda ts: _bool_args(ts) if _bool_args(ts) != T.BOOL else _dimensionless(unit)


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
    if isinstance(t, T.SeriesT) and not t.counties:   # one value per county is not one value
        return t.item
    return T.NUMBER if isinstance(t, T.AnyT) else "series"


# Check hooks for forms whose arguments are not plain values. Each receives the checker
# (compliance/dsl/check.py) and reports through it.

def _check_split(c, node, scope):
    from ..diagnostics import Localized
    qt = c.check(node.args[0], scope)
    wt = c.check(node.args[1], scope)
    if not scope.has_section:
        return c.error("E217", node, name="split", reason=Localized(
            "只能用于学校学段（school_section）的规则或学段派生指标",
            "only in rules or derived fields of a school section"))
    if not isinstance(wt, (T.WeightsT, T.AnyT)):
        c.error("E220", node.args[1], what=Localized("split 的第二个参数", "the second argument of split"),
                expected=T.WeightsT().describe(), found=wt.describe())
    if not isinstance(qt, (T.NumberT, T.AnyT)):
        return c.error("E220", node.args[0], what=Localized("split 的第一个参数", "the first argument of split"),
                       expected=T.NUMBER.describe(), found=qt.describe())
    return qt


def _check_series(c, node, scope, counties=False):
    from ..diagnostics import Localized
    from . import ast
    from .check import FieldRef
    arg = node.args[0]
    t = c.check(arg, scope)
    ref = c.resolutions.get(id(arg))
    if len(node.args) > 1 and not isinstance(node.args[1], ast.DateLit):
        # A literal, so that the start of the duty is read in the rule itself (and by lint).
        c.error("E220", node.args[1], what=Localized(f"{node.name} 的第二个参数", f"the second argument of {node.name}"),
                expected=Localized("义务起算日期，如 2024-01-05", "the date the duty starts, e.g. 2024-01-05"),
                found=c.check(node.args[1], scope).describe())
    if isinstance(t, T.AnyT):
        return T.ANY
    if not (isinstance(ref, FieldRef) and ref.base == "record" and ref.keys[:1] == ("facts",)
            and len(ref.keys) == 2 and isinstance(t, T.NumberT)
            and c.env.catalog.history.lookup(ref.keys[1]) is not None):
        return c.error("E220", arg, what=Localized(f"{node.name} 的参数", f"the argument of {node.name}"),
                       expected=Localized("facts 下逐年填报的数值字段", "a numeric facts field kept in history"),
                       found=t.describe())
    return T.SeriesT(t, counties)


def _check_county_series(c, node, scope):
    return _check_series(c, node, scope, counties=True)


def _check_at_least(c, node, scope):
    from ..diagnostics import Localized
    from . import ast
    k, p, items = node.args
    kt = c.check(k, scope)
    pt = c.check(p, scope)
    for arg, t in ((k, kt), (p, pt)):
        if not isinstance(t, (T.AnyT,)) and not (isinstance(t, T.NumberT) and t.dim.is_dimensionless):
            c.error("E220", arg, what=Localized("at_least 的参数", "the argument of at_least"),
                    expected=T.NUMBER.describe(), found=t.describe())
    if not isinstance(items, ast.ListLit) or not items.items:
        return c.error("E225", items)
    for item in items.items:
        if not (isinstance(item, ast.Compare) and item.op in (">=", ">")):
            c.error("E225", item)
            continue
        c.check(item, scope)
    return T.BOOL


def _check_attested(c, node, scope):
    from ..diagnostics import Localized
    from . import ast
    if not isinstance(node.args[0], ast.String):
        return c.error("E220", node.args[0], what=Localized("attested 的参数", "the argument of attested"),
                       expected=Localized("带引号的规则编号，如 \"G15\"", 'a quoted rule id such as "G15"'),
                       found=c.check(node.args[0], scope).describe())
    return T.BOOL


def _check_reported(c, node, scope):
    """reported("r1_cv"), printed_tolerance("r1_cv"), printed_gap(x, "r1_cv"): a quoted figure
    name of facts.reported.<level>, in a rule of a section level."""
    from ..diagnostics import Localized
    from . import ast
    *values, key = node.args
    key_type = c.check(key, scope)
    for v in values:
        t = c.check(v, scope)
        if not isinstance(t, (T.NumberT, T.AnyT)):
            c.error("E220", v, what=Localized(f"{node.name} 的参数", f"the argument of {node.name}"),
                    expected=T.NUMBER.describe(), found=t.describe())
    if scope.subject != "section_level":
        return c.error("E217", node, name=node.name, reason=Localized(
            "只能用于学段汇总（section_level）的规则", "only in rules of a section level"))
    reported = c.env.catalog.facts.lookup("reported")
    level = reported.group.lookup("primary") if reported is not None and reported.group else None
    names = level.group.names() if level is not None and level.group else []
    if not isinstance(key, ast.String) or key.value not in names:
        found = Localized(f"\"{key.value}\"", f"\"{key.value}\"") if isinstance(key, ast.String) \
            else key_type.describe()
        return c.error("E220", key, what=Localized(f"{node.name} 的参数", f"the argument of {node.name}"),
                       expected=Localized("带引号的公布值名称，如 \"r1_cv\"（facts.reported.<学段> 下）",
                                          'a quoted published figure such as "r1_cv" (under facts.reported.<level>)'),
                       found=found)
    return _dimensionless()


def _check_known(c, node, scope):
    c.check(node.args[0], scope)
    return T.BOOL


def _typed(type_rule):
    """A check hook from a type rule over the argument types."""
    def hook(c, node, scope):
        return c.apply_type_rule(node, type_rule, [c.check(a, scope) for a in node.args])
    hook.type_rule = type_rule
    return hook


# ---- batch semantics (column algebra `B`, see compliance/run/batch.py) -----------------

def _b_per_hundred(B, a, b):
    return B.div(B.mul(B.const(100), a), b, "per_hundred")


def _b_round_to(B, x, unit):
    """At precision 0 (the default: exact, as the standard reads) round_to is x itself, so a
    CV column keeps its float-with-exact-recheck form. A non-zero precision has no column
    form: None asks for the scalar semantics row by row."""
    if unit.kind == "num" and not unit.approx and not (unit.unk.any() or unit.bad.any() or unit.n.any()):
        return x
    return None


def _b_least(B, *xs):
    out = xs[0]
    for x in xs[1:]:
        out = B.pick(B.compare("<=", out, x), out, x)
    return out


def _b_greatest(B, *xs):
    out = xs[0]
    for x in xs[1:]:
        out = B.pick(B.compare(">=", out, x), out, x)
    return out


# ---- the registry ---------------------------------------------------------------------

@dataclass(frozen=True)
class Builtin:
    name: str
    title: str                 # what it computes, in Chinese, for messages and docs
    aggregate: bool            # written as name(args for x in coll where cond)
    arity: tuple[int, int]     # min, max number of arguments (per member for aggregates)
    check: Callable            # (checker, node, scope) → Type; reports errors through the checker
    scalar: Callable           # value semantics for one subject (interpreter and closures)
    args: str = "values"       # how arguments reach `scalar`: values | field | literal | comparisons
    strict: bool = True        # any Unknown argument (or member) makes the result Unknown
    batch: Callable | None = None  # semantics over columns; None: per row with `scalar`
    notes: tuple[str, ...] = ()    # facts it reports for messages (ctx.notes keys)


def _agg(name, title, arity, type_rule, impl, strict=True, batch=None):
    return Builtin(name, title, True, arity, _typed(type_rule), impl, "values", strict, batch)


def _fn(name, title, arity, type_rule, impl, batch=None, **kw):
    return Builtin(name, title, False, arity, _typed(type_rule), impl, batch=batch, **kw)


BUILTINS: dict[str, Builtin] = {b.name: b for b in [
    _agg("sum", "求和", (1, 1), _number_result, _sum, batch=lambda B, m: B.sum(m)),
    _agg("min", "最小值", (1, 1), _number_result, _extreme(min, "min"), batch=lambda B, m: B.extreme(m, "min")),
    _agg("max", "最大值", (1, 1), _number_result, _extreme(max, "max"), batch=lambda B, m: B.extreme(m, "max")),
    _agg("mean", "平均值", (1, 1), _number_result, _mean, batch=lambda B, m: B.mean(m)),
    _agg("count", "满足条件的个数", (1, 1), _counting(), _count, batch=lambda B, m: B.count(m)),
    _agg("share", "满足条件的比例", (1, 1), _counting("%"), _share, batch=lambda B, m: B.share(m)),
    _agg("all", "全部满足", (1, 1), _bool_args, _all, strict=False, batch=lambda B, m: B.all(m)),
    _agg("any", "至少一个满足", (1, 1), _bool_args, _any, strict=False, batch=lambda B, m: B.any(m)),
    _agg("weighted_cv", "按学生数加权的差异系数", (2, 2), _cv_type, _weighted_cv, batch=lambda B, m: B.weighted_cv(m)),
    _fn("per_hundred", "每百人拥有数", (2, 2), _per_hundred_type, _per_hundred, batch=_b_per_hundred),
    _fn("least", "最小值", (2, 8), _same_number, _plain(lambda *xs: min(xs)), batch=_b_least),
    _fn("greatest", "最大值", (2, 8), _same_number, _plain(lambda *xs: max(xs)), batch=_b_greatest),
    _fn("abs", "绝对值", (1, 1), _number_result, _plain(abs), batch=lambda B, x: B.abs(x)),
    _fn("ceil", "向上取整", (1, 1), _number_result, _plain(lambda x: Fraction(math.ceil(_frac(x)))),
        batch=lambda B, x: B.ceil(x)),
    _fn("floor", "向下取整", (1, 1), _number_result, _plain(lambda x: Fraction(math.floor(_frac(x)))),
        batch=lambda B, x: B.floor(x)),
    _fn("len", "个数", (1, 1), _len_type, _plain(lambda xs: Fraction(len(xs)))),
    _fn("year", "年份", (1, 1), _year_type, _plain(lambda d: Fraction(d.year))),
    _fn("non_decreasing", "逐年只增不减", (1, 1), _series_bool, _rising(False), notes=("fell_in", "fell_from", "fell_to", "fell_where")),
    _fn("increasing", "逐年增长", (1, 1), _series_bool, _rising(True), notes=("fell_in", "fell_from", "fell_to", "fell_where")),
    _fn("latest", "当年值", (1, 1), _series_number, _pick(-1)),
    _fn("previous", "上一年值", (1, 1), _series_number, _pick(-2)),
    Builtin("series", "逐年序列", False, (1, 2), _check_series, _series, args="field"),
    Builtin("county_series", "下辖各县（市、区）的逐年序列", False, (1, 2), _check_county_series, _county_series,
            args="field"),
    Builtin("split", "一贯制学校共用量按学段拆分", False, (2, 2), _check_split, _split, strict=False,
            batch=lambda B, q, w: B.split(q, w),
            notes=("split_share",)),
    Builtin("at_least", "至少 k 项达标且余项不低于要求的比例", False, (3, 3), _check_at_least, _at_least,
            args="comparisons", batch=lambda B, k, p, items: B.at_least(k, p, items), notes=("met", "near", "far")),
    _fn("round_to", "精确到（四舍五入；0 表示不舍入）", (2, 2), _same_number, _round_to, notes=("exact", "precision"),
        batch=_b_round_to),
    Builtin("reported", "县级公布值（facts.reported，按学段）", False, (1, 1), _check_reported, _reported,
            notes=("reported", "reported_at")),
    Builtin("printed_gap", "按学校数据计算的值与公布值之差（绝对值）", False, (2, 2), _check_reported, _printed_gap,
            notes=("computed", "reported", "reported_at")),
    Builtin("printed_tolerance", "公布值末位的半个单位（公布精度）", False, (1, 1), _check_reported, _printed_tolerance),
    Builtin("known", "数据是否齐全", False, (1, 1), _check_known, _known, strict=False, batch=lambda B, x: B.is_known(x)),
    Builtin("attested", "佐证材料认定达标（facts.attestations）", False, (1, 1), _check_attested, _attested,
            args="literal"),
]}

# What the checker says when a type rule returns an error key.
ARG_EXPECTATIONS = {
    "number": T.NUMBER, "bool": T.BOOL, "list": T.ListT(T.NUMBER), "date": T.DATE,
    "series": T.SeriesT(T.NUMBER),
}
