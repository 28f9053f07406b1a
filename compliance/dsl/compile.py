"""Checked expression → Python closures.

Each node becomes one closure `fn(env) -> value`; the tree is never walked per record.
Values are plain Python: `Fraction`/`int` in base units, `bool`, `str`, `date`, lists,
entities — or `Unknown` (compliance.logic), which propagates. Parameters are resolved for
one date at compile time and become constants.

The closures only touch `Env`; a vectorized backend can compile the same checked tree
to array operations over many records without changing the grammar or the rule files.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

from ..logic import Unknown, k_and, k_not, k_or, merge, missing, undefined
from ..record import Entity, RecordView, attestation
from . import ast
from .check import (AggregateInfo, Checked, CollectionRef, DerivedRef, Environment, FieldRef, LevelRef,
                    ParamRef, check_derived, DERIVED_SCOPE)
from .functions import FUNCTIONS

Fn = Callable[["Env"], object]


class Env:
    """The run-time context of compiled closures: the record and the current subject.

    `reads` collects (JSON pointer, value) of every input read when a trace is wanted;
    `notes` collects facts functions report for messages (e.g. the year a series fell).
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
        from .units import UNITS
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
        return _reader(base, ref.keys, scale=ref.scale)

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

    # -- calls
    def _call(self, node: ast.Call) -> Fn:
        special = getattr(self, "_special_" + node.name, None)
        if special is not None:
            return special(node)
        fn = FUNCTIONS[node.name]
        impl = fn.impl
        args = [self.compile(a) for a in node.args]
        if len(args) == 1:
            (a0,) = args

            def call1(env):
                v = a0(env)
                return v if v.__class__ is Unknown else impl(v)
            return call1
        if len(args) == 2:
            a0, a1 = args

            def call2(env):
                v0 = a0(env)
                v1 = a1(env)
                if v0.__class__ is Unknown or v1.__class__ is Unknown:
                    return merge(v0, v1)
                return impl(v0, v1)
            return call2

        def call(env):
            values = [f(env) for f in args]
            for v in values:
                if v.__class__ is Unknown:
                    return merge(*values)
            return impl(*values)
        return call

    def _aggregate(self, node: ast.Aggregate) -> Fn:
        info: AggregateInfo = self.res[id(node)]
        fn = FUNCTIONS[node.name]
        impl, strict, name = fn.impl, fn.strict, fn.name
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
                    if strict:
                        if w is not True:
                            unknown = merge(unknown, w)
                        for v in row:
                            if v.__class__ is Unknown:
                                unknown = merge(unknown, v)
                        if unknown is None:
                            rows.append(row)
                    elif w is True:
                        rows.append(row)
                    else:  # unknown membership: all() needs "w implies v", any() needs "w and v"
                        rows.append((k_or(k_not(w), row[0]) if name == "all" else k_and(w, row[0]),))
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

    # -- special forms
    def _special_attested(self, node):
        rule_id = node.args[0].value

        def attested(env):
            result = attestation(env.view.data, rule_id)
            if env.reads is not None and result.__class__ is bool:
                env.reads.append((f"/facts/attestations/{rule_id}/status", "met" if result else "not_met"))
            return result
        return attested

    def _special_known(self, node):
        inner = self.compile(node.args[0])
        return lambda env: inner(env).__class__ is not Unknown

    def _special_split(self, node: ast.Call) -> Fn:
        quantity, weights = self.compile(node.args[0]), self.compile(node.args[1])

        def split(env):
            q = quantity(env)
            w = weights(env)
            # The share depends only on the section and the weights: compute it once per section.
            cache = env.section.cache
            key = ("split_share", id(w))
            share = cache.get(key)
            if share is None:
                share = cache[key] = section_share(env.section, w)
            if q.__class__ is Unknown or share.__class__ is Unknown:
                return merge(q, share)
            if env.notes is not None:
                env.notes["split_share"] = share
            return q * share
        return split

    def _special_series(self, node: ast.Call) -> Fn:
        ref: FieldRef = self.res[id(node.args[0])]
        key, scale = ref.keys[1], ref.scale

        def series(env):
            view = env.view
            points = []
            for h in view.history:
                v = h.data.get(key)
                points.append((h.data.get("year"), missing(f"{h.pointer}/{key}") if v is None else v * scale))
            current = view.data.get("facts", {}).get(key) if isinstance(view.data.get("facts"), dict) else None
            points.append((view.year, missing(f"/facts/{key}") if current is None else current * scale))
            if env.reads is not None:
                # Real pointers with the values as recorded, like any other read; the year of
                # each is the history entry's own (remedies look it up there).
                env.reads.extend((f"{h.pointer}/{key}", h.data[key]) for h in view.history if h.data.get(key) is not None)
                if current is not None:
                    env.reads.append((f"/facts/{key}", current))
            return tuple(points)
        return series

    def _special_non_decreasing(self, node, strict=False) -> Fn:
        series = self.compile(node.args[0])

        def rising(env):
            points = series(env)
            if points.__class__ is Unknown:
                return points
            unknown = None
            years = [y for y, _ in points]
            for y0, y1 in zip(years, years[1:]):
                if y0 is None or y1 is None or y1 != y0 + 1:
                    unknown = merge(unknown, Unknown(frozenset({"/history"}),
                                                     frozenset({("missing_year", str((y0 or 0) + 1))})))
            if len(points) < 2:  # one year alone says nothing about year-on-year change
                unknown = merge(unknown, missing("/history"))
            # Each known value against the highest known value before it: a fall across a
            # missing year is still a fall, whatever that year held.
            top = None
            for y1, v1 in points:
                if v1.__class__ is Unknown:
                    unknown = merge(unknown, v1)
                    continue
                if top is not None and (v1 < top or (strict and v1 == top)):
                    if env.notes is not None:
                        env.notes["fell_in"] = y1
                        env.notes["fell_from"] = top
                        env.notes["fell_to"] = v1
                    return False
                top = v1 if top is None else max(top, v1)
            return True if unknown is None else unknown
        return rising

    def _special_increasing(self, node) -> Fn:
        return self._special_non_decreasing(node, strict=True)

    def _series_pick(self, node, index) -> Fn:
        series = self.compile(node.args[0])

        def pick(env):
            points = series(env)
            if points.__class__ is Unknown:
                return points
            if len(points) < -index:
                return undefined("empty", "series")
            return points[index][1]
        return pick

    def _special_latest(self, node):
        return self._series_pick(node, -1)

    def _special_previous(self, node):
        return self._series_pick(node, -2)

    def _special_at_least(self, node: ast.Call) -> Fn:
        k_fn, p_fn = self.compile(node.args[0]), self.compile(node.args[1])
        items = [(self.compile(c.left), self.compile(c.right), _COMPARE[c.op]) for c in node.args[2].items]

        def at_least(env):
            k, p = k_fn(env), p_fn(env)
            if k.__class__ is Unknown or p.__class__ is Unknown:
                return merge(k, p)
            met, far, unknowns, near = 0, 0, [], []
            for i, (left, right, op) in enumerate(items):
                a, b = left(env), right(env)
                if a.__class__ is Unknown or b.__class__ is Unknown:
                    unknowns.append(merge(a, b))
                elif op(a, b):
                    met += 1
                elif a >= p * b:
                    near.append(i + 1)
                else:
                    far += 1
            if env.notes is not None:
                env.notes.update(met=met, near=near, far=far)
            if unknowns:
                if far > 0 or met + len(unknowns) < k:
                    return False
                return merge(*unknowns)
            return met >= k and far == 0
        return at_least


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


def section_share(section: Entity | None, weights) -> object:
    """The share of a whole-school quantity that belongs to `section`.

    Students of each section (and the high school, if any) weighted e.g. 1 : 1.1 : 1.32:
    share = w_level · n_level / Σ w_j · n_j (national-standard.md §4).
    """
    if weights.__class__ is Unknown:
        return weights
    school = section.school
    sections = school.data.get("sections") or {}
    unknown = None
    total = Fraction(0)
    own = None
    for level in ("primary", "junior"):
        data = sections.get(level)
        if not isinstance(data, dict):
            continue
        n = data.get("students")
        if n is None:
            unknown = merge(unknown, missing(f"{school.pointer}/sections/{level}/students"))
            continue
        part = weights[level] * n
        total += part
        if level == section.level:
            own = part
    high = school.data.get("high_school_students")
    if high is None and school.data.get("type") in ("complete_middle", "twelve_year"):
        unknown = merge(unknown, missing(f"{school.pointer}/high_school_students"))
    elif high:
        total += weights["high"] * high
    if unknown is not None:
        return unknown
    if total == 0 or own is None:
        return undefined("division_by_zero", "split")
    return own / total
