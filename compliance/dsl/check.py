"""Static checks: names, types and units of an expression, against the record schema,
the pack's parameters and derived fields, and the function registry.

The checker never reads a record. It returns the expression's type, its errors (with
spans), and a resolution for every path and call — what the compiler needs to turn the tree
into closures without looking anything up again.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from fractions import Fraction

from ..diagnostics import Localized
from . import ast
from . import types as T
from .builtins import ARG_EXPECTATIONS, BUILTINS
from .names import Catalog, EntityDef
from .parse import ExprError
from .units import UNITS, Unit

SUBJECTS = ("jurisdiction", "school", "school_section", "section_level")
# The scope a derived field of each entity is checked in.
DERIVED_SCOPE = {"section": "school_section", "school": "school", "record": "jurisdiction"}
LEVELS = ("primary", "junior")


# ---- what the checker tells the compiler -------------------------------------------------

@dataclass(frozen=True)
class FieldRef:
    """Read data off an entity: `base` is record | school | section | var."""
    base: str
    slot: int | None
    to_school: bool          # went from a section to its school
    keys: tuple[str, ...]    # keys under the entity's data
    virtual: str | None      # level | class_sizes | entity | value
    type: T.Type
    scale: Fraction = Fraction(1)


@dataclass(frozen=True)
class DerivedRef:
    base: str
    slot: int | None
    to_school: bool
    entity: str              # section | school | record
    name: str
    type: T.Type


@dataclass(frozen=True)
class ParamRef:
    name: str
    level: str | None        # an explicit `.primary`; None means "the level in scope"
    per_level: bool
    type: T.Type


@dataclass(frozen=True)
class CollectionRef:
    kind: str                # schools | sections | history
    type: T.Type


@dataclass(frozen=True)
class LevelRef:
    type: T.Type = T.StringT(LEVELS)


@dataclass(frozen=True)
class AggregateInfo:
    slot: int
    entity: str | None       # the bound entity kind, or None for a list of plain values


# ---- what the pack tells the checker --------------------------------------------------

@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: T.Type                       # NumberT, WeightsT, ListT(StringT), BoolT, DateT, StringT
    levels: tuple[str, ...] | None = None


@dataclass(frozen=True)
class DerivedSpec:
    name: str
    entity: str                        # section | school | record
    node: ast.Node
    unit: Unit | None = None
    aliases: tuple[str, ...] = ()


@dataclass
class Environment:
    """Everything names can refer to. Accumulates which params and derived fields are used."""
    catalog: Catalog
    params: dict[str, ParamSpec] = field(default_factory=dict)
    derived: dict[str, dict[str, DerivedSpec]] = field(default_factory=dict)
    used_params: set[str] = field(default_factory=set)
    used_derived: set[tuple[str, str]] = field(default_factory=set)
    derived_results: dict[tuple[str, str], "Checked"] = field(default_factory=dict)
    _checking: list[tuple[str, str]] = field(default_factory=list)

    def derived_of(self, entity: str) -> dict[str, DerivedSpec]:
        return self.derived.get(entity, {})

    def find_derived(self, entity: str, name: str) -> DerivedSpec | None:
        table = self.derived_of(entity)
        if name in table:
            return table[name]
        return next((d for d in table.values() if name in d.aliases), None)


@dataclass
class Checked:
    node: ast.Node
    type: T.Type
    errors: list[ExprError]
    resolutions: dict[int, object]    # id(node) → FieldRef | DerivedRef | ParamRef | ...
    max_slots: int = 0
    cycle: tuple[str, ...] | None = None
    types: dict[int, T.Type] = field(default_factory=dict)  # id(node) → type, for display units

    # Pickled (the on-disk cache of analysed packs), ids of nodes mean nothing in the next
    # process: the id-keyed tables travel as (node, value) pairs and are re-keyed on load.
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        nodes = {id(n): n for n in ast.walk(self.node)}
        for name in ("resolutions", "types"):
            table = state[name]
            if not table.keys() <= nodes.keys():
                raise TypeError(f"Checked.{name} refers to a node outside its tree; not picklable")
            state[name] = [(nodes[key], value) for key, value in table.items()]
        return state

    def __setstate__(self, state: dict) -> None:
        for name in ("resolutions", "types"):
            state[name] = {id(node): value for node, value in state[name]}
        self.__dict__.update(state)


@dataclass(frozen=True)
class _Scope:
    subject: str
    vars: tuple[tuple[str, T.Type, int], ...] = ()

    def var(self, name: str):
        for n, t, slot in reversed(self.vars):
            if n == name:
                return t, slot
        return None

    def bind(self, name: str, t: T.Type) -> "_Scope":
        return _Scope(self.subject, self.vars + ((name, t, len(self.vars)),))

    @property
    def has_section(self) -> bool:
        return self.subject == "school_section"

    @property
    def has_school(self) -> bool:
        return self.subject in ("school", "school_section")

    @property
    def has_level(self) -> bool:
        return self.subject in ("school_section", "section_level")


def _hint(name: str, candidates) -> Localized:
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    if not close:
        return Localized("", "")
    return Localized(f"，是否指 '{close[0]}'？", f"; did you mean '{close[0]}'?")


class _Checker:
    def __init__(self, env: Environment, scope: _Scope):
        self.env = env
        self.scope = scope
        self.errors: list[ExprError] = []
        self.resolutions: dict[int, object] = {}
        self.types: dict[int, T.Type] = {}
        self.max_slots = len(scope.vars)

    def error(self, code: str, node: ast.Node, **args) -> T.Type:
        self.errors.append(ExprError(code, node.span, args))
        return T.ANY

    # -- dispatch
    def check(self, node: ast.Node, scope: _Scope) -> T.Type:
        method = getattr(self, "_" + type(node).__name__.lower())
        t = method(node, scope)
        self.types[id(node)] = t
        return t

    def expect_bool(self, node: ast.Node, scope: _Scope) -> T.Type:
        t = self.check(node, scope)
        if not isinstance(t, (T.BoolT, T.AnyT)):
            self.error("E223", node, found=t.describe())
        return t

    def expect_value(self, node: ast.Node, t: T.Type, what: Localized) -> T.Type:
        if isinstance(t, (T.NamespaceT, T.CollectionT, T.EntityT, T.WeightsT)):
            return self.error("E220", node, what=what, expected=Localized("一个值", "a value"), found=t.describe())
        return t

    # -- literals
    def _number(self, node: ast.Number, scope):
        if node.unit is None:
            return T.NUMBER
        unit = UNITS.get(node.unit)
        if unit is None:
            self.errors.append(ExprError("E222", node.unit_span or node.span,
                                         {"unit": node.unit, "hint": _hint(node.unit, UNITS)}))
            return T.ANY
        return T.NumberT(unit.dim, unit)

    def _string(self, node, scope):
        return T.STRING

    def _datelit(self, node, scope):
        return T.DATE

    def _bool(self, node, scope):
        return T.BOOL

    def _listlit(self, node: ast.ListLit, scope):
        types = [self.check(item, scope) for item in node.items]
        known = [t for t in types if not isinstance(t, T.AnyT)]
        for t in known[1:]:
            if not T.same_kind(known[0], t):
                self.error("E224", node, first=known[0].describe(), other=t.describe())
                return T.ListT(T.ANY)
        return T.ListT(known[0] if known else T.ANY)

    # -- operators
    def _compare(self, node: ast.Compare, scope):
        lt = self.check(node.left, scope)
        rt = self.check(node.right, scope)
        if isinstance(lt, T.AnyT) or isinstance(rt, T.AnyT):
            return T.BOOL
        what = Localized("比较", "comparison")
        lt = self.expect_value(node.left, lt, what)
        rt = self.expect_value(node.right, rt, what)
        if isinstance(lt, T.NumberT) and isinstance(rt, T.NumberT):
            if lt.dim != rt.dim:
                self.error("E221", node.right, left=_unit_text(lt), right=_unit_text(rt), op=Localized("比较", "compare"))
            return T.BOOL
        if isinstance(lt, T.DateT) and isinstance(rt, T.DateT):
            return T.BOOL
        if isinstance(lt, T.StringT) and isinstance(rt, T.StringT) or isinstance(lt, T.BoolT) and isinstance(rt, T.BoolT):
            if node.op not in ("==", "!="):
                self.error("E220", node, what=Localized(f"运算符 {node.op}", f"operator {node.op}"),
                           expected=Localized("数值或日期", "numbers or dates"), found=lt.describe())
            self._check_choice(node.left, lt, node.right)
            self._check_choice(node.right, rt, node.left)
            return T.BOOL
        if isinstance(lt, T.AnyT) or isinstance(rt, T.AnyT):
            return T.BOOL
        self.error("E220", node.right, what=what, expected=lt.describe(), found=rt.describe())
        return T.BOOL

    def _check_choice(self, field_node, field_type, literal_node):
        if isinstance(field_type, T.StringT) and field_type.choices and isinstance(literal_node, ast.String):
            if literal_node.value not in field_type.choices:
                close = difflib.get_close_matches(literal_node.value, field_type.choices, n=1, cutoff=0.6)
                self.error("E227", literal_node, value=literal_node.value,
                           choices=Localized("、".join(field_type.choices), ", ".join(field_type.choices)),
                           hint=Localized(f"，是否指 '{close[0]}'？", f"; did you mean '{close[0]}'?") if close
                           else Localized("", ""))

    def _member(self, node: ast.Member, scope):
        it = self.check(node.item, scope)
        ct = self.check(node.collection, scope)
        if isinstance(ct, T.AnyT) or isinstance(it, T.AnyT):
            return T.BOOL
        if not isinstance(ct, T.ListT):
            self.error("E220", node.collection, what=Localized("in 的右侧", "the right of 'in'"),
                       expected=Localized("列表", "a list"), found=ct.describe())
        elif not T.same_kind(it, ct.item):
            self.error("E220", node.item, what=Localized("in 的左侧", "the left of 'in'"),
                       expected=ct.item.describe(), found=it.describe())
        elif isinstance(node.collection, ast.ListLit):
            for item in node.collection.items:
                self._check_choice(node.item, it, item)
        return T.BOOL

    def _arith(self, node: ast.Arith, scope):
        lt = self.check(node.left, scope)
        rt = self.check(node.right, scope)
        if isinstance(lt, T.AnyT) or isinstance(rt, T.AnyT):
            return T.ANY
        for side, t in ((node.left, lt), (node.right, rt)):
            if not isinstance(t, T.NumberT):
                return self.error("E220", side, what=Localized(f"运算 {node.op}", f"operator {node.op}"),
                                  expected=T.NUMBER.describe(), found=t.describe())
        if node.op in "+-":
            if lt.dim != rt.dim:
                return self.error("E221", node, left=_unit_text(lt), right=_unit_text(rt),
                                  op=Localized("相加减", "add or subtract"))
            return T.NumberT(lt.dim, lt.unit or rt.unit)
        dim = lt.dim * rt.dim if node.op == "*" else lt.dim / rt.dim
        # Keep a unit for display when the other side is a plain number.
        unit = lt.unit if rt.dim.is_dimensionless and rt.unit is None or (rt.unit and rt.unit.scale == 1 and rt.dim.is_dimensionless) else None
        if unit is not None and unit.dim != dim:
            unit = None
        return T.NumberT(dim, unit)

    def _neg(self, node: ast.Neg, scope):
        t = self.check(node.operand, scope)
        if not isinstance(t, (T.NumberT, T.AnyT)):
            return self.error("E220", node.operand, what=Localized("负号", "unary minus"),
                              expected=T.NUMBER.describe(), found=t.describe())
        return t

    def _not(self, node: ast.Not, scope):
        self.expect_bool(node.operand, scope)
        return T.BOOL

    def _and(self, node, scope):
        self.expect_bool(node.left, scope)
        self.expect_bool(node.right, scope)
        return T.BOOL

    _or = _and

    def _conditional(self, node: ast.Conditional, scope):
        self.expect_bool(node.condition, scope)
        a = self.check(node.then, scope)
        b = self.check(node.otherwise, scope)
        if not T.same_kind(a, b):
            self.error("E220", node.otherwise, what=Localized("else 分支", "the else branch"),
                       expected=a.describe(), found=b.describe())
        return a if not isinstance(a, T.AnyT) else b

    # -- names
    def _path(self, node: ast.Path, scope: _Scope):
        resolved = self.resolve(node, scope)
        if resolved is None:
            return T.ANY
        self.resolutions[id(node)] = resolved
        return resolved.type

    def resolve(self, node: ast.Path, scope: _Scope):
        head, rest = node.parts[0], node.parts[1:]
        cat = self.env.catalog
        bound = scope.var(head)
        if bound is not None:
            t, slot = bound
            if isinstance(t, T.EntityT):
                return self.walk_entity(node, "var", slot, t.entity, rest)
            if rest:
                return self._unknown_field(node, node.dotted, [head])
            return FieldRef("var", slot, False, (), "value", t)
        if head == "params":
            return self.resolve_param(node, rest, scope)
        if head in ("facts",):
            return self.walk_group(node, "record", None, False, ("facts",), cat.facts, rest, "facts")
        if head in ("section",) and scope.has_section:
            return self.walk_entity(node, "section", None, "section", rest)
        if head in ("school", "学校") and scope.has_school:
            return self.walk_entity(node, "school", None, "school", rest)
        if head in ("schools", "sections", "history") and not rest:
            entity = {"schools": "school", "sections": "section", "history": "history"}[head]
            return CollectionRef(head, T.CollectionT(entity))
        if head in ("level", "学段") and scope.has_level and not rest:
            if scope.has_section:
                return FieldRef("section", None, False, (), "level", T.StringT(LEVELS))
            return LevelRef()
        record_field = cat.record.lookup(head)
        if record_field is not None and head not in ("schools", "history", "facts"):
            return self.walk_group(node, "record", None, False, (), cat.record, node.parts, "")
        # Bare names: fields and derived fields of the rule's own subject.
        own = {"school_section": "section", "school": "school"}.get(scope.subject)
        if own is not None:
            target = self.walk_entity(node, "section" if own == "section" else "school", None, own,
                                      node.parts, quiet=True)
            if target is not None:
                return target
        else:
            if self.env.find_derived("record", head) is not None and not rest:
                return self.derived_ref(node, "record", None, False, "record", head)
            if cat.facts.lookup(head) is not None:
                return self.walk_group(node, "record", None, False, ("facts",), cat.facts, node.parts, "facts")
        return self._unknown_field(node, node.dotted, self._candidates(scope))

    def _candidates(self, scope: _Scope) -> list[str]:
        cat = self.env.catalog
        names = ["params", "facts", "schools", "sections", "history"] + [v[0] for v in scope.vars]
        names += [f"facts.{n}" for n in cat.facts.names()]
        names += cat.record.names()
        if scope.has_school:
            names += ["school"] + [f"school.{n}" for n in cat.school.names()]
            names += [f"school.{n}" for n in self.env.derived_of("school")]
        if scope.has_section:
            names += ["section"] + [f"section.{n}" for n in cat.section.names()] + cat.section.names()
            names += [f"section.{n}" for n in self.env.derived_of("section")] + list(self.env.derived_of("section"))
        if scope.subject == "school":
            names += cat.school.names() + list(self.env.derived_of("school"))
        if scope.subject in ("jurisdiction", "section_level"):
            names += cat.facts.names() + list(self.env.derived_of("record"))
        return names

    def _unknown_field(self, node, name, candidates):
        self.error("E210", node, name=name, hint=_hint(name, candidates))
        return None

    def derived_ref(self, node, base, slot, to_school, entity, name):
        spec = self.env.find_derived(entity, name)
        checked = check_derived(self.env, entity, spec.name)
        self.env.used_derived.add((entity, spec.name))
        if checked.cycle:
            self.error("E232", node, cycle=" → ".join(checked.cycle))
            # Resolved, but typed ANY: the cycle is reported once and the pack never compiles.
            return DerivedRef(base, slot, to_school, entity, spec.name, T.ANY)
        return DerivedRef(base, slot, to_school, entity, spec.name, checked.type)

    def walk_entity(self, node, base, slot, entity, rest, quiet=False):
        cat = self.env.catalog
        to_school = False
        if not rest:
            return FieldRef(base, slot, False, (), "entity", T.EntityT(entity))
        first = rest[0]
        if entity == "section":
            if first in ("school", "学校"):
                if len(rest) == 1:
                    return FieldRef(base, slot, True, (), "entity", T.EntityT("school"))
                to_school, entity, rest = True, "school", rest[1:]
                first = rest[0]
            elif first in ("level", "学段", "class_sizes", "班额"):
                virtual = {"学段": "level", "班额": "class_sizes"}.get(first, first)
                if len(rest) > 1:
                    return None if quiet else self._unknown_field(node, node.dotted, [])
                return FieldRef(base, slot, False, (), virtual, cat.section.fields[virtual].type)
        derived_entity = {"section": "section", "school": "school", "history": None}[entity]
        if derived_entity and self.env.find_derived(derived_entity, first) is not None and len(rest) == 1:
            return self.derived_ref(node, base, slot, to_school, derived_entity, first)
        group = cat.entity(entity)
        if group.lookup(first) is None:
            if quiet:
                return None
            candidates = [f"{'.'.join(node.parts[:len(node.parts) - len(rest)])}.{n}".lstrip(".")
                          for n in group.names() + list(self.env.derived_of(derived_entity or ""))]
            return self._unknown_field(node, node.dotted, candidates)
        return self.walk_group(node, base, slot, to_school, (), group, rest, "")

    def walk_group(self, node, base, slot, to_school, keys, group: EntityDef, rest, prefix):
        keys = list(keys)
        for i, part in enumerate(rest):
            f = group.lookup(part)
            if f is None:
                shown = ".".join(node.parts[: len(node.parts) - len(rest) + i])
                candidates = [f"{shown}.{n}" if shown else n for n in group.names()]
                return self._unknown_field(node, node.dotted, candidates)
            keys.append(f.name)
            if f.group is not None:
                group = f.group
                continue
            if i != len(rest) - 1:
                return self._unknown_field(node, node.dotted, [".".join(node.parts[: len(node.parts) - len(rest) + i + 1])])
            scale = f.type.unit.scale if isinstance(f.type, T.NumberT) and f.type.unit else Fraction(1)
            if isinstance(f.type, T.ListT) and isinstance(f.type.item, T.NumberT) and f.type.item.unit:
                scale = f.type.item.unit.scale
            return FieldRef(base, slot, to_school, tuple(keys), None, f.type, scale)
        return FieldRef(base, slot, to_school, tuple(keys), "group", T.NamespaceT(".".join(node.parts)))

    def resolve_param(self, node, rest, scope):
        if not rest:
            return self._unknown_field(node, "params", ["params." + n for n in self.env.params])
        name = rest[0]
        spec = self.env.params.get(name)
        if spec is None:
            close = _hint("params." + name, ["params." + n for n in self.env.params])
            self.error("E211", node, name=name, hint=close)
            return None
        self.env.used_params.add(name)
        if spec.levels:
            if len(rest) == 2 and rest[1] in spec.levels:
                return ParamRef(name, rest[1], True, spec.type)
            if len(rest) == 1:
                if not scope.has_level:
                    self.error("E216", node, name=name, levels="/".join(spec.levels))
                    return None
                return ParamRef(name, None, True, spec.type)
        elif len(rest) == 1:
            return ParamRef(name, None, False, spec.type)
        if isinstance(spec.type, T.WeightsT) and len(rest) == 2:
            return ParamRef(name, rest[1], False, T.NUMBER)
        return self._unknown_field(node, node.dotted, ["params." + name])

    # -- calls
    def _call(self, node: ast.Call, scope):
        fn = BUILTINS.get(node.name)
        if fn is None:
            return self.error("E212", node, name=node.name, hint=_hint(node.name, BUILTINS))
        if fn.aggregate:
            return self.error("E214", node, name=node.name)
        lo, hi = fn.arity
        if not lo <= len(node.args) <= hi:
            expected = str(lo) if lo == hi else f"{lo}–{hi}"
            return self.error("E213", node, name=node.name, expected=expected, given=len(node.args))
        return fn.check(self, node, scope)

    def apply_type_rule(self, node, type_rule, types):
        name = node.name
        if any(isinstance(t, T.AnyT) for t in types):
            result = type_rule([t if not isinstance(t, T.AnyT) else T.ANY for t in types])
            return result if isinstance(result, T.Type) else T.ANY
        result = type_rule(types)
        if isinstance(result, str):
            if result == "same_unit":
                return self.error("E221", node, left=_unit_text(types[0]), right=_unit_text(types[1]),
                                  op=Localized(f"用于 {name}", f"use together in {name}"))
            expected = ARG_EXPECTATIONS[result]
            found = next((t for t in types if type(t) is not type(expected)), types[0])
            return self.error("E220", node, what=Localized(f"函数 {name} 的参数", f"the argument of {name}"),
                              expected=expected.describe(), found=found.describe())
        return result

    def _aggregate(self, node: ast.Aggregate, scope: _Scope):
        fn = BUILTINS.get(node.name)
        if fn is None:
            return self.error("E212", node, name=node.name, hint=_hint(node.name, BUILTINS))
        if not fn.aggregate:
            return self.error("E215", node, name=node.name)
        lo, hi = fn.arity
        if not lo <= len(node.args) <= hi:
            expected = str(lo) if lo == hi else f"{lo}–{hi}"
            return self.error("E213", node, name=node.name, expected=expected, given=len(node.args))
        ct = self.check(node.collection, scope)
        if scope.var(node.var) is not None or node.var in ("section", "school", "params", "facts"):
            self.error("E218", node, name=node.var)
        if isinstance(ct, T.CollectionT):
            bound: T.Type = T.EntityT(ct.entity)
            entity = ct.entity
        elif isinstance(ct, T.ListT):
            bound, entity = ct.item, None
        else:
            if not isinstance(ct, T.AnyT):
                self.error("E220", node.collection, what=Localized("in 之后", "after 'in'"),
                           expected=Localized("集合或列表", "a collection or list"), found=ct.describe())
            bound, entity = T.ANY, None
        inner = scope.bind(node.var, bound)
        self.max_slots = max(self.max_slots, len(inner.vars))
        self.resolutions[id(node)] = AggregateInfo(len(inner.vars) - 1, entity)
        if node.where is not None:
            self.expect_bool(node.where, inner)
        types = [self.check(a, inner) for a in node.args]
        if node.name == "weighted_cv" and len(types) == 2 and isinstance(types[1], T.NumberT) \
                and not types[1].dim.is_dimensionless:
            self.error("E220", node.args[1], what=Localized("权重", "the weight"),
                       expected=Localized("学生数等计数", "a count such as students"), found=types[1].describe())
        return self.apply_type_rule(node, fn.check.type_rule, types)


def _unit_text(t: T.Type) -> Localized:
    if isinstance(t, T.NumberT):
        # Values are held in base units, so a converted unit (万元) is described by its dimension (元).
        if t.unit is not None and (t.unit.scale == 1 or t.unit.dim.is_dimensionless):
            return Localized(t.unit.label, t.unit.label)
        if t.dim.is_dimensionless:
            return Localized("无单位", "no unit")
        return Localized(t.dim.describe(), t.dim.describe())
    return t.describe()


def check(env: Environment, node: ast.Node, subject: str) -> Checked:
    """Check one expression in the scope of a rule subject."""
    checker = _Checker(env, _Scope(subject))
    t = checker.check(node, checker.scope)
    return Checked(node, t, checker.errors, checker.resolutions, checker.max_slots, types=checker.types)


def check_derived(env: Environment, entity: str, name: str) -> Checked:
    """Check a derived field once; later calls return the stored result."""
    key = (entity, name)
    if key in env.derived_results:
        return env.derived_results[key]
    if key in env._checking:
        chain = tuple(n for _, n in env._checking[env._checking.index(key):]) + (name,)
        return Checked(env.derived[entity][name].node, T.ANY, [], {}, 0, cycle=chain)
    env._checking.append(key)
    try:
        spec = env.derived[entity][name]
        result = check(env, spec.node, DERIVED_SCOPE[entity])
        if spec.unit is not None and isinstance(result.type, T.NumberT):
            if spec.unit.dim != result.type.dim:
                result.errors.append(ExprError("E226", spec.node.span, {
                    "declared": spec.unit.label, "found": _unit_text(result.type)}))
                result.type = T.ANY  # reported once here; users of the field are not blamed again
            else:
                result.type = T.NumberT(result.type.dim, spec.unit)
    finally:
        env._checking.pop()
    env.derived_results[key] = result
    return result
