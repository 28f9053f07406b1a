"""A checked pack compiled for one date: every rule in force as closures, ready to run
over any number of records."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from .diagnostics import CompilationFailed
from .dsl import types as T
from .dsl.compile import Compiler, Fn, ParamValues
from .lint import Analysis
from .logic import undefined
from .packs import Rule


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    when: Fn | None
    require: Fn | None
    sides: tuple | None            # (left, right, operator) for a top-level comparison
    op: str | None
    slots: int
    percent: bool                  # show value and threshold as percentages
    citation: dict                 # the rule's citation, built once
    deadline: str | None
    severity: str                  # `target` while a deadline is still ahead, else the rule's own
    overridden_citation: dict | None = None  # the ancestor rule this one replaces


@dataclass
class Program:
    analysis: Analysis
    as_of: datetime.date
    rules: list[CompiledRule]


def compiler_for(analysis: Analysis, as_of: datetime.date) -> Compiler:
    """The compiler of one pack for one date (parameters in force become constants); also
    what remedies use to compile the parts of a rule they solve one by one."""
    values = {}
    for name, param in analysis.params.items():
        v = param.value_at(as_of)
        values[name] = undefined("no_parameter_value", f"params.{name}") if v is None or v == {} else v
    compiler = Compiler(analysis.env, ParamValues(values))
    compiler.source_of = analysis.text_of  # division by zero quotes the denominator as written
    return compiler


def build_program(analysis: Analysis, as_of: datetime.date) -> Program:
    if analysis.errors:
        raise CompilationFailed(analysis.errors)
    compiler = compiler_for(analysis, as_of)
    compiled = []
    for rule in analysis.rules:
        if not rule.in_force(as_of):
            continue
        when = require = sides = None
        op = None
        percent = False
        slots = 0
        subject = rule.applies_to
        if rule.when is not None:
            checked = analysis.checked[(rule.qualified_id, "when")]
            when = compiler.compile(checked, subject)
            slots = max(slots, checked.max_slots)
        if rule.require is not None:
            checked = analysis.checked[(rule.qualified_id, "require")]
            require = compiler.compile(checked, subject)
            sides = compiler.compile_sides(checked, subject)
            slots = max(slots, checked.max_slots)
            if sides is not None:
                op = checked.node.op
                right_type = checked.types.get(id(checked.node.right))
                percent = isinstance(right_type, T.NumberT) and right_type.unit is not None \
                    and right_type.unit.label == "%"
        # A target whose deadline has not come yet is progress to report, not a failure.
        severity = "target" if rule.deadline and as_of < rule.deadline else rule.severity
        replaced = analysis.overridden.get(rule.id)
        compiled.append(CompiledRule(rule, when, require, sides, op, slots, percent,
                                     rule.citation.as_dict() if rule.citation else {},
                                     rule.deadline.isoformat() if rule.deadline else None, severity,
                                     replaced.citation.as_dict() if replaced and replaced.citation else None))
    return Program(analysis, as_of, compiled)
