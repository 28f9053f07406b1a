"""Distance to compliance: for a failing finding, the smallest change of each input that
would make it pass, computed from the rule by re-evaluating it — never written per rule.

- a numeric input (a count, an area, a rate): search the smallest change that passes — whole
  units for whole-number fields, an exact linear solve otherwise — and keep it only if the
  rule really passes there and does not one unit (or one hundredth) short of it;
- class sizes (a rule over `class_sizes`): the classes over the limit and the extra classes
  needed to bring every class within it;
- a year-on-year series: how much each year that fell must rise to match the year before.

Only the subject's own school is kept while probing (its pointers renamed back), so a probe
costs one rule over one school.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from fractions import Fraction

from .dsl.names import load_record_schema, schema_at
from .engine import Checker
from .findings import Finding, format_number
from .record import decimal_places, exact, get_at, set_at


@dataclass(frozen=True)
class Remedy:
    kind: str                    # input | classes | series
    pointer: str | None          # the input to change
    title: str                   # what it is, in Chinese
    current: object
    target: object
    text_zh: str
    text_en: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "pointer": self.pointer, "title": self.title, "current": self.current,
                "target": self.target, "message_zh": self.text_zh, "message_en": self.text_en}


class Prober:
    """Re-evaluates one rule for one subject on changed copies of the record."""

    def __init__(self, analysis, finding: Finding, data: dict, as_of):
        rule = next(r for r in analysis.rules if r.qualified_id == finding.rule)
        self.rule = rule
        self.checker = Checker.for_rule(analysis, rule)
        self.as_of = as_of
        self.finding = finding
        base, self.rename = _narrow(data, finding)
        self.base = copy.deepcopy(base)   # our own copy: probes change it in place and restore it

    def status(self, changes: dict[str, object]):
        # Probes change existing inputs; restoring None where a value was absent reads the same.
        saved = [(self.rename(p), get_at(self.base, self.rename(p))) for p in changes]
        try:
            for (local, _), value in zip(saved, changes.values()):
                set_at(self.base, local, value)
            for f in self.checker.check(self.base, self.as_of, trace=False):
                if (f.subject.kind, f.subject.section) == (self.finding.subject.kind, self.finding.subject.section):
                    return f
            return None
        finally:
            for local, old in reversed(saved):
                set_at(self.base, local, old)

    def passes(self, changes) -> bool:
        f = self.status(changes)
        return f is not None and f.status == "pass"


def _narrow(data: dict, finding: Finding):
    """The record with only the subject's school (school-level subjects), and a function that
    maps the full record's pointers into it."""
    pointer = finding.subject.pointer or ""
    parts = pointer.split("/")
    if finding.subject.kind in ("school", "school_section") and len(parts) >= 3 and parts[1] == "schools":
        index = parts[2]
        narrowed = {k: v for k, v in data.items() if k != "schools"}
        narrowed["schools"] = [data["schools"][int(index)]]
        prefix = f"/schools/{index}"
        return narrowed, lambda p: "/schools/0" + p[len(prefix):] if p.startswith(prefix + "/") or p == prefix else p
    return data, lambda p: p


def advise(checker, findings: list[Finding], data: dict, as_of) -> dict:
    """For each failing finding: {"remedies": [...], "cv": CvBreakdown | None}, keyed by
    (rule, subject). Used by the reports; `explain` shows the same."""
    from .contributors import breakdown, cv_rows
    out = {}
    for f in findings:
        if f.status != "fail":
            continue
        analysis = checker.analysis_of(f)
        entry = {"remedies": remedies(analysis, f, data, as_of), "cv": None}
        if f.subject.kind == "section_level" and f.threshold is not None:
            rule = next(r for r in analysis.rules if r.qualified_id == f.rule)
            rows = cv_rows(analysis, rule, data, as_of, f.subject.section)
            if rows:
                entry["cv"] = breakdown(rows, f.threshold)
        out[(f.rule, f.subject)] = entry
    return out


def remedies(analysis, finding: Finding, data: dict, as_of, max_inputs: int = 6) -> list[Remedy]:
    if finding.status != "fail":
        return []
    data = exact(data)   # a loaded record holds Decimals; the arithmetic below is on Fractions
    prober = Prober(analysis, finding, data, as_of)
    out: list[Remedy] = []
    text = " ".join(e.text for e in (prober.rule.require, prober.rule.when) if e)
    if "class_sizes" in text and finding.threshold is not None:
        r = _classes(finding, data)
        if r:
            out.append(r)
    series = [(p, v) for p, v in finding.inputs if p.startswith("series:")]
    if series:
        out.extend(_series(series, data))
        return out
    for pointer, value in finding.inputs:
        # a yes/no fact (a veto condition): does the other answer pass?
        if isinstance(value, bool) and pointer.startswith("/facts/") and prober.passes({pointer: not value}):
            title = field_title(pointer)
            out.append(Remedy("input", pointer, title, value, not value,
                              f"需消除：{title}（{pointer} 应为 {'否' if value else '是'}）",
                              f"change {pointer} to {str(not value).lower()}"))
    # Fields marked "x-remedy": false in the record schema (how many counties or villages
    # there are) are facts of the place, not levers: no remedy proposes changing them.
    inputs = [(p, v) for p, v in finding.inputs if _numeric(v) and p.startswith("/")
              and _schema_node(p).get("x-remedy", True)]
    if not inputs and finding.subject.pointer:
        # Inputs read inside an aggregate are not traced one by one (e.g. a school's students
        # summed over its sections): try the subject's own numbers that move the left side.
        inputs = [(p, v) for p, v in _leaves(get_at(data, finding.subject.pointer), finding.subject.pointer)
                  if _schema_node(p).get("x-remedy", True) and _moves(prober, p, v)]
    for pointer, value in inputs:
        if len(out) >= max_inputs:
            break
        r = _input(prober, pointer, value)
        if r:
            out.append(r)
    return out


def _numeric(v) -> bool:
    return isinstance(v, (int, Fraction)) and not isinstance(v, bool)


def _leaves(node, pointer: str):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{pointer}/{k}")
    elif _numeric(node):
        yield pointer, node


def _moves(prober: "Prober", pointer: str, value) -> bool:
    before, after = prober.status({}), prober.status({pointer: value + 1})
    return before is not None and after is not None and before.value is not None and after.value != before.value


# ---- one numeric input -----------------------------------------------------------------

LIMIT = 10 ** 9


def _input(prober: Prober, pointer: str, value) -> Remedy | None:
    kind = _schema_node(pointer).get("type")
    whole = kind == "integer" or (kind is None and isinstance(value, int))
    best = None
    for direction in (1, -1):
        if whole:
            target = _search_whole(prober, pointer, value, direction)
        else:
            target = _solve(prober, pointer, value, direction)
            if target is None:   # not a linear comparison (e.g. at_least): search in the record's decimals
                unit = Fraction(1, 10 ** max(2, _places(value)))
                found = _search_whole(prober, pointer, value / unit, direction, scale=unit)
                target = None if found is None else found * unit
        if target is not None and (best is None or abs(target - value) < abs(best - value)):
            best = target
    if best is None:
        return None
    return _describe(pointer, value, best, whole)


def _search_whole(prober: Prober, pointer, value, direction, scale=1) -> int | None:
    """Smallest whole number of steps (each `scale` in the record's units) in `direction`
    after which the rule passes: doubling, then bisection (the rule is monotone in it)."""
    value = int(value)
    step, last_fail = 1, 0
    while True:
        if value + direction * step < 0:
            # Overshot below zero: the smallest positive value, then zero, are the last candidates
            # (zero may be undefined, e.g. a denominator).
            ends = [e for e in (value - 1, value) if e > last_fail]
            if direction > 0 or not ends:
                return None
            step = next((e for e in ends if prober.passes({pointer: _plain((value - e) * scale)})), None)
            if step is None:
                return None
            break
        if step > LIMIT:
            return None
        if prober.passes({pointer: _plain((value + direction * step) * scale)}):
            break
        last_fail = step
        step *= 2
    low, high = last_fail, step      # fails at low (or is the current value), passes at high
    while high - low > 1:
        mid = (low + high) // 2
        if prober.passes({pointer: _plain((value + direction * mid) * scale)}):
            high = mid
        else:
            low = mid
    return value + direction * high


def _solve(prober: Prober, pointer, value, direction) -> Fraction | None:
    """For a decimal input: solve the rule's left side, if linear in it, for the threshold,
    then keep the answer (rounded to hundredths away from failing) only if it passes."""
    f0, f1 = prober.status({pointer: value}), prober.status({pointer: value + 1})
    f2 = prober.status({pointer: value + 2})
    if any(f is None or f.value is None or f.threshold is None for f in (f0, f1, f2)):
        return None
    v0, v1, v2 = (Fraction(f.value) for f in (f0, f1, f2))
    slope = v1 - v0
    if slope == 0 or v2 - v1 != slope:
        return None
    exact = value + (Fraction(f0.threshold) - v0) / slope
    if (exact - value) * direction < 0:
        return None
    places = max(2, _places(value))
    for candidate in (exact if _places(exact) <= places else None, _round_away(exact, direction, places)):
        if candidate is None:
            continue
        if candidate >= 0 and prober.passes({pointer: candidate}):
            return candidate
    return None


def _places(x) -> int:
    """Decimal places of x as a record would write it (9 when it has no short decimal form)."""
    places = decimal_places(x)
    return 9 if places is None else places


def _round_away(x: Fraction, direction: int, places: int) -> Fraction:
    """x rounded to `places` decimals, away from the failing side."""
    scaled = x * 10 ** places
    return Fraction(math.ceil(scaled) if direction > 0 else math.floor(scaled), 10 ** places)


def _describe(pointer, current, target, whole) -> Remedy:
    title = field_title(pointer)
    change = target - current
    amount = format_number(abs(change))
    verb_zh, verb_en = ("增加", "increase") if change > 0 else ("减少", "decrease")
    zh = f"{title}需{verb_zh} {amount}（{format_number(current)} → {format_number(target)}）"
    en = f"{verb_en} {pointer} by {amount} ({format_number(current)} → {format_number(target)})"
    return Remedy("input", pointer, title, current, target, zh, en)


# ---- class sizes -----------------------------------------------------------------------

def _classes(finding: Finding, data: dict) -> Remedy | None:
    subject = finding.subject
    if subject.section is None or not subject.pointer:
        return None
    school_pointer = "/".join(subject.pointer.split("/")[:3])
    school = get_at(data, school_pointer)
    sizes = (school or {}).get("class_sizes", {}).get(subject.section)
    if not sizes:
        return None
    limit = Fraction(finding.threshold)
    strict = finding.op == "<"
    over = [c for c in sizes if (c >= limit if strict else c > limit)]
    cap = math.ceil(limit) - 1 if strict and limit.denominator == 1 else math.floor(limit)
    needed = math.ceil(sum(sizes) / cap) if cap > 0 else None
    if needed is None:
        return None
    extra = max(0, needed - len(sizes))
    pointer = f"{school_pointer}/class_sizes/{subject.section}"
    head_zh = f"有 {len(over)} 个班超过 {format_number(limit)} 人；"
    head_en = f"{len(over)} classes above {format_number(limit)}; "
    if extra:
        zh = head_zh + f"{sum(sizes)} 名学生按每班至多 {cap} 人需 {needed} 个班，现有 {len(sizes)} 个，需增加 {extra} 个班"
        en = head_en + f"{sum(sizes)} students at most {cap} per class need {needed} classes, {len(sizes)} now: {extra} more"
    else:
        zh = head_zh + f"现有 {len(sizes)} 个班已够容纳 {sum(sizes)} 名学生，重新编班即可每班不超过 {cap} 人"
        en = head_en + f"the {len(sizes)} classes can hold {sum(sizes)} students at most {cap} each: redistribute"
    return Remedy("classes", pointer, "班级数", len(sizes), max(needed, len(sizes)), zh, en)


def even_classes(students: int, classes: int) -> list[int]:
    """`students` spread over `classes` as evenly as possible (how a remedy is applied)."""
    return [students // classes + (1 if i < students % classes else 0) for i in range(classes)]


# ---- year-on-year series ---------------------------------------------------------------

def _series(series, data: dict) -> list[Remedy]:
    """Each year that fell below the highest earlier year must rise to it."""
    out = []
    top = None
    key = series[0][0].split(":")[1]
    history = data.get("history") or []
    for label, value in series:
        year = int(label.split(":")[2]) if label.split(":")[2] not in ("None", "") else None
        if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
            continue
        if top is not None and value < top:
            index = next((i for i, h in enumerate(history) if h.get("year") == year), None)
            pointer = f"/history/{index}/{key}" if index is not None else f"/facts/{key}"
            raw = get_at(data, pointer)
            scale = Fraction(value) / Fraction(raw) if raw else Fraction(1)
            target = Fraction(top) / scale if scale else top
            title = field_title(f"/facts/{key}")
            zh = (f"{year} 年{title}需增加 {format_number(target - Fraction(raw))}（{format_number(raw)} → "
                  f"{format_number(target)}），才不低于此前的最高值")
            en = f"{year}: raise {key} by {format_number(target - Fraction(raw))} ({format_number(raw)} → {format_number(target)})"
            out.append(Remedy("series", pointer, title, raw, _plain(target), zh, en))
            value = top
        top = value if top is None else max(top, value)
    return out


def _plain(x):
    x = Fraction(x)
    return int(x) if x.denominator == 1 else x


# ---- helpers ---------------------------------------------------------------------------

def _schema_node(pointer: str) -> dict:
    return schema_at(load_record_schema(), pointer)


def field_title(pointer: str) -> str:
    return _schema_node(pointer).get("title") or pointer.rsplit("/", 1)[-1]
