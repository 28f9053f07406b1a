"""The reference interpreter: a second evaluator, deliberately simple, to check the first.

It walks the checked AST directly for every subject, with `Fraction` arithmetic, no
closures, no caches and no constant folding: each node is evaluated by one `match` arm
that says what the node means. It shares only the meaning of names (the checker's
resolutions), the record's entity views, three-valued logic (compliance.logic) and the
exact square root with the compiled evaluator; everything else — operators, functions,
aggregates, splits, series, parameters by level, derived fields, subjects and statuses — is
written again here, plainly.

`tests/test_differential.py` asserts both evaluators agree on every status, value and
missing-field list. Any future fast path must pass the same test.
"""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from fractions import Fraction

from ..logic import FAIL, NOT_APPLICABLE, PASS, UNKNOWN, Unknown, k_and, k_not, k_or, missing, undefined
from ..record import Entity, RecordView, attestation, exact
from . import ast
from .check import CollectionRef, DerivedRef, FieldRef, LevelRef, ParamRef, check_derived, DERIVED_SCOPE
from .functions import exact_sqrt
from .units import UNITS


@dataclass(frozen=True)
class Outcome:
    rule: str                 # qualified id
    subject: tuple            # (kind, school id, section)
    status: str
    value: object
    threshold: object
    missing: tuple[str, ...]


@dataclass
class Scope:
    view: RecordView
    school: Entity | None
    section: Entity | None
    level: str | None
    subject: str              # jurisdiction | school | school_section | section_level
    resolutions: dict
    vars: dict


def params_at(analysis, as_of: datetime.date) -> dict:
    """Every parameter's value in force on `as_of` (None before its first date)."""
    return {name: p.value_at(as_of) for name, p in analysis.params.items()}


def evaluate_reference(analysis, data: dict, as_of: datetime.date) -> list[Outcome]:
    view = RecordView(exact(data))
    params = params_at(analysis, as_of)
    out = []
    for rule in analysis.rules:
        if not rule.in_force(as_of):
            continue
        for kind, school, section, level in _subjects(rule, view):
            subject = (kind, str(school.data.get("id", school.pointer)) if school else None, level if section else
                       (level if kind == "section_level" else None))
            out.append(_judge(analysis, rule, view, params, kind, school, section, level, subject))
    return out


def _subjects(rule, view: RecordView):
    if rule.applies_to == "jurisdiction":
        yield "jurisdiction", None, None, None
    elif rule.applies_to == "school":
        for school in view.schools:
            yield "school", school, None, None
    elif rule.applies_to == "school_section":
        for section in view.sections:
            if not rule.levels or section.level in rule.levels:
                yield "school_section", section.school, section, section.level
    elif rule.applies_to == "section_level":
        for level in ("primary", "junior"):
            if view.sections_by_level[level] and (not rule.levels or level in rule.levels):
                yield "section_level", None, None, level


def _judge(analysis, rule, view, params, kind, school, section, level, subject) -> Outcome:
    def run(part):
        checked = analysis.checked[(rule.qualified_id, part)]
        scope = Scope(view, school, section, level, kind, checked.resolutions, {})
        return Interpreter(analysis, params).eval(checked.node, scope), checked.node, scope

    value = threshold = None
    if rule.when is not None:
        applicable, _, _ = run("when")
        if applicable is False:
            return Outcome(rule.qualified_id, subject, NOT_APPLICABLE, None, None, ())
        if applicable is not True:
            return Outcome(rule.qualified_id, subject, UNKNOWN, None, None, tuple(sorted(applicable.missing)))
    if rule.attestation:
        result = attestation(view.data, rule.id, rule.qualified_id)
    else:
        checked = analysis.checked[(rule.qualified_id, "require")]
        node = checked.node
        interp = Interpreter(analysis, params)
        if isinstance(node, ast.Compare):
            scope = Scope(view, school, section, level, kind, checked.resolutions, {})
            value, threshold = interp.eval(node.left, scope), interp.eval(node.right, scope)
            result = _compare(node.op, value, threshold)
        else:
            result, _, _ = run("require")
    if result is True:
        status = PASS
    elif result is False:
        status = FAIL
    elif not result.missing and result.undefined:
        status = NOT_APPLICABLE
    else:
        status = UNKNOWN
    gone = tuple(sorted(result.missing)) if isinstance(result, Unknown) else ()
    return Outcome(rule.qualified_id, subject, status, None if isinstance(value, Unknown) else value,
                   None if isinstance(threshold, Unknown) else threshold, gone)


def _unknowns(*values) -> Unknown | None:
    found = [v for v in values if isinstance(v, Unknown)]
    if not found:
        return None
    result = Unknown()
    for v in found:
        result = result | v
    return result


def _compare(op, a, b):
    u = _unknowns(a, b)
    if u is not None:
        return u
    return {">=": a >= b, ">": a > b, "<=": a <= b, "<": a < b, "==": a == b, "!=": a != b}[op]


@dataclass
class Step:
    """One evaluated sub-expression, for `compliance explain`."""
    depth: int
    node: ast.Node
    value: object = None
    pointer: str | None = None        # the input read, for a field
    members: tuple = ()               # an aggregate's first members: (label, value)
    count: int | None = None          # how many members the aggregate had
    share: object = None              # a split's share
    note: str | None = None           # e.g. how an at_least item fared: met | near | far
    parts: tuple = ()                 # a split's (level, students, weight)
    scale: object = None              # a field read in one unit and used in another (万元 → 元)


_LITERALS = (ast.Number, ast.String, ast.DateLit, ast.Bool)


class Interpreter:
    def __init__(self, analysis, params: dict, trace: bool = False):
        self.analysis = analysis
        self.params = params
        self.steps: list[Step] | None = [] if trace else None
        self._depth = 0
        self._quiet = 0

    def eval(self, node: ast.Node, s: Scope):
        if self.steps is None or self._quiet or isinstance(node, _LITERALS):
            return self._eval(node, s)
        step = Step(self._depth, node)
        self.steps.append(step)
        self._depth += 1
        try:
            step.value = self._eval(node, s)
        finally:
            self._depth -= 1
        return step.value

    def _note(self, **fields) -> None:
        """Add to the step of the node being evaluated (the innermost open step)."""
        if self.steps is not None and not self._quiet:
            open_steps = [st for st in self.steps if st.depth == self._depth - 1]
            if open_steps:
                for k, v in fields.items():
                    setattr(open_steps[-1], k, v)

    def _eval(self, node: ast.Node, s: Scope):
        match node:
            case ast.Number(value=v, unit=u):
                return Fraction(v) * (UNITS[u].scale if u else 1)
            case ast.String(value=v) | ast.DateLit(value=v) | ast.Bool(value=v):
                return v
            case ast.ListLit(items=items):
                values = [self.eval(i, s) for i in items]
                return _unknowns(*values) or values
            case ast.Compare(op=op, left=left, right=right):
                return _compare(op, self.eval(left, s), self.eval(right, s))
            case ast.Member(item=item, collection=coll, negated=negated):
                a, b = self.eval(item, s), self.eval(coll, s)
                u = _unknowns(a, b)
                return u if u is not None else (a in b) != negated
            case ast.Arith(op=op, left=left, right=right):
                return self.arith(op, self.eval(left, s), self.eval(right, s))
            case ast.Neg(operand=o):
                v = self.eval(o, s)
                return v if isinstance(v, Unknown) else -v
            case ast.Not(operand=o):
                return k_not(self.eval(o, s))
            case ast.And(left=left, right=right):
                a = self.eval(left, s)
                return False if a is False else k_and(a, self.eval(right, s))
            case ast.Or(left=left, right=right):
                a = self.eval(left, s)
                return True if a is True else k_or(a, self.eval(right, s))
            case ast.Conditional(condition=c, then=t, otherwise=o):
                cond = self.eval(c, s)
                if cond is True:
                    return self.eval(t, s)
                if cond is False:
                    return self.eval(o, s)
                return cond
            case ast.Path():
                return self.path(node, s)
            case ast.Call():
                return self.call(node, s)
            case ast.Aggregate():
                return self.aggregate(node, s)
        raise AssertionError(f"unknown node {type(node).__name__}")

    @staticmethod
    def arith(op, a, b):
        u = _unknowns(a, b)
        if u is not None:
            return u
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            return undefined("division_by_zero", "/")
        return Fraction(a) / Fraction(b)

    # -- names
    def path(self, node: ast.Path, s: Scope):
        ref = s.resolutions[id(node)]
        if isinstance(ref, LevelRef):
            return s.level
        if isinstance(ref, ParamRef):
            value = self.params.get(ref.name)
            if value is None or value == {}:
                return undefined("no_parameter_value", ref.name)
            if ref.per_level or ref.level is not None:
                picked = value.get(ref.level or s.level) if isinstance(value, dict) else None
                return undefined("no_parameter_value", ref.name) if picked is None else picked
            return value
        if isinstance(ref, CollectionRef):
            if ref.kind == "schools":
                return s.view.schools
            if ref.kind == "history":
                return s.view.history
            if s.subject == "section_level":
                return s.view.sections_by_level[s.level]
            if s.subject in ("school", "school_section"):
                return [x for x in s.view.sections if x.school is s.school]
            return s.view.sections
        if isinstance(ref, DerivedRef):
            entity = self.base(ref.base, ref.slot, ref.to_school, s)
            checked = check_derived(self.analysis.env, ref.entity, ref.name)
            inner = Scope(s.view, entity.school, entity if entity.kind == "section" else None,
                          entity.level or s.level, DERIVED_SCOPE[ref.entity], checked.resolutions, {})
            return self.eval(checked.node, inner)
        assert isinstance(ref, FieldRef)
        if ref.virtual == "value":
            return s.vars[ref.slot]
        entity = self.base(ref.base, ref.slot, ref.to_school, s)
        if ref.virtual == "entity":
            return entity
        if ref.virtual == "level":
            return entity.level
        if ref.virtual == "class_sizes":
            sizes = entity.school.data.get("class_sizes")
            value = sizes.get(entity.level) if isinstance(sizes, dict) else None
            return missing(f"{entity.school.pointer}/class_sizes/{entity.level}") if value is None else value
        value = entity.data
        for key in ref.keys:
            value = value.get(key) if isinstance(value, dict) else None
        self._note(pointer=entity.pointer + "/" + "/".join(ref.keys), scale=ref.scale if ref.scale != 1 else None)
        if value is None:
            return missing(entity.pointer + "/" + "/".join(ref.keys))
        if isinstance(value, list):
            return [x * ref.scale for x in value] if ref.scale != 1 else value
        return value * ref.scale if ref.scale != 1 else value

    @staticmethod
    def base(base: str, slot, to_school: bool, s: Scope) -> Entity:
        entity = {"record": s.view.root, "school": s.school, "section": s.section}.get(base) \
            if base != "var" else s.vars[slot]
        return entity.school if to_school else entity

    # -- functions
    def call(self, node: ast.Call, s: Scope):
        name = node.name
        if name == "attested":
            return attestation(s.view.data, node.args[0].value)
        if name == "known":
            return not isinstance(self.eval(node.args[0], s), Unknown)
        if name == "split":
            return self.split(node, s)
        if name == "series":
            return self.series(node, s)
        if name in ("non_decreasing", "increasing", "latest", "previous"):
            return self.series_function(name, self.eval(node.args[0], s))
        if name == "at_least":
            return self.at_least(node, s)
        args = [self.eval(a, s) for a in node.args]
        u = _unknowns(*args)
        if u is not None:
            return u
        match name:
            case "per_hundred":
                a, b = args
                return undefined("division_by_zero", "per_hundred") if b == 0 else 100 * Fraction(a) / Fraction(b)
            case "least":
                return min(args)
            case "greatest":
                return max(args)
            case "abs":
                return abs(args[0])
            case "ceil":
                return Fraction(math.ceil(Fraction(args[0])))
            case "floor":
                return Fraction(math.floor(Fraction(args[0])))
            case "len":
                return Fraction(len(args[0]))
            case "year":
                return Fraction(args[0].year)
        raise AssertionError(f"unknown function {name}")

    def split(self, node: ast.Call, s: Scope):
        quantity = self.eval(node.args[0], s)
        weights = self.eval(node.args[1], s)
        if isinstance(weights, Unknown):
            return _unknowns(quantity, weights)
        school = s.section.school
        sections = school.data.get("sections") or {}
        gone, total, own, parts = None, Fraction(0), None, []
        for level in ("primary", "junior"):
            if not isinstance(sections.get(level), dict):
                continue
            n = sections[level].get("students")
            if n is None:
                gone = _unknowns(gone, missing(f"{school.pointer}/sections/{level}/students"))
                continue
            total += weights[level] * n
            parts.append((level, n, weights[level]))
            if level == s.section.level:
                own = weights[level] * n
        high = school.data.get("high_school_students")
        if high is None and school.data.get("type") in ("complete_middle", "twelve_year"):
            gone = _unknowns(gone, missing(f"{school.pointer}/high_school_students"))
        elif high:
            total += weights["high"] * high
            parts.append(("high", high, weights["high"]))
        share = gone if gone is not None else (
            undefined("division_by_zero", "split") if total == 0 or own is None else own / total)
        self._note(share=share, parts=tuple(parts))
        u = _unknowns(quantity, share)
        return u if u is not None else quantity * share

    def series(self, node: ast.Call, s: Scope):
        ref = s.resolutions[id(node.args[0])]
        key = ref.keys[1]
        points = []
        for h in s.view.history:
            v = h.data.get(key)
            points.append((h.data.get("year"), missing(f"{h.pointer}/{key}") if v is None else v * ref.scale))
        facts = s.view.data.get("facts") if isinstance(s.view.data.get("facts"), dict) else {}
        current = facts.get(key)
        points.append((s.view.year, missing(f"/facts/{key}") if current is None else current * ref.scale))
        return tuple(points)

    @staticmethod
    def series_function(name: str, points):
        if isinstance(points, Unknown):
            return points
        if name == "latest":
            return points[-1][1] if points else undefined("empty", "series")
        if name == "previous":
            return points[-2][1] if len(points) >= 2 else undefined("empty", "series")
        gone = None
        years = [y for y, _ in points]
        for y0, y1 in zip(years, years[1:]):
            if y0 is None or y1 is None or y1 != y0 + 1:
                gone = _unknowns(gone, Unknown(frozenset({"/history"}), frozenset({("missing_year", str((y0 or 0) + 1))})))
        if len(points) < 2:
            gone = _unknowns(gone, missing("/history"))
        known = []
        for _, v in points:
            if isinstance(v, Unknown):
                gone = _unknowns(gone, v)
            elif any(v < earlier or (name == "increasing" and v == earlier) for earlier in known):
                return False
            else:
                known.append(v)
        return True if gone is None else gone

    def at_least(self, node: ast.Call, s: Scope):
        k, p = self.eval(node.args[0], s), self.eval(node.args[1], s)
        u = _unknowns(k, p)
        if u is not None:
            return u
        met = far = 0
        unknowns = []
        for c in node.args[2].items:
            step = None
            if self.steps is not None and not self._quiet:
                step = Step(self._depth, c)
                self.steps.append(step)
                self._depth += 1
            a, b = self.eval(c.left, s), self.eval(c.right, s)
            result = _compare(c.op, a, b)
            if isinstance(result, Unknown):
                unknowns.append(result)
                note = "unknown"
            elif result:
                met += 1
                note = "met"
            elif a < p * b:
                far += 1
                note = "far"
            else:
                note = "near"
            if step is not None:
                self._depth -= 1
                step.value, step.note = result, note
        if unknowns:
            if far > 0 or met + len(unknowns) < k:
                return False
            return _unknowns(*unknowns)
        return met >= k and far == 0

    def aggregate(self, node: ast.Aggregate, s: Scope):
        items = self.eval(node.collection, s)
        if isinstance(items, Unknown):
            return items
        slot = s.resolutions[id(node)].slot
        name = node.name
        rows, conditions, gone, shown = [], [], None, []
        for item in items:
            inner = Scope(s.view, s.school, s.section, s.level, s.subject, s.resolutions, {**s.vars, slot: item})
            self._quiet += 1   # members are summarised on the aggregate's step, not traced one by one
            try:
                w = True if node.where is None else self.eval(node.where, inner)
                row = [self.eval(a, inner) for a in node.args] if w is not False else None
            finally:
                self._quiet -= 1
            if w is False:
                continue
            shown.append((_label(item), row[0]))
            if name in ("all", "any"):
                rows.append(row[0])
                conditions.append(w)
                continue
            u = _unknowns(w if w is not True else None, *row)
            if u is not None:
                gone = _unknowns(gone, u)
            elif gone is None:
                rows.append(row)
        self._note(members=tuple(shown[:5]), count=len(shown))
        if name == "all":
            result = True
            for w, v in zip(conditions, rows):
                result = k_and(result, v if w is True else k_or(k_not(w), v))
            return result
        if name == "any":
            result = False
            for w, v in zip(conditions, rows):
                result = k_or(result, v if w is True else k_and(w, v))
            return result
        if gone is not None:
            return gone
        values = [Fraction(r[0]) if not isinstance(r[0], bool) else r[0] for r in rows]
        match name:
            case "sum":
                return sum(values, Fraction(0))
            case "min" | "max" | "mean":
                if not values:
                    return undefined("empty", name)
                return min(values) if name == "min" else max(values) if name == "max" else sum(values) / len(values)
            case "count":
                return Fraction(sum(1 for v in values if v is True))
            case "share":
                return undefined("empty", "share") if not values else Fraction(sum(1 for v in values if v is True), len(values))
            case "weighted_cv":
                pairs = [(Fraction(x), Fraction(p)) for x, p in rows]
                total = sum((p for _, p in pairs), Fraction(0))
                if total == 0:
                    return undefined("empty", "weighted_cv")
                mean = sum((p * x for x, p in pairs), Fraction(0)) / total
                if mean == 0:
                    return undefined("division_by_zero", "weighted_cv")
                variance = sum((p * (x - mean) ** 2 for x, p in pairs), Fraction(0)) / total
                return exact_sqrt(variance) / abs(mean)
        raise AssertionError(f"unknown aggregate {name}")


def _label(item) -> str:
    """A member of an aggregate as people name it: school (section), year, or the value."""
    if isinstance(item, Entity):
        school = item.school.data.get("name") if item.school is not None else None
        if item.kind == "section":
            return f"{school or item.pointer}（{'小学' if item.level == 'primary' else '初中'}）"
        if item.kind == "history":
            return str(item.data.get("year", item.pointer))
        return str(school or item.pointer)
    return str(item)
