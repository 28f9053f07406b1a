"""Lint that reads the quote: parameter values against the numbers of the texts they come from,
and thresholds written as literals where a parameter (with its reference) belongs.

- W330: a parameter value that none of its sources states (the quotes and readings of the rules
  that use it, and its own `reference`).
- W331: a number a rule quotes that no parameter carries and its reading does not explain.
- E332: a literal number compared in `when`/`require`; thresholds are parameters, with a
  reference. A plan year is a scope, not a threshold: the rule says so with `literal: plan-year`.
"""
from __future__ import annotations

from fractions import Fraction

from .diagnostics import Diagnostic, Localized
from .dsl import ast
from .quote_numbers import QuotedNumber, mentions, numbers_in, show

_COMPARE = ("==", "!=", ">=", ">", "<=", "<")


def rule_texts(rule) -> tuple[list[QuotedNumber], list[QuotedNumber]]:
    """(numbers of the quote, numbers of the reading). A repaired quote is read in its repair."""
    c = rule.citation
    if c is None:
        return [], []
    quote = c.quote_reading if c.quote_reading_given else (c.quote_reading or c.quote)
    return numbers_in(quote), numbers_in(c.reading)


def _params_of(node, derived_params: dict[str, set[str]]) -> set[str]:
    out: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Path):
            if n.parts[0] == "params" and len(n.parts) > 1:
                out.add(n.parts[1])
            else:
                for part in n.parts:
                    out |= derived_params.get(part, set())
    return out


def users(analysis) -> dict[str, list]:
    """Parameter name → the rules that use it, directly or through derived fields."""
    specs = {name: spec.node for by_name in analysis.env.derived.values() for name, spec in by_name.items()}
    derived_params: dict[str, set[str]] = {name: set() for name in specs}
    for _ in range(len(specs) + 1):  # derived fields refer to each other: reach the fixpoint
        changed = False
        for name, node in specs.items():
            found = _params_of(node, derived_params)
            if not found <= derived_params[name]:
                derived_params[name] |= found
                changed = True
        if not changed:
            break
    out: dict[str, list] = {}
    for rule in analysis.rules:
        names: set[str] = set()
        for expr in (rule.when, rule.require):
            if expr is not None and expr.node is not None:
                names |= _params_of(expr.node, derived_params)
        for name in names:
            out.setdefault(name, []).append(rule)
    return out


def _numeric(value) -> bool:
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


def check_params(analysis) -> list[Diagnostic]:
    """W330 for each dated value of the pack's own parameters that no source states."""
    out = []
    used_by = users(analysis)
    for name, param in analysis.pack.params.items():
        rules = used_by.get(name, [])
        sources: list[QuotedNumber] = numbers_in(param.reference)
        for rule in rules:
            quote, reading = rule_texts(rule)
            sources += quote + reading
        scale = param.unit.scale if param.unit is not None else Fraction(1)
        series = param.by_level.items() if param.by_level else [(None, param.values or ())]
        for level, dated in series:
            for start, value in dated:
                if not _numeric(value) or mentions(sources, value, scale):
                    continue
                quoted = show([n for r in rules for n in rule_texts(r)[0]])
                out.append(Diagnostic("W330", param.value_locations.get((level, start), param.location), {
                    "name": name, "value": _written(value), "date": start.isoformat(),
                    "level": Localized(_LEVELS_ZH.get(level, ""), f" ({level})" if level else ""),
                    "numbers": quoted or Localized("（原文无数字）", "(no numbers in the quote)"),
                    "rules": ", ".join(r.qualified_id for r in rules) or "—"}, "warning"))
    return out


_LEVELS_ZH = {"primary": "（小学）", "junior": "（初中）"}


def _written(value) -> str:
    from .findings import format_number
    return format_number(value)


def check_quoted(analysis) -> list[Diagnostic]:
    """W331 for each number a rule of this pack quotes that no parameter carries, unless the
    rule's reading names it (a definition, a baseline, a count that is not a threshold)."""
    carried: set[Fraction] = set()   # every value as written and in base units (85 and 0.85 for 85 %)
    for param in analysis.params.values():
        scale = param.unit.scale if param.unit is not None else Fraction(1)
        carried |= {x for v in param.all_values() if _numeric(v) for x in (Fraction(v), Fraction(v) * scale)}
    out = []
    for rule in analysis.rules:
        if rule.pack != analysis.pack.id:
            continue
        quote, reading = rule_texts(rule)
        loose = [number for number in quote
                 if not number.values() & carried and not any(number.values() & r.values() for r in reading)]
        if loose:  # one warning per rule: diagnostics at one place with one code are kept once
            out.append(Diagnostic("W331", rule.spots.get("citation.quote", rule.spot("citation")),
                                  {"id": rule.id, "number": show(loose)}, "warning"))
    return out


def check_literals(rule, broken: set[str] = frozenset()) -> list[Diagnostic]:
    """E332 for a number compared directly in a rule's condition (0 is no threshold: none vs some).
    A part with errors already (`broken`) is not judged again: fix the first error first."""
    out = []
    for part in ("when", "require"):
        expr = getattr(rule, part)
        if expr is None or expr.node is None or part in broken:
            continue
        for node in ast.walk(expr.node):
            if not isinstance(node, ast.Compare) or node.op not in _COMPARE:
                continue
            for side in (node.left, node.right):
                number = side.operand if isinstance(side, ast.Neg) else side
                if not isinstance(number, ast.Number) or number.value == 0:
                    continue
                if rule.literal == "plan-year" and _year_like(number):
                    continue
                out.append(Diagnostic("E332", expr.location(number.span), {
                    "id": rule.id, "literal": expr.text_of(number) or str(number.value), "part": part}))
    return out


def _year_like(number: ast.Number) -> bool:
    value = number.value
    return number.unit in (None, "年") and value.denominator == 1 and 1949 <= value <= 2100
