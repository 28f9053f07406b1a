"""Evaluate single expressions the way rules are evaluated: parse → check → compile → run."""
from __future__ import annotations

from fractions import Fraction

from compliance.dsl import types as T
from compliance.dsl.check import DerivedSpec, Environment, ParamSpec, check
from compliance.run.closures import Compiler, Env, ParamValues
from compliance.dsl.names import default_catalog
from compliance.dsl.parse import ExprError, parse
from compliance.dsl.units import parse_unit
from compliance.record import RecordView, exact

BASE_RECORD = {"format_version": "1", "jurisdiction": {"code": "000000", "name": "测试县", "level": "county"},
               "year": 2024, "as_of": "2024-09-01", "facts": {}, "schools": [], "history": []}


def record(**parts) -> dict:
    out = dict(BASE_RECORD)
    out.update(parts)
    return exact(out)


def school(id="s1", type="primary", sections=None, shared=None, **extra) -> dict:
    data = {"id": id, "name": f"学校{id}", "type": type, "sections": sections or {}}
    if shared is not None:
        data["shared"] = shared
    data.update(extra)
    return data


def environment(params: dict | None = None, derived: dict | None = None) -> tuple[Environment, ParamValues]:
    """params: name → value | (value, unit) | {"primary": v, "junior": v}; derived: (entity, name) → text."""
    specs, values = {}, {}
    for name, spec in (params or {}).items():
        unit = None
        if isinstance(spec, tuple):
            spec, unit_text = spec
            unit = parse_unit(unit_text)
        levels = None
        if isinstance(spec, dict) and set(spec) <= {"primary", "junior"}:
            levels = tuple(spec)
            t = T.NumberT(unit.dim, unit) if unit else T.NUMBER
            values[name] = {k: Fraction(str(v)) * (unit.scale if unit else 1) for k, v in spec.items()}
        elif isinstance(spec, dict):
            t = T.WeightsT()
            values[name] = {k: Fraction(str(v)) for k, v in spec.items()}
        elif isinstance(spec, list):
            t = T.ListT(T.STRING)
            values[name] = spec
        else:
            t = T.NumberT(unit.dim, unit) if unit else T.NUMBER
            values[name] = Fraction(str(spec)) * (unit.scale if unit else 1)
        specs[name] = ParamSpec(name, t, levels)
    env = Environment(default_catalog(), params=specs)
    for (entity, name), text in (derived or {}).items():
        node = parse(text)
        assert not isinstance(node, ExprError), node
        env.derived.setdefault(entity, {})[name] = DerivedSpec(name, entity, node)
    return env, ParamValues(values)


def errors(text: str, subject: str = "jurisdiction", params=None, derived=None) -> list:
    node = parse(text)
    if isinstance(node, ExprError):
        return [node]
    env, _ = environment(params, derived)
    found = check(env, node, subject).errors
    return found + [e for result in env.derived_results.values() for e in result.errors]


def run(text: str, data: dict | None = None, subject: str = "jurisdiction", params=None, derived=None,
        school_index: int = 0, level: str = "primary", trace: bool = False):
    """The value of `text` for one subject of the record (default: the jurisdiction)."""
    node = parse(text)
    assert not isinstance(node, ExprError), node
    env, values = environment(params, derived)
    checked = check(env, node, subject)
    assert not checked.errors, checked.errors
    fn = Compiler(env, values, lambda n: "denominator").compile(checked, subject)
    view = RecordView(data if data is not None else record())
    school = section = None
    if subject in ("school", "school_section"):
        school = view.schools[school_index]
    if subject == "school_section":
        section = next(s for s in view.sections if s.school is school and s.level == level)
    run_env = Env(view, school, section, level if subject in ("school_section", "section_level") else None,
                  checked.max_slots, trace)
    result = fn(run_env)
    return (result, run_env) if trace else result


def typed(value) -> list:
    """A value as a flat list of tokens with every type spelled out, so that 1, 1.0,
    Decimal('1.0') and True differ, and key order counts. No recursion: values nest 1,000 deep."""
    tokens, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            tokens.append(("dict", len(item)))
            for k, v in reversed(item.items()):
                stack.extend([v, ("key", k)])
        elif isinstance(item, list):
            tokens.append(("list", len(item)))
            stack.extend(reversed(item))
        elif isinstance(item, tuple):
            tokens.append(item)
        else:
            tokens.append((type(item).__name__, repr(item)))
    return tokens
