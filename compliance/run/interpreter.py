"""The tracing interpreter: walks the checked tree for one subject, node by node, with
Fraction arithmetic and no caches — slow and plain, so it can record every step.

`compliance explain`, the JSON report's `steps` and the CV contributors use it; the
differential tests use it as the oracle the closures and the columnar backend must agree
with. Operators, names, aggregates and parameters are written here directly, as one `match`
arm per node; built-in functions come from the registry (compliance/dsl/builtins.py), like
every backend; subjects and statuses come from run/subjects.py and run/judge.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ..dsl import ast
from ..dsl import types as T
from ..dsl.builtins import BUILTINS, COMPARE, as_date, section_share, split_parts
from ..dsl.check import CollectionRef, DerivedRef, FieldRef, LevelRef, ParamRef, check_derived, DERIVED_SCOPE
from ..dsl.units import UNITS
from ..logic import Unknown, k_and, k_not, k_or, merge, missing, undefined
from ..record import Entity, RecordView, attestation
from .backend import Prepared, RunResult, collect, prepare
from .judge import judge
from .subjects import subjects


@dataclass
class Scope:
    """Where an expression is evaluated: the record, the subject's entities, bound variables.
    It is also the context built-in functions see (`ctx`)."""
    view: RecordView
    school: Entity | None
    section: Entity | None
    level: str | None
    subject: str              # jurisdiction | school | school_section | section_level
    resolutions: dict
    vars: dict
    notes: dict = field(default_factory=dict)
    reads: list | None = None

    def bind(self, slot: int, item) -> "Scope":
        return Scope(self.view, self.school, self.section, self.level, self.subject, self.resolutions,
                     {**self.vars, slot: item}, {}, None)


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


def _unknowns(*values) -> Unknown | None:
    found = [v for v in values if isinstance(v, Unknown)]
    return merge(*found) if found else None


def _compare(op, a, b):
    u = _unknowns(a, b)
    return u if u is not None else COMPARE[op](a, b)


class Interpreter:
    def __init__(self, analysis, params: dict, trace: bool = False):
        self.analysis = analysis
        self.params = params
        self.steps: list[Step] | None = [] if trace else None
        self._open: list[Step] = []       # steps being evaluated, innermost last
        self._quiet = 0                   # > 0 inside aggregate members: not traced one by one

    def eval(self, node: ast.Node, s: Scope):
        if self.steps is None or self._quiet or isinstance(node, _LITERALS):
            return self._eval(node, s)
        step = Step(len(self._open), node)
        self.steps.append(step)
        self._open.append(step)
        try:
            step.value = self._eval(node, s)
        finally:
            self._open.pop()
        return step.value

    def _note(self, **fields) -> None:
        """Add to the step of the node being evaluated."""
        if self.steps is not None and not self._quiet and self._open:
            for k, v in fields.items():
                setattr(self._open[-1], k, v)

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
            if isinstance(value, Unknown):
                return value
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
            pointer = f"{entity.school.pointer}/class_sizes/{entity.level}"
            self._note(pointer=pointer)
            return missing(pointer) if value is None else value
        value = entity.data
        for key in ref.keys:
            value = value.get(key) if isinstance(value, dict) else None
        pointer = entity.pointer + "/" + "/".join(ref.keys)
        self._note(pointer=pointer, scale=ref.scale if ref.scale != 1 else None)
        if value is None:
            return missing(pointer)
        if isinstance(ref.type, T.DateT):   # dates are ISO strings in the record
            return as_date(value)
        if isinstance(value, list):
            return [x * ref.scale for x in value] if ref.scale != 1 else value
        return value * ref.scale if ref.scale != 1 else value

    @staticmethod
    def base(base: str, slot, to_school: bool, s: Scope) -> Entity:
        entity = {"record": s.view.root, "school": s.school, "section": s.section}.get(base) \
            if base != "var" else s.vars[slot]
        return entity.school if to_school else entity

    # -- built-in functions, through the registry
    def call(self, node: ast.Call, s: Scope):
        fn = BUILTINS[node.name]
        s.notes = {}
        if fn.args == "literal":
            return fn.scalar(s, node.args[0].value)
        if fn.args == "field":
            return fn.scalar(s, s.resolutions[id(node.args[0])], *(a.value for a in node.args[1:]))
        if fn.args == "comparisons":
            return self.comparisons(fn, node, s)
        args = [self.eval(a, s) for a in node.args]
        if "split_share" in fn.notes and not isinstance(args[1], Unknown):
            # The share is shown even when the quantity is missing: it says how the split works.
            self._note(share=section_share(s.section, args[1]), parts=split_parts(s.section, args[1]))
        if fn.strict:
            u = _unknowns(*args)
            if u is not None:
                return u
        return fn.scalar(s, *args)

    def comparisons(self, fn, node: ast.Call, s: Scope):
        k, p = self.eval(node.args[0], s), self.eval(node.args[1], s)
        u = _unknowns(k, p)
        if u is not None:
            return u
        items, steps = [], []
        for c in node.args[2].items:
            step = None
            if self.steps is not None and not self._quiet:
                step = Step(len(self._open), c)
                self.steps.append(step)
                self._open.append(step)
            try:
                a, b = self.eval(c.left, s), self.eval(c.right, s)
            finally:
                if step is not None:
                    self._open.pop()
            items.append((a, b, c.op))
            steps.append(step)
        result = fn.scalar(s, k, p, items)
        for step, (a, b, op), grade in zip(steps, items, s.notes.get("_grades", ())):
            if step is not None:
                step.value, step.note = _compare(op, a, b), grade
        return result

    def aggregate(self, node: ast.Aggregate, s: Scope):
        fn = BUILTINS[node.name]
        items = self.eval(node.collection, s)
        if isinstance(items, Unknown):
            return items
        slot = s.resolutions[id(node)].slot
        rows, gone, shown = [], None, []
        for item in items:
            inner = s.bind(slot, item)
            self._quiet += 1
            try:
                w = True if node.where is None else self.eval(node.where, inner)
                row = tuple(self.eval(a, inner) for a in node.args) if w is not False else None
            finally:
                self._quiet -= 1
            if w is False:
                continue
            shown.append((_label(item), row[0]))
            if not fn.strict:
                rows.append((w, row[0]))
                continue
            u = _unknowns(w if w is not True else None, *row)
            if u is not None:
                gone = _unknowns(gone, u)
            elif gone is None:
                rows.append(row)
        self._note(members=tuple(shown[:5]), count=len(shown))
        if gone is not None:
            return gone
        return fn.scalar(rows)


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


# ---- the backend ------------------------------------------------------------------------

class InterpreterProgram:
    def __init__(self, prepared: Prepared):
        self.prepared = prepared

    def run(self, views, trace: bool = False, keep=None) -> list[RunResult]:
        return [collect(self.findings(view), keep) for view in views]

    def findings(self, view: RecordView) -> list:
        out = []
        for index, meta in enumerate(self.prepared.rules):
            for n, subject in enumerate(subjects(meta.rule, view)):
                out.append(self.judge_one(meta, view, subject, (index, n)))
        return out

    def scope(self, meta, part, view: RecordView, subject: tuple) -> Scope:
        kind, school, section, level, _ = subject
        checked = meta.when if part == "when" else meta.require
        return Scope(view, school, section, level, meta.rule.applies_to, checked.resolutions, {})

    def steps(self, meta, view: RecordView, subject: tuple) -> dict[str, list[Step]]:
        """{"when": [...], "require": [...]}: every step of the rule for one subject."""
        out = {}
        for part in ("when", "require"):
            checked = meta.when if part == "when" else meta.require
            if checked is not None:
                interp = Interpreter(self.prepared.analysis, self.prepared.params, trace=True)
                interp.eval(checked.node, self.scope(meta, part, view, subject))
                out[part] = interp.steps
        return out

    def judge_one(self, meta, view: RecordView, subject: tuple, order=()):
        interp = Interpreter(self.prepared.analysis, self.prepared.params)
        when = True
        if meta.when is not None:
            when = interp.eval(meta.when.node, self.scope(meta, "when", view, subject))
        value = threshold = None
        result = False
        if when is True:
            rule = meta.rule
            if rule.attestation:
                result = attestation(view.data, rule.id, rule.qualified_id)
            elif meta.sides is not None:
                left, right = meta.sides
                scope = self.scope(meta, "require", view, subject)
                value, threshold = interp.eval(left, scope), interp.eval(right, scope)
                result = _compare(meta.op, value, threshold)
            else:
                result = interp.eval(meta.require.node, self.scope(meta, "require", view, subject))
        return judge(meta, subject, when, value, threshold, result, order=order)


class InterpreterBackend:
    name = "interpreter"

    def prepare(self, analysis, as_of) -> InterpreterProgram:
        return InterpreterProgram(prepare(analysis, as_of))
