"""Properties a rule declares in its file, checked with Hypothesis over records drawn from
the record JSON Schema (compliance.strategies):

    properties:
      monotone: {increasing: section.teachers_above_required_degree}
      boundary: true            # or {input: section.teachers_above_required_degree, reading: inclusive}
      permutation: true
      scale_invariant: section.equipment_value_wan_yuan

- monotone: raising (lowering) the field never turns a pass into a fail.
- boundary: the rule's top-level comparison is solved for one input (the left side must be
  linear in it; it is measured, not assumed), the input is set so the left side equals the
  threshold exactly, then moved by ±1 and by a tiny step; the outcomes must follow the
  reading the quote demands — 以上/不低于/不少于/不超过/以内/达到 include the number,
  低于/超过/少于/高于 exclude it — and the operator must agree with that reading.
- permutation: reordering the schools changes no finding of the rule (per school id).
- scale_invariant: multiplying the field by the same positive factor in every school leaves
  the rule's value (a 差异系数) unchanged.
"""
from __future__ import annotations

import copy
import random
import datetime
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import HealthCheck, Phase, given, settings as hsettings, strategies as st
from hypothesis.errors import Unsatisfiable

from .dsl import ast
from .dsl.check import FieldRef
from .engine import Checker
from .lint import Analysis
from .packs import Rule
from .record import get_at, set_at, with_value
from .strategies import records

INCLUSIVE = ("小于或等于", "大于或等于", "小于等于", "大于等于", "≤", "≥", "不低于", "不少于", "不超过", "不高于", "不大于", "不小于", "以上", "以下", "以内", "达到", "至少", "最多")
EXCLUSIVE = ("低于", "超过", "少于", "高于", "大于", "小于")


# Several seeds are in traditional characters (不超過, 以內, 不低於 …).
_SIMPLIFIED = str.maketrans({"過": "过", "內": "内", "於": "于", "達": "达", "為": "为", "與": "与"})


@dataclass(frozen=True)
class PropertyResult:
    rule: str
    name: str
    ok: bool
    detail: str = ""
    exercised: int = 0            # examples in which the property had something to check


def reading_of(quote: str | None) -> str | None:
    """inclusive / exclusive from the wording, or None when the quote says neither or both."""
    text = (quote or "").translate(_SIMPLIFIED)
    inclusive = any(w in text for w in INCLUSIVE)
    stripped = text
    for w in INCLUSIVE:
        stripped = stripped.replace(w, "")
    exclusive = any(w in stripped for w in EXCLUSIVE)
    if inclusive and not exclusive:
        return "inclusive"
    if exclusive and not inclusive:
        return "exclusive"
    return None


def check_properties(analysis: Analysis, max_examples: int = 40, derandomize: bool = True) -> list[PropertyResult]:
    """Every property every rule of the pack declares, over the same drawn records."""
    declared = [(rule, name, spec) for rule in analysis.rules
                if rule.pack == analysis.pack.id and rule.properties for name, spec in rule.properties.items()]
    if not declared:
        return []
    checkers = {rule.qualified_id: Checker.for_rule(analysis, rule) for rule, _, _ in declared}
    exercised = {(rule.qualified_id, name): 0 for rule, name, _ in declared}
    failed: dict[tuple[str, str], str] = {}

    @hsettings(max_examples=max_examples, derandomize=derandomize, deadline=None, database=None,
               suppress_health_check=list(HealthCheck), print_blob=False,
               phases=[Phase.explicit, Phase.generate])  # records are large: report, do not shrink
    @given(record=records(level=_level(analysis), history=True, keep=None), seed=st.integers(0, 2 ** 63 - 1))
    def prop(record, seed):
        for rule, name, spec in declared:
            key = (rule.qualified_id, name)
            if key in failed:
                continue
            test = _TESTS[name]
            as_of = max(rule.deadline or datetime.date(2024, 12, 31), rule.effective or datetime.date.min)
            # Each property makes its own choices from the drawn seed and its own name: what one
            # property draws does not depend on which others are declared, in what order, or
            # which of them failed already (a shared stream of draws made results order-dependent).
            choices = Choices(random.Random(f"{seed}/{key[0]}/{name}"))
            try:
                if test(analysis, checkers[rule.qualified_id], rule, spec, record, as_of, choices):
                    exercised[key] += 1
            except AssertionError as exc:
                failed[key] = str(exc).split("\n")[0]

    try:
        prop()
    except Unsatisfiable:
        pass
    out = []
    for rule, name, _ in declared:
        key = (rule.qualified_id, name)
        if key in failed:
            out.append(PropertyResult(key[0], name, False, failed[key], exercised[key]))
        elif exercised[key] == 0:
            out.append(PropertyResult(key[0], name, False, "no drawn record exercised the property", 0))
        else:
            out.append(PropertyResult(key[0], name, True, "", exercised[key]))
    return out


class Choices:
    """One property's choices for one drawn record, from its own seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def sampled_from(self, items):
        return items[self.rng.randrange(len(items))]

    def integers(self, low: int, high: int) -> int:
        # As Hypothesis does, favour the ends and small values: a rate's whole range lies
        # between 0 and 1, so a start of 0 must come up often, not once in 100,000.
        pick = self.rng.random()
        if pick < 0.2:
            return low
        if pick < 0.3:
            return high
        if pick < 0.5:
            return self.rng.randint(low, min(high, low + 100))
        return self.rng.randint(low, high)

    def permutation(self, items) -> list:
        out = list(items)
        self.rng.shuffle(out)
        return out


def _level(analysis: Analysis) -> str:
    return "county" if any(r.applies_to != "jurisdiction" for r in analysis.rules) else "city"


# ---- helpers ---------------------------------------------------------------------------

def _findings(checker, rule, record, as_of):
    return {(f.subject.kind, f.subject.school, f.subject.section): f
            for f in checker.check(record, as_of, trace=False) if f.rule == rule.qualified_id}


def _input(analysis: Analysis, rule: Rule, dotted: str | None, within: ast.Node | None = None) -> tuple[str, tuple]:
    """(base, keys) of the field a property varies: a named path (section.X, school.X,
    facts.X), or else the only plain field the condition reads."""
    if dotted:
        head, *rest = dotted.split(".")
        if head in ("section", "school") and rest:
            return head, tuple(rest)
        if head == "facts" and rest:
            return "record", ("facts", *rest)
        raise AssertionError(f"cannot vary '{dotted}': name a section., school. or facts. field")
    checked = analysis.checked[(rule.qualified_id, "require")]
    found = set()
    for node in ast.walk(within or checked.node):
        ref = checked.resolutions.get(id(node)) if isinstance(node, ast.Path) else None
        if isinstance(ref, FieldRef) and ref.virtual is None and ref.base in ("record", "school", "section"):
            found.add(("school" if ref.to_school else ref.base, ref.keys))
    if len(found) != 1:
        raise AssertionError("cannot tell which field to vary: give boundary.input")
    return found.pop()


def _pointer(field: tuple[str, tuple], subject_pointer: str) -> str:
    base, keys = field
    prefix = {"record": "", "school": "/".join(subject_pointer.split("/")[:3]), "section": subject_pointer}[base]
    return prefix + "/" + "/".join(keys)


# ---- the properties --------------------------------------------------------------------

def _monotone(analysis, checker, rule, spec, record, as_of, choices) -> bool:
    direction, dotted = next(iter(spec.items()))
    field = _input(analysis, rule, dotted)
    subjects = list(_findings(checker, rule, record, as_of).items())
    if not subjects:
        return False
    key, f = choices.sampled_from(subjects)
    pointer = _pointer(field, f.subject.pointer)
    # The drawn record rarely passes by chance: start the input anywhere in a wide range.
    # If the drawn start fails, an extreme one (very large when more is better, zero when
    # less is) usually passes; the property is about what happens from a pass.
    for start in (choices.integers(0, 100_000), 10 ** 6 if direction == "increasing" else 0):
        before_record = with_value(record, pointer, start)
        before = _findings(checker, rule, before_record, as_of).get(key)
        if before is not None and before.status == "pass":
            break
    else:
        return False
    step = choices.integers(1, 10_000)
    new = start + step if direction == "increasing" else max(0, start - step)
    after_record = with_value(before_record, pointer, new)
    after = _findings(checker, rule, after_record, as_of).get(key)
    assert after is None or after.status != "fail", (
        f"{'增加' if direction == 'increasing' else '减少'} {pointer} 由 {start} 到 {new} 使 {f.subject.label()} 由达标变为未达标")
    return True


def _boundary(analysis, checker, rule, spec, record, as_of, choices) -> bool:
    spec = spec if isinstance(spec, dict) else {}
    checked = analysis.checked[(rule.qualified_id, "require")]
    node = checked.node
    if not isinstance(node, ast.Compare):
        raise AssertionError("boundary needs a rule whose condition is one comparison")
    reading = spec.get("reading") or reading_of(rule.citation.quote if rule.citation else None)
    if reading is None:
        raise AssertionError("the quote does not say whether the threshold is included: give boundary.reading")
    expected_ops = {"inclusive": (">=", "<="), "exclusive": (">", "<")}[reading]
    assert node.op in expected_ops, f"原文读作{'含本数' if reading == 'inclusive' else '不含本数'}，规则却用 {node.op}"
    ref = _input(analysis, rule, spec.get("input"), node.left)
    findings = _findings(checker, rule, record, as_of)
    candidates = [(k, f) for k, f in findings.items() if f.threshold is not None]
    if not candidates:
        return False
    key, f = choices.sampled_from(candidates)
    pointer = _pointer(ref, f.subject.pointer)

    def value_at(x):
        return _findings(checker, rule, with_value(record, pointer, x), as_of).get(key)

    points = [value_at(x) for x in (0, 1, 2)]
    if any(p is None or p.value is None for p in points):
        return False
    v0, v1, v2 = (Fraction(p.value) for p in points)
    slope = v1 - v0
    if slope == 0 or v2 - v1 != slope:
        return False  # not linear in this input here (e.g. a denominator): nothing to solve
    threshold = Fraction(f.threshold)
    at = (threshold - v0) / slope   # the raw input that puts the left side exactly on the threshold
    if at < 0:
        return False
    exact = value_at(at)
    assert exact is not None and Fraction(exact.value) == threshold, f"{pointer}={at} 未使左边恰为阈值 {threshold}"
    # which way is "more": the side the comparison wants
    wants_more = node.op in (">=", ">")
    up = 1 if slope > 0 else -1  # input direction that raises the left side
    tiny = Fraction(1, 10 ** 6)
    expectations = [(at, "pass" if reading == "inclusive" else "fail")]
    for delta in (tiny, Fraction(1)):
        better = at + (up if wants_more else -up) * delta
        worse = at - (up if wants_more else -up) * delta
        if better >= 0:
            expectations.append((better, "pass"))
        if worse >= 0:
            expectations.append((worse, "fail"))
    for x, status in expectations:
        got = value_at(x)
        assert got is not None and got.status == status, (
            f"{pointer} = {x}（左边 {got.value if got else '?'}，阈值 {threshold}）应为 {status}，实际 "
            f"{got.status if got else '无结果'}（原文读作{'含' if reading == 'inclusive' else '不含'}本数）")
    return True


def _permutation(analysis, checker, rule, spec, record, as_of, choices) -> bool:
    schools = record.get("schools") or []
    if len(schools) < 2:
        return False
    before = {k: (f.status, f.value) for k, f in _findings(checker, rule, record, as_of).items()}
    shuffled = {**record, "schools": choices.permutation(schools)}
    after = {k: (f.status, f.value) for k, f in _findings(checker, rule, shuffled, as_of).items()}
    assert before == after, "调换学校顺序后结果改变"
    return bool(before)


def _scale_invariant(analysis, checker, rule, spec, record, as_of, choices) -> bool:
    fields = [_input(analysis, rule, dotted) for dotted in ([spec] if isinstance(spec, str) else spec)]
    before = _findings(checker, rule, record, as_of)
    if not any(f.value is not None for f in before.values()):
        return False
    factor = choices.sampled_from([Fraction(2), Fraction(3, 2), Fraction(1, 10), Fraction(7)])
    scaled = copy.deepcopy(record)
    for i, school in enumerate(scaled.get("schools") or []):
        for base, keys in fields:
            owners = [f"/schools/{i}/sections/{level}" for level in ("primary", "junior")] if base == "section" \
                else [f"/schools/{i}"]
            for owner in owners:
                pointer = owner + "/" + "/".join(keys)
                v = get_at(scaled, pointer)
                if isinstance(v, (int, Fraction)) and not isinstance(v, bool):
                    set_at(scaled, pointer, v * factor)
    after = _findings(checker, rule, scaled, as_of)
    names = "、".join(".".join(k) for _, k in fields)
    for k, f in before.items():
        g = after.get(k)
        if f.value is not None:
            # equal up to the truncated square root (40 decimals): 10^-30 is far below any threshold step
            assert g is not None and g.value is not None and abs(Fraction(g.value) - Fraction(f.value)) < Fraction(1, 10 ** 30), (
                f"各校 {names} 同乘 {factor} 后差异系数由 {f.value} 变为 {g.value if g else '?'}")
    return True


_TESTS = {"monotone": _monotone, "boundary": _boundary, "permutation": _permutation, "scale_invariant": _scale_invariant}
