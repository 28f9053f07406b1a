"""The closures backend: each checked expression becomes Python closures, one per node,
`fn(env) -> value`; the tree is never walked per record. Fast for one record at a time.

Values are plain Python: `Fraction`/`int` in base units, `bool`, `str`, `date`, lists,
entities — or `Unknown` (compliance.logic), which propagates. Parameters are resolved for
one date at compile time and become constants. Built-in functions come from the registry
(compliance/dsl/builtins.py); subjects and statuses from run/subjects.py and run/judge.py.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

from ..dsl import ast
from ..dsl import types as T
from ..dsl.builtins import BUILTINS, COMPARE, as_date
from ..dsl.check import (AggregateInfo, Checked, CollectionRef, DerivedRef, Environment, FieldRef, LevelRef,
                         ParamRef, check_derived, DERIVED_SCOPE)
from ..logic import Unknown, k_and, k_not, k_or, merge, missing, undefined
from ..record import Entity, RecordView, attestation, exact
from .backend import Prepared, RunResult, collect, params_on, prepare
from .judge import judge, status_of
from .subjects import subjects

Fn = Callable[["Env"], object]


class Env:
    """The run-time context of compiled closures: the record and the current subject.

    `reads` collects (JSON pointer, value) of every input read when a trace is wanted;
    `notes` collects facts functions report for messages (e.g. the year a series fell).
    Built-in functions get the Env as their context (`ctx`).
    """
    __slots__ = ("view", "school", "section", "level", "vars", "reads", "notes")

    def __init__(self, view: RecordView, school: Entity | None = None, section: Entity | None = None,
                 level: str | None = None, slots: int = 0, trace: bool = False):
        self.view = view
        self.school = school
        self.section = section
        self.level = level
        self.vars: list = [None] * slots
        self.reads: list | None = [] if trace else None
        self.notes: dict | None = {} if trace else None


_COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
            "==": operator.eq, "!=": operator.ne}
assert set(_COMPARE) == set(COMPARE)


def compare_values(op: Callable, a, b):
    if a.__class__ is Unknown or b.__class__ is Unknown:
        return merge(a, b)
    return op(a, b)


def _div(a, b, where: str):
    if b == 0:
        return undefined("division_by_zero", where)
    if a.__class__ is int and b.__class__ is int:
        return Fraction(a, b)
    return a / b


@dataclass
class ParamValues:
    """Parameter values in force on one date: name → value, or name → {level: value}."""
    values: dict[str, object]


class Compiler:
    """Compiles checked expressions of one pack for one date."""

    def __init__(self, env: Environment, params: ParamValues, source_of: Callable[[ast.Node], str] | None = None):
        self.env = env
        self.params = params
        self.source_of = source_of or (lambda node: "")
        self._derived: dict[tuple[str, str], tuple[Fn, int]] = {}

    # -- entry points
    def compile(self, checked: Checked, subject: str, source_of=None) -> Fn:
        return _NodeCompiler(self, checked, subject, source_of or self.source_of).compile(checked.node)

    def compile_sides(self, checked: Checked, subject: str, source_of=None):
        """For a top-level comparison: closures for both sides and the operator, else None."""
        node = checked.node
        if not isinstance(node, ast.Compare):
            return None
        nc = _NodeCompiler(self, checked, subject, source_of or self.source_of)
        return nc.compile(node.left), nc.compile(node.right), _COMPARE[node.op]

    def derived(self, entity: str, name: str) -> tuple[Fn, int]:
        key = (entity, name)
        if key not in self._derived:
            checked = check_derived(self.env, entity, name)
            fn = _NodeCompiler(self, checked, DERIVED_SCOPE[entity], self.source_of).compile(checked.node)
            self._derived[key] = (fn, checked.max_slots)
        return self._derived[key]


class _NodeCompiler:
    def __init__(self, compiler: Compiler, checked: Checked, subject: str, source_of):
        self.c = compiler
        self.res = checked.resolutions
        self.subject = subject
        self.source_of = source_of

    def compile(self, node: ast.Node) -> Fn:
        return getattr(self, "_" + type(node).__name__.lower())(node)

    # -- literals
    def _number(self, node: ast.Number) -> Fn:
        from ..dsl.units import UNITS
        value = node.value * (UNITS[node.unit].scale if node.unit else 1)
        if value.denominator == 1:
            value = int(value)
        return lambda env: value

    def _string(self, node):
        value = node.value
        return lambda env: value

    def _datelit(self, node):
        value = node.value
        return lambda env: value

    def _bool(self, node):
        value = node.value
        return lambda env: value

    def _listlit(self, node: ast.ListLit):
        items = [self.compile(i) for i in node.items]

        def make_list(env):
            values = [f(env) for f in items]
            for v in values:
                if v.__class__ is Unknown:
                    return merge(*values)
            return values
        return make_list

    # -- operators
    def _compare(self, node: ast.Compare):
        left, right, op = self.compile(node.left), self.compile(node.right), _COMPARE[node.op]

        def cmp(env):
            a = left(env)
            b = right(env)
            if a.__class__ is Unknown or b.__class__ is Unknown:
                return merge(a, b)
            return op(a, b)
        return cmp

    def _member(self, node: ast.Member):
        item, coll, negated = self.compile(node.item), self.compile(node.collection), node.negated

        def member(env):
            a = item(env)
            b = coll(env)
            if a.__class__ is Unknown or b.__class__ is Unknown:
                return merge(a, b)
            return (a in b) != negated
        return member

    def _arith(self, node: ast.Arith):
        left, right = self.compile(node.left), self.compile(node.right)
        if node.op == "/":
            where = self.source_of(node.right) or "?"

            def divide(env):
                a = left(env)
                b = right(env)
                if a.__class__ is Unknown or b.__class__ is Unknown:
                    return merge(a, b)
                return _div(a, b, where)
            return divide
        op = {"+": operator.add, "-": operator.sub, "*": operator.mul}[node.op]

        def arith(env):
            a = left(env)
            b = right(env)
            if a.__class__ is Unknown or b.__class__ is Unknown:
                return merge(a, b)
            return op(a, b)
        return arith

    def _neg(self, node):
        inner = self.compile(node.operand)

        def neg(env):
            v = inner(env)
            return v if v.__class__ is Unknown else -v
        return neg

    def _not(self, node):
        inner = self.compile(node.operand)
        return lambda env: k_not(inner(env))

    def _and(self, node):
        left, right = self.compile(node.left), self.compile(node.right)

        def and_(env):
            a = left(env)
            if a is False:
                return False
            return k_and(a, right(env))
        return and_

    def _or(self, node):
        left, right = self.compile(node.left), self.compile(node.right)

        def or_(env):
            a = left(env)
            if a is True:
                return True
            return k_or(a, right(env))
        return or_

    def _conditional(self, node):
        cond, then, other = self.compile(node.condition), self.compile(node.then), self.compile(node.otherwise)

        def conditional(env):
            c = cond(env)
            if c is True:
                return then(env)
            if c is False:
                return other(env)
            return c
        return conditional

    # -- names
    def _path(self, node: ast.Path):
        ref = self.res[id(node)]
        if isinstance(ref, FieldRef):
            return self._field(ref)
        if isinstance(ref, ParamRef):
            return self._param(ref)
        if isinstance(ref, DerivedRef):
            return self._derived(ref)
        if isinstance(ref, CollectionRef):
            return self._collection(ref)
        if isinstance(ref, LevelRef):
            return lambda env: env.level
        raise AssertionError(f"unresolved path {node.dotted}")

    def _base(self, base: str, slot: int | None, to_school: bool) -> Callable[["Env"], Entity]:
        if base == "record":
            get = lambda env: env.view.root  # noqa: E731
        elif base == "school":
            get = lambda env: env.school  # noqa: E731
        elif base == "section":
            get = lambda env: env.section  # noqa: E731
        else:
            get = lambda env: env.vars[slot]  # noqa: E731
        if to_school:
            inner = get
            get = lambda env: inner(env).school  # noqa: E731
        return get

    def _field(self, ref: FieldRef) -> Fn:
        if ref.virtual == "value":
            slot = ref.slot
            return lambda env: env.vars[slot]
        base = self._base(ref.base, ref.slot, ref.to_school)
        if ref.virtual == "entity":
            return base
        if ref.virtual == "level":
            return lambda env: base(env).level
        if ref.virtual == "class_sizes":
            return _class_sizes(base)
        read = _reader(base, ref.keys, scale=ref.scale)
        if isinstance(ref.type, T.DateT):   # dates are ISO strings in the record
            return lambda env: as_date(read(env))
        return read

    def _param(self, ref: ParamRef) -> Fn:
        value = self.c.params.values.get(ref.name)
        label = f"params.{ref.name}"
        if isinstance(value, Unknown):
            return lambda env: value
        if ref.per_level and ref.level is None:
            table = value

            def by_level(env):
                v = table.get(env.level)
                return undefined("no_parameter_value", f"{label}.{env.level}") if v is None else v
            return by_level
        if ref.level is not None:
            v = value.get(ref.level) if isinstance(value, dict) else None
            v = undefined("no_parameter_value", f"{label}.{ref.level}") if v is None else v
            return lambda env: v
        return lambda env: value

    def _derived(self, ref: DerivedRef) -> Fn:
        inner, slots = self.c.derived(ref.entity, ref.name)
        base = self._base(ref.base, ref.slot, ref.to_school)
        key = (id(self.c), ref.entity, ref.name)
        name = ref.name

        def derived(env):
            ent = base(env)
            hit = ent.cache.get(key)
            if hit is None or (env.reads is not None and hit[1] is None):
                sub = Env(env.view, ent.school, ent if ent.kind == "section" else None, ent.level or env.level,
                          slots, trace=env.reads is not None)
                value = inner(sub)
                hit = (value, sub.reads, sub.notes)
                ent.cache[key] = hit
            if env.reads is not None:
                env.reads.extend(hit[1])
                env.notes.update(hit[2])
                env.notes[name] = hit[0]
            return hit[0]
        return derived

    def _collection(self, ref: CollectionRef) -> Fn:
        if ref.kind == "schools":
            return lambda env: env.view.schools
        if ref.kind == "history":
            return lambda env: env.view.history
        if self.subject == "section_level":
            return lambda env: env.view.sections_by_level[env.level]
        if self.subject in ("school", "school_section"):
            return lambda env: env.view.school_sections[id(env.school)]
        return lambda env: env.view.sections

    # -- calls: every built-in through its registry entry
    def _call(self, node: ast.Call) -> Fn:
        fn = BUILTINS[node.name]
        scalar = fn.scalar
        if fn.args == "literal":
            literal = node.args[0].value
            return lambda env: scalar(env, literal)
        if fn.args == "field":
            ref, rest = self.res[id(node.args[0])], [a.value for a in node.args[1:]]
            return lambda env: scalar(env, ref, *rest)
        if fn.args == "comparisons":
            k_fn, p_fn = self.compile(node.args[0]), self.compile(node.args[1])
            items = [(self.compile(c.left), self.compile(c.right), c.op) for c in node.args[2].items]

            def comparisons(env):
                k, p = k_fn(env), p_fn(env)
                if k.__class__ is Unknown or p.__class__ is Unknown:
                    return merge(k, p)
                return scalar(env, k, p, [(left(env), right(env), op) for left, right, op in items])
            return comparisons
        args = [self.compile(a) for a in node.args]
        if not fn.strict:
            return lambda env: scalar(env, *[f(env) for f in args])
        if len(args) == 1:
            (a0,) = args

            def call1(env):
                v = a0(env)
                return v if v.__class__ is Unknown else scalar(env, v)
            return call1
        if len(args) == 2:
            a0, a1 = args

            def call2(env):
                v0 = a0(env)
                v1 = a1(env)
                if v0.__class__ is Unknown or v1.__class__ is Unknown:
                    return merge(v0, v1)
                return scalar(env, v0, v1)
            return call2

        def call(env):
            values = [f(env) for f in args]
            for v in values:
                if v.__class__ is Unknown:
                    return merge(*values)
            return scalar(env, *values)
        return call

    def _aggregate(self, node: ast.Aggregate) -> Fn:
        info: AggregateInfo = self.res[id(node)]
        fn = BUILTINS[node.name]
        impl, strict, name = fn.scalar, fn.strict, fn.name
        coll = self.compile(node.collection)
        args = [self.compile(a) for a in node.args]
        where = self.compile(node.where) if node.where is not None else None
        slot = info.slot

        def aggregate(env):
            items = coll(env)
            if items.__class__ is Unknown:
                return items
            reads, env.reads = env.reads, None  # members are summarised, not traced one by one
            vars_ = env.vars
            rows = []
            unknown = None
            try:
                for item in items:
                    vars_[slot] = item
                    w = True if where is None else where(env)
                    if w is False:
                        continue
                    row = tuple(f(env) for f in args)
                    if not strict:
                        rows.append((w, row[0]))
                        continue
                    if w is not True:
                        unknown = merge(unknown, w)
                    for v in row:
                        if v.__class__ is Unknown:
                            unknown = merge(unknown, v)
                    if unknown is None:
                        rows.append(row)
            finally:
                vars_[slot] = None
                env.reads = reads
            if unknown is not None:
                return unknown
            result = impl(rows)
            if reads is not None:
                env.notes[f"{name}_members"] = len(rows)
            return result
        return aggregate


def _reader(base: Callable[[Env], Entity], keys: tuple[str, ...], scale=Fraction(1)) -> Fn:
    """A closure that reads data[keys...] off an entity, or returns Unknown naming the pointer."""
    suffix = "/" + "/".join(keys)
    scaled = scale != 1
    if len(keys) == 1:
        (k,) = keys

        def read1(env):
            ent = base(env)
            v = ent.data.get(k)
            if v is None:
                return missing(ent.pointer + suffix)
            if env.reads is not None:
                env.reads.append((ent.pointer + suffix, v))
            return v * scale if scaled else v
        return read1

    def read(env):
        ent = base(env)
        data = ent.data
        for key in keys:
            data = data.get(key) if data.__class__ is dict else None
            if data is None:
                return missing(ent.pointer + suffix)
        if env.reads is not None:
            env.reads.append((ent.pointer + suffix, data))
        if scaled:
            return [x * scale for x in data] if isinstance(data, list) else data * scale
        return data
    return read


def _class_sizes(section: Callable[[Env], Entity]) -> Fn:
    """A section's class sizes live on its school: /schools/i/class_sizes/<level>."""
    def read(env):
        ent = section(env)
        sizes = ent.school.data.get("class_sizes")
        value = sizes.get(ent.level) if isinstance(sizes, dict) else None
        pointer = f"{ent.school.pointer}/class_sizes/{ent.level}"
        if value is None:
            return missing(pointer)
        if env.reads is not None:
            env.reads.append((pointer, value))
        return value
    return read


# ---- the backend ------------------------------------------------------------------------

@dataclass(frozen=True)
class CompiledRule:
    meta: object                   # backend.RuleMeta
    when: Fn | None
    require: Fn | None
    sides: tuple | None            # (left, right, operator) for a top-level comparison
    slots: int

    @property
    def rule(self):
        return self.meta.rule

    @property
    def op(self) -> str | None:
        return self.meta.op


def compiler_for(analysis, as_of) -> Compiler:
    """The compiler of one pack for one date (parameters in force become constants); also
    what remedies use to compile the parts of a rule they solve one by one. Division by
    zero quotes the denominator as written."""
    return Compiler(analysis.env, ParamValues(params_on(analysis, as_of)), analysis.text_of)


class ClosureProgram:
    """Every rule in force on one date as closures, ready to run over any number of records."""

    def __init__(self, prepared: Prepared):
        self.prepared = prepared
        analysis = prepared.analysis
        # Division by zero quotes the denominator as written.
        compiler = Compiler(analysis.env, ParamValues(prepared.params), analysis.text_of)
        self.compiler = compiler
        self.rules: list[CompiledRule] = []
        for meta in prepared.rules:
            subject = meta.rule.applies_to
            when = require = sides = None
            slots = 0
            if meta.when is not None:
                when = compiler.compile(meta.when, subject)
                slots = meta.when.max_slots
            if meta.require is not None:
                require = compiler.compile(meta.require, subject)
                sides = compiler.compile_sides(meta.require, subject)
                slots = max(slots, meta.require.max_slots)
            self.rules.append(CompiledRule(meta, when, require, sides, slots))
        self.by_id = {c.meta.rule.qualified_id: c for c in self.rules}

    def run(self, views, trace: bool = False, keep=None) -> list[RunResult]:
        return [collect(self.findings(view, trace), keep) for view in views]

    def findings(self, view: RecordView, trace: bool = False) -> list:
        out = []
        for index, compiled in enumerate(self.rules):
            for n, subject in enumerate(subjects(compiled.meta.rule, view)):
                out.append(self.judge_one(compiled, view, subject, trace, (index, n)))
        view.clear_caches()
        return out

    @staticmethod
    def judge_one(compiled: CompiledRule, view: RecordView, subject: tuple, trace: bool = False, order=()):
        """One rule for one subject: what fallbacks re-evaluate."""
        env, when, value, threshold, result = ClosureProgram._outcome(compiled, view, subject, trace)
        return judge(compiled.meta, subject, when, value, threshold, result, env.reads, env.notes, order)

    @staticmethod
    def status_one(compiled: CompiledRule, view: RecordView, subject: tuple) -> tuple:
        """The status of one rule for one subject, without a trace or a Finding (what each
        remedy probe asks), and the compared sides (value, threshold) when they were
        evaluated, else None."""
        _, when, value, threshold, result = ClosureProgram._outcome(compiled, view, subject, False)
        status = status_of(when, result, compiled.meta.ahead)
        evaluated = when is True and compiled.sides is not None and not compiled.meta.rule.attestation
        return status, ((value, threshold) if evaluated else None)

    @staticmethod
    def _outcome(compiled: CompiledRule, view: RecordView, subject: tuple, trace: bool):
        _, school, section, level, _ = subject
        env = Env(view, school, section, level, compiled.slots, trace)
        when = True if compiled.when is None else compiled.when(env)
        value = threshold = None
        result = False
        if when is True:
            rule = compiled.meta.rule
            if rule.attestation:
                result = attestation(view.data, rule.id, rule.qualified_id)
            elif compiled.sides is not None:
                left, right, op = compiled.sides
                value, threshold = left(env), right(env)
                result = compare_values(op, value, threshold)
            else:
                result = compiled.require(env)
        return env, when, value, threshold, result


class ClosureBackend:
    name = "closures"

    def prepare(self, analysis, as_of) -> ClosureProgram:
        return ClosureProgram(prepare(analysis, as_of))


def view_of(data: dict) -> RecordView:
    """The view the closures read: the record with every decimal an exact Fraction."""
    view = RecordView(exact(data))
    view.exact = True
    return view
